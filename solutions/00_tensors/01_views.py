"""Views and copies: `view`, `reshape`, `contiguous`, strides and `clone`.

EN: A tensor is a window on a block of memory (its storage): the shape, the strides
and an offset say where each element lies. A view — `x.view(...)`, `x.t()`, `x[1:]`,
`x.reshape(...)` when it can — is another window on the same memory: nothing is
copied, and writing through the view changes `x`. `x.view(...)` needs strides that
allow it and raises otherwise (on a transposed tensor, for example); `x.reshape(...)`
returns a view when it can and a copy only when it must; `x.contiguous()` returns `x`
itself when it is already contiguous. `x.clone()` always copies, and the copy stays in
the autograd graph (unlike `x.detach().clone()`).

中文: 张量是一块内存(它的存储)上的窗口:形状、步幅和偏移量决定每个元素的位置。视图——
`x.view(...)`、`x.t()`、`x[1:]`,以及能返回视图时的 `x.reshape(...)`——是同一块内存上的另一个
窗口:不复制任何数据,通过视图写入会改变 `x`。`x.view(...)` 要求步幅允许,否则会报错(例如对
转置后的张量);`x.reshape(...)` 能返回视图时就返回视图,只在必须时才复制;`x` 已经连续时,
`x.contiguous()` 直接返回 `x` 本身。`x.clone()` 总是复制,而且副本仍在自动求导的计算图中
(`x.detach().clone()` 则不在)。
"""

from torch import Tensor


def flat(x: Tensor) -> Tensor:
    """Return `x` as a 1-D tensor of its `x.numel()` elements, in row-major order.

    A view of `x` (sharing its memory) whenever x's strides allow one, a copy only when they
    do not; any `x` works: 0-d, empty, transposed. Stays attached to the graph when x is.
    以行优先的顺序,把 `x` 的 `x.numel()` 个元素作为一维张量返回。
    只要 `x` 的步幅允许,就返回共享内存的视图,不允许时才复制;任何 `x` 都要能处理:0 维、空张量、
    转置后的张量。`x` 在计算图中时,结果也连接计算图。
    """
    return x.reshape(-1)


def copy_of(x: Tensor) -> Tensor:
    """Return a copy of `x` that shares no memory with it: same values, shape, dtype and device.

    Writing into the copy never changes `x`. When `x` requires grad, the copy stays attached to
    the graph, so gradients flow back to `x`.
    返回与 `x` 不共享内存的副本:数值、形状、数据类型和设备都相同。
    写入副本永远不会改变 `x`。`x` 需要梯度时,副本仍连接计算图,梯度能传回 `x`。
    """
    return x.clone()

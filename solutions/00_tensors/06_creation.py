"""Making tensors that match another: dtype and device attributes.

EN: Every tensor carries a `dtype` and a `device`. A new tensor made with
`torch.full(shape, v)`, `torch.ones(...)` or `torch.arange(n)` gets the defaults —
float32 (or int64 for Python ints) and the default device — not those of the tensor
you are working with, so code that is right on a CPU breaks on a GPU or with float64
data. Either pass them on (`dtype=x.dtype, device=x.device`) or use the `_like`
functions (`torch.full_like(x, v)`, `torch.zeros_like(x)`), which copy x's shape, dtype
and device (but not its values, and not `requires_grad`).

中文: 每个张量都带有 `dtype` 和 `device`。用 `torch.full(shape, v)`、`torch.ones(...)` 或 `torch.arange(n)`
新建的张量使用默认值——float32(Python 整数则是 int64)和默认设备——而不是你正在处理的那个张量的,
所以在 CPU 上正确的代码换到 GPU 或 float64 数据上就会出错。要么把它们传过去(`dtype=x.dtype,
device=x.device`),要么用 `_like` 函数(`torch.full_like(x, v)`、`torch.zeros_like(x)`),它们会复制 x 的
形状、数据类型和设备(但不复制数值,也不复制 `requires_grad`)。
"""

import torch
from torch import Tensor


def filled_like(x: Tensor, value: float) -> Tensor:
    """Return a new tensor with x's shape, dtype and device, every element `value` (cast to x's dtype).

    It does not require grad, even when `x` does; `x` is not changed.
    返回形状、数据类型和设备都与 `x` 相同的新张量,每个元素都是 `value`(转换成 x 的数据类型)。
    即使 `x` 需要梯度,它也不需要梯度;不修改 `x`。
    """
    return torch.full_like(x, value)


def counter_like(n: int, like: Tensor) -> Tensor:
    """Return 0, 1, ..., n - 1 as a 1-D tensor with the dtype and device of `like`.

    A negative `n` raises (PyTorch's error reaches the caller).
    返回 0, 1, ..., n - 1 组成的一维张量,数据类型和设备与 `like` 相同。
    `n` 为负数时报错(PyTorch 的错误传给调用者)。
    """
    return torch.arange(n, dtype=like.dtype, device=like.device)

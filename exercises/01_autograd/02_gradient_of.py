"""The gradient of any scalar function, without side effects.

EN: `gradient_of(f, x)` returns df/dx at `x` for a function `f` that returns a
scalar. A good helper leaves the caller's tensor exactly as it was: same
`requires_grad`, no `.grad` left behind, values untouched. Its result is a
plain tensor, not attached to any graph. A non-scalar `f(x)` has no single
gradient: raise `ValueError` with a helpful message. It works even when the
caller is inside `torch.no_grad()` (use `torch.enable_grad()`), and leaves
grad mode as the caller set it.

中文: `gradient_of(f, x)` 返回标量函数 `f` 在 `x` 处的梯度 df/dx。一个好的工具函数
不会改动调用者的张量:`requires_grad` 不变、不留下 `.grad`、数值不变。返回值是普通张量,
不连接任何计算图。如果 `f(x)` 不是标量,就没有唯一的梯度:请抛出 `ValueError`。
即使调用者处在 `torch.no_grad()` 中也能工作(使用 `torch.enable_grad()`),并保持调用者设置的梯度模式。
"""

from collections.abc import Callable

import torch
from torch import Tensor


def gradient_of(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """Return the gradient of the scalar `f(x)` with respect to `x` (same shape as `x`).

    返回标量 `f(x)` 对 `x` 的梯度(形状与 `x` 相同)。
    """
    # TODO: work on a detached copy of x that requires grad, so the caller's x is untouched.
    # TODO: 在 x 的一个 detach 后的副本上计算,让调用者的 x 保持不变。
    # TODO: raise ValueError when f(x) is not a scalar.
    # TODO: 当 f(x) 不是标量时抛出 ValueError。
    raise NotImplementedError("gradient_of is not written yet / gradient_of 还没有完成")

"""Vector-Jacobian products: `backward(gradient=v)`.

EN: When `y = f(x)` is not a scalar, `y.backward(gradient=v)` computes
`v^T · J`, where J is the Jacobian of f at x. `v` has the shape of `y`; the result
has the shape of `x`. This is exactly what the autograd tutorial does with
`out.backward(torch.ones_like(out))`. Start from a fresh leaf every call, so no
stale gradient is added in, and leave the caller's `x` as it was (same
`requires_grad`, no `.grad` left behind). It works even when the caller is inside
`torch.no_grad()` (use `torch.enable_grad()`), and leaves grad mode as the caller
set it.

中文: 当 `y = f(x)` 不是标量时,`y.backward(gradient=v)` 计算 `v^T · J`,其中 J 是
f 在 x 处的雅可比矩阵。`v` 的形状与 `y` 相同;结果的形状与 `x` 相同。自动求导教程中的
`out.backward(torch.ones_like(out))` 就是这样做的。每次调用都从一个新的叶子张量开始,
避免把旧的梯度累加进来,并且不改动调用者的 `x`(`requires_grad` 不变、不留下 `.grad`)。
即使调用者处在 `torch.no_grad()` 中也能工作(使用 `torch.enable_grad()`),并保持调用者设置的梯度模式。
"""

from collections.abc import Callable

import torch
from torch import Tensor


def vector_jacobian_product(f: Callable[[Tensor], Tensor], x: Tensor, v: Tensor) -> Tensor:
    """Return v^T · J_f(x), a tensor with the shape of x.

    返回 v^T · J_f(x),形状与 x 相同。
    """
    with torch.enable_grad():  # also inside the caller's no_grad(); restored on exit
        leaf = x.detach().clone().requires_grad_(True)
        y = f(leaf)
        y.backward(gradient=v)
    return leaf.grad

"""Switching autograd off: `torch.no_grad()` and `.detach()`.

EN: At prediction time you do not need gradients, so do not pay for a graph:
run the forward pass inside `torch.no_grad()` (or `torch.inference_mode()`).
`.detach()` is the per-tensor tool: `x * x.detach()` treats the second factor
as a constant, so its gradient is `x`, not `2 * x`.

中文: 做预测时不需要梯度,就不要为计算图付出代价:在 `torch.no_grad()`(或
`torch.inference_mode()`)中执行前向传播。`.detach()` 作用于单个张量:
`x * x.detach()` 把第二个因子当作常数,所以它的梯度是 `x`,而不是 `2 * x`。
"""

import torch
from torch import Tensor, nn


def predict_no_grad(model: nn.Module, x: Tensor) -> Tensor:
    """Return model(x) without building an autograd graph.

    返回 model(x),但不构建自动求导的计算图。
    """
    with torch.no_grad():
        return model(x)


def detached_product(x: Tensor) -> Tensor:
    """Return x * x.detach(): the value is x**2, the gradient with respect to x is x.

    返回 x * x.detach():数值是 x**2,对 x 的梯度是 x。
    Use `x.detach()`, not `x.data`: autograd must still notice a later in-place change of x.
    请使用 `x.detach()`,不要用 `x.data`:之后若 x 被原地修改,自动求导必须仍能察觉。
    """
    return x * x.detach()

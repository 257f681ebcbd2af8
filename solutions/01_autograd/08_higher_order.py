"""Higher-order gradients: differentiate a gradient with `create_graph=True`.

EN: `torch.autograd.grad(y, x)` returns dy/dx as a plain tensor, outside the
graph. With `create_graph=True` the gradient computation is itself recorded,
so the gradient can be differentiated again: that gives second derivatives
(curvature, Hessian-vector products, gradient penalties). For a function `f`
that works element by element (y[i] depends on x[i] only), summing before
each `grad` gives every element's derivative at once:
f' = grad(f(x).sum(), x, create_graph=True), f'' = grad(f'.sum(), x).
Work on a detached copy of x that requires grad, inside `torch.enable_grad()`
(the caller may be inside `torch.no_grad()`): the caller's x, its
`requires_grad` and its `.grad` stay as they were. Return both derivatives
detached, in x's shape and dtype. When f' does not depend on x (f is linear,
so f' has no graph), f'' is all zeros. An error raised by f reaches the caller.

中文: `torch.autograd.grad(y, x)` 返回 dy/dx,它是计算图之外的普通张量。
加上 `create_graph=True` 后,求梯度的计算本身也被记录,于是梯度可以再次求导:
这就得到二阶导数(曲率、Hessian-向量积、梯度惩罚)。对逐元素计算的函数 `f`
(y[i] 只依赖 x[i]),每次 `grad` 之前先求和,就能一次得到每个元素的导数:
f' = grad(f(x).sum(), x, create_graph=True),f'' = grad(f'.sum(), x)。
在 `torch.enable_grad()` 中(调用者可能在 `torch.no_grad()` 里),对 x 的一个
分离出来、需要梯度的副本进行计算:调用者的 x、它的 `requires_grad` 和 `.grad` 都保持不变。
两个导数都分离计算图后返回,形状和 dtype 与 x 相同。当 f' 不依赖 x 时
(f 是线性的,f' 没有计算图),f'' 全为 0。f 抛出的错误要传给调用者。
"""

from collections.abc import Callable

import torch
from torch import Tensor


def derivatives(f: Callable[[Tensor], Tensor], x: Tensor) -> tuple[Tensor, Tensor]:
    """(f'(x), f''(x)) element by element, for an element-wise f; x is not changed."""
    with torch.enable_grad():
        leaf = x.detach().requires_grad_(True)
        (first,) = torch.autograd.grad(f(leaf).sum(), leaf, create_graph=True)
        if first.requires_grad:
            (second,) = torch.autograd.grad(first.sum(), leaf)
        else:
            second = torch.zeros_like(leaf)
    return first.detach(), second.detach()

"""Leaf tensors and your first backward pass.

EN: Autograd records every operation on tensors that require gradients. The
tensors you create yourself with `requires_grad=True` are *leaves* of that graph:
only leaves receive `.grad` when you call `.backward()`. Any operation after
`requires_grad=True` (even `.to(...)` or `* 1`) makes a new, non-leaf tensor.

中文: 自动求导(autograd)会记录所有需要梯度的张量上的运算。你自己用 `requires_grad=True`
创建的张量是计算图的 *叶子张量*:调用 `.backward()` 后,只有叶子张量会得到 `.grad`。
在 `requires_grad=True` 之后再做任何运算(哪怕是 `.to(...)` 或 `* 1`)都会得到一个新的非叶子张量。

Run `torchdojo check autograd/leaf_tensors` to grade this file.
运行 `torchdojo check autograd/leaf_tensors` 来评分。
"""

import torch
from torch import Tensor


def make_leaf(values: list[float]) -> Tensor:
    """Return a float32 tensor of `values` that requires grad and is a leaf.

    返回一个 float32、需要梯度的叶子张量。
    """
    return torch.tensor(values, dtype=torch.float32, requires_grad=True)


def square_sum_grad(values: list[float]) -> Tensor:
    """Return d/dx sum(x**2) at x = values, computed by autograd with `.backward()`.

    用 `.backward()` 让自动求导计算 sum(x**2) 在 x = values 处的梯度。
    """
    x = make_leaf(values)
    (x**2).sum().backward()
    return x.grad

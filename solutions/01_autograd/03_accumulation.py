"""Gradients accumulate: write one step of SGD by hand.

EN: `.backward()` *adds* into `.grad`; it never replaces it. That is why every
training loop clears gradients after (or before) each step. Update the
parameters in place, inside `torch.no_grad()`, so the update itself is not
recorded by autograd and every reference to the parameter (a module, an
optimizer) sees the new values.

中文: `.backward()` 会把梯度 *累加* 到 `.grad` 上,而不是替换它。所以每个训练循环都要在
每一步之后(或之前)清空梯度。请在 `torch.no_grad()` 中 *原地* 更新参数:这样更新本身
不会被自动求导记录,所有引用这个参数的地方(模块、优化器)都能看到新值。
"""

from collections.abc import Iterable

import torch
from torch import Tensor


def sgd_step(params: Iterable[Tensor], lr: float) -> None:
    """For each parameter with a gradient: p -= lr * p.grad (in place), then clear p.grad.

    对每个有梯度的参数:原地执行 p -= lr * p.grad,然后清空 p.grad。
    Parameters whose `.grad` is None are skipped. / `.grad` 为 None 的参数跳过。
    `params` may be a generator such as `model.parameters()`: it can be read only once.
    `params` 可以是 `model.parameters()` 这样的生成器:它只能遍历一次。
    Update `p` itself under `torch.no_grad()`, not `p.data`: autograd must still notice the change.
    请在 `torch.no_grad()` 中更新 `p` 本身,不要通过 `p.data`:自动求导必须仍能察觉这次修改。
    """
    with torch.no_grad():
        for p in params:
            if p.grad is None:
                continue
            p -= lr * p.grad
            p.grad = None

"""Gradient accumulation: micro-batches that add up to one big batch.

EN: When a big batch does not fit in memory, split it into micro-batches and
call `loss.backward()` on each one before a single `optimizer.step()`:
`backward()` adds into `.grad`, so the gradients add up. For the sum to equal the
big batch's gradient, weigh each micro-batch's mean loss by its share of the
samples, `len(X) / total` (dividing by the number of micro-batches is only right
when they all have the same size). Clear the old gradients first, once, and
step once at the end.

中文: 当大批次放不进内存时,把它拆成若干个微批次,对每个微批次调用 `loss.backward()`,最后只调用一次
`optimizer.step()`:`backward()` 会累加到 `.grad` 中,所以梯度会加起来(梯度累加)。要让总和等于大批次的
梯度,每个微批次的平均损失要按它所占的样本比例 `len(X) / total` 加权(除以微批次的个数只有在它们大小都
相同时才正确)。开始时清空一次旧的梯度,最后只更新一次。
"""

from collections.abc import Iterable

import torch
from torch import Tensor, nn


def accumulated_step(model: nn.Module, micro_batches: Iterable[tuple[Tensor, Tensor]], loss_fn: nn.Module,
                     optimizer: torch.optim.Optimizer) -> float:
    """One optimizer step whose gradients equal those of all `micro_batches` joined into one batch.

    `micro_batches` is any iterable of `(X, y)` pairs (a generator too: read it once); `loss_fn`
    averages over its batch (reduction "mean"). Clear the gradients the caller left, back-propagate
    each micro-batch's loss weighted by `len(X) / total`, then call `optimizer.step()` once.
    Return the loss of the whole batch (the weighted sum of the micro-batch losses) as a float.

    执行一次优化器更新,其梯度等于把所有 `micro_batches` 合并成一个批次时的梯度。
    `micro_batches` 是任意 `(X, y)` 对的可迭代对象(也可以是生成器:只读取一次);`loss_fn` 对批次
    求平均(reduction 为 "mean")。先清空调用者留下的梯度,对每个微批次的损失按 `len(X) / total` 加权后
    反向传播,然后只调用一次 `optimizer.step()`。以 float 返回整个批次的损失(各微批次损失的加权和)。
    """
    batches = list(micro_batches)
    total = sum(len(X) for X, _ in batches)
    optimizer.zero_grad()
    whole = 0.0
    for X, y in batches:
        loss = loss_fn(model(X), y) * (len(X) / total)
        loss.backward()
        whole += loss.item()
    optimizer.step()
    return whole

"""A learning-rate scheduler in the training loop: which step comes first.

EN: A scheduler changes the optimizer's learning rate as training goes on
(`StepLR` halves it every few epochs, `ExponentialLR` multiplies it each epoch).
The order matters: in each epoch, train on every batch with `optimizer.step()`,
and only then, once per epoch, call `scheduler.step()`. Calling
`scheduler.step()` first skips the first learning rate (PyTorch warns about it);
calling it once per batch decays far too fast.

中文: 学习率调度器在训练过程中改变优化器的学习率(`StepLR` 每隔几轮减半,`ExponentialLR` 每轮乘以一个系数)。
顺序很重要:每一轮先用 `optimizer.step()` 训练完所有批次,然后每轮只调用一次 `scheduler.step()`。
先调用 `scheduler.step()` 会跳过第一个学习率(PyTorch 会给出警告);每个批次调用一次则衰减得太快。
"""

import torch
from torch import nn
from torch.utils.data import DataLoader


def train_with_scheduler(model: nn.Module, loader: DataLoader, loss_fn: nn.Module, optimizer: torch.optim.Optimizer,
                         scheduler: torch.optim.lr_scheduler.LRScheduler, epochs: int) -> list[float]:
    """Train `model` for `epochs` epochs; return the learning rate each epoch trained with.

    Each epoch: for every batch `(X, y)` of `loader`, forward pass, loss, `backward()`,
    `optimizer.step()` and clearing the gradients (before the forward pass or after the step);
    then `scheduler.step()`, once. The returned list holds `optimizer.param_groups[0]["lr"]` as it
    was during each epoch (read before that epoch's `scheduler.step()`).

    训练 `model` `epochs` 轮;返回每一轮训练时使用的学习率。
    每一轮:对 `loader` 的每个批次 `(X, y)` 做前向传播、计算损失、`backward()`、`optimizer.step()`,
    并清空梯度(在前向传播之前或 step 之后都可以);然后调用一次 `scheduler.step()`。返回的列表保存每一轮训练
    期间的 `optimizer.param_groups[0]["lr"]`(在这一轮的 `scheduler.step()` 之前读取)。
    """
    used = []
    for _ in range(epochs):
        used.append(optimizer.param_groups[0]["lr"])
        for X, y in loader:
            loss = loss_fn(model(X), y)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        scheduler.step()
    return used

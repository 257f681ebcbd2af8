"""Quickstart, step 2: the training loop.

EN: One epoch: put the model in training mode (`model.train()`: dropout and
batch norm behave as in training), then for each batch: forward pass, loss,
`loss.backward()`, `optimizer.step()`, `optimizer.zero_grad()` (zeroing first,
before the forward pass, is equally right). Return the mean of the batch
losses as a float. The model stays in training mode when `train` returns.

中文: 训练一轮:先把模型设为训练模式(`model.train()`:dropout 和批归一化按训练方式
工作),然后对每个批次:前向传播、计算损失、`loss.backward()`、`optimizer.step()`、
`optimizer.zero_grad()`(在前向传播之前先清零也同样正确)。返回各批次损失的平均值(float)。
`train` 返回时模型仍处于训练模式。
"""

import torch
from torch import nn
from torch.utils.data import DataLoader


def train(dataloader: DataLoader, model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer) -> float:
    """Train for one epoch; return the mean batch loss.

    训练一轮;返回各批次损失的平均值。
    """
    model.train()
    total = 0.0
    for X, y in dataloader:
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item()
    return total / len(dataloader)

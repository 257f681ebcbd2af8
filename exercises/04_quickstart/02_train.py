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
    # TODO: model.train(); for X, y in dataloader: pred, loss, backward, step, zero_grad; average loss.item().
    # TODO: model.train();遍历 `dataloader`:预测、损失、backward、step、zero_grad;对 loss.item() 求平均。
    raise NotImplementedError("train is not written yet / train 还没有完成")

"""Quickstart, step 4: put it together, epoch after epoch.

EN: `fit` trains `model` for `epochs` epochs with the tutorial's choices —
`nn.CrossEntropyLoss()` and `torch.optim.SGD(model.parameters(), lr=lr)` — and
evaluates after every epoch. It returns one record per epoch:
`{"epoch": 1, "train_loss": ..., "test_loss": ..., "accuracy": ...}`.
`train` and `test` below are given (you wrote them in steps 2 and 3).
When fit works, run this file: `python exercises/04_quickstart/04_fit.py`.

中文: `fit` 按教程的选择训练 `model` 共 `epochs` 轮 —— `nn.CrossEntropyLoss()` 和
`torch.optim.SGD(model.parameters(), lr=lr)` —— 每轮结束后评估一次。每轮返回一条记录:
`{"epoch": 1, "train_loss": ..., "test_loss": ..., "accuracy": ...}`。下面的 `train`
和 `test` 已经给出(你在第 2、3 步写过)。完成后运行本文件:
`python exercises/04_quickstart/04_fit.py`。
"""

import torch
from torch import nn
from torch.utils.data import DataLoader


def train(dataloader: DataLoader, model: nn.Module, loss_fn: nn.Module, optimizer: torch.optim.Optimizer) -> float:
    model.train()
    total = 0.0
    for X, y in dataloader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item()
    return total / len(dataloader)


def test(dataloader: DataLoader, model: nn.Module, loss_fn: nn.Module) -> tuple[float, float]:
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).sum().item()
    return correct / len(dataloader.dataset), loss / len(dataloader)


def fit(model: nn.Module, train_dl: DataLoader, test_dl: DataLoader, epochs: int, lr: float = 1e-3) -> list[dict]:
    """Train and evaluate for `epochs` epochs; one record per epoch.

    训练并评估 `epochs` 轮;每轮一条记录。
    """
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for epoch in range(1, epochs + 1):
        train_loss = train(train_dl, model, loss_fn, optimizer)
        accuracy, test_loss = test(test_dl, model, loss_fn)
        history.append({"epoch": epoch, "train_loss": train_loss, "test_loss": test_loss, "accuracy": accuracy})
    return history


if __name__ == "__main__":
    import sys

    from torchdojo.data.quickstart_run import run

    sys.exit(run(fit))

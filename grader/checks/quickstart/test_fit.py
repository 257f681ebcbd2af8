"""Checks for quickstart/fit: one record per epoch, the tutorial's loss and optimizer, real learning."""

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset

from grader.checks.quickstart.common import blobs, small_model
from grader.checks.support import expect, fail, show
from grader.fashion import IdxFashion

KEYS = {"epoch", "train_loss", "test_loss", "accuracy"}


def _history(learner, model, epochs: int, lr: float, train=None, test=None) -> list[dict]:
    train = train or DataLoader(blobs(64), batch_size=16)
    test = test or DataLoader(blobs(32, seed=1), batch_size=16)
    history = learner.fit(model, train, test, epochs, lr=lr)
    if not isinstance(history, list) or not all(isinstance(r, dict) for r in history):
        fail(f"fit should return a list of dicts (one per epoch), got {show(history)}.",
             f"fit 应返回由 dict 组成的 list(每轮一个),实际返回 {show(history)}。", learner.fit)
    return history


def test_history_per_epoch(learner) -> None:
    history = _history(learner, small_model(), 3, 0.1)
    expect(len(history) == 3, f"fit(..., epochs=3) returned {len(history)} records; expected one per epoch.",
           f"fit(..., epochs=3) 返回了 {len(history)} 条记录;应为每轮一条。", learner.fit)
    for record in history:
        expect(KEYS <= set(record), f"A record has keys {sorted(record)}; expected {sorted(KEYS)}.",
               f"记录的键为 {sorted(record)};应为 {sorted(KEYS)}。", learner.fit)
    epochs = [record["epoch"] for record in history]
    expect(epochs in ([1, 2, 3], [0, 1, 2]), f"Epoch numbers are {epochs}; number them consecutively.",
           f"epoch 编号为 {epochs};请连续编号。", learner.fit)
    expect(all(0.0 <= float(r["accuracy"]) <= 1.0 for r in history), "accuracy must be a fraction in [0, 1].",
           "accuracy 必须是 [0, 1] 之间的比例。", learner.fit)


def test_tutorial_loss_and_optimizer(learner) -> None:
    model, reference = small_model(), small_model()
    _history(learner, model, 1, 0.05)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.05)
    for X, y in DataLoader(blobs(64), batch_size=16):
        nn.functional.cross_entropy(reference(X), y).backward()
        optimizer.step()
        optimizer.zero_grad()
    same = all(torch.allclose(p.detach(), q.detach(), atol=1e-5) for p, q in zip(model.parameters(), reference.parameters(), strict=True))
    expect(same, "After one epoch the weights differ from nn.CrossEntropyLoss + torch.optim.SGD(model.parameters(), lr=lr), "
           "the tutorial's choices.", "一轮之后的权重与教程的选择(nn.CrossEntropyLoss + torch.optim.SGD(model.parameters(), lr=lr))"
           "不同。", learner.fit)


def test_learning_rate_used(learner) -> None:
    model = small_model()
    before = [p.detach().clone() for p in model.parameters()]
    _history(learner, model, 1, 0.0)
    expect(all(torch.equal(p.detach(), q) for p, q in zip(model.parameters(), before, strict=True)),
           "With lr=0 the weights still changed: pass fit's lr to the optimizer instead of a fixed value.",
           "lr=0 时权重仍然改变了:请把 fit 的 lr 传给优化器,而不是写死一个值。", learner.fit)


def test_model_improves(learner) -> None:
    from grader.quickstart_run import NeuralNetwork

    torch.manual_seed(0)
    train = DataLoader(Subset(IdxFashion(train=True), range(1500)), batch_size=64, shuffle=True)
    test = DataLoader(Subset(IdxFashion(train=False), range(500)), batch_size=64)
    history = _history(learner, NeuralNetwork(), 4, 0.1, train, test)
    accuracy = [float(r["accuracy"]) for r in history]
    expect(accuracy[-1] >= 0.7,
           f"On the shipped FashionMNIST stand-in, accuracy per epoch was {[round(a, 3) for a in accuracy]}: the model should "
           "reach 70 % within 4 epochs at lr=0.1.",
           f"在自带的 FashionMNIST 替代数据上,每轮准确率为 {[round(a, 3) for a in accuracy]}:lr=0.1 时 4 轮内应达到 70%。",
           learner.fit)

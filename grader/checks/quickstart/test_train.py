"""Checks for quickstart/train: mode, order of operations and the returned loss, measured against a reference."""

import torch
from torch import nn
from torch.utils.data import DataLoader

from grader.checks.quickstart.common import blobs, record_modes, small_model
from grader.checks.support import expect, expect_close, fail, show


def _reference(batches: int) -> tuple[nn.Module, float]:
    model = small_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for X, y in DataLoader(blobs(16 * batches), batch_size=16):
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return model, sum(losses) / len(losses)


def _learner_train(learner, batches: int) -> tuple[nn.Module, object]:
    model = small_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    result = learner.train(DataLoader(blobs(16 * batches), batch_size=16), model, nn.CrossEntropyLoss(), optimizer)
    return model, result


def _same_parameters(a: nn.Module, b: nn.Module) -> bool:
    return all(torch.allclose(p.detach(), q.detach(), atol=1e-5) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_one_batch_step(learner) -> None:
    model, _ = _learner_train(learner, 1)
    reference, _ = _reference(1)
    expect(_same_parameters(model, reference),
           "After one batch the parameters differ from forward -> loss -> backward -> step. Is step() called before backward()?",
           "一个批次之后参数与 forward -> loss -> backward -> step 的结果不同。是不是在 backward() 之前调用了 step()?",
           learner.train)


def test_zero_grad_each_batch(learner) -> None:
    model, _ = _learner_train(learner, 4)
    reference, _ = _reference(4)
    expect(_same_parameters(model, reference),
           "After four batches the parameters differ from the reference: gradients accumulate across batches. Call optimizer.zero_grad() every batch.",
           "四个批次之后参数与参考结果不同:梯度在批次之间累加了。请每个批次都调用 optimizer.zero_grad()。",
           learner.train)


class RecordingLoss(nn.CrossEntropyLoss):
    """CrossEntropyLoss that remembers every value it computed."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[float] = []

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        loss = super().forward(pred, target)
        self.values.append(loss.item())
        return loss


def test_returns_mean_batch_loss(learner) -> None:
    model, loss_fn = small_model(), RecordingLoss()
    result = learner.train(DataLoader(blobs(48), batch_size=16), model, loss_fn, torch.optim.SGD(model.parameters(), lr=0.1))
    if len(loss_fn.values) != 3:
        fail(f"loss_fn was called {len(loss_fn.values)} times for 3 batches; call it once per batch.",
             f"3 个批次调用了 {len(loss_fn.values)} 次 loss_fn;每个批次应调用一次。", learner.train)
    mean = sum(loss_fn.values) / 3
    if isinstance(result, torch.Tensor) or not isinstance(result, int | float):
        fail(f"train should return the mean batch loss as a float, got {show(result)}.",
             f"train 应以 float 返回平均批次损失,实际返回 {show(result)}。", learner.train)
    expect_close(torch.tensor(float(result)), torch.tensor(mean), "mean batch loss", "平均批次损失", learner.train)


def test_train_mode(learner) -> None:
    model = small_model(dropout=0.5)
    model.eval()  # left in eval mode by an earlier evaluation
    seen = record_modes(model)
    learner.train(DataLoader(blobs(32), batch_size=16), model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    expect(bool(seen) and all(training for training, _ in seen),
           "The model was in eval mode while training (dropout off). Call model.train() at the start.",
           "训练时模型处于评估模式(dropout 被关闭)。请在开始时调用 model.train()。", learner.train)

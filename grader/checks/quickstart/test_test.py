"""Checks for quickstart/test: accuracy over samples, loss over batches, eval mode, no graph."""

import torch
from torch import nn
from torch.utils.data import DataLoader

from grader.checks.quickstart.common import blobs, record_modes, small_model
from grader.checks.support import expect, fail, show


def _reference(model: nn.Module, loader: DataLoader) -> tuple[float, float]:
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            pred = model(X)
            loss += nn.functional.cross_entropy(pred, y).item()
            correct += int((pred.argmax(1) == y).sum())
    return correct / len(loader.dataset), loss / len(loader)


def _numbers(learner, result) -> tuple[float, float]:
    if not (isinstance(result, tuple | list) and len(result) == 2 and all(isinstance(v, int | float) for v in result)):
        fail(f"test should return (accuracy, mean_loss) as two floats, got {show(result)}.",
             f"test 应返回两个 float:(accuracy, mean_loss),实际返回 {show(result)}。", learner.test)
    return float(result[0]), float(result[1])


def _run(learner, count: int = 50, batch: int = 16, dropout: float = 0.0):
    model = small_model(seed=3, dropout=dropout)
    loader = DataLoader(blobs(count, seed=5), batch_size=batch)  # 50 = 16 + 16 + 16 + 2: an uneven last batch
    return model, loader, _numbers(learner, learner.test(loader, model, nn.CrossEntropyLoss()))


def test_accuracy_over_samples(learner) -> None:
    model, loader, (accuracy, _) = _run(learner)
    want, _ = _reference(model, loader)
    if abs(accuracy - want * len(loader.dataset) / len(loader)) < 1e-6 and abs(want - accuracy) > 1e-6:
        fail("The accuracy was divided by the number of batches; divide the correct count by the number of samples.",
             "准确率除以了批次数;请用正确数除以样本数。", learner.test)
    if abs(accuracy - 100 * want) < 1e-4 and want > 0:
        fail("The accuracy is a percentage; return a fraction in [0, 1] (the tutorial multiplies by 100 only when printing).",
             "准确率是百分数;请返回 [0, 1] 之间的比例(教程只在打印时乘以 100)。", learner.test)
    expect(abs(accuracy - want) < 1e-6, f"accuracy {accuracy:.4f}, expected {want:.4f} (50 samples, last batch of 2).",
           f"准确率为 {accuracy:.4f},应为 {want:.4f}(50 个样本,最后一个批次只有 2 个)。", learner.test)


def test_mean_batch_loss(learner) -> None:
    model, loader, (_, loss) = _run(learner)
    _, want = _reference(model, loader)
    expect(abs(loss - want) < 1e-5, f"mean loss {loss:.6f}, expected {want:.6f}: sum the batch losses and divide by the number of batches.",
           f"平均损失为 {loss:.6f},应为 {want:.6f}:把各批次损失相加后除以批次数。", learner.test)


def test_eval_mode(learner) -> None:
    model = small_model(seed=3, dropout=0.9)
    model.train()
    seen = record_modes(model)
    learner.test(DataLoader(blobs(32), batch_size=16), model, nn.CrossEntropyLoss())
    expect(bool(seen) and not any(training for training, _ in seen),
           "The model was evaluated in training mode (dropout active, results random). Call model.eval() first.",
           "评估时模型处于训练模式(dropout 生效,结果随机)。请先调用 model.eval()。", learner.test)


def test_no_grad(learner) -> None:
    model = small_model(seed=3)
    seen = record_modes(model)
    learner.test(DataLoader(blobs(32), batch_size=16), model, nn.CrossEntropyLoss())
    expect(bool(seen) and not any(grad for _, grad in seen),
           "Gradients were enabled during evaluation, so every batch built a graph. Wrap the loop in `with torch.no_grad():`.",
           "评估时梯度是开启的,每个批次都构建了计算图。请把循环放进 `with torch.no_grad():`。", learner.test)

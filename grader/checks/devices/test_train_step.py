"""Checks for devices/train_step: both X and y moved, one correct optimiser step, a float returned."""

import torch
from torch import nn

from grader.checks.stand_in import MetaDeviceSpy, is_device_mismatch
from grader.checks.support import expect, expect_close, fail, show


def _setup(device: str = "cpu", seed: int = 0):
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    return model, optimizer


def _batch(seed: int):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(8, 4, generator=generator), torch.randint(0, 3, (8,), generator=generator)


def _reference_losses(steps: int) -> tuple[nn.Module, list[float]]:
    model, optimizer = _setup()
    losses = []
    for seed in range(steps):
        X, y = _batch(seed)
        loss = nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return model, losses


def test_returns_float(learner) -> None:
    model, optimizer = _setup()
    result = learner.train_step(model, _batch(0), nn.CrossEntropyLoss(), optimizer, "cpu")
    _, losses = _reference_losses(1)
    expect(
        type(result) is float,
        f"train_step returned {show(result)}; return loss.item(), a Python float (a tensor keeps its graph alive in your logs).",
        f"train_step 返回了 {show(result)};请返回 loss.item(),即 Python float(张量会让计算图一直留在日志里)。",
        learner.train_step,
    )
    expect(abs(result - losses[0]) < 1e-5, f"train_step returned {result:.6f}, the batch loss is {losses[0]:.6f}.",
           f"train_step 返回 {result:.6f},该批次的损失是 {losses[0]:.6f}。", learner.train_step)


def test_updates_like_reference(learner) -> None:
    model, optimizer = _setup()
    learner.train_step(model, _batch(0), nn.CrossEntropyLoss(), optimizer, torch.device("cpu"))
    reference = _setup()[0]
    X, y = _batch(0)
    nn.functional.cross_entropy(reference(X), y).backward()
    with torch.no_grad():
        for p in reference.parameters():
            p -= 0.1 * p.grad
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        expect_close(p, q, "parameters after one train_step", "一次 train_step 之后的参数", learner.train_step)


def test_zero_grad_each_step(learner) -> None:
    model, optimizer = _setup()
    for seed in range(3):
        learner.train_step(model, _batch(seed), nn.CrossEntropyLoss(), optimizer, "cpu")
    reference, _ = _reference_losses(3)
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        if not torch.allclose(p.detach(), q.detach(), atol=1e-5):
            fail(
                "After three steps the parameters differ from three correct steps: gradients were not cleared, "
                "so each step also used the old ones. Call optimizer.zero_grad() every step.",
                "三步之后的参数与正确结果不同:梯度没有清空,每一步都用上了旧的梯度。请每一步都调用 optimizer.zero_grad()。",
                learner.train_step,
            )


def test_moves_inputs_and_targets(learner) -> None:
    model, optimizer = _setup("meta")
    seen: list[torch.device] = []
    model[0].register_forward_hook(lambda module, inputs, output: seen.append(inputs[0].device))
    try:
        with MetaDeviceSpy(where=learner.train_step):
            learner.train_step(model, _batch(0), nn.CrossEntropyLoss(), optimizer, torch.device("meta"))
    except RuntimeError as error:
        if not is_device_mismatch(error):
            raise
        if seen and seen[0].type == "meta":
            fail(
                "X was moved but the targets y stayed on the CPU, so the loss mixes devices. Move y too.",
                "X 已移动,但目标 y 还在 CPU 上,导致损失计算混用了设备。请把 y 也移过去。",
                learner.train_step,
            )
        fail(
            "The inputs X stayed on the CPU while the model is on the device. Move X (and y) to `device`.",
            "模型在目标设备上,输入 X 却留在 CPU。请把 X(以及 y)移到 `device`。",
            learner.train_step,
        )
    expect(bool(seen) and seen[0].type == "meta", "The model did not run on `device`.", "模型没有在 `device` 上运行。", learner.train_step)

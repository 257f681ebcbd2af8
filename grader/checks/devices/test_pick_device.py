"""Checks for devices/pick_device, with torch.accelerator simulated (no GPU needed)."""

import torch

from grader.checks.stand_in import simulate_accelerator
from grader.checks.support import expect, fail, show


def _picked(learner, monkeypatch, kind: str | None) -> torch.device:
    simulate_accelerator(monkeypatch, kind)
    result = learner.pick_device()
    if isinstance(result, str):
        result = torch.device(result)  # a string costs only the `returns_device_object` check
    if not isinstance(result, torch.device):
        fail(
            f"pick_device should return a torch.device, got {show(result)}.",
            f"pick_device 应返回 torch.device,实际返回 {show(result)}。",
            learner.pick_device,
        )
    return result


def test_returns_device_object(learner, monkeypatch) -> None:
    for kind in (None, "cuda"):
        simulate_accelerator(monkeypatch, kind)
        result = learner.pick_device()
        expect(
            isinstance(result, torch.device),
            f"pick_device returned {show(result)}; return a torch.device (wrap it: torch.device(...)), "
            "which works everywhere a string does and carries the device index.",
            f"pick_device 返回了 {show(result)};请返回 torch.device(用 torch.device(...) 包装),"
            "凡是能用字符串的地方都能用它,而且它带有设备编号。",
            learner.pick_device,
        )


def test_cpu_without_accelerator(learner, monkeypatch) -> None:
    device = _picked(learner, monkeypatch, None)
    expect(
        device.type == "cpu",
        f"With no accelerator available pick_device returned '{device}'; it should fall back to the CPU.",
        f"没有可用加速器时 pick_device 返回了 '{device}';应该退回到 CPU。",
        learner.pick_device,
    )


def test_accelerator_when_available(learner, monkeypatch) -> None:
    device = _picked(learner, monkeypatch, "cuda")
    expect(
        device.type == "cuda",
        f"A CUDA accelerator is available but pick_device returned '{device}'.",
        f"有可用的 CUDA 加速器,但 pick_device 返回了 '{device}'。",
        learner.pick_device,
    )


def test_not_hard_coded(learner, monkeypatch) -> None:
    for kind in ("mps",):
        device = _picked(learner, monkeypatch, kind)
        if device.type == "cuda":
            fail(
                f"pick_device returned 'cuda' on a machine whose accelerator is '{kind}': it hard-codes \"cuda\". "
                "Use torch.accelerator.current_accelerator().",
                f"在加速器为 '{kind}' 的机器上 pick_device 返回了 'cuda':它写死了 \"cuda\"。"
                "请使用 torch.accelerator.current_accelerator()。",
                learner.pick_device,
            )
        expect(
            device.type == kind,
            f"The machine's accelerator is '{kind}' but pick_device returned '{device}'.",
            f"本机加速器是 '{kind}',但 pick_device 返回了 '{device}'。",
            learner.pick_device,
        )

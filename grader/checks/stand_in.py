"""An accelerator stand-in for machines without a GPU.

The `meta` device behaves like CUDA for what device exercises teach: tensors
move to it, shapes propagate through models, optimizers step, and mixing it with
CPU tensors raises "Tensor on device meta is not on the expected device cpu!".
What meta cannot do is hand data back, so `MetaDeviceSpy` answers `.cpu()`,
`.to("cpu")` and `.item()` on meta tensors with placeholder data, and records
every move a submission makes (catching a hard-coded "cuda").
"""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch.overrides import TorchFunctionMode

from grader.checks.support import fail

_parse_to = torch._C._nn._parse_to


class MetaDeviceSpy(TorchFunctionMode):
    """Records moves; lets meta tensors 'come back' to the CPU; rejects devices outside `allowed`."""

    def __init__(self, allowed: tuple[str, ...] = ("cpu", "meta"), where: object | None = None) -> None:
        super().__init__()
        self.allowed = allowed
        self.where = where
        self.moves: list[torch.device] = []
        self.copies_to_cpu = 0
        self.items = 0

    def _reject(self, device: torch.device) -> None:
        fail(
            f"Your code moved a tensor to '{device.type}', but this run's device is "
            f"'{self.allowed[-1]}'. Don't hard-code a device: use the one you were given, or the model's.",
            f"你的代码把张量移到了 '{device.type}',但本次运行的设备是 '{self.allowed[-1]}'。"
            "不要写死设备:请使用传入的设备或模型所在的设备。",
            self.where,
        )

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        if func is torch.Tensor.to:
            source: torch.Tensor = args[0]
            rest = args[1:]
            if rest and isinstance(rest[0], torch.Tensor):
                device, dtype = rest[0].device, rest[0].dtype
            else:
                device, dtype, _, _ = _parse_to(*rest, **kwargs)
            if device is not None:
                self.moves.append(device)
                if device.type not in self.allowed:
                    self._reject(device)
                if source.device.type == "meta" and device.type == "cpu":
                    self.copies_to_cpu += 1
                    return torch.zeros(source.shape, dtype=dtype or source.dtype)
        elif func is torch.Tensor.cuda:
            self._reject(torch.device("cuda"))
        elif func is torch.Tensor.cpu and args[0].device.type == "meta":
            self.copies_to_cpu += 1
            return torch.zeros(args[0].shape, dtype=args[0].dtype)
        elif func in (torch.Tensor.item, torch.Tensor.__float__, torch.Tensor.__int__) and args[0].device.type == "meta":
            self.items += 1
            return 0.0 if args[0].is_floating_point() and func is not torch.Tensor.__int__ else 0
        elif func is torch.Tensor.tolist and args[0].device.type == "meta":
            self.copies_to_cpu += 1
            return torch.zeros(args[0].shape, dtype=args[0].dtype).tolist()
        return func(*args, **kwargs)


def simulate_accelerator(monkeypatch: pytest.MonkeyPatch, kind: str | None) -> None:
    """Make torch report an accelerator of `kind` ("cuda", "mps", ...) or none at all."""
    available = kind is not None
    device = torch.device(kind) if kind else None
    monkeypatch.setattr(torch.accelerator, "is_available", lambda: available)
    monkeypatch.setattr(torch.accelerator, "current_accelerator", lambda check_available=False: device)
    monkeypatch.setattr(torch.accelerator, "device_count", lambda: 1 if available else 0)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: kind == "cuda")
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1 if kind == "cuda" else 0)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: kind == "mps")


def needs_gpu() -> None:
    """Report the calling check as `needs_gpu` (excluded from the score) when CUDA is absent."""
    if not torch.cuda.is_available():
        pytest.skip("needs_gpu: this check needs a CUDA GPU")


def is_device_mismatch(error: BaseException) -> bool:
    text = str(error)
    return isinstance(error, RuntimeError) and ("same device" in text or "expected device" in text or "device meta" in text)

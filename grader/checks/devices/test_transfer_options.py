"""Checks for devices/transfer_options: one copy for device + dtype; pinning and non_blocking only for CUDA.

`to_device_as` is compared with the reference on generated tensors (float16/32/64 and
integer, 0-d, non-contiguous, requiring grad) and targets (the CPU or the meta stand-in,
as strings or `torch.device`, every target dtype): the result (values, dtype, device,
graph) and the caller's x afterwards; the copy kernels that ran are counted (one at most:
`copy=True` is fine). `pinned_to` runs on every simulated machine kind: for a CPU or
meta target it must make a plain copy (no pinning, no non_blocking); for a CUDA target
the stand-in simulates CUDA (moves land on meta and are recorded, `pin_memory()` gives
a pinned copy) and the copy must come from pinned memory with non_blocking=True. On a
machine with a real GPU, `pinned_to_on_gpu` checks the same for real.
"""

from typing import cast

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.overrides import TorchFunctionMode

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import (
    MACHINES,
    Machine,
    MetaDeviceSpy,
    learner_code,
    needs_gpu,
    parse_to,
    simulated,
)
from torchdojo.checks.strategies.devices import (
    CPU_TARGETS,
    CUDA,
    META_TARGETS,
    Source,
    sources,
    target_dtypes,
)
from torchdojo.checks.strategies.devices import CUDA_DEVICES as CUDA_TARGETS
from torchdojo.checks.support import (
    GraderDispatchMode,
    expect,
    expect_close,
    tensor_result,
)

aten = torch.ops.aten


class CopyCounter(GraderDispatchMode):
    """Counts the copy kernels that actually run."""

    def __init__(self) -> None:
        super().__init__()
        self.copies = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func.overloadpacket in (aten._to_copy, aten.copy_, aten.clone):
            self.copies += 1
        return func(*args, **(kwargs or {}))


def _target_words(device: object, dtype: torch.dtype) -> str:
    return f"device = {device!r}, dtype = {str(dtype).removeprefix('torch.')}"


@settings(max_examples=16)
@given(sources, st.one_of(CPU_TARGETS, META_TARGETS), target_dtypes)
def test_to_device_as_result(compare, source: Source, device: object, dtype: torch.dtype) -> None:
    def scenario(impl):
        x = source.make()
        result = impl.to_device_as(x, device, dtype)
        if not isinstance(result, torch.Tensor):
            return {"the result": result}
        # x itself (nothing to change) and a copy (copy=True) are both right: values and requires_grad are compared
        return {"the result": result.detach(), ("the result's requires_grad", "返回值的 requires_grad"): result.requires_grad,
                ("the caller's x afterwards", "调用后调用者的 x"): x}

    with learner_code():
        same(compare, lambda impl: impl.to_device_as(source.make(), "gpu", dtype), {},
             ("Let .to's own error reach the caller: don't catch it.", "让 .to 自己的错误传给调用者:不要捕获它。"),
             given=f"{source.describe()}, device = 'gpu' (not a device name: .to raises)", where="to_device_as")
        same(compare, scenario, {"the caller's x": ("Don't change x: .to returns a new tensor.", "不要改动 x:.to 会返回新的张量。")},
             ("Return x.to(device, dtype): the values of x, on `device`, with `dtype`, still attached to x's graph.",
              "请返回 x.to(device, dtype):x 的数值,位于 `device`,类型为 `dtype`,并仍连接在 x 的计算图上。"),
             given=f"{source.describe()}, {_target_words(device, dtype)}", where="to_device_as")


@settings(max_examples=12)
@given(sources, st.one_of(META_TARGETS, CPU_TARGETS), target_dtypes)
def test_to_device_as_single_copy(compare, source: Source, device: object, dtype: torch.dtype) -> None:
    def scenario(impl):
        x = source.make()
        with CopyCounter() as counter:
            impl.to_device_as(x, device, dtype)
        copies = counter.copies
        return {("the copies of the data it makes", "数据被拷贝的次数"): "one at most" if copies <= 1 else f"{copies} copies"}

    with learner_code():
        same(compare, scenario, {}, ("Pass the device and the dtype to one .to call: x.to(device, dtype) — no .to(...).to(...), "
                                     ".type(...), .clone() or .contiguous() around it.",
                                     "请把设备和 dtype 传给同一次 `.to` 调用:x.to(device, dtype)——前后不要再有 .to(...).to(...)、"
                                     ".type(...)、.clone() 或 .contiguous()。"),
             given=f"{source.describe()}, {_target_words(device, dtype)}", where="to_device_as")


def _transfer(impl, source: Source, device: object, machine: Machine, redirect: frozenset[str]) -> dict:
    x = source.make()
    spy = MetaDeviceSpy(where=getattr(impl, "pinned_to", None), redirect=redirect, machine=machine)
    with simulated(machine), spy:
        result = impl.pinned_to(x, device)
    target = torch.device(cast(str | torch.device, device))  # the targets drawn are device names and torch.device objects
    moved = [t for t in spy.transfers if t.device.type == target.type]
    observed: dict[tuple[str, str] | str, object] = {
        ("the result's device", "返回值所在的设备"): spy.device_of(result).type if isinstance(result, torch.Tensor) else type(result).__name__,
        ("the result's shape and dtype", "返回值的形状和 dtype"): (tuple(result.shape), str(result.dtype)) if isinstance(result, torch.Tensor) else None,
        ("the result's requires_grad", "返回值的 requires_grad"): result.requires_grad if isinstance(result, torch.Tensor) else None,
        ("the device index it was copied to", "拷贝到的设备编号"): sorted({_index(t.device, machine) for t in moved}),
        ("pin_memory() called", "是否调用了 pin_memory()"): spy.pins > 0,
        ("the copy to the target came from pinned memory", "拷贝到目标设备的数据来自锁页内存"): any(t.pinned_source for t in moved),
        ("non_blocking=True used for the copy", "拷贝时使用了 non_blocking=True"): any(t.non_blocking for t in spy.transfers),
        ("the caller's x afterwards", "调用后调用者的 x"): x,
    }
    if isinstance(result, torch.Tensor) and result.device.type == "cpu":
        observed["the result"] = result.detach()
    return observed


def _index(device: torch.device, machine: Machine) -> int:
    """cuda and cuda:<current> are the same device."""
    if device.type == "cpu":
        return 0
    return device.index if device.index is not None else machine.index


NOT_CUDA = ("For a target that is not CUDA, make a plain copy: x.to(device) — no pin_memory(), no non_blocking. "
            "Test the target (torch.device(device).type == \"cuda\"), not the machine.",
            "目标不是 CUDA 时直接拷贝:x.to(device)——不锁页,也不用 non_blocking。"
            "要判断的是目标设备(torch.device(device).type == \"cuda\"),而不是这台机器。")


@settings(max_examples=14)
@given(sources, st.one_of(CPU_TARGETS, META_TARGETS), st.sampled_from(MACHINES))
def test_pinned_to_without_gpu(compare, source: Source, device: object, machine: Machine) -> None:
    with learner_code():
        same(compare, lambda impl: impl.pinned_to(source.make(), "gpu"), {},
             ("Let .to's own error reach the caller: don't catch it.", "让 .to 自己的错误传给调用者:不要捕获它。"),
             given=f"{source.describe()}, device = 'gpu' (not a device name: .to raises)", where="pinned_to")
        same(compare, lambda impl: _transfer(impl, source, device, machine, frozenset()), {}, NOT_CUDA,
             given=f"{source.describe()}, device = {device!r}, on a machine with {machine.describe()[0]}", where="pinned_to")


@settings(max_examples=6)
@given(sources, st.sampled_from(CUDA))
def test_pinned_to_cuda_target(compare, source: Source, machine: Machine) -> None:
    with learner_code():
        for device in CUDA_TARGETS:  # every spelling, and a device other than the current one
            same(compare, lambda impl: _transfer(impl, source, device, machine, frozenset({"cuda"})), {},  # noqa: B023 - same() calls it at once; binding `device` would change this test's derandomized examples
                 ("For a CUDA target (\"cuda\", \"cuda:1\" or a torch.device), copy from pinned memory without blocking to that "
                  "very device: x.pin_memory().to(device, non_blocking=True) — pin_memory() returns the pinned copy, use it.",
                  "目标是 CUDA(\"cuda\"、\"cuda:1\" 或 torch.device)时,从锁页内存异步拷贝到该设备:"
                  "x.pin_memory().to(device, non_blocking=True)——pin_memory() 返回锁页后的副本,要用它。"),
                 given=f"{source.describe()}, device = {device!r}, on a machine with {machine.describe()[0]} (simulated)", where="pinned_to")


class TransferRecorder(TorchFunctionMode):
    """Records pin_memory() calls and, for each .to() call, non_blocking and whether the source was pinned."""

    def __init__(self) -> None:
        super().__init__()
        self.pins = 0
        self.copies: list[tuple[bool, bool]] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.pin_memory:
            self.pins += 1
        elif func is torch.Tensor.to:
            call = parse_to(*args[1:], **kwargs)
            if call.device is not None and call.device.type == "cuda":
                self.copies.append((call.non_blocking, args[0].is_pinned()))
        elif func is torch.Tensor.cuda:
            self.copies.append((bool(kwargs.get("non_blocking", False)), args[0].is_pinned()))
        return func(*args, **kwargs)


def test_pinned_to_on_gpu(learner) -> None:
    needs_gpu()
    with learner_code():
        for device in ("cuda", torch.device("cuda"), "cuda:0"):
            x = torch.randn(1024, 256)
            recorder = TransferRecorder()
            with recorder:
                out = tensor_result(learner.pinned_to(x, device), "pinned_to", learner.pinned_to)
            torch.cuda.synchronize()
            expect(out.device.type == "cuda", f"pinned_to(x, {device!r}) returned a tensor on {out.device}.",
                   f"pinned_to(x, {device!r}) 返回的张量位于 {out.device}。", learner.pinned_to)
            expect_close(out.cpu(), x, f"pinned_to(x, {device!r})", f"pinned_to(x, {device!r})", learner.pinned_to)
            expect(any(pinned for _, pinned in recorder.copies),
                   "For a CUDA target, copy from pinned memory: x.pin_memory() returns the pinned copy; move that one.",
                   "目标是 CUDA 时,请从锁页内存拷贝:x.pin_memory() 返回锁页后的副本,要移动的是它。", learner.pinned_to)
            expect(any(blocking for blocking, _ in recorder.copies), "Copy from pinned memory with .to(device, non_blocking=True).",
                   "从锁页内存拷贝时请使用 .to(device, non_blocking=True)。", learner.pinned_to)

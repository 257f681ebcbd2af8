"""Checks for devices/transfer_options: one copy for device + dtype; pinning only for CUDA targets."""

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

from grader.checks.stand_in import needs_gpu
from grader.checks.support import expect, expect_close, fail, tensor_result

aten = torch.ops.aten


class CopyCounter(TorchDispatchMode):
    """Counts the copy kernels that actually run."""

    def __init__(self) -> None:
        super().__init__()
        self.copies = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func.overloadpacket in (aten._to_copy, aten.copy_, aten.clone):
            self.copies += 1
        return func(*args, **(kwargs or {}))


class TransferRecorder(TorchFunctionMode):
    """Records pin_memory() calls and the non_blocking flag of .to() calls."""

    def __init__(self) -> None:
        super().__init__()
        self.pins = 0
        self.non_blocking: list[bool] = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.Tensor.pin_memory:
            self.pins += 1
        elif func is torch.Tensor.to and not (len(args) > 1 and isinstance(args[1], torch.Tensor)):
            self.non_blocking.append(bool(torch._C._nn._parse_to(*args[1:], **kwargs)[2]))
        return func(*args, **kwargs)


def test_to_device_as_result(learner) -> None:
    x = torch.tensor([1.5, -2.25, 3.0])
    out = tensor_result(learner.to_device_as(x, "cpu", torch.float64), "to_device_as", learner.to_device_as)
    expect(out.dtype == torch.float64, f"Expected dtype float64, got {out.dtype}.", f"期望 dtype 为 float64,实际为 {out.dtype}。", learner.to_device_as)
    expect_close(out, x.double(), "to_device_as(x, 'cpu', float64)", "to_device_as(x, 'cpu', float64)", learner.to_device_as)
    meta = tensor_result(learner.to_device_as(torch.ones(2, 3), torch.device("meta"), torch.float16), "to_device_as", learner.to_device_as)
    expect(
        meta.device.type == "meta" and meta.dtype == torch.float16 and tuple(meta.shape) == (2, 3),
        f"to_device_as(x, meta, float16) gave device {meta.device}, dtype {meta.dtype}.",
        f"to_device_as(x, meta, float16) 得到的设备为 {meta.device},dtype 为 {meta.dtype}。",
        learner.to_device_as,
    )


def test_to_device_as_single_copy(learner) -> None:
    x = torch.ones(64, 64)
    with CopyCounter() as counter:
        learner.to_device_as(x, torch.device("meta"), torch.float16)
    expect(
        counter.copies <= 1,
        f"to_device_as made {counter.copies} copies of the data. Pass device and dtype to one .to call: x.to(device, dtype).",
        f"to_device_as 拷贝了 {counter.copies} 次数据。请把 device 和 dtype 传给同一次 .to 调用:x.to(device, dtype)。",
        learner.to_device_as,
    )


def test_pinned_to_without_gpu(learner) -> None:
    x = torch.arange(6.0).reshape(2, 3)
    recorder = TransferRecorder()
    try:
        with recorder:
            out = tensor_result(learner.pinned_to(x, "cpu"), "pinned_to", learner.pinned_to)
            meta = tensor_result(learner.pinned_to(x, torch.device("meta")), "pinned_to", learner.pinned_to)
    except NotImplementedError:
        raise
    except RuntimeError as error:
        if "accelerator" in str(error) or "pin" in str(error).lower():
            fail(
                f"pinned_to called pin_memory() for a non-CUDA target, and it raised: {error}. Pin only when the target is CUDA.",
                f"目标不是 CUDA 时 pinned_to 调用了 pin_memory(),并且报错:{error}。只在目标是 CUDA 时锁页。",
                learner.pinned_to,
            )
        raise
    expect(recorder.pins == 0, "pinned_to pinned memory for a non-CUDA target; a plain copy is right there.",
           "目标不是 CUDA 时 pinned_to 也锁页了;这种情况直接拷贝即可。", learner.pinned_to)
    expect_close(out, x, "pinned_to(x, 'cpu')", "pinned_to(x, 'cpu')", learner.pinned_to)
    expect(meta.device.type == "meta", f"pinned_to(x, meta) returned a tensor on {meta.device}.",
           f"pinned_to(x, meta) 返回的张量位于 {meta.device}。", learner.pinned_to)


def test_pinned_to_on_gpu(learner) -> None:
    needs_gpu()
    x = torch.randn(1024, 256)
    recorder = TransferRecorder()
    with recorder:
        out = tensor_result(learner.pinned_to(x, "cuda"), "pinned_to", learner.pinned_to)
    torch.cuda.synchronize()
    expect(out.device.type == "cuda", f"pinned_to(x, 'cuda') returned a tensor on {out.device}.",
           f"pinned_to(x, 'cuda') 返回的张量位于 {out.device}。", learner.pinned_to)
    expect_close(out.cpu(), x, "pinned_to(x, 'cuda')", "pinned_to(x, 'cuda')", learner.pinned_to)
    expect(recorder.pins >= 1 or x.is_pinned(), "For a CUDA target, pin the host memory first: x.pin_memory().",
           "目标是 CUDA 时,请先锁页:x.pin_memory()。", learner.pinned_to)
    expect(any(recorder.non_blocking), "Copy from pinned memory with .to(device, non_blocking=True).",
           "从锁页内存拷贝时请使用 .to(device, non_blocking=True)。", learner.pinned_to)

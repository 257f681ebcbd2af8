"""Accelerator stand-ins for machines without one: simulated machines and the meta device.

Two parts, both written to accept everything a correct solution may write:

- `simulated(machine)` makes torch report a machine: no accelerator at all, a
  build that knows an accelerator which is not usable, or an available
  accelerator of any kind (`cuda`, `mps`, `xpu`, or a custom backend named like
  PyTorch's `privateuseone`). It answers the whole of `torch.accelerator`
  (`is_available`, `current_accelerator(check_available=...)`,
  `current_device_index` / `current_device_idx`, `device_count`, `synchronize`,
  `set_device_index`, `device_index`) and the per-backend equivalents
  (`torch.cuda`, `torch.xpu`, `torch.mps`, `torch.backends.mps`). What it cannot
  answer (memory statistics, device properties, a real CUDA call) raises
  `GraderLimit`: the check is reported as the grader's limit, never as the
  learner's fault.
- `MetaDeviceSpy` lets the `meta` device play the accelerator. It accepts every
  form of `Tensor.to` (positional or keyword device and dtype, `non_blocking`,
  `copy`, `memory_format`, another tensor as the target), `.cuda()`, `.cpu()`,
  `pin_memory()`, and gives placeholder data when a meta tensor comes back to the
  CPU (`.cpu()`, `.to("cpu")`, `.item()`, `.tolist()`, `.numpy()`, `float()`...).
  It records every transfer (device, dtype, `non_blocking`, `copy`, whether the
  source was pinned) and rejects a device the run does not use (a hard-coded
  `"cuda"`). With `redirect={"cuda"}` it simulates a CUDA *target* as well: moves
  to CUDA land on meta and are recorded, `pin_memory()` hands back a pinned copy.

Integrity: a `GraderLimit` or a `needs_gpu` skip counts only when this module
raised it (`is_genuine`); `learner_code()` turns one raised by learner code into
a failed check, so raising them yourself gains nothing.
"""

from __future__ import annotations

import sys
import weakref
from builtins import isinstance as _isinstance  # captured before any learner code runs; imported so that mypy narrows with it
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import GetSetDescriptorType
from typing import Any, NoReturn, Self, cast

import pytest
import torch
from torch.overrides import TorchFunctionMode
from torch.utils._pytree import tree_leaves as _leaves

from torchdojo.checks.support import CheckFailed, GraderLimit, fail

CUSTOM = "privateuseone"  # PyTorch's name for an out-of-tree backend (renamed by its plugin in real life)
KINDS: tuple[str, ...] = ("cuda", "mps", "xpu", CUSTOM)

# Captured before any learner code runs (and before any simulation).
_real_cuda_available = torch.cuda.is_available
_Tensor = torch.Tensor
_device = torch.device
_dtype = torch.dtype
_Skipped = pytest.skip.Exception
_getframe = sys._getframe

# -- grader limits and skips that only the grader may raise -----------------------------------------


class _Genuine(dict[int, BaseException]):
    """id -> an exception the grader raised (kept alive so ids are not reused)."""

    def __fingerprint__(self) -> None:
        """Bookkeeping by identity that grows with every run: no reference run depends on it (torchdojo.checks.memo)."""
        return None


_genuine = _Genuine()


def limit(en: str, zh: str) -> NoReturn:
    """Stop the check as the grader's limit: the stand-in cannot simulate what the code did.

    Genuine only when this module's own code calls it (a learner calling `limit` gains nothing).
    """
    error = GraderLimit(f"The grader cannot simulate this here: {en}", f"评分器在这里无法模拟:{zh}")
    if _getframe(1).f_code in _OWN_CODE:  # the very code objects of this module, not a forged file name
        _genuine[id(error)] = error
    raise error


def needs_gpu() -> None:
    """Report the calling check as `needs_gpu` (excluded from the score) when CUDA is absent."""
    if not _real_cuda_available():
        try:
            pytest.skip("needs_gpu: this check needs a CUDA GPU")
        except _Skipped as skip:
            _genuine[id(skip)] = skip
            raise


def is_genuine(error: BaseException) -> bool:
    return _genuine.get(id(error)) is error


@contextmanager
def learner_code() -> Iterator[None]:
    """Around a check's body: grader-only exceptions that the grader did not raise fail the check."""
    try:
        yield
    except (GraderLimit, _Skipped) as error:
        if is_genuine(error):
            raise
        fail(
            f"Your code raised {type(error).__name__}, an exception meant for the grader. Let the function do its work instead.",
            f"你的代码抛出了 {type(error).__name__},这是评分器专用的异常。请让函数完成它的工作。",
        )


# -- simulated machines ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Machine:
    """What torch reports: the available accelerator (`kind`), or none with maybe one the build knows (`built`)."""

    kind: str | None
    built: str | None = None
    count: int = 1
    index: int = 0

    @property
    def accelerator(self) -> torch.device | None:
        """What `torch.accelerator.current_accelerator()` returns (without `check_available`)."""
        name = self.kind or self.built
        return _device(name) if name else None

    def describe(self) -> tuple[str, str]:
        if self.kind is None:
            if self.built:
                return (f"no usable accelerator (a {self.built} build without its device)", f"没有可用的加速器({self.built} 版本但没有该设备)")
            return "no accelerator", "没有加速器"
        many = f", {self.count} devices, the current one is {self.index}" if self.count > 1 else ""
        many_zh = f",共 {self.count} 个设备,当前为 {self.index} 号" if self.count > 1 else ""
        article = "an" if self.kind in ("xpu", "mps") else "a"
        return f"{article} '{self.kind}' accelerator{many}", f"一个 '{self.kind}' 加速器{many_zh}"


NO_ACCELERATOR = Machine(None)
MACHINES: tuple[Machine, ...] = (
    NO_ACCELERATOR,
    Machine(None, built="cuda"),
    Machine(None, built="mps"),
    Machine("cuda"),
    Machine("cuda", count=2, index=1),
    Machine("mps"),
    Machine("xpu"),
    Machine("xpu", count=2, index=1),
    Machine(CUSTOM),
)


def machine_of(kind: str | Machine | None) -> Machine:
    return kind if _isinstance(kind, Machine) else Machine(kind)


class _State:
    """The simulated machine's mutable part: the current device index."""

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.index = machine.index


def _patches(machine: Machine) -> dict[tuple[Any, str], Any]:
    state = _State(machine)
    kind = machine.kind
    available = kind is not None

    def unsupported(what: str) -> Any:
        def raiser(*args: Any, **kwargs: Any) -> NoReturn:
            limit(f"{what} on a simulated '{kind or 'cpu'}' machine.", f"在模拟的 '{kind or 'cpu'}' 机器上调用 {what}。")

        return raiser

    def no_backend(name: str) -> Any:
        def raiser(*args: Any, **kwargs: Any) -> NoReturn:
            raise AssertionError(f"Torch not compiled with {name} enabled")  # what torch says on such a machine

        return raiser

    def index_of(device: Any = None) -> int:
        if not available:
            raise RuntimeError("No accelerator is available (simulated)")
        return state.index

    def set_index(index: Any) -> None:
        index = index.index if _isinstance(index, _device) else index
        if not available or index is None or not 0 <= int(index) < machine.count:
            raise RuntimeError(f"Invalid device index {index} (simulated)")
        state.index = int(index)

    @contextmanager
    def device_index(index: Any) -> Iterator[None]:
        before = state.index
        if index is not None and index != -1:
            set_index(index)
        try:
            yield
        finally:
            state.index = before

    def synchronize(device: Any = None) -> None:
        if not available:
            raise RuntimeError("No accelerator is available (simulated)")

    def current_accelerator(check_available: bool = False) -> torch.device | None:
        if check_available and not available:
            return None
        return machine.accelerator

    patches: dict[tuple[Any, str], Any] = {
        (torch.accelerator, "is_available"): lambda: available,
        (torch.accelerator, "current_accelerator"): current_accelerator,
        (torch.accelerator, "device_count"): lambda: machine.count if available else 0,
        (torch.accelerator, "current_device_index"): index_of,
        (torch.accelerator, "current_device_idx"): index_of,
        (torch.accelerator, "set_device_index"): set_index,
        (torch.accelerator, "set_device_idx"): set_index,
        (torch.accelerator, "device_index"): device_index,
        (torch.accelerator, "synchronize"): synchronize,
        (torch.accelerator, "empty_cache"): lambda: None,
    }

    def answer(value: Any) -> Any:
        def answered(*args: Any, **kwargs: Any) -> Any:
            if not available:
                raise RuntimeError("No accelerator is available (simulated)")
            return value() if callable(value) else value

        return answered

    simple: dict[str, Any] = {
        "memory_allocated": 0,
        "max_memory_allocated": 0,
        "memory_reserved": 0,
        "max_memory_reserved": 0,
        "memory_stats": dict,
        "get_memory_info": (8 << 30, 16 << 30),
        "reset_peak_memory_stats": None,
        "reset_accumulated_memory_stats": None,
    }
    for name, value in simple.items():
        patches[(torch.accelerator, name)] = answer(value)
    for name in ("get_device_capability", "current_stream", "set_stream"):
        patches[(torch.accelerator, name)] = unsupported(f"torch.accelerator.{name}()")
    backends: list[tuple[str, Any, str]] = [("cuda", torch.cuda, "CUDA"), ("xpu", getattr(torch, "xpu", None), "XPU")]
    for name, module, words in backends:
        if module is None:
            continue
        mine = kind == name
        patches[(module, "is_available")] = lambda mine=mine: mine
        patches[(module, "device_count")] = lambda mine=mine: machine.count if mine else 0
        patches[(module, "is_initialized")] = lambda mine=mine: mine
        if mine:
            patches[(module, "current_device")] = index_of
            patches[(module, "set_device")] = set_index
            patches[(module, "synchronize")] = synchronize
            patches[(module, "empty_cache")] = lambda: None
            patches[(module, "get_device_name")] = lambda device=None, words=words: f"Simulated {words} device"
            patches[(module, "_lazy_init")] = unsupported(f"torch.{name} beyond device queries")
        else:
            patches[(module, "_lazy_init")] = no_backend(words)
            for attr in ("current_device", "set_device", "synchronize", "get_device_name"):
                if hasattr(module, attr):
                    patches[(module, attr)] = no_backend(words)
    mps = kind == "mps"
    patches[(torch.backends.mps, "is_available")] = lambda: mps
    patches[(torch.backends.mps, "is_built")] = lambda: mps or machine.built == "mps"
    if hasattr(torch, "mps"):
        patches[(torch.mps, "device_count")] = lambda: 1 if mps else 0
        patches[(torch.mps, "synchronize")] = synchronize if mps else no_backend("MPS")
        patches[(torch.mps, "empty_cache")] = lambda: None
    return {(owner, attr): value for (owner, attr), value in patches.items() if hasattr(owner, attr)}


@contextmanager
def simulated(kind: str | Machine | None) -> Iterator[Machine]:
    """Inside the block torch reports `kind` (a kind name, a `Machine`, or None for no accelerator)."""
    machine = machine_of(kind)
    with pytest.MonkeyPatch.context() as patch:
        for (owner, attr), value in _patches(machine).items():
            patch.setattr(owner, attr, value)
        try:
            yield machine
        finally:
            reset_default_device()


def simulate_accelerator(monkeypatch: pytest.MonkeyPatch, kind: str | Machine | None) -> None:
    """Make torch report an accelerator of `kind` until the test ends (pytest's monkeypatch undoes it)."""
    for (owner, attr), value in _patches(machine_of(kind)).items():
        monkeypatch.setattr(owner, attr, value)


def default_device() -> torch.device:
    """The default device set with torch.set_default_device, read without allocating on it."""
    context = getattr(torch._GLOBAL_DEVICE_CONTEXT, "device_context", None)
    return _device(context.device) if context is not None else _device("cpu")


def reset_default_device() -> None:
    if getattr(torch._GLOBAL_DEVICE_CONTEXT, "device_context", None) is not None:
        torch.set_default_device(None)


# -- Tensor.to, every form ------------------------------------------------------------------------


@dataclass(frozen=True)
class ToCall:
    """One transfer, however it was written."""

    device: torch.device | None
    dtype: torch.dtype | None
    non_blocking: bool = False
    copy: bool = False
    memory_format: Any = None


def _as_device(value: Any) -> torch.device | None:
    if value is None:
        return None
    return value if _isinstance(value, _device) else _device(value)


def _other(other: Any, non_blocking: bool = False, copy: bool = False, *, memory_format: Any = None) -> ToCall:
    return ToCall(other.device, other.dtype, bool(non_blocking), bool(copy), memory_format)


def _to_dtype(dtype: Any, non_blocking: bool = False, copy: bool = False, *, memory_format: Any = None) -> ToCall:
    return ToCall(None, dtype, bool(non_blocking), bool(copy), memory_format)


def _to_device(device: Any = None, dtype: Any = None, non_blocking: bool = False, copy: bool = False, *, memory_format: Any = None) -> ToCall:
    return ToCall(_as_device(device), dtype, bool(non_blocking), bool(copy), memory_format)


def parse_to(*args: Any, **kwargs: Any) -> ToCall:
    """What `tensor.to(*args, **kwargs)` asks for: every form PyTorch accepts, `copy` included."""
    if (args and _isinstance(args[0], _Tensor)) or "other" in kwargs:
        return _other(*args, **kwargs)
    if args and _isinstance(args[0], _dtype):
        return _to_dtype(*args, **kwargs)
    return _to_device(*args, **kwargs)


def _placeholder(source: torch.Tensor, dtype: torch.dtype | None = None) -> torch.Tensor:
    """Zeros standing for a meta tensor's data on the CPU (attached to a graph when the source was)."""
    data = torch.zeros(source.shape, dtype=dtype or source.dtype)
    if source.requires_grad and data.is_floating_point():
        data = data.requires_grad_(True) * 1  # a non-leaf with a grad_fn, like a real copy
    return data


_META = torch.device("meta")
_grad_get = cast(
    GetSetDescriptorType, _Tensor.grad
).__get__  # the class's descriptor (the stubs type it as the value); a fresh method-wrapper on each access: compare with ==
# Calls where torch itself lets an accelerator tensor meet a CPU one (copies between devices, metadata).
_MIXING_ALLOWED = frozenset({_Tensor.copy_, _Tensor.to, _Tensor.cpu, _Tensor.cuda, torch._has_compatible_shallow_copy_type})


class OnStandIn(torch.Tensor):
    """A tensor on the stand-in accelerator that keeps real values: CPU data that reports the meta device.

    Why not the meta device itself: its kernels are written in Python, and their first use imports sympy and
    torch._dynamo (1-2 s of a cold check). This class runs the CPU kernels instead, and refuses, as an accelerator
    would, an operation that mixes it with a CPU tensor (0-d CPU tensors may mix, as with CUDA). Gradients and
    every result of an operation stay on the stand-in.
    """

    @property
    def device(self) -> torch.device:  # type: ignore[override]  # a read-only property over Tensor's attribute: reports meta
        return _META

    @property
    def is_meta(self) -> bool:  # type: ignore[override]  # a read-only property over Tensor's attribute
        return True

    @property
    def is_cpu(self) -> bool:  # type: ignore[override]  # a read-only property over Tensor's attribute
        return False

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        if func not in _MIXING_ALLOWED and getattr(func, "__name__", "") not in ("__get__", "__set__"):
            for leaf in _leaves((args, kwargs)):
                if _isinstance(leaf, _Tensor) and not _isinstance(leaf, OnStandIn) and leaf.dim() > 0:
                    raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, meta and {leaf.device.type}!")
        result = super().__torch_function__(func, types, args, kwargs)
        if func == _grad_get and result is not None and type(result) is _Tensor:
            result = result.as_subclass(cls)  # torch leaves .grad unconverted; on an accelerator it is there too
        return result


def _plain(tensor: torch.Tensor) -> torch.Tensor:
    """The CPU tensor behind a stand-in one (the same memory and graph)."""
    return tensor.as_subclass(_Tensor) if _isinstance(tensor, OnStandIn) else tensor


def carried(tensor: torch.Tensor, dtype: torch.dtype | None = None, memory_format: Any = None, copy: bool = True) -> torch.Tensor:
    """`tensor` moved onto the stand-in: a copy (in the graph, like `.to`), unless it is there with that dtype already."""
    plain = _plain(tensor)
    if _isinstance(tensor, OnStandIn) and not copy and (dtype is None or dtype == tensor.dtype) and memory_format is None:
        return tensor
    options = {"memory_format": memory_format} if memory_format is not None else {}
    return plain.to(dtype or plain.dtype, copy=True, **options).as_subclass(OnStandIn)


def on_stand_in(module: torch.nn.Module) -> torch.nn.Module:
    """`module` with its parameters and buffers on the stand-in accelerator (as `module.to(accelerator)` would)."""
    for part in module.modules():
        for name, parameter in list(part._parameters.items()):
            if parameter is not None:
                part._parameters[name] = torch.nn.Parameter(carried(parameter.detach()), parameter.requires_grad)
        for name, buffer in list(part._buffers.items()):
            if buffer is not None:
                part._buffers[name] = carried(buffer)
    return module


@dataclass
class Transfer:
    """A recorded move: where to, the dtype, the flags, and whether the source was pinned."""

    device: torch.device
    dtype: torch.dtype | None
    non_blocking: bool
    copy: bool
    pinned_source: bool


_BACK_TO_CPU = {"cpu"}


class MetaDeviceSpy(TorchFunctionMode):
    """Records moves; lets meta tensors 'come back' to the CPU; rejects devices outside `allowed`.

    `redirect`: device types simulated on top of meta (e.g. {"cuda"}): a move there lands on
    meta and is recorded with the device asked for. `machine`: the simulated machine, which
    decides whether pinning works (it needs an accelerator).
    """

    def __init__(
        self,
        allowed: tuple[str, ...] = ("cpu", "meta"),
        where: object | None = None,
        redirect: frozenset[str] | set[str] = frozenset(),
        machine: Machine | None = None,
        carry_data: bool = False,
    ) -> None:
        super().__init__()
        self.carry_data = carry_data  # moves to meta land on `OnStandIn` (real values, no meta kernels)
        self.allowed = tuple(allowed) + tuple(sorted(redirect))
        self.shown = next((d for d in reversed(allowed) if d != "cpu"), allowed[-1])
        self.where = where
        self.redirect = frozenset(redirect)
        self.machine = machine
        self.moves: list[torch.device] = []
        self.transfers: list[Transfer] = []
        self.copies_to_cpu = 0
        self.items = 0
        self.pins = 0
        self._pinned: dict[int, weakref.ref[torch.Tensor]] = {}  # by identity: tensors do not hash by value
        self._redirected: dict[int, tuple[weakref.ref[torch.Tensor], torch.device]] = {}

    def __enter__(self) -> Self:
        if self.carry_data:  # module.to(...) makes new parameters, so a model can leave the stand-in for real
            self._overwrite = torch.__future__.get_overwrite_module_params_on_conversion()
            torch.__future__.set_overwrite_module_params_on_conversion(True)
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        try:
            super().__exit__(*exc)
        finally:
            if self.carry_data:
                torch.__future__.set_overwrite_module_params_on_conversion(self._overwrite)

    # -- helpers --
    def _reject(self, device: torch.device) -> NoReturn:
        raise CheckFailed(
            f"Your code moved a tensor to '{device.type}', but this run's device is "
            f"'{self.shown}'. Don't hard-code a device: use the one you were given, or the model's.",
            f"你的代码把张量移到了 '{device.type}',但本次运行的设备是 '{self.shown}'。不要写死设备:请使用传入的设备或模型所在的设备。",
            self.where,
        )

    def is_pinned(self, tensor: torch.Tensor) -> bool:
        ref = self._pinned.get(id(tensor))
        return ref is not None and ref() is tensor

    def device_of(self, tensor: torch.Tensor) -> torch.device:
        """The device a tensor is on, as the learner's code sees it (a redirected move shows its target)."""
        redirected = self._redirected.get(id(tensor))
        return redirected[1] if redirected is not None and redirected[0]() is tensor else tensor.device

    def _move(self, source: torch.Tensor, call: ToCall, run: Any) -> torch.Tensor:
        device = call.device
        if device is None:
            return run()
        self.moves.append(device)
        if device.type not in self.allowed:
            self._reject(device)
        self.transfers.append(Transfer(device, call.dtype, call.non_blocking, call.copy, self.is_pinned(source)))
        if device.type in self.redirect:
            moved = source.to("meta", call.dtype or source.dtype)  # the mode is off inside its own handler
            self._redirected[id(moved)] = (weakref.ref(moved), device)
            return moved
        if self.carry_data and device.type == "meta":
            return carried(source, call.dtype, call.memory_format, copy=call.copy or not _isinstance(source, OnStandIn))
        if _isinstance(source, OnStandIn) and device.type in _BACK_TO_CPU:
            self.copies_to_cpu += 1
            options = {"memory_format": call.memory_format} if call.memory_format is not None else {}
            return _plain(source).to(call.dtype or source.dtype, copy=True, **options)
        if source.device.type == "meta" and device.type in _BACK_TO_CPU:
            self.copies_to_cpu += 1
            return _placeholder(source, call.dtype)
        return run()

    def _pin(self, source: torch.Tensor) -> torch.Tensor:
        self.pins += 1
        if self.machine is not None:
            if self.machine.kind is None:
                raise RuntimeError(
                    "Cannot access accelerator device when none is available. (pin_memory needs an accelerator; this simulated machine has none)"
                )
            if source.device.type != "cpu":
                raise RuntimeError(f"cannot pin '{source.device.type}' memory: only dense CPU tensors can be pinned")
            pinned = source.clone()
            self._pinned[id(pinned)] = weakref.ref(pinned)
            return pinned
        return source.pin_memory()

    # -- the mode --
    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        kwargs = kwargs or {}
        try:
            return self._handle(func, args, kwargs)
        except NotImplementedError as error:
            if "meta" in str(error):
                limit(
                    f"reading data out of the accelerator stand-in (the meta device) with {getattr(func, '__name__', func)}.",
                    f"用 {getattr(func, '__name__', func)} 从加速器替身(meta 设备)读取数据。",
                )
            raise

    def _handle(self, func: Any, args: tuple, kwargs: dict) -> Any:
        if func is _Tensor.to:
            source: torch.Tensor = args[0]
            return self._move(source, parse_to(*args[1:], **kwargs), lambda: func(*args, **kwargs))
        if func is _Tensor.cuda:
            device = args[1] if len(args) > 1 else kwargs.get("device")
            target: torch.device | None = _device("cuda", device) if _isinstance(device, int) else _device(device or "cuda")
            call = ToCall(target, None, bool(kwargs.get("non_blocking", args[2] if len(args) > 2 else False)))
            return self._move(args[0], call, lambda: func(*args, **kwargs))
        if func is _Tensor.cpu:
            return self._move(args[0], ToCall(_device("cpu"), None, False, False, kwargs.get("memory_format")), lambda: func(*args, **kwargs))
        if func is _Tensor.pin_memory:
            return self._pin(args[0])
        if func is _Tensor.is_pinned:
            return self.is_pinned(args[0]) if self.machine is not None else func(*args, **kwargs)
        if _isinstance(args[0] if args else None, OnStandIn):
            if func in (_Tensor.item, _Tensor.tolist, _Tensor.numpy):  # data read back to the host: real values
                self.copies_to_cpu += func is not _Tensor.item
                self.items += func is _Tensor.item
                return func(_plain(args[0]), *args[1:], **kwargs)
            if func in (_Tensor.__float__, _Tensor.__int__, _Tensor.__index__, _Tensor.__bool__):
                self.items += 1
        elif _isinstance(args[0] if args else None, _Tensor) and args[0].device.type == "meta":
            if func in (_Tensor.item, _Tensor.__float__, _Tensor.__int__, _Tensor.__index__, _Tensor.__bool__):
                self.items += 1
                if func is _Tensor.__bool__:
                    return False
                return 0.0 if args[0].is_floating_point() and func not in (_Tensor.__int__, _Tensor.__index__) else 0
            if func is _Tensor.tolist:
                self.copies_to_cpu += 1
                return torch.zeros(args[0].shape, dtype=args[0].dtype).tolist()
            if func is _Tensor.numpy:
                self.copies_to_cpu += 1
                return torch.zeros(args[0].shape, dtype=args[0].dtype).numpy()
        device = kwargs.get("device")
        if device is not None and not _isinstance(device, int):
            target = _as_device(device)
            if target is not None and target.type not in self.allowed:
                self._reject(target)
            if target is not None and target.type == "meta" and self.carry_data:
                result = func(*args, **{**kwargs, "device": "cpu"})
                return result.as_subclass(OnStandIn) if _isinstance(result, _Tensor) else result
            if target is not None and target.type in self.redirect:
                self.moves.append(target)
                self.transfers.append(
                    Transfer(
                        target,
                        kwargs.get("dtype"),
                        bool(kwargs.get("non_blocking", False)),
                        False,
                        bool(args) and _isinstance(args[0], _Tensor) and self.is_pinned(args[0]),
                    )
                )
                result = func(*args, **{**kwargs, "device": "meta"})
                if _isinstance(result, _Tensor):
                    self._redirected[id(result)] = (weakref.ref(result), target)
                return result
        return func(*args, **kwargs)


def is_device_mismatch(error: BaseException) -> bool:
    text = str(error)
    return isinstance(error, RuntimeError) and ("same device" in text or "expected device" in text or "device meta" in text)


@dataclass
class Seen:
    """What a model saw during a call: the device and dtype of its inputs, and grad mode."""

    devices: list[str] = field(default_factory=list)
    dtypes: list[str] = field(default_factory=list)
    grad_modes: list[bool] = field(default_factory=list)


def _own_code() -> frozenset[Any]:
    """Every code object defined in this module (functions, methods and the closures inside them)."""
    found: set[Any] = set()

    def walk(code: Any) -> None:
        if code in found:
            return
        found.add(code)
        for const in code.co_consts:
            if hasattr(const, "co_consts"):
                walk(const)

    for value in list(globals().values()):
        members = list(vars(value).values()) if isinstance(value, type) and value.__module__ == __name__ else [value]
        for member in members:
            function = getattr(member, "__func__", member)
            code = getattr(function, "__code__", None)
            if code is not None and getattr(function, "__module__", None) == __name__:
                walk(code)
    return frozenset(found)


_OWN_CODE = _own_code()

"""The behaviour harness: run the learner's code and the reference side by side, compare every effect.

A check describes a *scenario* — a function that takes an implementation (the
learner's module or the reference module), builds fresh inputs, calls the code
under test and returns what should be observed::

    def test_gradient(compare):
        x = torch.randn(3, dtype=torch.float64)

        def scenario(impl):
            x_in = x.clone()
            return {"the result": impl.gradient_of(f, x_in), "x after the call": x_in}

        compare.same(scenario, given=f"x = {show(x)}", where="gradient_of")

`compare.same` runs the scenario on the reference, then on the learner's code,
each from the same global state (grad mode on, float32 default, anomaly mode
off, the same RNG seed), and compares:

- every value the scenario returns, recursively: tensors by values (within a
  tolerance), dtype, shape, device, `requires_grad`, `grad_fn`, leaf-ness and
  `.grad`; modules by mode and `state_dict`; containers by type and items;
  numbers by type and value; exceptions by type;
- the global state after the call (grad mode, default dtype, anomaly mode,
  inference mode), inside the caller's context when one is given.

The first difference fails the check with a message in the learner's words:
which input, what the reference gives, what theirs gives, and the line of
their code that returned (found with a trace hook on their functions while their code ran).

Why the reference runs in the same process: generated inputs, callables and
modules cannot cross a process boundary cheaply. The reference is loaded before
any learner code and every function and method of it is wrapped by
`ReferenceGuard`: a call that comes from a learner frame (the learner calling the
reference instead of writing the code) is recorded and the run counts as
tampering.
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
import sys
from builtins import isinstance as _isinstance  # captured before learner code runs; mypy narrows through it
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from types import FrameType, FunctionType, ModuleType
from typing import Any, cast

import torch
from hypothesis import currently_in_test_context
from hypothesis.control import current_build_context

from torchdojo.checks.memo import ReferenceRuns
from torchdojo.checks.support import CheckFailed, GraderLimit, GuardRefusal, manual_seed, ran_out, show

# Captured before any learner code runs (a submission may monkeypatch these later).
_allclose = torch.allclose
_equal = torch.equal
_is_tensor = torch.is_tensor
_getframe = sys._getframe
_setprofile = sys.setprofile
_getprofile = sys.getprofile
_settrace = sys.settrace
_gettrace = sys.gettrace
_Module = torch.nn.Module

Label = str | tuple[str, str]
"""What an observed value is called: English, or (English, 中文)."""


def _words(label: Label) -> tuple[str, str]:
    return label if _isinstance(label, tuple) else (label, _ZH.get(label, label))


# Common labels, so that checks can write them once in English.
_ZH: dict[str, str] = {
    "the result": "返回值",
    "the returned value": "返回值",
    "the second result": "第二次调用的返回值",
    "the first result": "第一次调用的返回值",
    "the model afterwards": "调用后的模型",
    "the input afterwards": "调用后的输入",
    "x after the call": "调用后的 x",
    "the parameters afterwards": "调用后的参数",
}


# -- the reference solution and its guard --------------------------------------------------------


@dataclass
class ReferenceGuard:
    """Notices learner code calling into the reference solution (which would be copying it)."""

    learner_module: str
    delegations: list[str] = field(default_factory=list)

    def called_from_learner(self) -> bool:
        frame: FrameType | None = _getframe(2)
        while frame is not None:
            if frame.f_globals.get("__name__") == self.learner_module:
                return True
            frame = frame.f_back
        return False

    def wrap(self, function: Callable[..., Any], name: str) -> Callable[..., Any]:
        guard = self

        @wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if guard.called_from_learner():
                guard.delegations.append(name)
            return function(*args, **kwargs)

        return guarded


def load_reference(path: Path, module_name: str, guard: ReferenceGuard) -> ModuleType:
    """Import the reference solution under a private name and wrap its own functions and methods.

    It is in `sys.modules` only while it executes (dataclasses and typing need that),
    so learner code cannot simply import it.
    """
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(module_name, None)
    for name, value in list(vars(module).items()):
        if getattr(value, "__module__", None) != module_name:
            continue
        if _isinstance(value, FunctionType):
            setattr(module, name, guard.wrap(value, name))
        elif _isinstance(value, type):
            for attribute, member in list(vars(value).items()):
                qualified = f"{name}.{attribute}"
                if _isinstance(member, FunctionType):
                    setattr(value, attribute, guard.wrap(member, qualified))
                elif _isinstance(member, staticmethod):
                    setattr(value, attribute, staticmethod(guard.wrap(member.__func__, qualified)))
                elif _isinstance(member, classmethod):
                    setattr(value, attribute, classmethod(guard.wrap(member.__func__, qualified)))
    return module


# -- observing values ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-4
    atol: float = 1e-5
    # float64 against float64: optional tighter bounds (a float32 computation cast back to float64 shows).
    rtol64: float | None = None
    atol64: float | None = None


@dataclass
class Difference:
    """Where two observations part: a path of (en, zh) steps, and what each side shows."""

    path: list[tuple[str, str]]
    expected: str
    got: str
    expected_zh: str | None = None
    got_zh: str | None = None

    def where(self) -> tuple[str, str]:
        en = "".join(step[0] for step in self.path)
        zh = "".join(step[1] for step in self.path)
        return en, zh


_TYPE_WORDS = {bool: "a bool", int: "an int", float: "a float", str: "a str", type(None): "None"}


def _kind(value: Any) -> str:
    if _is_tensor(value):
        return "a tensor"
    if _isinstance(value, _Module):
        return "a module"
    return _TYPE_WORDS.get(type(value), f"a {type(value).__name__}")


def _tensor_values(tensor: torch.Tensor) -> torch.Tensor | None:
    if tensor.device.type == "meta":
        return None
    return tensor.detach().to("cpu", copy=True)


def _grad_of(tensor: torch.Tensor) -> torch.Tensor | None:
    # .grad of a non-leaf warns and is always None unless retain_grad() was called
    return tensor.grad if tensor.is_leaf else None


def _same_numbers(a: torch.Tensor, b: torch.Tensor, tol: Tolerance) -> bool:
    if a.dtype.is_floating_point or a.dtype.is_complex or b.dtype.is_floating_point:
        common = torch.promote_types(a.dtype, b.dtype)
        rtol, atol = tol.rtol, tol.atol
        if a.dtype == b.dtype == torch.float64:
            rtol = tol.rtol if tol.rtol64 is None else tol.rtol64
            atol = tol.atol if tol.atol64 is None else tol.atol64
        return bool(_allclose(a.to(common), b.to(common), rtol=rtol, atol=atol, equal_nan=True))
    return bool(_equal(a, b))


_PLAIN_TENSORS = (torch.Tensor, torch.nn.Parameter)


def _compare_tensors(expected: torch.Tensor, got: torch.Tensor, path: list[tuple[str, str]], tol: Tolerance) -> Difference | None:
    # A tensor subclass can say anything about itself (its device, requires_grad, grad_fn, values through
    # __torch_function__): only torch's own kinds are read, and a Tensor and a Parameter count as the same kind.
    if type(got) is not type(expected) and not (type(got) in _PLAIN_TENSORS and type(expected) in _PLAIN_TENSORS):
        return Difference([*path, (" (its type)", "(类型)")], type(expected).__name__, type(got).__name__)
    if tuple(expected.shape) != tuple(got.shape):
        return Difference([*path, (" (its shape)", "(形状)")], str(tuple(expected.shape)), str(tuple(got.shape)))
    if expected.dtype != got.dtype:
        return Difference([*path, (" (its dtype)", "(dtype)")], _dtype(expected.dtype), _dtype(got.dtype))
    if expected.device.type != got.device.type:
        return Difference([*path, (" (its device)", "(设备)")], expected.device.type, got.device.type)
    if expected.requires_grad != got.requires_grad:
        return Difference([*path, (" (its requires_grad)", "(requires_grad)")], str(expected.requires_grad), str(got.requires_grad))
    if (expected.grad_fn is None) != (got.grad_fn is None):
        return Difference(
            [*path, (" (attached to a graph?)", "(是否连接计算图)")],
            "attached (has a grad_fn)" if expected.grad_fn is not None else "not attached (no grad_fn)",
            "attached (has a grad_fn)" if got.grad_fn is not None else "not attached (no grad_fn)",
            "连接(有 grad_fn)" if expected.grad_fn is not None else "不连接(没有 grad_fn)",
            "连接(有 grad_fn)" if got.grad_fn is not None else "不连接(没有 grad_fn)",
        )
    a, b = _tensor_values(expected), _tensor_values(got)
    if a is not None and b is not None and not _same_numbers(b, a, tol):
        if show(a) == show(b):  # differs below the digits shown: say by how much
            largest = float((a.to(torch.float64) - b.to(torch.float64)).abs().nan_to_num(nan=float("inf")).max())
            return Difference(path, show(a), f"{show(b)} (differs by up to {largest:.3g})", None, f"{show(b)}(最多相差 {largest:.3g})")
        return Difference(path, show(a), show(b))
    grad_a, grad_b = _grad_of(expected), _grad_of(got)
    if (grad_a is None) != (grad_b is None):
        return Difference([*path, (".grad", ".grad")], "None" if grad_a is None else show(grad_a), "None" if grad_b is None else show(grad_b))
    if grad_a is not None and grad_b is not None:
        return _compare_tensors(grad_a, grad_b, [*path, (".grad", ".grad")], tol)
    return None


def _dtype(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def _is_own_type(value: Any, own_modules: frozenset[str]) -> bool:
    return getattr(type(value), "__module__", None) in own_modules


def compare_values(expected: Any, got: Any, path: list[tuple[str, str]], tol: Tolerance, own_modules: frozenset[str] = frozenset()) -> Difference | None:
    """The first difference between what the reference produced and what the learner's code did.

    `own_modules` are the learner's and the reference's module names: their classes
    differ by identity and are compared by name only.
    """
    if _is_tensor(expected) or _is_tensor(got):
        if not (_is_tensor(expected) and _is_tensor(got)):
            return Difference(path, _kind(expected), f"{_kind(got)}: {show(got)}")
        return _compare_tensors(expected, got, path, tol)
    if _isinstance(expected, _Module) or _isinstance(got, _Module):
        if not (_isinstance(expected, _Module) and _isinstance(got, _Module)):
            return Difference(path, _kind(expected), _kind(got))
        if expected.training != got.training:
            mode = {True: ("training mode", "训练模式"), False: ("eval mode", "评估模式")}
            return Difference(
                [*path, (" (its mode)", "(模式)")], mode[expected.training][0], mode[got.training][0], mode[expected.training][1], mode[got.training][1]
            )
        return compare_values(
            dict(expected.state_dict(keep_vars=True)), dict(got.state_dict(keep_vars=True)), [*path, (".state_dict()", ".state_dict()")], tol, own_modules
        )
    if _isinstance(expected, BaseException) or _isinstance(got, BaseException):
        if not (_isinstance(expected, BaseException) and _isinstance(got, BaseException)) or not _isinstance(got, type(expected)):
            return Difference(path, _outcome(expected), _outcome(got))
        return None
    if _isinstance(expected, bool | int | float) and _isinstance(got, bool | int | float) and not _isinstance(expected, bool) and not _isinstance(got, bool):
        if _isinstance(expected, float) != _isinstance(got, float):
            return Difference([*path, (" (its type)", "(类型)")], _kind(expected), f"{_kind(got)} ({got!r})")
        if not math.isclose(float(expected), float(got), rel_tol=tol.rtol, abs_tol=tol.atol) and not (math.isnan(expected) and math.isnan(got)):
            return Difference(path, repr(_rounded(expected)), repr(_rounded(got)))
        return None
    if type(expected) is not type(got):
        if not (_is_own_type(expected, own_modules) and _is_own_type(got, own_modules) and type(expected).__name__ == type(got).__name__):
            return Difference([*path, (" (its type)", "(类型)")], type(expected).__name__, type(got).__name__)
    if _isinstance(expected, Mapping):
        if list(expected.keys()) != list(got.keys()):
            if set(expected.keys()) != set(got.keys()):
                return Difference([*path, (" (its keys)", "(键)")], _keys(expected), _keys(got))
        for key in expected:
            step = (f"[{key!r}]", f"[{key!r}]")
            diff = compare_values(expected[key], got[key], [*path, step], tol, own_modules)
            if diff:
                return diff
        return None
    if _isinstance(expected, list | tuple):
        if len(expected) != len(got):
            return Difference([*path, (" (its length)", "(长度)")], str(len(expected)), str(len(got)))
        names = getattr(type(expected), "_fields", None)
        for index, (a, b) in enumerate(zip(expected, got, strict=True)):
            step = (f".{names[index]}", f".{names[index]}") if names else (f"[{index}]", f"[{index}]")
            diff = compare_values(a, b, [*path, step], tol, own_modules)
            if diff:
                return diff
        return None
    if _isinstance(expected, torch.device | torch.dtype | str | bytes | type(None) | bool | complex):
        if expected != got:
            return Difference(path, repr(expected), repr(got))
        return None
    return None  # other objects: the same type is all that can be compared


def _keys(mapping: Mapping) -> str:
    return "{" + ", ".join(repr(k) for k in mapping) + "}"


def _rounded(value: Any) -> Any:
    return round(value, 6) if _isinstance(value, float) else value


def _outcome(value: Any) -> str:
    if _isinstance(value, BaseException):
        return f"raises {type(value).__name__}"
    return "returns normally" if value is None or _isinstance(value, Mapping) else f"returns {_kind(value)}: {show(value)}"


def _outcome_zh(value: Any) -> str:
    if _isinstance(value, BaseException):
        return f"抛出 {type(value).__name__}"
    return "正常返回" if value is None or _isinstance(value, Mapping) else f"返回{_kind(value)}:{show(value)}"


# -- global state ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GlobalState:
    grad_enabled: bool
    default_dtype: torch.dtype
    anomaly: bool
    inference: bool

    @staticmethod
    def now() -> GlobalState:
        return GlobalState(torch.is_grad_enabled(), torch.get_default_dtype(), torch.is_anomaly_enabled(), torch.is_inference_mode_enabled())


_STATE_WORDS: dict[str, tuple[str, str]] = {
    "grad_enabled": ("grad mode (torch.is_grad_enabled())", "梯度模式(torch.is_grad_enabled())"),
    "default_dtype": ("the default dtype (torch.get_default_dtype())", "默认 dtype(torch.get_default_dtype())"),
    "anomaly": ("anomaly detection", "异常检测模式"),
    "inference": ("inference mode", "推理模式"),
}


def _state_word(value: Any) -> tuple[str, str]:
    if _isinstance(value, bool):
        return ("on", "开启") if value else ("off", "关闭")
    return (_dtype(value), _dtype(value)) if _isinstance(value, torch.dtype) else (str(value), str(value))


def _reset_global_state(seed: int) -> None:
    torch.set_grad_enabled(True)
    torch.set_default_dtype(torch.float32)
    torch.set_anomaly_enabled(False)
    manual_seed(seed)
    random.seed(seed)


# -- where the learner's code returned -------------------------------------------------------------


_recording: list[tuple[Callable[..., Any], Any]] = []
"""The line recorders now installed (each with the trace function it replaced), innermost last."""


@contextmanager
def _returns_of(module_name: str, function_name: str | None) -> Iterator[list[int]]:
    """Record the line at which the learner's `function_name` (or any learner function) returns.

    A trace hook, not a profile hook: `sys.setprofile` calls back on every call and return of every
    function, torch's C operators included (about a quarter of some checks' time). The trace hook
    is called once per new Python frame and keeps watching only the learner's frames, and there
    only for their returns (no line events). What learner code does to the hooks is undone after
    it: the trace and profile functions from before are put back. Even so it costs about a tenth
    of grading, so only a failure's message pays for it (`Compare._returned_at`).
    """
    lines: list[int] = []
    previous_trace = _gettrace()

    def on_return(frame: FrameType, event: str, arg: Any) -> Any:
        if event == "return":
            lines.append(frame.f_lineno)
        return on_return

    def on_call(frame: FrameType, event: str, arg: Any) -> Any:
        if frame.f_globals.get("__name__") != module_name or (function_name is not None and frame.f_code.co_name != function_name):
            return None
        frame.f_trace_lines = False
        return on_return

    with _hooks_restored():  # the recorder is taken away again with whatever learner code put in
        _recording.append((on_call, previous_trace))
        _settrace(on_call)
        try:
            yield lines
        finally:
            _recording.pop()


@contextmanager
def _hooks_restored() -> Iterator[list[int]]:
    """Run learner code without recording where it returns: only put back the trace and profile
    functions from before, if it changed them (so none of its hooks sees the reference run)."""
    previous_trace, previous_profile = _gettrace(), _getprofile()
    try:
        yield []
    finally:
        if _gettrace() is not previous_trace:
            _settrace(previous_trace)
        if _getprofile() is not previous_profile:
            _setprofile(previous_profile)


def _message_is_read() -> bool:
    """Whether a failure raised now is the one the learner reads: outside Hypothesis, or in its
    final run of an example (an explicit one, or the shrunk failure replayed). The runs it makes
    while searching and shrinking raise failures nobody reads."""
    return not currently_in_test_context() or bool(current_build_context().is_final)


def _stop_recording_in_fork() -> None:
    """A process forked while learner code runs (a DataLoader worker, a distributed rank) records
    lines nobody reads: it runs without the recorder, with the trace function from before it."""
    if _recording:
        if _gettrace() is _recording[-1][0]:
            _settrace(_recording[0][1])
        _recording.clear()


os.register_at_fork(after_in_child=_stop_recording_in_fork)


# -- the comparison --------------------------------------------------------------------------------


@dataclass
class Run:
    """What one implementation did in a scenario."""

    value: Any
    raised: BaseException | None
    state: GlobalState
    state_outside: GlobalState | None
    returned_at: int | None


class Compare:
    """Learner and reference bound together: one object per check module, given by the `compare` fixture."""

    def __init__(self, learner: ModuleType, reference: ModuleType, reference_runs: ReferenceRuns | None = None, namespace: str = "") -> None:
        self.learner = learner
        self.reference = reference
        self.own_modules = frozenset({learner.__name__, reference.__name__})
        # A warm worker's rehearsed reference runs (torchdojo.checks.memo), under this check module and reference's name.
        self.reference_runs = reference_runs
        self.namespace = namespace
        # What a check module builds once per run from this learner and reference (a model aligned with a checkpoint): kept
        # on the run's own object. In a module global it would outlive the run, where a later submission could reach it.
        self.kept: dict[str, Any] = {}

    def __fingerprint__(self) -> str:
        """A scenario may close over the `compare` object (to tell the learner's run from the reference's): the
        reference's run can depend on which reference and checks it is, never on the learner's module."""
        return self.namespace

    def where(self, name: str | None) -> Any:
        """The learner's object called `name` (a function, a class, or `Class.method`)."""
        if name is None:
            return None
        obj: Any = self.learner
        for part in name.split("."):
            obj = getattr(obj, part, None)
        return obj

    def run(
        self,
        impl: ModuleType,
        scenario: Callable[[ModuleType], Any],
        seed: int,
        context: Callable[[], AbstractContextManager[Any]] | None,
        where: str | None,
        record_return: bool = False,
    ) -> Run:
        """One implementation's run of a scenario. The learner's is watched: its changes to the trace and profile
        functions are undone, and with `record_return` the line where its code returned is recorded."""
        _reset_global_state(seed)
        value: Any = None
        raised: BaseException | None = None
        watch: AbstractContextManager[list[int]] = nullcontext([])
        if impl is self.learner:
            watch = _returns_of(self.learner.__name__, where.split(".")[-1] if where else None) if record_return else _hooks_restored()
        with watch as lines:
            with (context or nullcontext)():
                try:
                    value = scenario(impl)
                except Exception as error:  # noqa: BLE001 - the reference's own errors are part of its behaviour
                    if impl is self.learner:
                        raise
                    raised = error
                inside = GlobalState.now()
            outside = GlobalState.now() if context else None
        return Run(value, raised, inside, outside, lines[-1] if lines else None)

    def _reference_run(
        self, scenario: Callable[[ModuleType], Any], seed: int, context: Callable[[], AbstractContextManager[Any]] | None, where: str | None
    ) -> Run:
        """The reference's run of this scenario: kept from the worker's rehearsal when its inputs are the same."""
        runs = self.reference_runs
        key = runs.key(self.namespace, scenario, seed, context) if runs is not None else None
        if runs is not None and key is not None:
            kept = runs.take(key)
            if kept is not None:
                return cast(Run, kept)
        run = self.run(self.reference, scenario, seed, context, where)
        if runs is not None:
            runs.keep(key, run)
        return run

    def same(
        self,
        scenario: Callable[[ModuleType], Any],
        given: str = "",
        given_zh: str | None = None,
        where: str | None = None,
        context: Callable[[], AbstractContextManager[Any]] | None = None,
        context_words: tuple[str, str] = ("", ""),
        seed: int = 0,
        tolerance: Tolerance = Tolerance(),  # noqa: B008 - frozen: one shared default is safe
        hint: tuple[str, str] | Callable[[Any, Any], tuple[str, str] | None] | None = None,
        state_hint: tuple[str, str] | None = None,
    ) -> Any:
        """Fail with the first observable difference between the reference and the learner.

        `scenario(impl)` builds fresh inputs, calls `impl`'s code and returns what to observe
        (a dict of label -> value reads best in messages). `context` (e.g. `torch.no_grad`) is
        entered around the scenario for both. Returns the learner's observation.
        `hint` is added to a failure message; when it is a function, it is called with the
        reference's and the learner's observations (to name the cause, e.g. from a `TrainingLog`).
        `state_hint`, when given, replaces `hint` for a difference in global state (grad mode...):
        a hint about the values would point at the wrong cause there.
        """
        expected = self._reference_run(scenario, seed, context, where)
        if expected.raised is None and _isinstance(expected.value, BaseException):
            raise TypeError("a scenario must not return an exception")
        # The learner's errors propagate with their own line, unless the reference raises too.
        try:
            got = self.run(self.learner, scenario, seed, context, where)
        except Exception as error:
            if _isinstance(error, CheckFailed | GraderLimit):  # a stand-in's verdict, or the grader's own limit: as raised
                raise
            unfinished = _isinstance(error, NotImplementedError)  # a stub never matches an expected error
            if unfinished or expected.raised is None or not _isinstance(error, type(expected.raised)):
                line = self._raised_at(error)
                if expected.raised is not None and not unfinished:
                    self._fail(
                        Difference([], _outcome(expected.raised), _outcome(error), _outcome_zh(expected.raised), _outcome_zh(error)),
                        given,
                        given_zh,
                        where,
                        line,
                        hint,
                    )
                missing_name = _isinstance(error, AttributeError) and getattr(error, "obj", None) is self.learner
                exhausted = ran_out(error)  # not about the inputs: say what ran out
                refused = _isinstance(error, GuardRefusal)  # what the guard would not allow: in its own words, both languages
                if unfinished or not given or missing_name or exhausted or refused:  # the child says these in its own words
                    raise
                detail = (str(error).strip().splitlines() or [""])[0][:200]
                kind = type(error).__name__
                raise CheckFailed(
                    f"With {given}: your code raised {kind}: {detail}",
                    f"输入为 {given_zh or given} 时:你的代码抛出了 {kind}:{detail}",
                    line if line is not None else self.where(where),
                ) from error
            if str(expected.raised).strip() and str(error).strip() in ("", "None"):
                self._fail(
                    Difference([("the error's message", "错误信息")], "a message that says what is wrong", "an empty message", "说明问题所在的信息", "空信息"),
                    given,
                    given_zh,
                    where,
                    self._raised_at(error),
                    hint,
                )
            return error
        if expected.raised is not None:
            self._fail(
                Difference([], _outcome(expected.raised), _outcome(got.value), _outcome_zh(expected.raised), _outcome_zh(got.value)),
                given,
                given_zh,
                where,
                self._returned_at(scenario, seed, context, where),
                hint,
            )
        diff = self._compare_observed(expected.value, got.value, tolerance)
        chosen = hint(expected.value, got.value) if callable(hint) and diff is not None else hint
        if diff is None:
            diff = _compare_state(expected.state, got.state, context_words if context else ("", ""))
            if diff is None and expected.state_outside and got.state_outside:
                diff = _compare_state(expected.state_outside, got.state_outside, (" after the caller's block ended", "(调用者的代码块结束后)"))
            if state_hint is not None:
                chosen = state_hint
            elif callable(hint) and diff is not None:
                chosen = hint(expected.value, got.value)
        if diff is not None:
            self._fail(diff, given, given_zh, where, self._returned_at(scenario, seed, context, where), chosen)
        return got.value

    def _returned_at(
        self, scenario: Callable[[ModuleType], Any], seed: int, context: Callable[[], AbstractContextManager[Any]] | None, where: str | None
    ) -> int | None:
        """The line where the learner's code returned in this scenario, for a failure's message: found by running
        it once more, recording, and only for a message the learner reads (`_message_is_read`). Recording every
        run cost about a tenth of grading; a scenario is seeded and builds fresh inputs, so the run is the same."""
        if not _message_is_read():
            return None
        try:
            return self.run(self.learner, scenario, seed, context, where, record_return=True).returned_at
        except Exception:  # noqa: BLE001 - only the message's line is at stake: the difference is already found
            return None

    def _raised_at(self, error: BaseException) -> int | None:
        """The innermost line of the learner's code in an exception's traceback."""
        line = None
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_globals.get("__name__") == self.learner.__name__:
                line = tb.tb_lineno
            tb = tb.tb_next
        return line

    def _compare_observed(self, expected: Any, got: Any, tol: Tolerance) -> Difference | None:
        if _isinstance(expected, Mapping) and type(expected) is dict:
            for label, value in expected.items():
                en, zh = _words(label)
                diff = compare_values(value, got.get(label) if _isinstance(got, Mapping) else None, [(en, zh)], tol, self.own_modules)
                if diff:
                    return diff
            return None
        return compare_values(expected, got, [("the result", "返回值")], tol, self.own_modules)

    def _fail(
        self,
        diff: Difference,
        given: str,
        given_zh: str | None,
        where: str | None,
        line: int | None,
        hint: tuple[str, str] | Callable[[Any, Any], tuple[str, str] | None] | None,
    ) -> None:
        what_en, what_zh = diff.where()
        prefix_en = f"With {given}: " if given else ""
        prefix_zh = f"输入为 {given_zh or given} 时:" if given else ""
        subject_en = f"{what_en}: " if what_en else ""
        subject_zh = f"{what_zh}:" if what_zh else ""
        if diff.path:
            en = f"{prefix_en}{subject_en}expected {diff.expected}, yours gives {diff.got}."
            zh = f"{prefix_zh}{subject_zh}期望 {diff.expected_zh or diff.expected},你的代码给出 {diff.got_zh or diff.got}。"
        else:  # how the call ended: raised or returned
            en = f"{prefix_en}the reference {diff.expected}; yours {diff.got}."
            zh = f"{prefix_zh}参考答案{diff.expected_zh or diff.expected};你的代码{diff.got_zh or diff.got}。"
        if hint and not callable(hint):
            en += " " + hint[0]
            zh += hint[1]
        raise CheckFailed(en[0].upper() + en[1:], zh, line if line is not None else self.where(where))


def _compare_state(expected: GlobalState, got: GlobalState, context: tuple[str, str]) -> Difference | None:
    for name, (en, zh) in _STATE_WORDS.items():
        a, b = getattr(expected, name), getattr(got, name)
        if a != b:
            (a_en, a_zh), (b_en, b_zh) = _state_word(a), _state_word(b)
            return Difference([(f"{en} after the call{context[0]}", f"{zh}在调用之后{context[1]}")], a_en, b_en, a_zh, b_zh)
    return None


# -- training loops: spy loaders and optimizers ------------------------------------------------------


class SpyLoader(torch.utils.data.DataLoader):
    """A real DataLoader (len, .dataset, .batch_size all work) that logs every pass and batch it gives."""

    def __init__(self, dataset: Any, *, log: TrainingLog, name: str, **kwargs: Any) -> None:
        super().__init__(dataset, **kwargs)
        self._spy_log = log
        self._spy_name = name

    def __iter__(self) -> Iterator[Any]:  # type: ignore[override]  # the spy yields what the real iterator gives; callers only iterate
        log, name = self._spy_log, self._spy_name
        log.pass_started(name)
        for batch in super().__iter__():
            log.events.append(("batch", name))
            log.samples.setdefault(name, []).append(_batch_length(batch))
            yield batch


def _batch_length(batch: Any) -> int:
    first = batch[0] if _isinstance(batch, list | tuple) and batch else batch
    return len(first) if hasattr(first, "__len__") else 1


@dataclass
class TrainingLog:
    """What a training loop did, in order, for comparison with the reference run.

    `loader(...)` makes a `SpyLoader`; `watch_optimizer` and `watch_model` instrument the
    caller's objects without replacing them (hooks and instance attributes only). Verdicts
    are by effect — `step_gradients` (what each `optimizer.step()` found in `.grad`) and
    `step_parameters` (the parameters right after it) compared with the reference's — because
    zeroing before the forward pass is as right as zeroing after the step. The order of
    `events` only explains a difference in the learner's words (`explain_steps`).
    """

    events: list[tuple[str, str]] = field(default_factory=list)
    samples: dict[str, list[int]] = field(default_factory=dict)
    step_gradients: list[torch.Tensor | None] = field(default_factory=list)
    step_parameters: list[torch.Tensor] = field(default_factory=list)
    forward_modes: list[tuple[bool, bool]] = field(default_factory=list)
    pass_parameters: list[tuple[str, torch.Tensor]] = field(default_factory=list)
    watched_model: torch.nn.Module | None = None

    def pass_started(self, name: str) -> None:
        self.events.append(("pass", name))
        if self.watched_model is not None:  # the parameters each pass began with (e.g. after each epoch of training)
            self.pass_parameters.append((name, torch.cat([p.detach().reshape(-1).to("cpu", copy=True) for p in self.watched_model.parameters()])))

    def loader(self, dataset: Any, name: str, **kwargs: Any) -> SpyLoader:
        return SpyLoader(dataset, log=self, name=name, **kwargs)

    def watch_optimizer(self, optimizer: torch.optim.Optimizer) -> torch.optim.Optimizer:
        def stepped(opt: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
            params = [p for group in opt.param_groups for p in group["params"]]
            self.events.append(("step", "optimizer"))
            grads = [p.grad for p in params]
            self.step_gradients.append(
                None
                if all(g is None for g in grads)
                else torch.cat(
                    [(g if g is not None else torch.zeros_like(p)).detach().reshape(-1).to("cpu", copy=True) for g, p in zip(grads, params, strict=True)]
                )
            )
            self.step_parameters.append(torch.cat([p.detach().reshape(-1).to("cpu", copy=True) for p in params]))

        optimizer.register_step_post_hook(stepped)
        self._log_calls(optimizer, "zero_grad", "optimizer.zero_grad()")
        return optimizer

    def watch_model(self, model: torch.nn.Module) -> torch.nn.Module:
        self.watched_model = model
        model.register_forward_hook(lambda module, inputs, output: self.forward_modes.append((module.training, torch.is_grad_enabled())))
        self._log_calls(model, "zero_grad", "model.zero_grad()")
        first = next((p for p in model.parameters() if p.requires_grad), None)
        if first is not None:  # one event per backward pass that reaches the model
            first.register_post_accumulate_grad_hook(lambda p: self.events.append(("backward", "loss.backward()")))
        return model

    def _log_calls(self, owner: Any, method: str, words: str) -> None:
        original = getattr(owner, method)

        @wraps(original)
        def logged(*args: Any, **kwargs: Any) -> Any:
            self.events.append((method, words))
            return original(*args, **kwargs)

        object.__setattr__(owner, method, logged)

    def passes(self) -> list[str]:
        """The loaders' names in the order their passes began."""
        return [name for kind, name in self.events if kind == "pass"]

    def steps(self) -> int:
        return sum(1 for kind, _ in self.events if kind == "step")


def explain_steps(expected: TrainingLog, got: TrainingLog) -> tuple[str, str] | None:
    """The first cause, in the learner's words, of a difference in what their optimizer steps used.

    Only called once a difference in effect was found: the order of calls alone never fails a check.
    """
    got_batches, want_batches = (sum(1 for kind, _ in log.events if kind == "batch") for log in (got, expected))
    if got_batches != want_batches:
        return (
            f"Your code went through {got_batches} batches where the reference went through {want_batches}: "
            "each call trains on every batch of its loader, once.",
            f"你的代码处理了 {got_batches} 个批次,参考答案处理了 {want_batches} 个:每次调用都要把 DataLoader 的每个批次训练一次。",
        )
    if got.steps() != expected.steps():
        batches = got_batches
        return (
            f"Your loop called optimizer.step() {got.steps()} times for {batches} batches; the reference calls it once per batch.",
            f"你的循环在 {batches} 个批次中调用了 {got.steps()} 次 optimizer.step();参考答案每个批次调用一次。",
        )
    step, backward_since_step, zeroed_since_step, zero_after_backward = 0, False, False, False
    for kind, _ in got.events:
        if kind == "backward":
            if step and not zeroed_since_step and not backward_since_step:
                return (
                    f"Between optimizer.step() #{step} and the next loss.backward() the gradients were not cleared, so they add up "
                    "across batches: call optimizer.zero_grad() once per batch.",
                    f"在第 {step} 次 optimizer.step() 与下一次 loss.backward() 之间梯度没有清零,于是梯度在批次之间累加:"
                    "请每个批次调用一次 optimizer.zero_grad()。",
                )
            backward_since_step, zero_after_backward = True, False
        elif kind == "zero_grad":
            zeroed_since_step = True
            zero_after_backward = backward_since_step
        elif kind == "step":
            step += 1
            if not backward_since_step:
                return (
                    f"optimizer.step() #{step} ran before its batch's loss.backward(): it used old (or no) gradients. "
                    "The order is loss.backward(), then optimizer.step().",
                    f"第 {step} 次 optimizer.step() 在本批次的 loss.backward() 之前运行:它用的是旧的(或没有)梯度。"
                    "正确的顺序是先 loss.backward(),再 optimizer.step()。",
                )
            if zero_after_backward:
                return (
                    f"zero_grad() ran between loss.backward() and optimizer.step() #{step}: the step found the gradients already "
                    "cleared. Clear them after the step (or before the forward pass).",
                    f"zero_grad() 在 loss.backward() 与第 {step} 次 optimizer.step() 之间运行:step 时梯度已被清空。请在 step 之后(或前向传播之前)清零。",
                )
            backward_since_step, zeroed_since_step, zero_after_backward = False, False, False
    return None

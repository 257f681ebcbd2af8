"""The reference's side of a comparison, computed once per warm worker instead of once per student.

`Compare.same` runs a scenario on the reference and on the learner's code. The reference's run
depends only on what the scenario is made of (its code and the values it closes over), the seed,
the context and the reference solution itself: give it the same inputs and it does the same thing.
A warm worker (torchdojo.core.warm) rehearses every exercise on the reference before or between
students; `ReferenceRuns` keeps each reference run of the rehearsal under a fingerprint of those
inputs, and every fork (one per student and exercise) inherits it and skips that half of the work.

Why a fingerprint of the contents, not "the n-th example of this check": the inputs of a
scenario can depend on things other than the check's own draws (an explicit example, the
learner's output of an earlier step, a file name). Contents that are equal give the same
reference run; anything the fingerprint cannot read in full (an object of an unknown kind, a
tensor in the middle of an autograd graph, a file's contents) makes the run uncacheable, and the
reference simply runs, as it always did. The runs are computed in the worker before any learner
code ran there: a submission that changes torch's or Python's global state cannot change them.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import enum
import functools
import hashlib
import random
import re
import sys
import types
from collections.abc import Callable
from typing import Any

import torch

# Captured before any learner code runs (a submission may monkeypatch these later, to make inputs look alike).
_detach = torch.Tensor.detach
_contiguous = torch.Tensor.contiguous
_to_numpy = torch.Tensor.numpy
_resolve = (torch.Tensor.resolve_conj, torch.Tensor.resolve_neg)
_blake2b = hashlib.blake2b
_deepcopy = copy.deepcopy

_MAX_BYTES = 64 * 2**20
"""A scenario closing over more than this (a whole dataset) is not worth fingerprinting: the reference just runs."""

_SIMPLE = (
    type(None),
    bool,
    int,
    float,
    complex,
    str,
    bytes,
    torch.dtype,
    torch.device,
    torch.Size,
    torch.layout,
    torch.memory_format,
    range,
    slice,
    type(Ellipsis),
    datetime.timedelta,
    datetime.date,
    datetime.datetime,
)


def _read_whole(module: object) -> bool:
    """Functions whose module-level values are read too: those of a check module (`torchdojo.checks.<topic>.test_<name>`).
    Of any other function (torch's, the learner's, the checks' shared support: stand-ins, strategies, the harness)
    the code, defaults and closure are read, not its module's values: those are torch's, the learner's (another
    module name in a fork than in the rehearsal, so another fingerprint anyway) or the grader's own bookkeeping."""
    return isinstance(module, str) and module.startswith("torchdojo.checks.") and module.rpartition(".")[2].startswith("test_")


class Unreadable(Exception):
    """The fingerprint cannot vouch for this input: the reference must run."""


class _Fingerprint:
    """A digest of everything a value is made of, as far as the reference's behaviour can tell."""

    def __init__(self, outcome: bool = False) -> None:
        self.outcome = outcome  # digesting what a run gave (to check a kept copy), not what it was given
        self.digest = _blake2b(digest_size=20)
        self.seen: dict[int, int] = {}
        self.size = 0
        self.keep: list[Any] = []  # ids stay valid while the walk runs

    def add(self, *parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else repr(part).encode()
            self.size += len(data)
            if self.size > _MAX_BYTES:
                raise Unreadable("too large")
            self.digest.update(len(data).to_bytes(8, "little"))
            self.digest.update(data)

    def walk(self, value: Any) -> None:
        kind = type(value)
        if kind in _SIMPLE or isinstance(value, enum.Enum):
            self.add(kind.__qualname__, value)
            return
        marker = self.seen.get(id(value))
        if marker is not None:  # shared or cyclic: the same object again, by the order it was first met
            self.add("again", marker)
            return
        self.seen[id(value)] = len(self.seen)
        self.keep.append(value)
        stand_in = getattr(kind, "__fingerprint__", None)
        if stand_in is not None:  # a grader object that says what about it a reference run can depend on
            self._named(kind)
            self.walk(stand_in(value))
        elif isinstance(value, torch.Tensor):
            self._tensor(value)
        elif kind in (tuple, list, set, frozenset):
            items = sorted(value, key=repr) if kind in (set, frozenset) else value
            self.add(kind.__name__, len(items))
            for item in items:
                self.walk(item)
        elif isinstance(value, tuple):  # a named tuple
            self._named(kind)
            self.walk(tuple(value))
            self.walk(getattr(value, "__dict__", None))
        elif isinstance(value, str | int | float) and hasattr(value, "__dict__"):  # e.g. a str that carries the raw values a hint reads
            self._named(kind)
            plain = str.__str__(value) if isinstance(value, str) else int.__int__(value) if isinstance(value, int) else float.__float__(value)
            self.add(type(plain).__name__, plain)
            self.walk(vars(value))
        elif isinstance(value, BaseException):
            self._named(kind)
            self.walk(value.args)
            self.walk(getattr(value, "__dict__", None))
        elif kind is dict or (isinstance(value, dict) and type(value).__module__ == "collections"):
            self.add(kind.__qualname__, len(value))
            for key, item in value.items():
                self.walk(key)
                self.walk(item)
        elif (numpy := sys.modules.get("numpy")) is not None and isinstance(value, numpy.ndarray):  # not imported: no array to meet
            if value.dtype.hasobject:
                raise Unreadable("numpy object array")
            self.add("ndarray", value.dtype.str, value.shape, numpy.ascontiguousarray(value).tobytes())
        elif numpy is not None and isinstance(value, numpy.generic):
            self.add("numpy", value.dtype.str, value.tobytes())
        elif isinstance(value, types.FunctionType):
            self._function(value)
        elif isinstance(value, functools.partial):
            self.add("partial")
            self.walk(value.func)
            self.walk(value.args)
            self.walk(value.keywords)
        elif isinstance(value, types.MethodType):
            self.add("method")
            self.walk(value.__func__)
            self.walk(value.__self__)
        elif isinstance(value, types.BuiltinFunctionType | types.ModuleType | type):
            self._named(value)
        elif isinstance(value, torch.Generator):
            self.add("generator", value.device, value.get_state().numpy().tobytes())
        elif isinstance(value, re.Pattern):
            self.add("pattern", value.pattern, value.flags)
        elif isinstance(value, random.Random):
            self.add("random", value.getstate())
        elif isinstance(value, types.CodeType):
            self._code(value)
        elif dataclasses.is_dataclass(value) or isinstance(value, torch.nn.Module) or _plain_object(value):
            self._named(kind)
            self.walk(vars(value))
        else:
            raise Unreadable(kind.__qualname__)

    def _tensor(self, tensor: torch.Tensor) -> None:
        # An input in the middle of an autograd graph behaves by its graph, which no digest reads; an observed
        # value (`outcome`) is compared by its grad_fn's kind, which is all a digest of it needs.
        in_graph = tensor.grad_fn is not None
        if (
            (in_graph and not self.outcome)
            or tensor.is_sparse
            or tensor.device.type not in ("cpu", "meta")
            or type(tensor) not in (torch.Tensor, torch.nn.Parameter)
        ):
            raise Unreadable("a tensor the fingerprint cannot read in full")
        data = _resolve[1](_resolve[0](_detach(tensor)))
        payload = _to_numpy(_contiguous(data).reshape(-1).view(torch.uint8)).tobytes() if data.numel() and data.device.type == "cpu" else b""
        self.add(
            type(tensor).__name__, tensor.dtype, tensor.device, tuple(tensor.shape), tensor.stride(), tensor.storage_offset(), tensor.requires_grad, payload
        )
        self.add("grad_fn", type(tensor.grad_fn).__name__ if in_graph else None)
        self.walk(tensor._base)  # a view: which tensor it shares memory with (met before or after, by identity)
        self.walk(tensor.grad if tensor.is_leaf else None)  # a non-leaf's .grad is None (and reading it warns)
        self.walk(tensor.__dict__)  # attributes a check hung on it

    def _function(self, function: types.FunctionType) -> None:
        self.add("function", function.__module__, function.__qualname__)
        self._code(function.__code__)
        self.walk(function.__defaults__)
        self.walk(function.__kwdefaults__)
        self.walk(tuple(_cell(cell) for cell in function.__closure__ or ()))
        self.walk(function.__dict__)
        if not _read_whole(function.__module__):
            return
        # The module-level values its code (and the code it nests) reads: a constant, a helper, a table.
        module_globals = function.__globals__
        for name in _global_names(function.__code__):
            if name in module_globals:
                self.add("global", name)
                self.walk(module_globals[name])

    def _code(self, code: types.CodeType) -> None:
        self.add(_code_digest(code))

    def _named(self, value: Any) -> None:
        """A module, class or built-in by its name: it is the same object in the rehearsal and a fork,
        unless it is the learner's (another module name, so another fingerprint)."""
        module = getattr(value, "__module__", None) if not isinstance(value, types.ModuleType) else value.__name__
        self.add("named", type(value).__name__, module, getattr(value, "__qualname__", getattr(value, "__name__", None)))


@functools.cache
def _code_digest(code: types.CodeType) -> bytes:
    """A code object's digest. Code is immutable, constants too: computed once per code object (about
    half of a fingerprint's work otherwise), and the cache holds only the checks' own code."""
    walker = _Fingerprint()
    walker.add("code", code.co_filename, code.co_firstlineno, code.co_code, code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            walker.add(_code_digest(constant))
        else:
            walker.walk(constant)
    return walker.digest.digest()


@functools.cache
def _global_names(code: types.CodeType) -> tuple[str, ...]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names.update(_global_names(constant))
    return tuple(sorted(names))


def _cell(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # not yet assigned
        return "<empty cell>"


def _plain_object(value: Any) -> bool:
    """An instance whose state is all in its `__dict__`, of a class written in Python."""
    kind = type(value)
    return hasattr(value, "__dict__") and not hasattr(kind, "__slots__") and all(base.__flags__ & (1 << 9) for base in kind.__mro__[:-1])  # Py_TPFLAGS_HEAPTYPE


def fingerprint(*inputs: Any, outcome: bool = False) -> str | None:
    """A digest of everything `inputs` are made of, or None when some part of them cannot be read in full.
    `outcome`: they are what a run gave, to be compared as the harness compares (a tensor's grad_fn by its kind)."""
    walker = _Fingerprint(outcome)
    try:
        for value in inputs:
            walker.walk(value)
    except (Unreadable, RecursionError, RuntimeError, TypeError, ValueError):
        return None
    return walker.digest.hexdigest()


def _seal(run: Any) -> str | None:
    """A digest of everything a comparison reads of a run: its value, its error, the global state after it."""
    raised = run.raised
    return fingerprint(run.value, type(raised), getattr(raised, "args", None), run.state, run.state_outside, run.returned_at, outcome=True)


class ReferenceRuns:
    """The reference's runs of one warm worker's rehearsals, by fingerprint of their inputs.

    `recording` is true only while the worker rehearses (no learner code has run in the process);
    then every lookup misses and each run is kept, sealed with a digest of all a comparison reads
    of it. A run is kept as a copy made before the rehearsal's own comparison, when the copy has
    the same seal (`copy.deepcopy` of a Parameter drops its .grad, and autograd copies no tensor
    with a grad_fn); otherwise as it is, and a fork checks the seal before using it. A run that
    cannot be sealed is not kept. A fork (one grading run) takes each kept run at most once: its
    own copy-on-write view of the worker's memory, which no other fork sees. A run handed out once
    in a fork is handed out again (Hypothesis drawing the same inputs twice, or replaying a failing
    example) only if its seal still holds; otherwise the reference runs again.
    """

    def __init__(self) -> None:
        self.recording = False
        self._runs: dict[str, tuple[Any, str, bool]] = {}  # key -> (run, seal, whether the run is a faithful copy)
        self._handed_out: set[str] = set()  # in this process: only a fork hands runs out
        self.hits = 0
        self.misses = 0
        self.examples = KeptExamples()  # each property check's examples, kept by the same rehearsals

    def __len__(self) -> int:
        return len(self._runs)

    def key(self, namespace: str, scenario: Callable[..., Any], seed: int, context: Callable[..., Any] | None) -> str | None:
        return fingerprint(namespace, scenario, seed, context)

    def take(self, key: str | None) -> Any:
        """The run kept under `key`, or None: then the reference runs."""
        kept = self._runs.get(key) if key is not None and not self.recording else None
        run = None
        if key is not None and kept is not None:
            run, seal, copied = kept
            if (key in self._handed_out or not copied) and _seal(run) != seal:  # changed since it was kept
                del self._runs[key]
                run = None
            else:
                self._handed_out.add(key)
        if run is None:
            self.misses += 1
        else:
            self.hits += 1
        return run

    def keep(self, key: str | None, run: Any) -> None:
        if not self.recording or key is None or key in self._runs:
            return
        seal = _seal(run)
        if seal is None:
            return
        try:
            copy_of_run = _deepcopy(run)
            copied = _seal(copy_of_run) == seal
        except Exception:  # noqa: BLE001 - not every value can be copied
            copied = False
        self._runs[key] = (copy_of_run if copied else run, seal, copied)


# -- the examples Hypothesis handed each property check (used by torchdojo.checks.replay) ----------------------

_get_rng_state = torch.get_rng_state
_set_rng_state = torch.set_rng_state
_random_state = random.getstate
_set_random_state = random.setstate


@dataclasses.dataclass(frozen=True)
class KeptExample:
    """One call Hypothesis made of a check in a rehearsal: its drawn arguments as they were before the call, and
    the random states the draw left (torch's, and Python's, which Hypothesis seeds for every call)."""

    arguments: dict[str, Any]
    torch_state: torch.Tensor
    random_state: Any
    explicit: bool

    def fresh(self) -> dict[str, Any]:
        """A copy of the arguments for one call: what a call changes, the next call never sees."""
        return _deepcopy(self.arguments)


def restore_random_states(example: KeptExample) -> None:
    _set_random_state(example.random_state)
    _set_rng_state(example.torch_state)


class _Unkeepable(Exception):
    """This check's examples cannot be kept faithfully: Hypothesis runs it."""


class KeptExamples:
    """Each rehearsed property check's examples, by check and reference (see torchdojo.checks.replay).

    A check's examples are kept only when it has its own seed (`torchdojo.checks.support.keep_examples` gives every
    check one), its rehearsal passed, every example ran to its end (none rejected by `assume`), none draws inside
    the check (`st.data()`) and every value's copy has the same fingerprint as the value; otherwise Hypothesis keeps
    running that check, as it always did."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], tuple[KeptExample, ...]] = {}
        # Python's random state (about 20 kB) is almost always the one Hypothesis seeds before every call: one copy
        # of each distinct state, not one per example (50 MB for the whole course).
        self._random_states: dict[Any, Any] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, key: tuple[str, str]) -> tuple[KeptExample, ...] | None:
        return self._kept.get(key)

    def record(self, key: tuple[str, str], wrapped: Any, call: Callable[[], Any]) -> Any:
        """Run `call` (pytest calling the check `wrapped` in a rehearsal) and keep the examples Hypothesis hands it."""
        from hypothesis.control import current_build_context

        handle = wrapped.hypothesis
        if getattr(wrapped, "_hypothesis_internal_use_seed", None) is None:
            return call()  # derandomized from the test's own digest, which a recorder in its place would change
        inner = handle.inner_test
        given = set(handle._given_kwargs)
        seen: list[KeptExample] = []
        keepable = True

        def recorder(*args: Any, **kwargs: Any) -> Any:
            nonlocal keepable
            arguments = {name: value for name, value in kwargs.items() if name in given}
            try:
                if args or len(arguments) != len(given):
                    raise _Unkeepable("arguments Hypothesis passed by position")
                if any(type(value).__name__ == "DataObject" for value in arguments.values()):
                    raise _Unkeepable("st.data(): draws made inside the check")
                copied = _deepcopy(arguments)
                digest = fingerprint(arguments)
                if digest is None or fingerprint(copied) != digest:
                    raise _Unkeepable("a value its copy does not reproduce")
                random_state = _random_state()
                random_state = self._random_states.setdefault(random_state, random_state)
                example = KeptExample(copied, _get_rng_state(), random_state, bool(current_build_context().is_final))
            except Exception:  # noqa: BLE001 - anything unusual: Hypothesis keeps running this check
                keepable = False
                return inner(*args, **kwargs)
            try:
                result = inner(*args, **kwargs)
            except BaseException:  # an example rejected by `assume`, or a failing rehearsal
                keepable = False
                raise
            seen.append(example)
            return result

        handle.inner_test = recorder
        try:
            result = call()
        finally:
            handle.inner_test = inner
        if keepable and seen:
            self._kept[key] = tuple(seen)
        return result

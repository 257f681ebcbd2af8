"""What a grading run relies on, as it was before learner code ran, and whether it still is (`Watch`).

A submission runs in the process that grades it. Anything on the grading path it can reach, it could replace to fake a
pass: the comparison's functions, pytest's and Hypothesis's machinery, a check, the class of `torch` itself. The run
watches all of it: `Watch` records every function, class and module of the grading modules and of the libraries the
comparison calls, and a run checks after every check that none of it moved (`changed_in`), with the torch modes left
active (`modes_left`), the tensor subclasses made since (`tensor_kinds`) and every loaded module's class
(`module_kinds`). What the run cannot watch this way, the guard refuses where it is asked for (torchdojo.core.guard).

A warm worker makes the watch once, before it forks (`base_watch`, `base_loaded`); a fork checks it by reading one
machine word per thing watched (torchdojo.core.words) and looks only at what moved, so it copies none of the pages
what it watches is on. docs/security.md says what this stops and what it does not.
"""

from __future__ import annotations

import builtins
import inspect
import itertools
import json
import operator
import os
import sys
import types
import typing
from collections.abc import Container, Sequence
from types import ModuleType
from typing import Any

from torchdojo.core import words
from torchdojo.core.guard import protected_namespaces

_MISSING = object()
_GRADING_MODULES = (
    "torchdojo.checks.harness",
    "torchdojo.checks.memo",
    "torchdojo.checks.replay",
    "torchdojo.checks.support",
    "torchdojo.checks.stand_in",
    "torchdojo.core.protocol",
    "torchdojo.core.guard",
    "torchdojo.core.words",
    "torchdojo.core.child",
    __name__,
)
_CHECKS = "torchdojo.checks"
"""The checks' package: every helper of it loaded when the watch is made is watched, every value (see `_watch`)."""
_COMPILER_NAMES = ("__compiled_fn", "__resume_at")
"""Names torch.compile adds to the globals of a module whose function it compiles: its compiled code, not a change."""


def checks_modules() -> list[str]:
    """The checks' helpers loaded now: the modules of the checks' package other than the check modules (`test_*`, each
    watched by its own run, globals only: their classes keep a check's own state, such as what a payload did). A cold
    run loads its exercise's helpers only as pytest collects them, after its watch is made: it watches those then
    (GradingPlugin.check_watch)."""
    return sorted(name for name in list(sys.modules) if (name == _CHECKS or name.startswith(f"{_CHECKS}.")) and not name.rpartition(".")[2].startswith("test_"))


# The machinery that calls the checks and the hooks, with their classes: pluggy, and the part of Hypothesis that runs
# a property check where no examples are kept (a cold check): its test runner, engine, data and errors.
_MACHINERY_MODULES = (
    "pluggy._caller",
    "pluggy._callers",
    "pluggy._execution",
    "pluggy._hooks",
    "pluggy._impl",
    "pluggy._manager",
    "pluggy._result",
    "hypothesis.core",
    "hypothesis.control",
    "hypothesis.errors",
    "hypothesis.internal.escalation",
    "hypothesis.internal.conjecture.engine",
    "hypothesis.internal.conjecture.data",
)
# torch's own namespaces are watched by name only (`integrity_targets`): importing parts of torch later (torch._dynamo,
# on a first torch.compile or DistributedDataParallel) rebinds some of them (torch.manual_seed, nn.Module.__init__).
_LIBRARY_MODULES = ("builtins", "json", "copy", "inspect", "_pytest.python", "_pytest.runner", "_pytest.reports", "_pytest.fixtures", "_pytest.main")


class Watch:
    """Everything on the grading path a submission could replace to fake a pass, as it was before learner code ran.

    The named targets (`integrity_targets`) are the well-known ones; this covers the rest by rule: every function,
    class and module in the grading modules' namespaces and in the libraries' whose functions the comparison calls,
    every attribute of the classes they define and of the library classes the run goes through (torch.Tensor,
    pytest's Function, CallInfo and TestReport; torch's own namespaces by name, in `integrity_targets`), and the exercise's check module, names and values. A
    function counts as replaced when its code, defaults or keyword defaults change too (a `__code__` swap keeps the
    object). A name added where it can shadow one (a `__bool__` on a class that had none, a global in a check
    module) counts as well. Built in each run before learner code; checked after every check."""

    def __init__(self, protected: Container[int] | None = None) -> None:
        # label and namespace -> the names and values watched there: compared a namespace at a time, in C (`_all_same`)
        self._values: dict[tuple[str, int], tuple[Any, list[str], list[Any]]] = {}
        self._functions: list[tuple[str, Any, str, types.FunctionType, Any, Any, Any]] = []  # and the code, defaults, kwdefaults
        self._cells: list[tuple[str, types.CellType, Any]] = []  # a watched function's closure: each cell's contents
        self._closed: list[tuple[str, Any, frozenset[str]]] = []  # namespaces where an added callable counts
        # Functions defined in these namespaces (by id) cannot have their code or defaults changed (`install_guard`
        # refuses it): watched by identity alone, which is cheaper than reading `__code__` after every check.
        self._protected: Container[int] = protected if protected is not None else frozenset()
        self._snapshot: Snapshot | None = None  # made once the watch is complete (see `snapshot`)
        self.modules: set[str] = set()  # the modules added (`add_module`)

    def _watch(self, label: str, namespace: Any, name: str, value: Any) -> None:
        self._snapshot = None
        if isinstance(value, types.FunctionType):
            for cell in value.__closure__ or ():
                contents = _cell_contents(cell)
                if contents is not _MISSING:
                    self._cells.append((f"{label}.{name}", cell, contents))
            if id(value.__globals__) in self._protected:
                self._value(label, namespace, name, value)
                return
            self._functions.append((label, namespace, name, value, value.__code__, value.__defaults__, value.__kwdefaults__))
        else:
            self._value(label, namespace, name, value)

    def _value(self, label: str, namespace: Any, name: str, value: Any) -> None:
        _, names, values = self._values.setdefault((label, id(namespace)), (namespace, [], []))
        names.append(name)
        values.append(value)

    def add(self, label: str, namespace: Any, everything: bool, closed: bool) -> None:
        """Watch `namespace` (a module's or a class's `__dict__`): its callables, classes and modules, or with
        `everything` each of its values; `closed`: a callable added under a new name counts too."""
        for name, value in list(namespace.items()):
            if everything or callable(value) or isinstance(value, types.ModuleType):
                self._watch(label, namespace, name, value)
        if closed:
            self._closed.append((label, namespace, frozenset(namespace)))
            self._snapshot = None

    def add_module(self, name: str, own_classes: bool, every_value: bool = False) -> None:
        """Watch a loaded module's callables, classes and modules (`every_value`: each of its values), and with
        `own_classes` every attribute of the classes it defines."""
        module = sys.modules.get(name)
        if module is None:
            return
        self.modules.add(name)
        self.add(name, vars(module), everything=every_value, closed=own_classes)
        if own_classes:
            for value in list(vars(module).values()):
                if isinstance(value, type) and value.__module__ == name:
                    self.add(f"{name}.{value.__qualname__}", vars(value), everything=True, closed=True)

    def add_check_module(self, module: ModuleType) -> None:
        """The exercise's checks: every global, and the test function inside each Hypothesis test."""
        self.add(module.__name__, vars(module), everything=True, closed=True)
        for name, value in list(vars(module).items()):
            inner = getattr(getattr(value, "hypothesis", None), "inner_test", None)
            if isinstance(inner, types.FunctionType):
                self._functions.append((f"{module.__name__}.{name}", {"": inner}, "", inner, inner.__code__, inner.__defaults__, inner.__kwdefaults__))
                self._snapshot = None

    def snapshot(self) -> Snapshot:
        """What is watched, in tuples: a submission that reaches this watch (the worker's base watch is a module global)
        can empty its lists, but not a snapshot a grading run took before learner code ran."""
        if self._snapshot is None:
            frozen = Snapshot(
                tuple((label, namespace, tuple(names), tuple(values)) for (label, _), (namespace, names, values) in self._values.items()),
                tuple(self._functions),
                tuple(self._cells),
                tuple(self._closed),
            )
            self._snapshot = _with_versions(frozen)
        return self._snapshot

    def changed(self) -> list[str]:
        snapshot = self.snapshot()
        return changed_in(snapshot, snapshot.reader())


class Snapshot(typing.NamedTuple):
    """A `Watch`'s contents, frozen: (label, namespace, names, values) per namespace; the functions with their code,
    defaults and keyword defaults; the closure cells with their contents; the namespaces where an added callable counts.

    `versions`: the words that move when anything in it does (torchdojo.core.words; a `Plan`, made with the
    snapshot): the version of each namespace in `values` and then in `closed`, each function's namespace's version and
    its code, defaults and keyword defaults, each cell's contents. `expected`: the words read there when the snapshot
    was made, for what held then (for anything else a word never read, so it is compared every time). An entry whose
    words are unchanged has not changed at all and is not looked at: a fork then never touches the thousands of
    objects the watch names (about 1,000 pages it would copy, 4 ms of every fork, and 0.5 ms of every check)."""

    values: tuple[tuple[str, Any, tuple[str, ...], tuple[Any, ...]], ...]
    functions: tuple[tuple[str, Any, str, types.FunctionType, Any, Any, Any], ...]
    cells: tuple[tuple[str, types.CellType, Any], ...]
    closed: tuple[tuple[str, Any, frozenset[str]], ...]
    versions: words.Plan | None = None
    expected: bytes = b""

    def reader(self) -> words.Words | None:
        """What reads the versions now: made by the run that uses it, before learner code runs (see `words.Words`)."""
        return words.Words(self.versions) if self.versions is not None else None


_NO_VERSION: dict[str, Any] = {}
"""Read in place of a namespace whose dict cannot be found: its expected word never matches, so it is compared every
time."""
_NEVER_READ = b"\xff" * words.WORD
"""The expected word of what did not hold when the snapshot was made: no version, pointer or NULL is all ones."""
_FUNCTION_WORDS = 4
"""A function's words in a snapshot: its namespace's version, its code, defaults and keyword defaults."""


def _with_versions(snapshot: Snapshot) -> Snapshot:
    """`snapshot` with the words that say whether anything in it moved (see `Snapshot`), where this interpreter's can be
    read: each namespace's version (for its names, then for what may be added), each function's namespace's version and
    its code, defaults and keyword defaults, each closure cell's contents."""
    layout = words.layout()
    if layout is None or not (snapshot.values or snapshot.closed or snapshot.functions or snapshot.cells):
        return snapshot
    namespaces = [words.namespace_dict(entry[1]) for entry in (*snapshot.values, *snapshot.closed)]
    homes = [words.namespace_dict(namespace) for _, namespace, *_ in snapshot.functions]
    addresses = [layout.of_dict(namespace if namespace is not None else _NO_VERSION) for namespace in namespaces]
    for home, (_, _, _, function, *_) in zip(homes, snapshot.functions, strict=True):
        addresses += [layout.of_dict(home if home is not None else _NO_VERSION), *layout.of_function(function)]
    addresses += [layout.of_cell(cell) for _, cell, _ in snapshot.cells]
    plan = words.Plan.of(addresses)
    read = words.Words(plan).read()
    # Read before comparing: a change after the read moves a word, and its entry is compared again then.
    held = [_all_same(namespace, names, values) for _, namespace, names, values in snapshot.values]
    held += [len(namespace) == len(known) for _, namespace, known in snapshot.closed]
    held = [ok and namespace is not None for ok, namespace in zip(held, namespaces, strict=True)]  # no dict: compared every time
    for home, (_, namespace, name, function, code, defaults, kwdefaults) in zip(homes, snapshot.functions, strict=True):
        ok = home is not None and namespace.get(name, _MISSING) is function
        ok = ok and function.__code__ is code and function.__defaults__ is defaults and function.__kwdefaults__ is kwdefaults
        held += [ok] * _FUNCTION_WORDS
    held += [_cell_contents(cell) is contents for _, cell, contents in snapshot.cells]
    size = words.WORD
    expected = b"".join(read[at : at + size] if ok else _NEVER_READ for ok, at in zip(held, range(0, len(read), size), strict=True))
    return snapshot._replace(versions=plan, expected=expected)


def changed_in(
    snapshot: Snapshot,
    reader: words.Words | None,
    *,
    _len: Any = len,
    _range: Any = range,
    _tuple: Any = tuple,
    _sorted: Any = sorted,
    _zip: Any = zip,
    _callable: Any = callable,
    _hasattr: Any = hasattr,
    _compiler_names: tuple[str, ...] = _COMPILER_NAMES,
) -> list[str]:
    """What differs from `snapshot` now: the labels of the names rebound, functions changed and callables added.
    `reader` reads the snapshot's words (`Snapshot.reader`): only the entries whose words moved are compared object by
    object (looking at an entry touches its objects, and a fork copies each page it touches). The builtins used are
    bound here, before learner code runs."""
    missing = _MISSING
    found: list[str] = []
    values, closed, functions, cells = snapshot.values, snapshot.closed, snapshot.functions, snapshot.cells
    now = reader.read() if reader is not None else None
    if now is not None and _len(now) == _len(snapshot.expected):
        expected, size = snapshot.expected, words.WORD
        moved = () if now == expected else [i for i in _range(_len(now) // size) if now[i * size : (i + 1) * size] != expected[i * size : (i + 1) * size]]
        first_closed = _len(values)
        first_function = first_closed + _len(closed)
        first_cell = first_function + _FUNCTION_WORDS * _len(functions)
        values = _tuple(values[i] for i in moved if i < first_closed)
        closed = _tuple(closed[i - first_closed] for i in moved if first_closed <= i < first_function)
        functions = _tuple(functions[k] for k in _sorted({(i - first_function) // _FUNCTION_WORDS for i in moved if first_function <= i < first_cell}))
        cells = _tuple(cells[i - first_cell] for i in moved if i >= first_cell)
    for label, namespace, names, values_then in values:
        if not _all_same(namespace, names, values_then):
            found.extend(f"{label}.{name}" for name, value in _zip(names, values_then) if namespace.get(name, missing) is not value)
    for label, namespace, name, value, code, defaults, kwdefaults in functions:
        if (
            namespace.get(name, missing) is not value
            or value.__code__ is not code
            or value.__defaults__ is not defaults
            or value.__kwdefaults__ is not kwdefaults
        ):
            found.append(f"{label}.{name}" if name else label)
    found.extend(label for label, cell, contents in cells if _cell_contents(cell) is not contents and label not in found)
    for label, namespace, known in closed:
        if _len(namespace) != _len(known):
            found.extend(
                f"{label}.{name}"
                for name in namespace
                if name not in known and not name.startswith(_compiler_names) and (_callable(namespace[name]) or _hasattr(namespace[name], "__get__"))
            )
    return found


def _all_same(
    namespace: Any, names: Sequence[str], values: Sequence[Any], _is: Any = operator.is_, _repeat: Any = itertools.repeat, _all: Any = all, _map: Any = map
) -> bool:
    """Whether each name in `namespace` is still bound to its value, in one pass of C code (a namespace of a hundred
    names costs what one Python comparison does)."""
    return _all(_map(_is, _map(namespace.get, names, _repeat(_MISSING)), values))


def modes_left() -> Any:
    """A check of the torch function and dispatch modes still active after a check, with torch's stack getters taken
    now: a mode entered by learner code and never left answers every torch call the comparison makes (`torch.allclose`
    -> True). The grader's own modes are left by then; torch's default-device context (`torch.set_default_device`)
    is the one kind that may stay."""
    import torch.overrides
    import torch.utils._device
    import torch.utils._python_dispatch

    function_stack, dispatch_stack = torch.overrides._get_current_function_mode_stack, torch.utils._python_dispatch._get_current_dispatch_mode_stack
    device_context = torch.utils._device.DeviceContext

    def left(_type: Any = type, _list: Any = list) -> list[str]:
        modes = [mode for mode in function_stack() if _type(mode) is not device_context] + _list(dispatch_stack())
        return [f"the active torch modes ({', '.join(_type(mode).__qualname__ for mode in modes)})"] if modes else []

    return left


_TENSOR_DUNDERS = frozenset(
    {"__torch_function__", "__torch_dispatch__", "__eq__", "__ne__", "__bool__", "__getattribute__", "__getattr__", "__class__", "__deepcopy__"}
    | {"__len__", "__getitem__", "__iter__", "__float__", "__int__", "__index__", "__array__", "__format__", "__repr__", "__str__"}
)


def tensor_kinds() -> Any:
    """A check for tensor subclasses made after now that change what a tensor says about itself: a subclass whose
    `device`, `requires_grad`, `grad_fn` or values (through `__torch_function__`) lie passes every check that reads
    them. torch's and the grader's own are left out; a learner has no use for such a class here."""
    import torch

    def every(kind: type) -> set[type]:
        found: set[type] = set()
        todo: list[type] = [kind]
        while todo:
            subclasses: list[type] = type.__subclasses__(todo.pop())
            for sub in subclasses:
                if sub not in found:
                    found.add(sub)
                    todo.append(sub)
        return found

    import torchdojo

    known, tensor_base, modules = every(torch.Tensor), torch.Tensor, sys.modules
    homes = {"torch": os.path.dirname(torch.__file__) + os.sep, "torchdojo": os.path.dirname(torchdojo.__file__) + os.sep}

    def torchs_own(kind: type) -> bool:
        """torch's (some imported lazily: torch.compile's FakeTensor) or the grader's (a stand-in's tensor, made per run)."""
        home = homes.get(str(kind.__module__).split(".")[0])
        return home is not None and str(getattr(modules.get(str(kind.__module__)), "__file__", "")).startswith(home)

    def changed(_vars: Any = vars, _hasattr: Any = hasattr) -> list[str]:
        found = []
        for kind in every(tensor_base) - known:
            if torchs_own(kind):
                continue
            overridden = [name for name in _vars(kind) if (not name.startswith("__") or name in _TENSOR_DUNDERS) and _hasattr(tensor_base, name)]
            if overridden:
                found.append(f"what a tensor says about itself ({kind.__qualname__}.{', '.join(sorted(overridden))})")
        return found

    return changed


class LoadedModules(typing.NamedTuple):
    """The loaded modules and their classes, and the ids of the namespaces whose functions' code may not change
    (`protected_namespaces`; kept alive by `modules`, so no other object takes their ids), as they were when made
    (`loaded_modules`).

    Made with the base watch, in a warm worker before it forks, and used by a fork while nothing was loaded, unloaded
    or given another class since (`still_loaded`). `words`: where sys.modules' version and each module's class are
    (see torchdojo.core.words), and `expected`, what was read there: going through the 2,700 modules a course loads
    touches each of them, which in a fork copies about 3,000 of the worker's pages (10-15 ms of every fork); reading
    those words touches none."""

    modules: tuple[ModuleType, ...]
    kinds: tuple[type, ...]
    protected: frozenset[int]  # immutable: the base watch's, which plain code reaches (see GradingPlugin.protected)
    words: words.Plan | None = None
    expected: bytes = b""


def loaded_modules() -> LoadedModules:
    modules = tuple(module for module in list(sys.modules.values()) if module is not None)
    loaded = LoadedModules(modules, tuple(type(module) for module in modules), frozenset(protected_namespaces()))
    layout = words.layout()
    if layout is None:
        return loaded
    plan = words.Plan.of([layout.of_dict(sys.modules), *(layout.of_type(module) for module in modules)])
    return loaded._replace(words=plan, expected=words.Words(plan).read())


def still_loaded(loaded: LoadedModules) -> bool:
    """Whether `loaded` still says what is loaded, read without touching a module (False where its words cannot be read)."""
    return loaded.words is not None and words.Words(loaded.words).read() == loaded.expected


def module_kinds(loaded: LoadedModules) -> Any:
    """A check of the class of every module in `loaded` (made before learner code runs): a submission that gives `torch`
    a module class of its own (`torch.__class__ = ...`) answers `torch.is_grad_enabled` and the rest with a
    `__getattribute__` no watch of the module's namespace sees. Each module's class is read as a word, after sys.modules'
    version (which may move: a submission may import), with this run's own reader; without one, compared in one pass
    of C code."""
    modules, kinds = loaded.modules, loaded.kinds
    reader = words.Words(loaded.words) if loaded.words is not None else None
    classes_then = loaded.expected[words.WORD :]

    def changed(_is: Any = operator.is_, _type: Any = type, _all: Any = all, _map: Any = map) -> list[str]:
        if reader is not None and reader.read()[words.WORD :] == classes_then:
            return []
        if _all(_map(_is, _map(_type, modules), kinds)):
            return []
        return [f"{getattr(module, '__name__', '?')}.__class__" for module, kind in zip(modules, kinds, strict=True) if _type(module) is not kind]

    return changed


def _cell_contents(cell: types.CellType) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # not yet assigned
        return _MISSING


def _watch(protected: frozenset[int]) -> Watch:
    import _pytest.python
    import _pytest.reports
    import _pytest.runner
    import torch

    watch = Watch(protected)
    for name in _GRADING_MODULES:
        watch.add_module(name, own_classes=True)
    # The checks and their helpers (each topic's strategies and common module, the stand-ins), every value: a submission
    # that rebound a helper, a constant or a class attribute there changed the inputs both sides were given, so that
    # both raised the same error, which passes (a red team's 9 of 9, 2026-11-30). The exercise's own check module is
    # watched again by its run, from the first check on (GradingPlugin.check_watch).
    for name in checks_modules():
        if name not in _GRADING_MODULES:
            watch.add_module(name, own_classes=True, every_value=True)
    for name in _LIBRARY_MODULES:
        watch.add_module(name, own_classes=False)
    # A class of theirs changed (a `__call__`, an `execute_once`) would decide which checks run and what their outcome is.
    for name in _MACHINERY_MODULES:
        watch.add_module(name, own_classes=True)
    import torch.utils._device

    for cls in (
        torch.Tensor,
        torch.nn.Parameter,
        torch.utils._device.DeviceContext,
        _pytest.python.Function,
        _pytest.runner.CallInfo,
        _pytest.reports.TestReport,
        json.JSONEncoder,
    ):
        watch.add(f"{cls.__module__}.{cls.__qualname__}", vars(cls), everything=True, closed=True)
    return watch


_base_watch: list[Watch] = []
"""This process's watch of the grading modules and libraries (`base_watch`): one, made before any learner code."""
_base_loaded: list[LoadedModules] = []
"""What was loaded when that watch was made (`base_loaded`)."""


def base_watch(refresh: bool = False) -> Watch:
    """The watch of the grading modules and libraries, made once per process (about 5 ms) and reused while nothing
    in it changed (checking costs well under a millisecond). A warm worker refreshes it after each rehearsal, which
    may import more of torch; a fork, which starts before any learner code, checks that it still holds."""
    if refresh or not _base_watch or _base_watch[0].changed():
        loaded = loaded_modules()
        _base_watch[:] = [_watch(loaded.protected)]
        _base_watch[0].snapshot()  # now, where it is made: a fork then starts with it (its versions read, nothing touched)
        _base_loaded[:] = [loaded]
    return _base_watch[0]


def base_loaded() -> LoadedModules:
    """What is loaded now (`LoadedModules`): the one made with the base watch while it still holds (a fork of a warm
    worker, before learner code runs), or else made now. Its `protected` holds the base watch's too."""
    base_watch()  # made (or made again) with its own
    if still_loaded(_base_loaded[0]):
        return _base_loaded[0]
    loaded = loaded_modules()
    return loaded._replace(protected=loaded.protected | _base_loaded[0].protected)


class EitherOf:
    """Membership in either of two containers (a watch's `protected`: the base set and a run's own)."""

    def __init__(self, first: Container[int], second: Container[int]) -> None:
        self.first, self.second = first, second

    def __contains__(self, key: object) -> bool:
        return key in self.first or key in self.second


def integrity_targets() -> dict[str, tuple[Any, str, Any]]:
    """torch's and pytest's functions a submission might replace to fake a pass, by name (torchdojo's own are in `Watch`):
    name -> (owner, attribute, original)."""
    import _pytest.runner
    import torch
    import torch.testing

    owners: list[tuple[str, Any, tuple[str, ...]]] = [
        ("torch", torch, ("allclose", "equal", "isclose", "is_tensor", "is_grad_enabled", "set_rng_state")),
        ("torch.testing", torch.testing, ("assert_close",)),
        ("torch.Tensor", torch.Tensor, ("__eq__", "__ne__", "__bool__", "backward", "__deepcopy__")),
        ("torch.nn.Parameter", torch.nn.Parameter, ("__deepcopy__",)),
        (
            "torch.nn.Module",
            torch.nn.Module,
            (
                "__call__",
                "_call_impl",
                "_wrapped_call_impl",
                "__getattr__",
                "__setattr__",
                "parameters",
                "named_parameters",
                "state_dict",
                "load_state_dict",
                "train",
                "eval",
                "zero_grad",
            ),
        ),
        ("torch.autograd", torch.autograd, ("grad", "backward")),
        ("_pytest.runner", _pytest.runner, ("call_and_report", "pytest_runtest_makereport")),
        ("_pytest.runner.CallInfo", _pytest.runner.CallInfo, ("from_call",)),
        # torchdojo's own modules (the comparison, the kept runs, the replay, this run) are in `Watch`, by rule
        ("builtins", builtins, ("isinstance", "len", "abs", "all", "any", "float", "int", "bool", "print", "open", "__import__")),
    ]
    return {f"{label}.{attr}": (owner, attr, inspect.getattr_static(owner, attr)) for label, owner, attrs in owners for attr in attrs}

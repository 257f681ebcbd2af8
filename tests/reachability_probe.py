"""Appended to a reference solution by tests/test_reachability.py: the first call of any of its functions (or the import,
with PROBE_AT_IMPORT) walks everything learner code can reach from the loaded modules, without the interpreter's back
doors (frames, the garbage collector, ctypes: torchdojo.core.guard refuses them), and writes what it found of the
grading run's own objects to the file named by TORCHDOJO_REACH_OUT, one line per walk.

The walk follows what plain Python code can follow: module namespaces, class and instance attributes (`__dict__` and
slots), containers, closure cells, defaults, bound methods, partials, properties, weak references, subclasses, signal
handlers and threads. Reaching the plugin, the result channel, the reference runs or pytest's run objects would let a
submission write or change its own verdicts.
"""

import functools as _probe_functools
import os as _probe_os
import signal as _probe_signal
import sys as _probe_sys
import threading as _probe_threading
import types as _probe_types
import weakref as _probe_weakref

_PROBE_WANTED = {
    ("torchdojo.core.child", "GradingPlugin"),
    ("torchdojo.core.child", "Channel"),
    ("torchdojo.core.child", "CheckFixtures"),
    ("torchdojo.checks.memo", "ReferenceRuns"),
    ("torchdojo.checks.harness", "Compare"),
    ("_pytest.config", "Config"),
    ("_pytest.main", "Session"),
    ("_pytest.python", "Function"),
    ("_pytest.fixtures", "FixtureRequest"),
    ("_pytest.fixtures", "SubRequest"),
}
_PROBE_PLAIN = (str, bytes, int, float, bool, complex, type(None))
_PROBE_DONE: list[bool] = []


def _probe_walk(tag: str) -> None:
    if _PROBE_DONE:
        return
    _PROBE_DONE.append(True)
    found: dict[tuple[str, str], str] = {}
    seen: set[int] = set()
    todo: list[tuple[object, str]] = [(m, f"sys.modules[{n!r}]") for n, m in list(_probe_sys.modules.items()) if m is not None]
    todo += [(_probe_signal.getsignal(s), f"signal.getsignal({s.name})") for s in _probe_signal.valid_signals() if isinstance(s, _probe_signal.Signals)]
    todo += [(t, "threading.enumerate()") for t in _probe_threading.enumerate()]

    def push(child: object, path: str) -> None:
        if not isinstance(child, _PROBE_PLAIN) and id(child) not in seen:
            todo.append((child, path))

    while todo and len(seen) < 5_000_000:
        obj, path = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        kind = type(obj)
        key = (str(getattr(kind, "__module__", "")), kind.__qualname__)
        if key in _PROBE_WANTED and key not in found:
            found[key] = path
        try:
            if isinstance(obj, dict):
                for k, v in list(obj.items()):
                    push(v, f"{path}[{k!r}]" if isinstance(k, str) else f"{path}[...]")
                    push(k, f"{path}.key")
            elif isinstance(obj, (list, tuple, set, frozenset)):
                for i, v in enumerate(list(obj)):
                    push(v, f"{path}[{i}]")
            if isinstance(obj, _probe_types.ModuleType):
                push(obj.__dict__, path)
                continue
            if isinstance(obj, _probe_types.FunctionType):
                for i, cell in enumerate(obj.__closure__ or ()):
                    try:
                        push(cell.cell_contents, f"{path}.__closure__[{i}]")
                    except ValueError:
                        pass
                push(obj.__defaults__, f"{path}.__defaults__")
                push(obj.__kwdefaults__, f"{path}.__kwdefaults__")
                push(getattr(obj, "__dict__", None), f"{path}.__dict__")
                continue
            if isinstance(obj, _probe_types.MethodType):
                push(obj.__self__, f"{path}.__self__")
                push(obj.__func__, f"{path}.__func__")
                continue
            if isinstance(obj, (staticmethod, classmethod)):
                push(obj.__func__, f"{path}.__func__")
            if isinstance(obj, property):
                push(obj.fget, f"{path}.fget")
                push(obj.fset, f"{path}.fset")
            if isinstance(obj, _probe_functools.partial):
                push(obj.func, f"{path}.func")
                push(obj.args, f"{path}.args")
                push(obj.keywords, f"{path}.keywords")
            if isinstance(obj, _probe_weakref.ref):
                push(obj(), f"{path}()")
            if isinstance(obj, type):
                push(dict(vars(obj)), f"{path}.__dict__")
                push(type.__subclasses__(obj), f"{path}.__subclasses__()")
                continue
            try:
                attributes = object.__getattribute__(obj, "__dict__")
            except (AttributeError, TypeError):
                attributes = None
            if isinstance(attributes, dict):
                push(attributes, f"{path}.__dict__")
            slots = getattr(kind, "__slots__", ())
            for slot in (slots,) if isinstance(slots, str) else slots if isinstance(slots, (tuple, list)) else ():
                try:
                    push(object.__getattribute__(obj, slot), f"{path}.{slot}")
                except (AttributeError, TypeError):
                    pass
        except Exception:  # noqa: BLE001 - an object that will not be walked is left out
            pass
    lines = [f"{qualname} at {path[-300:]}" for (_, qualname), path in sorted(found.items())]
    with open(_probe_os.environ["TORCHDOJO_REACH_OUT"], "a", encoding="utf-8") as out:
        out.write(f"{tag}: walked {len(seen)}: " + (" | ".join(lines) if lines else "nothing of the run") + "\n")


def _probe_wrap(function):
    @_probe_functools.wraps(function)
    def probed(*args, **kwargs):
        _probe_walk(f"{__name__} at its first call")
        return function(*args, **kwargs)

    return probed


if _probe_os.environ.get("PROBE_AT_IMPORT"):
    _probe_walk(f"{__name__} at import")
for _probe_name, _probe_value in list(globals().items()):
    if _probe_name.startswith("_"):
        continue
    if isinstance(_probe_value, _probe_types.FunctionType) and _probe_value.__module__ == __name__:
        globals()[_probe_name] = _probe_wrap(_probe_value)
    elif isinstance(_probe_value, type) and _probe_value.__module__ == __name__ and "__init__" in vars(_probe_value):
        _probe_value.__init__ = _probe_wrap(vars(_probe_value)["__init__"])

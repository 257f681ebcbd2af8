"""The grading process's audit hook: what learner code may not do while it is graded.

`install_guard` adds a CPython audit hook (it cannot be removed) before the learner's file is imported. It refuses:

- reading the reference solutions, and changing the project's files (catalog, checks, progress record, exercises);
- changing the code, defaults or keyword defaults of a function of the grading code, pytest, pluggy, Hypothesis, json,
  copy or inspect (`protected_namespaces`): such a change keeps the function object, so no snapshot of objects sees it;
- **looking past its own objects**: frames (`sys._getframe`, `sys._current_frames`, a traceback's, generator's or
  coroutine's frame), the garbage collector's lists of objects, trace and profile functions, audit hooks of its own,
  and ctypes. In one process, a frame leads to every frame that called it, and so to the grading plugin, the verdicts
  it is about to send and the snapshots that would show a change; the garbage collector and ctypes lead anywhere.
  A check's comparison needs none of them from learner code. Nor may it set a Python signal handler
  (`signal.signal`), which is handed whatever frame was running when the signal came, or torch's frame-evaluation
  hook, which is handed every new frame: no audit event shows either, so the guard alone holds the real setters and
  learner code meets stand-ins that ask it (`sealed_signal`, `sealed_set_eval_frame`).

Who asked is decided by the frames that raised the event, nearest first (`Origins`): the learner's file (or any file
that is not the grading code's, the standard library's or an installed package's) is refused; the grading code,
pytest, Hypothesis, torch and other installed packages are not (torch.compile reads frames for its own work). The
standard library's helpers that hand frames to their caller (inspect, traceback's `walk_tb` and `walk_stack`, logging's
`currentframe`, asyncio's task stacks, bdb/pdb, profile, ctypes' own wrappers) are looked through: their caller
decides. Code compiled from a string counts as the learner's, and learner code may not make code objects that claim
another file (`compile` with a path of the grading code's or a library's, `code.replace`). A refusal is a
`torchdojo.checks.support.GuardRefusal` (a PermissionError, with the learner's words in both languages) raised where the learner's code asked.

What this does not stop is said in docs/security.md: in one process, the defences close the ways found, not the class.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import sysconfig
import types
from typing import Any

from torchdojo.checks.support import GuardRefusal

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_MUTATING_EVENTS = {"os.remove", "os.rmdir", "os.rename", "os.replace", "shutil.rmtree", "os.truncate", "os.chmod", "os.symlink", "os.link", "os.mkdir"}

_FUNCTION_PARTS = frozenset({"__code__", "__defaults__", "__kwdefaults__"})
_PROTECTED_PACKAGES = frozenset({"torchdojo", "_pytest", "pytest", "pluggy", "hypothesis", "json", "copy", "inspect"})
"""The packages whose functions' code may not change while learner code runs (see `install_guard`): the grading code
and what runs it. torch is not among them: torch._dynamo compiles by rewriting a wrapper's `__code__`, and torch is
watched by name (`torchdojo.core.watch.integrity_targets`)."""
_CODE_SETTERS = ("hypothesis.internal.reflection", "hypothesis.internal.lambda_sources")
"""Hypothesis's own code that sets `__code__`: on functions it has just made (a wrapper's file name and line, a lambda
compiled again to describe it). Neither can give a function other behaviour, so they may."""

_INTROSPECTION_EVENTS = frozenset(
    {
        "sys._getframe",
        "sys._current_frames",
        "sys._current_exceptions",
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",  # a hook of its own would be handed the frames and objects of every event after it
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
    }
)
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
"""The attribute reads CPython audits (`object.__getattr__`) that hand out a frame."""

_STDLIB_THAT_DECIDES = ("collections", "typing", "enum", "dataclasses", "abc", "functools", "warnings", "logging", "importlib", "contextlib", "traceback")
"""Standard-library modules that read frames for themselves only (a namedtuple's or TypeVar's module name, a log
record's line, a traceback formatted as text): when the learner calls them, they decide, and are let through, except
their few functions that hand a frame back (`Origins`). Every other standard-library module is looked through
(inspect, asyncio, bdb, pdb, profile and ctypes hand frames or memory to their caller)."""


def _introspection_refusal(event: str) -> GuardRefusal:
    what = {
        "sys.addaudithook": ("an audit hook of its own (sys.addaudithook)", "自己的审计钩子(sys.addaudithook)"),
        "sys.settrace": ("a trace function (sys.settrace)", "跟踪函数(sys.settrace)"),
        "sys.setprofile": ("a profile function (sys.setprofile)", "性能分析函数(sys.setprofile)"),
        "signal.signal": ("a signal handler (signal.signal)", "信号处理函数(signal.signal)"),
    }.get(event)
    if what is None:
        kind = "the garbage collector's objects" if event.startswith("gc.") else "ctypes" if event.startswith("ctypes.") else "the call stack's frames"
        if event.startswith("torch._C._dynamo"):
            kind = "torch's frame hook"
        kind_zh = {
            "the garbage collector's objects": "垃圾回收器中的对象",
            "ctypes": "ctypes",
            "the call stack's frames": "调用栈的帧",
            "torch's frame hook": "torch 的帧钩子",
        }[kind]
        what = (f"{kind} ({event})", f"{kind_zh}({event})")
    return GuardRefusal(
        f"your code used {what[0]}, which is not allowed while grading: a check needs none of it. Remove it; "
        "to see an error, let it be raised: the check shows it with your line.",
        f"你的代码使用了{what[1]},评分时不允许这样做:检查用不到它。请删掉它;想看到错误,就让它抛出:检查会连同你的代码行一起显示它。",
    )


@functools.cache
def _path_roots() -> tuple[tuple[str, ...], str, tuple[str, ...], str]:
    """(the roots of the grading code and installed packages, the standard library's root, the standard-library
    modules that read frames for themselves, logging's folder), each path ending in a separator (or ".py"). Found once
    per process: a warm worker's forks inherit them, with `_origin_of`'s answers (see `warm_up`)."""
    import torchdojo

    paths = sysconfig.get_paths()
    packages = {os.path.dirname(torchdojo.__file__), paths["purelib"], paths["platlib"]}
    packages |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    stdlib = os.path.realpath(paths["stdlib"])
    deciding = tuple(os.path.realpath(os.path.join(stdlib, name)) for name in _STDLIB_THAT_DECIDES)
    return (
        tuple(sorted(os.path.realpath(p) + os.sep for p in packages)),
        stdlib + os.sep,
        tuple(d + os.sep for d in deciding) + tuple(d + ".py" for d in deciding),
        os.path.realpath(os.path.join(stdlib, "logging")) + os.sep,
    )


@functools.cache
def _origin_of(filename: str) -> int:
    """Where code from `filename` comes from (`Origins`' kinds). Cached for the process: the answer for a file name
    never changes, and a fork starts with every answer its worker found."""
    packages, stdlib, stdlib_deciding, logging_folder = _path_roots()
    if filename.startswith("<frozen "):
        return Origins.OWN_USE  # the standard library's frozen modules (importlib's bootstrap, os, ...)
    if filename.startswith("<"):
        # Compiled from a string. Libraries' generated code (a dataclass's __init__, torch.fx's forward) has no use
        # for frames; a submission's would: run by a callback the learner planted (a finalizer running exec), its
        # caller is whatever the grader was doing at the time.
        return Origins.LEARNER
    path = os.path.realpath(filename)
    if path.startswith(packages):
        return Origins.PACKAGE
    if path.startswith(logging_folder):
        return Origins.LOGGING
    if path.startswith(stdlib):
        return Origins.OWN_USE if path.startswith(stdlib_deciding) else Origins.THROUGH
    return Origins.LEARNER


def warm_up() -> None:
    """Sort every loaded module's file now (`_origin_of`), in a warm worker before it forks: a fork's guard then
    finds most answers made, instead of resolving each path again (a `realpath` is a system call per folder)."""
    for module in list(sys.modules.values()):
        filename = getattr(module, "__file__", None)
        if isinstance(filename, str):
            _origin_of(filename)


class Origins:
    """Sorts a frame by where its code comes from, and decides who asked for a frame or an object (`learner_asked`).

    - `LEARNER`: the learner's file, any file that is not the grading code's, an installed package's or the standard
      library's, and code compiled from a string;
    - `PACKAGE`: the grading code and installed packages (torch, pytest, Hypothesis);
    - `OWN_USE`: a standard-library module that reads frames for itself (a namedtuple's module name, a traceback
      formatted as text); logging's own frames are `LOGGING` (its `currentframe` hands a frame to them alone);
    - `THROUGH`: every other standard-library module, and the helpers that hand frames back (traceback's `walk_tb`
      and `walk_stack`, logging's `currentframe`).

    Made before learner code runs; the answers by file name are the process's (`_origin_of`)."""

    LEARNER, PACKAGE, OWN_USE, LOGGING, THROUGH = range(5)

    def __init__(self) -> None:
        import logging
        import traceback

        # The functions of those modules that hand frames back: looked through, unlike the rest of their module.
        self._through_code = {id(function.__code__) for function in (logging.currentframe, traceback.walk_tb, traceback.walk_stack)}
        self.of = _origin_of

    def _origin(self, frame: types.FrameType) -> int:
        code = frame.f_code
        return self.THROUGH if id(code) in self._through_code else self.of(code.co_filename)

    def learner_asked(self, frame: types.FrameType | None) -> bool:
        """Whether the learner asked, through `frame` (the frame whose call raised the event).

        The frame itself decides unless it is looked through (`THROUGH`). Past a looked-through frame, what it handed
        on can travel through any standard-library code (a `collections.Counter` filled from `walk_stack`, a
        traceback's locals shown as text): only the learner's code or a package's decides there, and logging, whose
        own frames are the only ones `currentframe` serves."""
        if frame is None:
            return False
        origin = self._origin(frame)
        if origin != self.THROUGH:
            return origin == self.LEARNER
        frame = frame.f_back
        while frame is not None:
            origin = self._origin(frame)
            if origin in (self.LEARNER, self.PACKAGE, self.LOGGING):
                return origin == self.LEARNER
            frame = frame.f_back
        return False


def protected_namespaces() -> dict[int, dict[str, Any]]:
    """The namespaces (module dicts, by id) of the `_PROTECTED_PACKAGES` modules loaded now. Taken before learner code
    runs; see `install_guard`."""
    return {
        id(namespace): namespace
        for name, module in list(sys.modules.items())
        if module is not None and name.split(".")[0] in _PROTECTED_PACKAGES and isinstance(namespace := getattr(module, "__dict__", None), dict)
    }


def sealed_set_eval_frame(callback: Any) -> Any:
    """torch's frame-evaluation hook (`torch._C._dynamo.eval_frame.set_eval_frame`, which torch.compile uses), through
    the guard: while grading, this stands in every place torch keeps the real one (`_seal_torch_hooks`), which only the
    guard holds. The hook hands every new frame to the callback it is given, and no audit event says so: learner code
    may not set it; torch may."""
    answer: list[Any] = []
    sys.audit("torchdojo.sealed", "set_eval_frame", (callback,), answer)  # the guard sets it, or refuses
    if not answer:
        raise RuntimeError("torch's frame hook is sealed while grading, and the guard did not answer")
    return answer[0]


def sealed_set_bytecode_debugger_callback(callback: Any) -> Any:
    """torch's bytecode debugger's hook, which is handed frames too: as `sealed_set_eval_frame`."""
    answer: list[Any] = []
    sys.audit("torchdojo.sealed", "set_bytecode_debugger_callback", (callback,), answer)
    if not answer:
        raise RuntimeError("torch's bytecode debugger hook is sealed while grading, and the guard did not answer")
    return answer[0]


def sealed_signal(signalnum: Any, handler: Any) -> Any:
    """`_signal.signal` (which `signal.signal` calls) while grading, through the guard, which alone holds the real one
    (`_seal_signal`). A Python signal handler is handed whatever frame was running when the signal came, the grading
    plugin's among its callers, and no audit event says so: learner code may not set one; torch (a DataLoader's
    workers) and the standard library it calls may."""
    answer: list[Any] = []
    sys.audit("torchdojo.sealed", "signal", (signalnum, handler), answer)
    if not answer:
        raise RuntimeError("signal handlers are sealed while grading, and the guard did not answer")
    return answer[0]


_SEALED = {"set_eval_frame": sealed_set_eval_frame, "set_bytecode_debugger_callback": sealed_set_bytecode_debugger_callback, "signal": sealed_signal}
_SEALED_NAMES = {
    "set_eval_frame": "torch._C._dynamo.eval_frame.set_eval_frame",
    "set_bytecode_debugger_callback": "torch._C._dynamo.eval_frame.set_bytecode_debugger_callback",
    "signal": "signal.signal",
}
"""What a refusal of each sealed setter names."""
_HOOK_HOMES = ("torch._C._dynamo.eval_frame", "torch._dynamo.eval_frame", "torch._dynamo.decorators", "torch._dynamo.bytecode_debugger")
_HOOK_NAMES = ("set_eval_frame", "_maybe_set_eval_frame", "set_bytecode_debugger_callback")
"""Where torch keeps those hooks' setters, and by which names (tests/test_guard.py checks that no other loaded module
holds them)."""


def _seal_signal() -> dict[str, Any]:
    """Put `sealed_signal` in place of `_signal.signal`, the one place the real one is kept (signal.py's `signal` calls
    it by that name; tests/test_guard.py checks that no other loaded module holds it); the real one, which the guard
    alone then holds."""
    namespace = vars(importlib.import_module("_signal"))
    original = namespace.get("signal")
    if original is None or original is sealed_signal:
        return {}
    namespace["signal"] = sealed_signal
    return {"signal": original}


def _seal_torch_hooks() -> dict[str, Any]:
    """Put the `_SEALED` stand-ins in place of torch's hook setters everywhere torch keeps them; the real ones, which
    the guard alone then holds (none where torch has no such hook).

    Not where the checks run torch.compile (`install_guard`'s `seal_torch_hooks`): a compiled region ends by setting
    the hook back from inside a frame its hook runs as it is, and torch puts its hook back after such a frame, so a
    stand-in, a frame of its own, would leave the hook on for everything after it."""
    hooks = sys.modules.get("torch._C._dynamo.eval_frame")
    originals = {name: getattr(hooks, name, None) for name in _SEALED}
    originals = {name: original for name, original in originals.items() if original is not None and original is not _SEALED[name]}
    for home in _HOOK_HOMES:  # by the names torch gives them (looking at every name would touch a fork's every page)
        namespace = getattr(sys.modules.get(home), "__dict__", None)
        for key in _HOOK_NAMES:
            for name, original in originals.items():
                if namespace is not None and namespace.get(key) is original:
                    namespace[key] = _SEALED[name]
    return originals


def install_guard(
    no_read: list[str],
    no_write: list[str],
    allowed: str,
    protected: dict[int, dict[str, Any]] | None = None,
    protected_base: frozenset[int] = frozenset(),
    seal_torch_hooks: bool = True,
) -> None:
    """Add the audit hook described at the top of this module. `no_read`: folders learner code may not read (except
    `allowed`, its own file); `no_write`: folders it may not change; `protected`: the namespaces whose functions' code
    may not change, by id (the reference and the check module, added as they load); `protected_base`: more of them,
    an immutable set (the loaded modules' `protected_namespaces`, taken once in a warm worker: see watch.LoadedModules);
    `seal_torch_hooks`: torch's frame hooks go through the guard (`_seal_torch_hooks`; not for checks that compile).

    Everything the hook calls is bound here, before learner code runs: a submission that rebinds a
    builtin (`any`, `isinstance`) cannot switch the hook off."""
    import sys as _sys

    realpath = os.path.realpath
    fsdecode = os.fsdecode
    path_like, function_type, parts, write_flags, mutating, separator = os.PathLike, types.FunctionType, _FUNCTION_PARTS, _WRITE_FLAGS, _MUTATING_EVENTS, os.sep
    introspection, frame_attributes, refusal = _INTROSPECTION_EVENTS, _FRAME_ATTRIBUTES, _introspection_refusal
    _any, _isinstance, _tuple, _bool, _id, _type, _str, _int, _bytes, _len = any, isinstance, tuple, bool, id, type, str, int, bytes, len
    _callable = callable
    caller = _sys._getframe
    namespaces = protected if protected is not None else {}
    base = frozenset(protected_base)  # the same set when it is one: immutable, whoever else holds it
    setters = {id(vars(importlib.import_module(name))) for name in _CODE_SETTERS}  # imported now if Hypothesis has not yet
    origins = Origins()
    learner_asked = origins.learner_asked
    originals = {**(_seal_torch_hooks() if seal_torch_hooks else {}), **_seal_signal()}
    sealed_codes = {name: stand_in.__code__ for name, stand_in in _SEALED.items()}
    busy = [False]  # the hook's own calls (realpath, reading frames) raise events of their own

    def inside(path: object, roots: list[str]) -> bool:
        if path is None or _isinstance(path, _int):
            return False
        busy[0] = True
        try:
            resolved = realpath(fsdecode(path))  # type: ignore[arg-type]  # the audit event's path: str, bytes or PathLike
        finally:
            busy[0] = False
        return _any(resolved == root or resolved.startswith(root + separator) for root in roots)

    def asked_by_learner() -> bool:
        busy[0] = True
        try:
            return learner_asked(caller(2))  # 0: this function, 1: the hook, 2: the frame whose call raised the event
        finally:
            busy[0] = False

    def sealed(name: str, arguments: tuple, answer: list[Any]) -> None:
        busy[0] = True
        try:
            stand_in = caller(2)  # 0: this function, 1: the hook, 2: the stand-in (not an event raised by hand)
            genuine = stand_in.f_code is sealed_codes.get(name)
            # Who called it decides; a signal's SIG_IGN or SIG_DFL is no handler (nothing is handed a frame): anyone may.
            allowed = genuine and ((name == "signal" and not _callable(arguments[1])) or not learner_asked(stand_in.f_back))
        finally:
            busy[0] = False
        original = originals.get(name)
        if original is None or not allowed:
            raise refusal(_SEALED_NAMES.get(name, name))
        answer.append(original(*arguments))

    def guard(event: str, args: tuple) -> None:
        if busy[0]:
            return
        if event == "torchdojo.sealed":
            sealed(*args)
        elif event == "object.__setattr__":
            if (
                _len(args) > 1
                and args[1] in parts
                and _type(args[0]) is function_type
                and (_id(args[0].__globals__) in base or _id(args[0].__globals__) in namespaces)
            ):
                busy[0] = True
                try:
                    setter = _id(caller(1).f_globals)
                finally:
                    busy[0] = False
                if setter not in setters:
                    raise GuardRefusal(
                        f"changing {args[0].__qualname__}.{args[1]} is not allowed while grading",
                        f"评分时不允许修改 {args[0].__qualname__}.{args[1]}",
                    )
        elif event == "object.__getattr__":
            if _len(args) > 1 and args[1] in frame_attributes and asked_by_learner():
                raise refusal(f"{_type(args[0]).__name__}.{args[1]}")
        elif event in introspection or event.startswith("ctypes."):
            if asked_by_learner():
                raise refusal(event)
        elif event == "code.__new__" or (event == "compile" and _len(args) > 1 and not (_isinstance(args[1], _str) and args[1].startswith("<"))):
            # code whose file name would say it is the grader's or a library's, and decide for it (see Origins)
            if asked_by_learner():
                raise GuardRefusal(
                    "your code made a code object for another file name (compile with a file path, code.replace), which is not allowed while grading.",
                    "你的代码为另一个文件名创建了代码对象(带文件路径的 compile、code.replace),评分时不允许这样做。",
                )
        elif event == "open":
            path, mode, flags = (_tuple(args) + (None, None, None))[:3]
            writing = (_isinstance(mode, _str) and _any(c in mode for c in "wax+")) or (_isinstance(flags, _int) and _bool(flags & write_flags))
            if inside(path, no_read) and not inside(path, [allowed]):
                raise PermissionError(f"torchdojo: reading {path} is not allowed while grading")
            if writing and inside(path, no_write):
                raise PermissionError(f"torchdojo: changing {path} is not allowed while grading")
        elif event in mutating:
            targets = [a for a in args[:2] if _isinstance(a, _str | _bytes | path_like)]
            if _any(inside(target, no_write) for target in targets):
                raise PermissionError(f"torchdojo: changing {fsdecode(targets[0])} is not allowed while grading")

    _sys.addaudithook(guard)

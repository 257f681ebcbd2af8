"""The child side of a check run: import the learner's file and run its pytest checks.

Started by `torchdojo.core.runner` as `python -m torchdojo.core.child ...` in a fresh process
with resource limits. It streams plain data (JSON lines, each carrying the
run's nonce) to the parent over a dedicated pipe; the parent alone turns that
into points. Learner output goes to stdout/stderr, which the parent drains and
caps.
"""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler  # here, not where it is used: a warm worker's fork imports nothing before its run (see base_loaded)
import functools
import gc
import hashlib
import importlib.util
import inspect
import json
import mmap
import os
import resource
import signal
import sys
import time
import traceback
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, TextIO

import pytest
from _pytest import config as _pytest_config  # _prepareconfig: pytest.main without the run (see prepare_pytest)

from torchdojo.core import words
from torchdojo.core.guard import GuardRefusal, install_guard
from torchdojo.core.protocol import CheckStarted, Event, ImportDone, ImportStarted, RunDone, encode
from torchdojo.core.watch import EitherOf, Watch, base_loaded, base_watch, changed_in, checks_modules, integrity_targets, modes_left, module_kinds, tensor_kinds

if TYPE_CHECKING:
    from torchdojo.checks.memo import ReferenceRuns


def apply_limits(memory_mb: int, file_mb: int) -> None:
    """Memory (data segment + anonymous maps), file size and core dumps."""
    data = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (data, data))
    size = file_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # A write past the file limit then fails with an OSError instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def exit_with_parent() -> None:
    """Never outlive the process that enforces the time limit: if it goes (a `watch` quit mid-check, a
    closed terminal, a killed teacher's run), the kernel ends this process too (Linux's parent-death
    signal; no thread, so nothing changes for the learner's code or its memory limit)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's own cleanup still applies
        return


class Channel:
    """The result pipe: one `torchdojo.core.protocol` event per line, each with the nonce the parent gave on stdin."""

    def __init__(self, stream: TextIO, nonce: str) -> None:
        self._stream = stream
        self._nonce = nonce
        self._encode = encode  # captured before learner code runs
        self._line = _json_line

    def send(self, event: Event) -> None:
        self._stream.write(self._encode(event, self._nonce))
        self._stream.flush()

    def send_result(self, fields: dict[str, Any]) -> None:
        """A check's verdict (`protocol.CheckVerdict`'s fields), written without making a CheckVerdict: a submission
        that changed that class (its `__init__`, say) cannot change what is written. Written by `_json_line`, not
        `json.dumps`, whose encoder is a module global a submission can replace."""
        self._stream.write(self._line({"nonce": self._nonce, **fields, "event": "result"}))
        self._stream.flush()


def _json_line(
    fields: dict[str, Any],
    _quote: Any = json.encoder.encode_basestring_ascii,
    _type: Any = type,
    _isinstance: Any = isinstance,
    _float: Any = float.__repr__,
    _int: Any = int.__repr__,
    _str: Any = str.__str__,
    _repr: Any = repr,
    _join: Any = ", ".join,
) -> str:
    """One JSON object on a line, of str, int, float, bool and None values, made only with functions bound when this
    module was imported (`json.encoder.encode_basestring_ascii` is C code): nothing learner code can reach changes it."""
    items = []
    for key, value in fields.items():
        kind = _type(value)
        if value is None or value is True or value is False:
            text = "null" if value is None else "true" if value else "false"
        elif kind is int:
            text = _int(value)
        elif kind is float:
            text = _float(value) if value - value == 0.0 else "null"  # inf and nan are not JSON
        else:
            text = _quote(_str(value) if _isinstance(value, str) else _repr(value))
        items.append(_quote(_str(key)) + ": " + text)
    return "{" + _join(items) + "}\n"


def _learner_frame(tb: TracebackType | None, learner_file: str) -> tuple[int | None, str | None]:
    """The innermost line of the learner's own file in a traceback."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == learner_file:
            line = lineno
    if line is None:
        return None, None
    try:
        source = Path(learner_file).read_text(encoding="utf-8", errors="replace").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        source = None
    return line, source


def _source_at(learner_file: str, line: int | None) -> str | None:
    if line is None:
        return None
    try:
        return Path(learner_file).read_text(encoding="utf-8", errors="replace").splitlines()[line - 1].strip() or None
    except (OSError, IndexError):
        return None


def describe_exception(exc: BaseException, tb: TracebackType | None, learner_file: str) -> dict[str, Any]:
    """Turn an exception raised while checking into an outcome and a learner-facing message."""
    from torchdojo.checks.support import CheckFailed, learner_line

    line, source = _learner_frame(tb, learner_file)
    if isinstance(exc, CheckFailed):
        if line is None and exc.where is not None:
            line = learner_line(exc.where)
            source = _source_at(learner_file, line)
        outcome = "error" if getattr(exc, "outcome", "failed") == "error" else "failed"
        return {"outcome": outcome, "en": exc.en, "zh": exc.zh, "line": line, "source": source}
    kind = type(exc).__name__
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    if isinstance(exc, SyntaxError) and exc.filename == learner_file:
        line = exc.lineno
        source = (exc.text or "").strip() or None
        en = f"Python cannot read your file: {kind}: {exc.msg} (line {line})."
        zh = f"Python 无法读取你的文件:{kind}:{exc.msg}(第 {line} 行)。"
        return {"outcome": "error", "en": en, "zh": zh, "line": line, "source": source}
    if isinstance(exc, AttributeError) and isinstance(getattr(exc, "obj", None), ModuleType) and getattr(exc.obj, "__file__", None) == learner_file:
        en = f"Your file does not define `{exc.name}`. Keep the names from the exercise stub."
        zh = f"你的文件没有定义 `{exc.name}`。请保留练习文件中的名字。"
        return {"outcome": "error", "en": en, "zh": zh, "line": None, "source": None}
    if isinstance(exc, GuardRefusal):  # refused by the guard where their code asked: their words, their line
        return {"outcome": "error", "en": exc.en[:1].upper() + exc.en[1:], "zh": exc.zh, "line": line, "source": source}
    if isinstance(exc, NotImplementedError) and line is not None:
        en = "Not written yet: this raises NotImplementedError. Fill in the TODO."
        zh = "还没有完成:这里抛出了 NotImplementedError。请完成 TODO 部分。"
        return {"outcome": "failed", "en": en, "zh": zh, "line": line, "source": source}
    if isinstance(exc, SystemExit):
        en = f"Your code called sys.exit({exc.code!r}). A function should return a value, not end the program."
        zh = f"你的代码调用了 sys.exit({exc.code!r})。函数应该返回结果,而不是结束整个程序。"
        return {"outcome": "error", "en": en, "zh": zh, "line": line, "source": source}
    plain = _plain_words(exc, detail)
    if plain is not None:
        return {"outcome": "error", "en": plain[0], "zh": plain[1], "line": line, "source": source}
    if line is None:
        en = f"While checking your result, {kind} was raised: {detail}"
        zh = f"检查你的结果时出现了 {kind}:{detail}"
    else:
        en = f"Your code raised {kind}: {detail}"
        zh = f"你的代码抛出了 {kind}:{detail}"
    return {"outcome": "error", "en": en, "zh": zh, "line": line, "source": source}


def _plain_words(exc: BaseException, detail: str) -> tuple[str, str] | None:
    """Plain words for PyTorch errors a learner meets early, with PyTorch's own words after them."""
    from torchdojo.checks.support import out_of_memory

    if out_of_memory(exc):
        return (
            "Your code ran out of memory. Look for a function that calls itself without end, or a list that keeps growing.",
            "你的代码耗尽了内存。请检查是否有无限调用自身的函数,或不断变长的列表。",
        )
    if isinstance(exc, RecursionError):
        return (
            "Your function calls itself without end (RecursionError). Give the recursion a case that stops it, or use a loop.",
            "你的函数在无限地调用自身(RecursionError)。请给递归一个停止的条件,或改用循环。",
        )
    text = str(exc)
    said = f" (PyTorch: {detail})" if detail else ""
    said_zh = f"(PyTorch 原文:{detail})" if detail else ""
    if "does not require grad and does not have a grad_fn" in text:
        return (
            "`.backward()` was called on a tensor that does not track gradients. Start from a tensor made with "
            f"`requires_grad=True`, and keep the graph: no `.detach()`, `.item()` or `torch.no_grad()` on the way.{said}",
            "对一个不跟踪梯度的张量调用了 `.backward()`。请从 `requires_grad=True` 创建的张量出发,"
            f"并保持计算图完整:途中不要用 `.detach()`、`.item()` 或 `torch.no_grad()`。{said_zh}",
        )
    if any(s in text for s in ("Torch not compiled with CUDA", "Found no NVIDIA driver", "No CUDA GPUs are available")):
        return (
            "This machine has no CUDA GPU, so `.cuda()` fails here. Use `.to(device)` with the device your function "
            f"was given (or picked): the same code then runs on any machine.{said}",
            "这台机器没有 CUDA GPU,所以 `.cuda()` 在这里会失败。请用 `.to(device)`,device 用函数收到(或选出)的设备:"
            f"这样同一段代码在任何机器上都能运行。{said_zh}",
        )
    return None


def _memory_reserve() -> mmap.mmap | None:
    """16 MB of the memory limit held back (None when even that is not left).

    A private writable mapping counts against RLIMIT_DATA as soon as it exists, and pages it
    is never written to cost nothing: a `bytearray` of the same size zeroes every page, about
    8 ms of every check run.
    """
    try:
        return mmap.mmap(-1, 16 << 20, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    except (MemoryError, OSError):
        return None


@functools.cache
def check_module_name(path: Path) -> str | None:
    """`torchdojo.checks.<topic>.test_<name>` for a check module shipped in torchdojo, else None.

    Remembered: resolving both paths (each step seen by the audit hook) was about 1 % of every fork's time,
    and a warm worker resolves every check module before it forks, where no learner code runs."""
    import torchdojo.checks

    checks_dir = Path(torchdojo.checks.__file__).resolve().parent
    try:
        parts = path.resolve().with_suffix("").relative_to(checks_dir).parts
    except ValueError:
        return None
    return ".".join(("torchdojo.checks", *parts))


class _CheckModule(pytest.Module):
    """A check module imported by its package name (see `CheckFixtures.pytest_pycollect_makemodule`)."""

    def _getobj(self) -> ModuleType:
        from torchdojo.checks.support import keep_examples

        name = check_module_name(self.path)
        assert name is not None
        module = importlib.import_module(name)
        keep_examples(module)  # the examples every submission was graded on before the package's rename
        return module


class CheckFixtures:
    """A pytest plugin: collects torchdojo's check modules and gives the checks their fixtures (`learner`,
    `reference`, `compare`) from the run's `GradingPlugin`, bound in `grading`.

    Apart from `GradingPlugin` so that a warm worker can collect a run's checks before the run exists
    (`prepare_pytest`): its forks bind their own plugin here and go straight to running the checks."""

    def __init__(self, grading: GradingPlugin | None = None) -> None:
        self.grading = grading

    def _bound(self) -> GradingPlugin:
        if self.grading is None:
            raise RuntimeError("no grading run is bound to these fixtures")
        return self.grading

    def pytest_pycollect_makemodule(self, module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
        """A check module of torchdojo is imported under its package name, `torchdojo.checks.<topic>.test_<name>`.

        pytest would name it after its folders (`grader.checks...` in a checkout) and so import a second copy
        of the package's `__init__` modules; any other module (a contributor's check elsewhere) is pytest's.
        """
        return _CheckModule.from_parent(parent, path=module_path) if check_module_name(module_path) else None

    @pytest.fixture(scope="session", name="learner")
    def learner_fixture(self) -> ModuleType:
        """The learner's module, imported once per child process."""
        return self._bound().import_learner()

    @pytest.fixture(scope="session", name="reference")
    def reference_fixture(self) -> ModuleType:
        """The reference solution, for checks that compare behaviour with it."""
        reference = self._bound().reference
        if reference is None:
            raise RuntimeError("this check needs the reference solution, which the grader did not pass")
        return reference

    @pytest.fixture(scope="session", name="compare")
    def compare_fixture(self, learner: ModuleType, reference: ModuleType) -> Any:
        """Learner and reference bound together (see torchdojo.checks.harness)."""
        grading = self._bound()
        return grading.compare_class(learner, reference, grading.reference_runs, grading.reference_digest)


_TestReport = pytest.TestReport  # taken before any learner code runs


def _forget_the_run() -> None:
    """Drop the references pytest keeps in module globals to the run (its config, and through it the plugins, this
    one among them), before learner code runs. Learner code may not look at frames or the garbage collector
    (torchdojo.core.guard), so what a module global leads to is what it can reach; tests/test_reachability.py walks
    every module to make sure the run's objects are not among it. `pytest.mark` checks a mark's name against the
    config only while the checks are collected, which is over by now."""
    from _pytest.mark.structures import MARK_GEN

    MARK_GEN._config = None


def _short_report(item: Any, call: Any) -> pytest.TestReport:
    """pytest's report of a failed step, without its traceback. The verdict is built from the exception
    (`describe_exception`) and pytest's report of it is never shown: formatting its traceback, which reads
    and parses the source of every frame (torch's files are thousands of lines), cost 5-250 ms per failed
    check, spent on every wrong submission. A run out of memory or stack must not format it either."""
    return _TestReport(
        item.nodeid, item.location, {}, "failed", type(call.excinfo.value).__name__, call.when, duration=call.duration, start=call.start, stop=call.stop
    )


class GradingPlugin:
    """A pytest plugin: imports the learner's module for the fixtures (`CheckFixtures`) and streams one result per check."""

    def __init__(
        self,
        channel: Channel,
        learner_file: Path,
        module_name: str,
        selected: list[str],
        reference: Path | None = None,
        reference_runs: ReferenceRuns | None = None,
        checks_module: str | None = None,
    ) -> None:
        from torchdojo.checks.harness import Compare, ReferenceGuard, load_reference
        from torchdojo.checks.replay import replay
        from torchdojo.checks.support import hypothesis_test

        self.channel = channel
        # Taken before learner code runs: the `compare` fixture is made after the learner's module is imported, and a
        # module that put a lenient class in its place would otherwise have every comparison made by that class.
        self.compare_class = Compare
        # Taken now for the same reason: a module that replaced `GradingPlugin._finish` would otherwise write every
        # verdict itself. Replaced, it is never called, and the snapshot below says so.
        self._send_verdict = self._finish
        self._send_result, self._getattr_static = channel.send_result, inspect.getattr_static
        self._changed = changed_in  # bound now: a submission that put `lambda snapshot: []` in its place would blind the watch
        self._replay, self._hypothesis_test = replay, hypothesis_test  # not looked up in sys.modules, where a submission could put its own
        self._hooks = (sys.gettrace, sys.settrace, sys.getprofile, sys.setprofile)
        self.watch = base_watch()  # the libraries and grading modules; the exercise's checks, once collected:
        self._loaded = loaded = base_loaded()  # (which keeps the modules it names alive)
        self._modes_left, self._module_kinds_changed, self._tensor_kinds_changed = modes_left(), module_kinds(loaded), tensor_kinds()
        # The namespaces whose functions' code may not change from here on (see install_guard), by id: the loaded
        # modules' (an immutable set, shared with the base watch, which plain code reaches) and this run's own, kept
        # here alone (the reference and the check module join as they load).
        self.protected_base = loaded.protected
        self.protected: dict[int, dict[str, Any]] = {}
        self.check_watch = Watch(EitherOf(self.protected_base, self.protected))
        # Taken now, before learner code runs, and kept here only: what `_finish` compares with (see `Watch.snapshot`).
        self._snapshots = (self.watch.snapshot(), self.check_watch.snapshot())
        self._readers: tuple[words.Words | None, words.Words | None] = (self._snapshots[0].reader(), None)  # this run's own (see words.Words)
        self.checks_module = checks_module  # watched from the first check on (see pytest_runtest_logstart)
        # A warm worker's rehearsed reference runs, under the digest of this reference's source (see torchdojo.checks.memo).
        self.reference_runs = reference_runs
        self.reference_digest = hashlib.sha256(reference.read_bytes()).hexdigest() if reference_runs is not None and reference else ""
        # The reference is imported before any learner code runs (and before the guard that
        # refuses reads of solutions/); its functions report calls that come from learner code.
        self.reference_guard = ReferenceGuard(module_name)
        self.reference = load_reference(reference, f"reference_{module_name}", self.reference_guard) if reference else None
        if self.reference is not None:  # out of sys.modules once imported, and its code cannot change either
            self.protected[id(vars(self.reference))] = vars(self.reference)
        self.selected = selected
        self.reported: set[str] = set()
        self.imported = False
        self.learner_file = learner_file
        self.module_name = module_name
        self.targets = integrity_targets()
        self.pending: dict[str, dict[str, Any]] = {}
        self.started: dict[str, float] = {}
        self.tampered: list[str] = []
        # Room to describe a MemoryError: freed when one arrives, so the verdict can still be built.
        self.reserve: mmap.mmap | None = _memory_reserve()
        self.fresh_process = False

    # -- a property check's examples ---------------------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem: pytest.Function) -> bool | None:
        """A rehearsal keeps the examples Hypothesis hands each property check; a fork calls the check on them
        (torchdojo.checks.replay) instead of drawing them again. None: pytest calls the check as usual."""
        replay, hypothesis_test = self._replay, self._hypothesis_test
        runs = self.reference_runs
        wrapped = hypothesis_test(pyfuncitem.obj)
        if runs is None or wrapped is None:
            return None
        fixtures = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        key = (pyfuncitem.nodeid, self.reference_digest)
        if runs.recording:
            runs.examples.record(key, wrapped, lambda: wrapped(**fixtures))
            return True
        examples = runs.examples.get(key)
        if examples is None:
            return None
        replay(wrapped, fixtures, examples)
        return True

    # -- the learner's module ---------------------------------------------------
    def import_learner(self) -> ModuleType:
        self.channel.send(ImportStarted())
        _forget_the_run()
        spec = importlib.util.spec_from_file_location(self.module_name, self.learner_file)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.module_name] = module
        gettrace, settrace, getprofile, setprofile = self._hooks
        trace, profile = gettrace(), getprofile()
        try:
            spec.loader.exec_module(module)
        finally:  # a trace or profile function set while importing would watch (and could change) the comparisons
            if gettrace() is not trace:
                settrace(trace)
            if getprofile() is not profile:
                setprofile(profile)
        self.imported = True
        self.channel.send(ImportDone())
        return module

    # -- hooks ---------------------------------------------------------------
    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        if self.checks_module is not None:  # collected by now, and no learner code has run yet
            module = sys.modules.get(self.checks_module)
            if module is not None:
                self.protected[id(vars(module))] = vars(module)  # before watching it: its functions are watched by identity
                self.check_watch.add_check_module(module)
                # The checks' helpers collecting loaded here (a cold run's), which the base watch could not see.
                for name in checks_modules():
                    helper = sys.modules.get(name)
                    if name != self.checks_module and name not in self.watch.modules and helper is not None:
                        self.protected[id(vars(helper))] = vars(helper)
                        self.check_watch.add_module(name, own_classes=True, every_value=True)
                self._snapshots = (self._snapshots[0], self.check_watch.snapshot())
                self._readers = (self._readers[0], self._snapshots[1].reader())
            self.checks_module = None
        name = _check_name(nodeid)
        self.started[name] = time.perf_counter()
        self.channel.send(CheckStarted(name))

    def pytest_runtest_makereport(self, item: Any, call: Any) -> pytest.TestReport | None:
        name = _check_name(item.nodeid)
        if call.when == "teardown":
            self._send_verdict(name)
            return None
        if name in self.pending:  # setup already failed
            return None
        if call.excinfo is None:
            if call.when == "call":
                self.pending[name] = {"outcome": "passed", "en": "", "zh": ""}
            return None
        exc = call.excinfo.value
        from torchdojo.checks.support import GraderLimit, out_of_memory, ran_out

        if out_of_memory(exc) or "can't allocate memory" in str(exc)[:500]:
            self.fresh_process = True  # after an allocation failure the process is not to be trusted: the rest run anew
        if type(exc).__name__ == "Skipped" and str(exc).startswith("needs_gpu"):
            self.pending[name] = {"outcome": "needs_gpu", "en": "", "zh": ""}
            return None
        if isinstance(exc, GraderLimit) and _raised_by_grader(call.excinfo.tb):
            self.pending[name] = {"outcome": "not_graded", "en": exc.en, "zh": exc.zh}
            return _short_report(item, call)
        if ran_out(exc):
            return self._report_exhausted(item, call, name)
        result = describe_exception(exc, call.excinfo.tb, str(self.learner_file))
        if call.when == "setup" and result["line"] is None and not isinstance(exc, SystemExit):
            result["en"] = f"Your file could not be imported: {result['en']}"
            result["zh"] = f"无法导入你的文件:{result['zh']}"
        if call.when == "setup":
            result["outcome"] = "error" if result["outcome"] != "failed" else "failed"
        self.pending[name] = result
        if type(exc).__name__ != "Skipped":  # a skip's report (its reason and place) is pytest's to make
            return _short_report(item, call)
        return None

    def _report_exhausted(self, item: Any, call: Any, name: str) -> Any:
        """Memory or stack ran out: the traceback holds every frame of the runaway code, so
        pytest's own report of it would run out again. Say it plainly, drop the traceback,
        and hand pytest a short report instead."""
        self.reserve = None
        exc = call.excinfo.value
        result = describe_exception(exc, call.excinfo.tb, str(self.learner_file))
        result["outcome"] = "error"
        self.pending[name] = result
        exc.__traceback__ = None
        return _short_report(item, call)

    def _finish(self, name: str) -> None:
        if self.reserve is None:
            self.reserve = _memory_reserve()
        result = self.pending.pop(name, None) or {"outcome": "error", "en": "The check did not run.", "zh": "检查没有运行。"}
        getattr_static = self._getattr_static
        changed = [key for key, (owner, attr, original) in self.targets.items() if getattr_static(owner, attr, None) is not original]
        base, checks = self._snapshots
        changed += [key for key in (*self._changed(base, self._readers[0]), *self._changed(checks, self._readers[1])) if key not in changed]
        changed += self._modes_left() + self._module_kinds_changed() + self._tensor_kinds_changed()
        if self.reference_guard.delegations:
            called = ", ".join(sorted(set(self.reference_guard.delegations)))
            result = {
                "outcome": "error",
                "en": f"Your code called the reference solution ({called}) instead of doing the work. No points for this run.",
                "zh": f"你的代码调用了参考答案({called}),而不是自己完成。本次运行不得分。",
                "line": None,
                "source": None,
                "tampering": True,
            }
        elif changed:
            self.tampered.extend(changed)
            result = {
                "outcome": "error",
                "en": f"Tampering detected: your code replaced {', '.join(changed)}. No points for this run.",
                "zh": f"检测到篡改:你的代码替换了 {', '.join(changed)}。本次运行不得分。",
                "line": None,
                "source": None,
                "tampering": True,
            }
        duration = time.perf_counter() - self.started.get(name, time.perf_counter())
        self.reported.add(name)
        fields = {"check": name, "outcome": result["outcome"], "duration": duration, "en": result.get("en", ""), "zh": result.get("zh", "")}
        fields.update(line=result.get("line"), source=result.get("source"), tampering=bool(result.get("tampering", False)))
        self._send_result(fields)
        if self.fresh_process:  # the runner starts a fresh process for the checks not yet run
            pytest.exit("a fresh process for the remaining checks", returncode=0)

    def finish_interrupted(self) -> None:
        """Report a check that pytest stopped inside (an internal error, such as running out of
        memory while describing the learner's exception): its verdict was recorded, only pytest's
        own report failed. The checks not yet started are left for the next process."""
        for name in [name for name in self.started if name not in self.reported]:
            self.pending.setdefault(
                name,
                {
                    "outcome": "error",
                    "en": "The check stopped unexpectedly while running your code. Look for code that uses a lot of memory.",
                    "zh": "运行你的代码时,检查意外中止了。请检查是否有占用大量内存的代码。",
                },
            )
            self._send_verdict(name)

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        """A KeyboardInterrupt from learner code stops pytest: report the check it hit,
        or every check when it came from importing the file (it would happen again)."""
        hit = [name for name in self.started if name not in self.reported]
        if not self.imported:
            hit += [name for name in self.selected if name not in self.reported and name not in hit]
        for name in hit:
            self.pending[name] = {
                "outcome": "error",
                "en": "Your code raised KeyboardInterrupt. Do not raise it from an exercise.",
                "zh": "你的代码抛出了 KeyboardInterrupt。练习中不要抛出它。",
            }
            self._send_verdict(name)


def pytest_arguments(checks_module: Path, checks: list[str]) -> list[str]:
    """pytest's command line for a check run (the child's, and a warm worker's rehearsal of it).

    Only pytest's own plugins, `CheckFixtures` and `GradingPlugin` take part. `--disable-plugin-autoload`: a pytest
    plugin installed in the learner's environment (any `pytest11` entry point) must not run inside
    grading, where it could rewrite reports; this also spares each run importing and configuring
    every installed plugin. The runner's environment says the same (PYTEST_DISABLE_PLUGIN_AUTOLOAD),
    but the child does not rely on how it was started. Hypothesis's pytest plugin is not loaded
    either, as before: the checks need none of it (their settings come from torchdojo.checks.support).
    `--confcutdir`: without it pytest collects every folder above the check module's package, listing
    each one's entries (site-packages has hundreds; /tmp, thousands): up to 100 ms of every run.
    """
    return [
        *(f"{checks_module}::test_{name}" for name in checks),
        "--disable-plugin-autoload",
        "-p",
        "no:terminal",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:warnings",
        "-p",
        "no:stepwise",
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        "-p",
        "no:faulthandler",
        "-p",
        "no:logging",
        "-p",
        "no:debugging",
        "-p",
        "no:assertion",
        "-s",
        "--noconftest",
        "-c",
        os.devnull,
        "--rootdir",
        str(checks_module.parent),
        "--confcutdir",
        str(checks_module.parent),
        "-o",
        "python_files=test_*.py",
    ]


@dataclasses.dataclass
class PreparedRun:
    """A check run's pytest made ahead in a warm worker (`prepare_pytest`): configured, its session started and
    its checks collected. A fork binds its `GradingPlugin` into `fixtures` and only runs the checks."""

    config: pytest.Config
    session: pytest.Session
    fixtures: CheckFixtures


PreparedRuns = dict[tuple[str, ...], PreparedRun]
"""pytest made ahead of the runs that will use it, by command line (`prepare_pytest`)."""


def prepare_pytest(pytest_args: list[str]) -> PreparedRun | None:
    """pytest for a check run, made up to its first check without the run's GradingPlugin (None if collecting failed).

    A warm worker makes one for each exercise it rehearses, and every fork starts from its own copy instead of
    making it again: registering pytest's plugins, reading the command line, starting the session (the fixture
    manager reads every plugin's fixtures) and collecting the checks were about 30 ms of every fork. Made where no
    learner code has run, like everything the worker holds. A run that could not be collected here is left to the
    fork, which then does all of it itself and reports what went wrong where the learner reads it."""
    forget_pytest_environment()
    fixtures = CheckFixtures()
    config = _pytest_config._prepareconfig(list(pytest_args), plugins=[fixtures])
    session = pytest.Session.from_config(config)
    session.exitstatus = pytest.ExitCode.OK
    try:
        config._do_configure()
        config.hook.pytest_sessionstart(session=session)
        config.hook.pytest_collection(session=session)
    except BaseException:  # noqa: BLE001 - nothing made ahead: the fork collects, and reports what failed
        config._ensure_unconfigure()
        return None
    if session.testsfailed or not session.items:  # a collection error: the fork meets it again, and reports it
        config._ensure_unconfigure()
        return None
    return PreparedRun(config, session, fixtures)


def run_checks(pytest_args: list[str], plugin: GradingPlugin) -> int:
    """`pytest.main` for a check run, with the plugins every run has."""
    return pytest.main(pytest_args, plugins=[CheckFixtures(plugin), plugin])


def _run_pytest(pytest_args: list[str], plugin: GradingPlugin, prepared: PreparedRun | None) -> None:
    """`run_checks(pytest_args, plugin)`, or its checks run from a session collected ahead when there is one. The
    plugin joins that session late, which is the same for its hooks: none of them is called before a check starts."""
    if prepared is None:
        run_checks(pytest_args, plugin)
        return
    os.environ["PYTEST_VERSION"] = pytest.__version__  # as pytest.main sets it
    prepared.fixtures.grading = plugin
    prepared.config.pluginmanager.register(plugin)
    _run_collected(prepared.config, prepared.session)


def _run_collected(config: pytest.Config, session: pytest.Session) -> None:
    """pytest's own `wrap_session`, from a collected session on: run the checks, and end the session as it does
    (an interruption goes to `pytest_keyboard_interrupt`, any other error to pytest's internal-error report)."""
    try:
        try:
            config.hook.pytest_runtestloop(session=session)
            session.exitstatus = pytest.ExitCode.TESTS_FAILED if session.testsfailed else pytest.ExitCode.OK
        except session.Failed:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        except (KeyboardInterrupt, pytest.exit.Exception):
            excinfo = pytest.ExceptionInfo.from_current()
            session.exitstatus = pytest.ExitCode.INTERRUPTED
            if isinstance(excinfo.value, pytest.exit.Exception) and excinfo.value.returncode is not None:
                session.exitstatus = excinfo.value.returncode
            config.hook.pytest_keyboard_interrupt(excinfo=excinfo)
        except BaseException:  # noqa: BLE001 - as pytest does: reported as its internal error, the session still ends
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
            excinfo = pytest.ExceptionInfo.from_current()
            try:
                config.notify_exception(excinfo, config.option)
            except pytest.exit.Exception as stop:
                if stop.returncode is not None:
                    session.exitstatus = stop.returncode
    finally:
        try:
            config.hook.pytest_sessionfinish(session=session, exitstatus=session.exitstatus)
        except pytest.exit.Exception:
            pass
        config._ensure_unconfigure()


_COMPILING_CHECKS = frozenset({"torchdojo.checks.devices.test_compile"})
"""Check modules that run torch.compile on the learner's code: torch's frame hook stays torch's own there (see
torchdojo.core.guard._seal_torch_hooks). docs/security.md says what that leaves open."""


def forget_pytest_environment() -> None:
    """Drop the environment variables through which pytest takes more options and plugins
    (PYTEST_ADDOPTS: `-p someone's_plugin`; PYTEST_PLUGINS): a check run's command line is all of it."""
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS"):
        os.environ.pop(name, None)


def _raised_by_grader(tb: TracebackType | None) -> bool:
    """A grader limit counts only when raised by the grader's own check code, not by learner code."""
    checks_dir = str(Path(__file__).resolve().parent.parent / "checks")
    frames = list(traceback.walk_tb(tb))
    return bool(frames) and frames[-1][0].f_code.co_filename.startswith(checks_dir)


def _check_name(nodeid: str) -> str:
    function = nodeid.rsplit("::", 1)[-1]
    return function.removeprefix("test_").split("[", 1)[0]


def main(
    argv: list[str] | None = None, nonce: str | None = None, reference_runs: ReferenceRuns | None = None, prepared_runs: PreparedRuns | None = None
) -> int:
    """Entry point of a cold child (`python -m torchdojo.core.child`) and of a warm worker's fork.

    A cold child reads the run's nonce from stdin; a fork receives it from the worker, with the
    reference runs the worker's rehearsals kept and the pytest runs it prepared (`prepare_pytest`).
    """
    parser = argparse.ArgumentParser(prog="python -m torchdojo.core.child")
    parser.add_argument("--result-fd", type=int, required=True)
    parser.add_argument("--file", type=Path, required=True)
    parser.add_argument("--checks-module", type=Path, required=True)
    parser.add_argument("--module-name", required=True)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--reference", type=Path, default=None, help="the reference solution, for behaviour comparisons")
    parser.add_argument("--stack-file", type=Path, default=None, help="where SIGUSR1 dumps the stack (a timeout says where the code was)")
    parser.add_argument("--no-read", action="append", default=[], help="folders learner code may not read")
    parser.add_argument("--no-write", action="append", default=[], help="folders learner code may not change")
    parser.add_argument("--reference-transient", type=int, default=0, help="1: delete the reference file once imported (a sandbox's staged copy)")
    parser.add_argument("--max-processes", type=int, default=0, help="RLIMIT_NPROC (in a sandbox's own user namespace)")
    parser.add_argument("check", nargs="+")
    args = parser.parse_args(argv)

    if nonce is None:
        nonce = sys.stdin.readline().strip()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # learner `input()` gets EOF instead of waiting forever
    sys.dont_write_bytecode = True
    apply_limits(args.memory_mb, args.file_mb)
    exit_with_parent()
    if args.max_processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (args.max_processes, args.max_processes))
    channel = Channel(os.fdopen(args.result_fd, "w", encoding="utf-8"), nonce)
    if args.stack_file is not None:  # before a timeout kill, the parent asks where the code is
        faulthandler.register(signal.SIGUSR1, file=open(args.stack_file, "w", encoding="utf-8"), all_threads=True)  # noqa: SIM115 - stays open for the process's life: faulthandler writes to it

    import torch

    if args.threads and torch.get_num_threads() != args.threads:  # a warm worker's checks set it: setting it again empties
        torch.set_num_threads(args.threads)  # oneDNN's cache of primitives, which touches (copies) hundreds of its pages
    import warnings

    warnings.simplefilter("ignore")  # warnings are not failures; keep the learner's output readable

    plugin = GradingPlugin(
        channel, args.file.resolve(), args.module_name, list(args.check), args.reference, reference_runs, check_module_name(args.checks_module)
    )
    if args.reference_transient and args.reference is not None:  # imported: no copy left for learner code to read
        args.reference.unlink(missing_ok=True)
    install_guard(
        [os.path.realpath(p) for p in args.no_read],
        [os.path.realpath(p) for p in args.no_write],
        os.path.realpath(args.file),
        plugin.protected,
        plugin.protected_base,
        seal_torch_hooks=check_module_name(args.checks_module) not in _COMPILING_CHECKS,
    )
    pytest_args = pytest_arguments(args.checks_module, list(args.check))
    forget_pytest_environment()
    # Everything imported so far (torch: hundreds of thousands of objects) lives as long as the
    # run does: out of the collector's reach, a full collection during the checks — Hypothesis
    # makes one on its first test — scans only what the run itself made (about 100 ms saved).
    gc.freeze()
    _run_pytest(pytest_args, plugin, (prepared_runs or {}).get(tuple(pytest_args)))
    plugin.finish_interrupted()
    channel.send(RunDone())
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # skip interpreter teardown: the verdicts are sent, nothing else matters


if __name__ == "__main__":
    # Run as the package's module, not as __main__: the code a submission can reach as `torchdojo.core.child`
    # is the code that grades it, as in a warm worker's fork, so the integrity snapshot watches the same objects.
    from torchdojo.core.child import main as _main

    raise SystemExit(_main())

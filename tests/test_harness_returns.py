"""The line where the learner's code returned (torchdojo.checks.harness._returns_of), named in failure messages.

It is recorded with a trace hook on the learner's frames: the same line as before (the last return of
the learner's function, or of any learner function), whatever learner code does to the trace and
profile hooks, without points for that, and not inherited by a process forked while it records.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType, ModuleType

import pytest

from tests.conftest import grade_file
from torchdojo.checks.harness import Compare, _returns_of
from torchdojo.checks.support import CheckFailed

LEARNER = """\
def helper(x):
    if x > 100:
        return "big"
    return x + 1


def solve(x):
    y = helper(x)
    if y < 0:
        return -y
    return y * 2


def twice(x):
    return solve(x) + solve(x + 1)
"""
HELPER_RETURN, SOLVE_RETURN, TWICE_RETURN = 4, 11, 15


@pytest.fixture
def learner(tmp_path: Path) -> Iterator[ModuleType]:
    name = f"learner_returns_{os.getpid()}"
    path = tmp_path / "learner.py"
    path.write_text(LEARNER, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[name]


def _outside(x: int) -> int:
    return x


def test_the_named_function_s_last_return_line(learner: ModuleType) -> None:
    with _returns_of(learner.__name__, "solve") as lines:
        _outside(learner.twice(3))
    assert lines == [SOLVE_RETURN, SOLVE_RETURN]
    with _returns_of(learner.__name__, "solve") as lines:
        learner.solve(-5)
    assert lines == [SOLVE_RETURN - 1]


def test_any_learner_function_when_none_is_named(learner: ModuleType) -> None:
    with _returns_of(learner.__name__, None) as lines:
        learner.twice(3)
    assert lines == [HELPER_RETURN, SOLVE_RETURN, HELPER_RETURN, SOLVE_RETURN, TWICE_RETURN]


def test_the_hooks_from_before_are_put_back_whatever_learner_code_did(learner: ModuleType) -> None:
    def theirs(frame: FrameType, event: str, arg: object) -> None:  # a stand-in for a learner's hook
        return None

    def before(frame: FrameType, event: str, arg: object) -> None:  # a tracer already there (a debugger, coverage)
        return None

    old_trace, old_profile = sys.gettrace(), sys.getprofile()
    try:
        sys.settrace(before)
        with _returns_of(learner.__name__, "solve") as lines:
            learner.solve(1)
            sys.settrace(theirs)  # learner code replacing the hooks mid-run
            sys.setprofile(theirs)
            learner.solve(2)
        assert sys.gettrace() is before and sys.getprofile() is old_profile
        assert lines == [SOLVE_RETURN]  # recorded until learner code took the hook away
        with _returns_of(learner.__name__, "solve") as lines:
            sys.settrace(None)
            learner.solve(2)
        assert sys.gettrace() is before and lines == []
    finally:
        sys.settrace(old_trace)
        sys.setprofile(old_profile)


def test_a_process_forked_while_recording_does_not_record(learner: ModuleType) -> None:
    """A DataLoader worker or a distributed rank forked from learner code runs without the recorder."""
    previous = sys.gettrace()
    read_fd, write_fd = os.pipe()
    with _returns_of(learner.__name__, "solve"):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child reports and exits at once
            os.write(write_fd, b"none" if sys.gettrace() is previous else b"recorder")
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        said = pipe.read()
    os.waitpid(pid, 0)
    assert said == b"none"


WRONG_ON_A_LATER_LINE = """\
import torch


def _scaled(g):
    return g * 1


def gradient_of(f, x):
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        y = f(leaf)
        if y.numel() != 1:
            raise ValueError("f(x) must be a scalar")
        (grad,) = torch.autograd.grad(y.reshape(()), leaf)
    grad = _scaled(grad)
    return grad * 2
"""
HOOKS = """\
import sys

import torch


def gradient_of(f, x):
    sys.settrace(lambda frame, event, arg: None)
    sys.setprofile(lambda frame, event, arg: None)
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        y = f(leaf)
        if y.numel() != 1:
            raise ValueError("f(x) must be a scalar")
        (grad,) = torch.autograd.grad(y.reshape(()), leaf)
    return grad{wrong}
"""


def test_a_hypothesis_check_names_the_line_that_returned(tmp_path: Path) -> None:
    """correct_gradient is a Hypothesis property: its failure names the learner's return line, not
    the function's first line nor the helper's return."""
    path = tmp_path / "gradient_of.py"
    path.write_text(WRONG_ON_A_LATER_LINE, encoding="utf-8")
    check = next(c for c in grade_file("autograd/gradient_of", path).checks if c.name == "correct_gradient")
    assert check.outcome == "failed", check
    assert check.line == 16 and check.source_line == "return grad * 2", check


def test_learner_code_that_sets_the_hooks_is_refused_at_its_line(tmp_path: Path) -> None:
    """A trace or profile function is handed every frame that runs after it, the grader's among them, and through
    them the plugin that sends the verdicts: the guard (torchdojo.core.guard) refuses it where the learner's code asks,
    and the check says so at that line, in both languages. (The harness still puts back hooks changed by code the guard
    does not see: the tests below.)"""
    path = tmp_path / "gradient_of.py"
    path.write_text(HOOKS.format(wrong=""), encoding="utf-8")
    report = grade_file("autograd/gradient_of", path)
    check = next(c for c in report.checks if c.name == "correct_gradient")
    assert check.outcome in ("error", "failed") and check.points == 0 and check.line == 7 and check.message is not None, check
    assert "sys.settrace" in check.message.en and "sys.settrace" in check.message.zh and "跟踪函数" in check.message.zh, check


def _compare(learner: ModuleType) -> Compare:
    return Compare(learner, learner)  # the reference does not matter here: only the learner's runs are watched


def test_a_run_that_does_not_record_still_puts_the_hooks_back(learner: ModuleType) -> None:
    """Every learner run undoes its changes to the hooks (so none of them sees the reference's run), recorded or not."""

    def theirs(frame: FrameType, event: str, arg: object) -> None:
        return None

    def scenario(impl: ModuleType) -> int:
        sys.settrace(theirs)
        sys.setprofile(theirs)
        return int(impl.solve(1))

    old_trace, old_profile = sys.gettrace(), sys.getprofile()
    try:
        run = _compare(learner).run(learner, scenario, 0, None, "solve")
        assert sys.gettrace() is old_trace and sys.getprofile() is old_profile
        assert run.value == 4 and run.returned_at is None
    finally:
        sys.settrace(old_trace)
        sys.setprofile(old_profile)


def test_only_a_failure_the_learner_reads_runs_the_recorder(learner: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """Hypothesis runs the learner's code for many examples and shrinks a failure; the line is recorded
    (by one more run) only for the failure it reports, and never for a passing run."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from torchdojo.checks import harness

    recorded = []
    original = harness._returns_of

    def counting(module_name: str, function_name: str | None) -> object:
        recorded.append(function_name)
        return original(module_name, function_name)

    monkeypatch.setattr(harness, "_returns_of", counting)
    compare = _compare(learner)

    @settings(max_examples=30, derandomize=True, database=None)
    @given(st.integers(0, 50))
    def passes(x: int) -> None:
        compare.same(lambda impl: impl.solve(x), given=f"x = {x}", where="solve")

    passes()
    assert recorded == []

    wrong = ModuleType("wrong_reference")
    wrong.solve = lambda x: x  # type: ignore[attr-defined]

    @settings(max_examples=30, derandomize=True, database=None)
    @given(st.integers(0, 50))
    def fails(x: int) -> None:
        Compare(learner, wrong).same(lambda impl: impl.solve(x), given=f"x = {x}", where="solve")

    with pytest.raises(CheckFailed) as failure:
        fails()
    assert recorded == ["solve"]  # the shrunk example's final run, once
    assert failure.value.where == SOLVE_RETURN

    with pytest.raises(CheckFailed) as outside:  # outside Hypothesis, every failure is read
        Compare(learner, wrong).same(lambda impl: impl.solve(-5), given="x = -5", where="solve")
    assert outside.value.where == SOLVE_RETURN - 1 and recorded == ["solve", "solve"]

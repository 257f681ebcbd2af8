"""The runner survives whatever a submission does: each failure mode becomes a clear
verdict on the affected checks, never a grader crash and never points for a later check."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES, grade_file
from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import Limits, grade

HOSTILE = FIXTURES / "hostile"
PREDICT = ("predict_values", "predict_builds_no_graph")
DETACHED = ("detached_product_values", "detached_product_gradient")


def outcomes(report) -> dict[str, str]:
    return {c.name: c.outcome for c in report.checks}


def messages(report) -> dict[str, str]:
    return {c.name: c.message.en if c.message else "" for c in report.checks}


def assert_predict_lost_detached_kept(report, outcome: str, fragment: str) -> None:
    got = outcomes(report)
    predict = [name for name in got if name.startswith("predict")]
    detached = [name for name in got if name.startswith("detached")]
    # an exception inside a compared call may be reported as a failed comparison
    assert all(got[name] in {outcome, "failed"} for name in predict), messages(report)
    assert all(fragment in messages(report)[name] for name in predict), messages(report)
    assert all(got[name] == "passed" for name in detached), messages(report)
    assert report.score == sum(c.max_points for c in report.checks if c.name in detached)


@pytest.mark.parametrize(
    ("fixture", "outcome", "fragment"),
    [
        ("sys_exit_call", "error", "sys.exit(0)"),
        ("os_exit_call", "error", "exited with code 3"),
        ("segfault", "error", "signal 11, SIGSEGV"),
        ("keyboard_interrupt", "error", "KeyboardInterrupt"),
        ("base_exception", "error", "BaseException: boom"),
        ("memory_hog", "error", "memory"),
    ],
)
def test_failure_in_one_function_costs_only_its_checks(fixture: str, outcome: str, fragment: str) -> None:
    report = grade_file("autograd/no_grad", HOSTILE / f"{fixture}.py", memory_mb=1024, timeout_s=60)
    assert_predict_lost_detached_kept(report, outcome, fragment)


@pytest.mark.parametrize("fixture", ["loop", "ignore_signals"])
def test_endless_loop_times_out(fixture: str) -> None:
    started = time.monotonic()
    report = grade_file("autograd/no_grad", HOSTILE / f"{fixture}.py", timeout_s=6)
    assert time.monotonic() - started < 15
    assert report.score == 0
    assert outcomes(report)["predict_values"] == "timeout"
    assert "Timed out after 6 s" in messages(report)["predict_values"]
    assert all(c.outcome == "timeout" for c in report.checks)


@pytest.mark.parametrize(
    ("fixture", "fragment"),
    [
        ("exit_at_import", "sys.exit(0)"),
        ("os_exit_at_import", "ended the process early while importing"),
        ("interrupt_at_import", "KeyboardInterrupt"),
    ],
)
def test_dying_at_import_fails_every_check(fixture: str, fragment: str) -> None:
    report = grade_file("autograd/no_grad", HOSTILE / f"{fixture}.py")
    assert report.score == 0
    assert all(c.outcome == "error" for c in report.checks)
    assert all(fragment in (c.message.en if c.message else "") for c in report.checks), messages(report)


def test_output_flood_is_capped_and_grading_continues() -> None:
    report = grade_file("autograd/no_grad", HOSTILE / "flood.py", output_bytes=4000)
    assert report.score == report.max_score
    assert report.output_truncated
    assert report.output.endswith("[output truncated]\n")
    assert len(report.output) < 4100


def test_forked_child_does_not_outlive_the_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pidfile = tmp_path / "orphan.pid"
    monkeypatch.setenv("TORCHDOJO_TEST_PIDFILE", str(pidfile))
    # cold: the warm worker was started before this test set the variable the orphan reads
    report = grade(load_catalog().resolve("autograd/no_grad"), HOSTILE / "fork_orphan.py", Limits())
    assert report.score == report.max_score
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid), f"orphan {pid} still running"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


@pytest.mark.parametrize(("fixture", "found"), [("fake_report", "a line the grader did not write"), ("patch_allclose", "your code replaced torch.allclose")])
def test_tampering_scores_zero_and_says_what_was_found(fixture: str, found: str) -> None:
    """Every check of a tampered run says what was found, in both languages: a line without the run's nonce on the
    grading channel, or the child's own words for what it found replaced."""
    report = grade_file("autograd/no_grad", HOSTILE / f"{fixture}.py")
    assert report.score == 0 and report.status == "tampered"
    assert all(
        c.message is not None and c.message.en.startswith("Tampering detected: ") and found in c.message.en and c.message.zh.startswith("检测到篡改")
        for c in report.checks
    ), messages(report)


def test_a_forged_verdict_is_named_in_the_message() -> None:
    """What the channel can carry that the real child never writes: a second verdict for a check, a verdict for a check
    the run did not ask for. Each is named."""
    from torchdojo.core import protocol
    from torchdojo.core.runner import _Attempt, _handle_event, _take_verdicts

    exercise = load_catalog().resolve("autograd/no_grad")
    first, second = exercise.checks[0].name, exercise.checks[1].name
    attempt = _Attempt()
    for event in (protocol.CheckVerdict(first, "passed"), protocol.CheckVerdict(first, "passed")):
        _handle_event(protocol.encode(event, "n").encode(), "n", attempt)
    found = _take_verdicts(exercise, attempt, [first, second], {})
    assert found is not None and f"a second verdict for the check {first}" in found.en and first in found.zh

    attempt = _Attempt()
    _handle_event(protocol.encode(protocol.CheckVerdict(second, "passed"), "n").encode(), "n", attempt)
    found = _take_verdicts(exercise, attempt, [first], {})
    assert found is not None and f"a verdict for {second}, a check this run did not ask for" in found.en and second in found.zh


def test_learner_cannot_read_stdin_forever(tmp_path: Path) -> None:
    file = tmp_path / "reads.py"
    file.write_text("def gradient_of(f, x):\n    input('?')\n", encoding="utf-8")
    report = grade_file("autograd/gradient_of", file, timeout_s=20)
    assert report.score == 0
    assert "EOFError" in report.checks[0].message.en


def test_runaway_recursion_gets_no_points_and_a_verdict() -> None:
    report = grade_file("autograd/no_grad", HOSTILE / "recursion.py", timeout_s=8, memory_mb=512)
    got = outcomes(report)
    assert {got[name] for name in PREDICT} <= {"timeout", "error"}
    assert sum(c.points for c in report.checks if c.name in PREDICT) == 0


def test_child_env_is_hermetic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Third-party pytest plugins must not load in the child (speed and isolation), whatever the parent's env."""
    from torchdojo.core.launch import child_env

    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    env = child_env()
    assert env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1" and env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_the_checks_seed_exactly_as_torch_manual_seed_does() -> None:
    """support.manual_seed skips only the queued accelerator seeds: the CPU stream it starts is torch.manual_seed's."""
    import torch

    from torchdojo.checks.support import manual_seed

    for seed in (0, 7, 2**40 + 3):
        torch.manual_seed(seed)
        expected = (torch.rand(5), torch.randint(0, 1000, (4,)), torch.initial_seed())
        generator = manual_seed(seed)
        assert generator is torch.default_generator
        got = (torch.rand(5), torch.randint(0, 1000, (4,)), torch.initial_seed())
        assert torch.equal(got[0], expected[0]) and torch.equal(got[1], expected[1]) and got[2] == expected[2] == seed


def _resident_pages_and_mode(buffer: Any) -> tuple[int, str]:
    """How many of `buffer`'s pages are resident (/proc/self/pagemap's present bit), and the mode of the mapping
    it lies in. By address, not by a mapping's size: the kernel may merge a new mapping with its neighbour."""
    import ctypes
    import mmap
    import struct

    first = ctypes.c_char.from_buffer(buffer)
    address = ctypes.addressof(first)
    del first  # an exported pointer would keep the buffer from closing
    pages = len(buffer) // mmap.PAGESIZE
    with open("/proc/self/pagemap", "rb") as pagemap:
        pagemap.seek(address // mmap.PAGESIZE * 8)
        entries = pagemap.read(pages * 8)
    resident = sum(entry >> 63 & 1 for (entry,) in struct.iter_unpack("<Q", entries))
    for line in Path("/proc/self/maps").read_text(encoding="utf-8").splitlines():
        span, mode = line.split()[:2]
        start, end = (int(part, 16) for part in span.split("-"))
        if start <= address < end:
            return resident, mode
    raise AssertionError("the buffer is in no mapping")


def test_memory_reserve_is_held_without_touching_its_pages() -> None:
    """The child's MemoryError reserve is a private writable mapping (RLIMIT_DATA counts it from the start) of which
    no page is resident until written: holding it costs no zeroing."""
    import mmap

    from torchdojo.core.child import _memory_reserve

    reserve = _memory_reserve()
    assert isinstance(reserve, mmap.mmap) and len(reserve) == 16 << 20
    assert _resident_pages_and_mode(reserve) == (0, "rw-p")
    reserve[mmap.PAGESIZE * 3] = 1  # the measure can tell: one page written, one page resident
    assert _resident_pages_and_mode(reserve) == (1, "rw-p")
    reserve.close()


def test_a_batch_row_of_a_tampered_run_says_what_was_found(tmp_path: Path) -> None:
    """grade-batch's row (and so the CSV's flags column and the class report) carries the run's finding for the
    teacher's review, not only the status."""
    import shutil

    from torchdojo.teacher.batch import grade_task, plan

    catalog = load_catalog()
    exercise = catalog.resolve("autograd/no_grad")
    target = tmp_path / "class" / "dan" / "exercises" / exercise.file
    target.parent.mkdir(parents=True)
    shutil.copyfile(HOSTILE / "fake_report.py", target)
    (task,) = plan(tmp_path / "class", catalog, [exercise])
    row = grade_task(task, Limits(timeout_s=60))
    assert row.status == "tampered" and row.score == 0
    assert row.flags == ["Tampering detected: the grading channel received a line the grader did not write. No points for this run."]

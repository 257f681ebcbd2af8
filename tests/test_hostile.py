"""The hostile corpus, graded through the real CLI in a real workspace: every case gets zero points
for what it broke, a specific verdict, no leftover process, and leaves every file as it was
(the progress file gains exactly one attempt)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli
from torchdojo.core.catalog import load_catalog
from torchdojo.record.workspace import init_workspace

pytestmark = pytest.mark.xdist_group("hostile")
# 25 s for the whole exercise: a crash re-runs the checks it did not reach in a fresh
# interpreter (each paying `import torch`), so crash cases need room beyond one cold start.
HOSTILE = FIXTURES / "hostile"
TARGET = Path("exercises") / "01_autograd" / "04_no_grad.py"
# The hostile code lives in predict_no_grad: the checks that call it, and every check of the exercise.
EVERY = {c.name for c in load_catalog().resolve("autograd/no_grad").checks}
PREDICT = {name for name in EVERY if name.startswith("predict")}

# fixture -> (checks that must score 0, outcome they get, words the message must contain)
CASES: dict[str, tuple[set[str], str, str]] = {
    "loop": (EVERY, "timeout", "25 s"),
    "ignore_signals": (EVERY, "timeout", "25 s"),
    "memory_hog": (PREDICT, "error", "memory"),
    # Runaway recursion (limit lifted) fills the memory cap or the time limit first, depending on the machine.
    "recursion": (PREDICT, "exhausted", "memory|25 s"),
    "sys_exit_call": (PREDICT, "error", "sys.exit(0)"),
    "exit_at_import": (EVERY, "error", "sys.exit(0)"),
    "os_exit_call": (PREDICT, "error", "exited with code 3"),
    "os_exit_at_import": (EVERY, "error", "ended the process early"),
    "keyboard_interrupt": (PREDICT, "error", "KeyboardInterrupt"),
    "interrupt_at_import": (EVERY, "error", "KeyboardInterrupt"),
    "base_exception": (PREDICT, "error", "BaseException"),
    "segfault": (PREDICT, "error", "signal 11, SIGSEGV"),
    "fork_orphan": (set(), "passed", ""),
    "flood": (set(), "passed", ""),
    "fake_report": (EVERY, "error", "Tampering detected"),
    "patch_allclose": (EVERY, "error", "Tampering detected"),
    "patch_equal": (EVERY, "error", "Tampering detected"),
    "patch_builtins": (EVERY, "error", "Tampering detected"),
    "patch_pytest": (EVERY, "error", "Tampering detected"),
    "patch_harness": (EVERY, "error", "Tampering detected"),
    "patch_replay": (EVERY, "error", "Tampering detected"),
    "swap_compare": (EVERY, "error", "Tampering detected"),
    "patch_finish": (EVERY, "error", "Tampering detected"),
    "patch_channel": (EVERY, "error", "Tampering detected"),
    "delete_catalog": (PREDICT, "error", "is not allowed while grading"),
    "overwrite_checks": (PREDICT, "error", "is not allowed while grading"),
    "read_solutions": (PREDICT, "error", "reading"),
    "write_progress": (EVERY, "error", "is not allowed while grading"),
    "syntax_error": (EVERY, "error", "SyntaxError"),
    "not_utf8": (EVERY, "error", "SyntaxError"),
    "empty": (EVERY, "error", "does not define"),
}


def tree_digest(*folders: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    digests = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not any(path.name.startswith(s) for s in skip):
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def grading_processes(workspace: Path) -> set[str]:
    """Live grading processes (and anything they forked) for files in `workspace`; zombies excluded."""
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
            alive = "State:\tZ" not in (proc / "status").read_text()
        except OSError:
            continue
        if b"torchdojo.core.child" in argv and any(str(workspace).encode() in arg for arg in argv) and alive:
            found.add(proc.name)
    return found


def test_corpus_covers_every_fixture() -> None:
    assert set(CASES) == {p.stem for p in HOSTILE.glob("*.py")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_submission(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    zeroed, outcome, words = CASES[case]
    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    record = workspace / ".torchdojo" / "progress.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.write_text('{"schema_version": 2, "exercise_attempts": []}', encoding="utf-8")
    shutil.copyfile(HOSTILE / f"{case}.py", workspace / TARGET)
    protected = (ROOT / "grader", ROOT / "quizzes", ROOT / "solutions", ROOT / "exercises", workspace / "exercises")
    before = tree_digest(*protected)

    done = run_cli(
        "check",
        "autograd/no_grad",
        "--json",
        "--timeout",
        "25",
        "--memory-mb",
        "1024",
        cwd=workspace,
        env={"TORCHDOJO_TEST_PIDFILE": str(tmp_path / "orphan.pid")},
        timeout=120,
    )

    assert done.returncode in (0, 1), done.stderr  # a verdict, never a grader crash
    report = json.loads(done.stdout)
    by_name = {c["name"]: c for c in report["checks"]}
    for name, check in by_name.items():
        if name in zeroed:
            # a refused read inside a check is the learner's error, reported as a failed comparison or as an error
            allowed = {"error", "timeout"} if outcome == "exhausted" else {outcome, "failed"} if outcome == "error" else {outcome}
            assert check["points"] == 0 and check["outcome"] in allowed, check
            assert any(w in check["message"] for w in words.split("|")), check
        elif outcome == "exhausted":  # a correct function may still be reached only after the time limit
            assert check["outcome"] in ("passed", "timeout"), check
        else:
            assert check["outcome"] == "passed", check
    assert report["score"] == sum(c["max_points"] for c in by_name.values() if c["outcome"] == "passed")
    assert tree_digest(*protected) == before, "project files changed"
    attempts = json.loads(record.read_text(encoding="utf-8"))["exercise_attempts"]
    assert len(attempts) == 1 and attempts[0]["score"] == report["score"]
    assert grading_processes(workspace) == set(), "a grading process was left behind"
    still_there = run_cli("check", "autograd/vjp", "--json", "--file", str(ROOT / "solutions" / "01_autograd" / "05_vjp.py"), cwd=workspace)
    after = json.loads(still_there.stdout)
    assert after["score"] == after["max_score"] > 0  # the grader still works

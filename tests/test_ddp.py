"""devices/ddp end to end: the checks name each mistake's cause, the ranks keep the grading child's guard,
and the exercise is graded for real inside the bubblewrap sandbox too (loopback only, its own PID namespace).

The three-way grading (solution, stub, fixtures) is tests/test_exercises.py's; tests/test_distributed_ranks.py
tests the fork/join helper itself.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, grade_file
from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import Limits, grade

EXERCISE = "devices/ddp"
FOLDER = FIXTURES / "devices" / "ddp"
REFERENCE = ROOT / "solutions" / "03_devices" / "10_ddp.py"


# fixture, the check, words its message must contain
CAUSES = [
    ("wrong_no_sampler.py", "shards_the_data", ["Each rank trained on the whole dataset", "sampler=sampler"]),
    ("wrong_no_set_epoch.py", "shards_the_data", ["Every epoch has the same order", "set_epoch(epoch)"]),
    ("wrong_seed_per_rank.py", "shards_the_data", ["shares overlap", "the same seed"]),
    ("wrong_no_ddp.py", "trains_like_reference", ["drifted apart", "DistributedDataParallel"]),
    ("wrong_no_broadcast.py", "ranks_in_sync", ["the parameters its first forward pass used", "rank 0's parameters"]),
]


@pytest.mark.parametrize(("fixture", "check", "words"), CAUSES, ids=[c[0].removesuffix(".py") for c in CAUSES])
def test_message_names_the_cause(fixture: str, check: str, words: list[str]) -> None:
    report = grade_file(EXERCISE, FOLDER / fixture)
    result = next(c for c in report.checks if c.name == check)
    assert result.outcome == "failed"
    assert result.message is not None
    for word in words:
        assert word in result.message.en, result.message.en


def test_a_rank_cannot_read_the_reference(tmp_path: Path) -> None:
    """The forked ranks keep the grading child's audit-hook guard (spawned ones would not)."""
    submission = tmp_path / "10_ddp.py"
    submission.write_text(
        (ROOT / "exercises" / "03_devices" / "10_ddp.py")
        .read_text(encoding="utf-8")
        .replace(
            '    raise NotImplementedError("train_on_rank is not written yet / train_on_rank 还没有完成")',
            f"    return [float(len(open({str(REFERENCE)!r}).read()))]",
        ),
        encoding="utf-8",
    )
    report = grade_file(EXERCISE, submission)
    assert report.score == 0
    messages = [c.message.en for c in report.checks if c.message is not None]
    assert messages and all("PermissionError" in m and "not allowed while grading" in m for m in messages), messages


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="bubblewrap (bwrap) is not installed")
@pytest.mark.timeout(240)
def test_reference_full_marks_in_the_sandbox() -> None:
    report = grade(load_catalog().resolve(EXERCISE), REFERENCE, Limits(sandbox=True, timeout_s=90))
    assert report.status == "ok" and report.score == report.max_score > 0, report.checks

"""The hand-in round trip: workspace -> `torchdojo submit` -> LMS download -> `grade-batch` -> the same scores.

One exercise, two students and one malformed archive: four gradings in all.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.test_intake import MALFORMED
from torchdojo.cli import main
from torchdojo.core.catalog import Catalog
from torchdojo.core.runner import Limits, grade
from torchdojo.record.workspace import init_workspace

LEAF_ID = "autograd/leaf_tensors"
LEAF = "01_autograd/01_leaf_tensors.py"
pytestmark = pytest.mark.xdist_group("handin_batch")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_submit_then_grade_batch_on_archives_gives_the_direct_scores(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("TORCHDOJO_PROGRESS", "TORCHDOJO_WORKSPACE", "TORCHDOJO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    learners = {"s-ada": ROOT / "solutions" / LEAF, "s-bo": FIXTURES / "autograd" / "leaf_tensors" / "wrong_float64.py"}
    archives = {}
    for student, source in learners.items():
        workspace = tmp_path / "learners" / student
        init_workspace(workspace, catalog)
        shutil.copyfile(source, workspace / "exercises" / LEAF)
        monkeypatch.chdir(workspace)
        assert main(["submit", "--student", student, "--out", "hand-in.zip"]) == 0
        archives[student] = workspace / "hand-in.zip"
    said = capsys.readouterr().out
    assert "exercises/01_autograd/01_leaf_tensors.py" in said and "hand-in.zip" in said

    # What the teacher downloads: Canvas names files, Moodle makes a folder per student.
    batch = tmp_path / "class"
    batch.mkdir()
    shutil.copyfile(archives["s-ada"], batch / "lovelaceada_LATE_1001_5551_hand-in.zip")
    moodle = batch / "Bo Li_2002_assignsubmission_file_"
    moodle.mkdir()
    shutil.copyfile(archives["s-bo"], moodle / "hand-in.zip")
    (batch / "mallory_3003_5553_hand-in.zip").write_bytes(MALFORMED["traversal"][0])
    before = _tree(tmp_path)

    monkeypatch.chdir(tmp_path)
    code = main(["grade-batch", "class", "--out", "grades.json", "--topics", LEAF_ID, "--jobs", "2", "--deadline", "2000-01-01", "--work-dir", "work"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    rows = {row["student"]: row for row in json.loads((tmp_path / "grades.json").read_text(encoding="utf-8"))["rows"]}
    after = _tree(tmp_path)
    assert {name: after[name] for name in before} == before  # nothing handed in was changed
    assert {name.split("/")[0] for name in set(after) - set(before)} == {"grades.json", "work"}  # only the output and the work dir

    exercise = catalog.resolve(LEAF_ID)
    for student, source in learners.items():
        direct = grade(exercise, source, Limits())
        row = rows[student]
        assert row["status"] == "ok" and (row["score"], row["max_score"]) == (direct.score, direct.max_score), student
        failed = [c.name for c in direct.checks if c.outcome not in ("passed", "needs_gpu", "not_graded")]
        assert row["failed_checks"] == failed
    assert rows["s-ada"]["score"] == rows["s-ada"]["max_score"] > rows["s-bo"]["score"]

    # The ids the LMS carries, for the gradebook exports; lateness listed, no penalty.
    assert (rows["s-ada"]["lms"], rows["s-ada"]["student_id"], rows["s-ada"]["display_name"]) == ("canvas", "1001", "lovelaceada")
    assert (rows["s-bo"]["lms"], rows["s-bo"]["student_id"], rows["s-bo"]["display_name"]) == ("moodle", "2002", "Bo Li")
    assert rows["s-ada"]["late"] and rows["s-bo"]["late"] and rows["s-ada"]["submitted_at"]
    assert rows["t1"]["status"] == "rejected" and rows["t1"]["score"] == 0 and "unsafe_path" in rows["t1"]["flags"][0]
    assert "unsafe_path: t1 <- mallory_3003_5553_hand-in.zip" in out and "Canvas marked it LATE" in out

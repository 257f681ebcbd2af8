"""The real nbgrader on a generated course: nine kinds of submission get the expected scores from
`nbgrader autograde`, the feedback names failing checks, and `grade-batch` gives exactly the same scores."""

from __future__ import annotations

import csv
import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.nbgrader_support import TAMPERED, expected_scores, write_submitted

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("nbgrader"), pytest.mark.timeout(1500)]
CHECK_TIMEOUT = 20  # seconds for one notebook's checks; autograde's cell timeout is set a little above


def nbgrader(course: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """nbgrader as a teacher runs it: from the course folder, with the grading environment on PATH."""
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    course = tmp_path_factory.mktemp("course")
    built = run_cli("course", "build", str(course), "--topics", "autograd/gradient_of", "--timeout", str(CHECK_TIMEOUT))
    assert built.returncode == 0, built.stderr
    generated = nbgrader(course, "generate_assignment", "autograd", "--force")
    assert generated.returncode == 0, generated.stderr
    release = course / "release" / "autograd" / "gradient_of.ipynb"
    write_submitted(release, course / "submitted", "autograd")
    graded = nbgrader(course, "autograde", "autograd", "--create", "--force", f"--Execute.timeout={CHECK_TIMEOUT + 4}", timeout=900)
    assert graded.returncode == 0, graded.stderr[-3000:]
    return course


def test_release_hides_solutions_and_hidden_tests(graded_course: Path) -> None:
    release = json.loads((graded_course / "release" / "autograd" / "gradient_of.ipynb").read_text(encoding="utf-8"))
    text = json.dumps(release)
    assert "raise NotImplementedError()" in text and "torch.autograd.grad" not in text
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in release["cells"]]
    calls = [src for src in sources if 'check("autograd/gradient_of"' in src]
    assert calls and any('"correct_gradient"' in src for src in calls)  # the public checks are there...
    assert not any('"result_is_plain_tensor"' in src for src in sources)  # ...the hidden one's call is stripped
    assert all(not c.get("outputs") for c in release["cells"] if c["cell_type"] == "code")  # nothing printed is stored


def test_autograde_scores(graded_course: Path) -> None:
    exported = nbgrader(graded_course, "export", "--to", str(graded_course / "grades.csv"))
    assert exported.returncode == 0, exported.stderr
    with (graded_course / "grades.csv").open(encoding="utf-8") as handle:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert scores == {student: float(points) for student, points in expected_scores().items()}


def test_feedback_names_the_failing_checks(graded_course: Path) -> None:
    done = nbgrader(graded_course, "generate_feedback", "autograd", "--force")
    assert done.returncode == 0, done.stderr
    partly = _visible_text(graded_course / "feedback" / "partly" / "autograd" / "gradient_of.html")
    assert "[caller_tensor_untouched] With f(x) = " in partly and "requires_grad" in partly
    assert "Score: 0.0 / 2.0" in partly
    full = _visible_text(graded_course / "feedback" / "full" / "autograd" / "gradient_of.html")
    assert "CheckFailed" not in full


def _visible_text(path: Path) -> str:
    """The feedback page as a reader sees it (tags and syntax-highlighting spans removed)."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_grade_batch_agrees_with_nbgrader(graded_course: Path) -> None:
    out = graded_course / "batch.json"
    done = run_cli("grade-batch", str(graded_course / "submitted"), "--out", str(out), "--timeout", str(CHECK_TIMEOUT), timeout=600)
    assert done.returncode == 0, done.stderr
    rows = json.loads(out.read_text(encoding="utf-8"))["rows"]
    assert {r["student"]: r["score"] for r in rows} == expected_scores()
    status = {r["student"]: r["status"] for r in rows}
    assert status["loop"] == "timeout" and status["swallow"] == "timeout" and status["full"] == "ok"
    assert {student for student, s in status.items() if s == "tampered"} == TAMPERED
    agreed = run_cli(
        "grade-batch",
        str(graded_course / "submitted"),
        "--out",
        str(graded_course / "again.csv"),
        "--timeout",
        str(CHECK_TIMEOUT),
        "--compare-gradebook",
        str(graded_course / "gradebook.db"),
        timeout=600,
    )
    assert agreed.returncode == 0, agreed.stdout + agreed.stderr
    assert "agrees on all" in agreed.stdout + agreed.stderr


def test_kernel_tricks_score_zero_under_autograde(graded_course: Path) -> None:
    """Scores come from the isolated runner: a student cell that fakes the test cells in the kernel gains nothing."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded_course / 'gradebook.db'}") as gradebook:
        for student in ("trick_check", "trick_modules", "trick_errors"):
            assert gradebook.find_submission_notebook("gradient_of", "autograd", student).score == 0, student


def test_course_build_is_idempotent(graded_course: Path) -> None:
    notebook = graded_course / "source" / "autograd" / "gradient_of.ipynb"
    before = notebook.read_bytes(), (graded_course / "nbgrader_config.py").read_bytes()
    again = run_cli("course", "build", str(graded_course), "--topics", "autograd/gradient_of", "--timeout", str(CHECK_TIMEOUT))
    assert again.returncode == 0
    assert (notebook.read_bytes(), (graded_course / "nbgrader_config.py").read_bytes()) == before


def test_course_check_passes_on_a_good_course_and_fails_on_a_broken_one(tmp_path: Path) -> None:
    course = tmp_path / "course"
    assert run_cli("course", "build", str(course), "--topics", "autograd/no_grad", "--timeout", "20").returncode == 0
    good = run_cli("course", "check", str(course), timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Every source notebook validates" in good.stdout
    notebook = course / "source" / "autograd" / "no_grad.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    solution = next(c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    solution["source"] = solution["source"].replace("x * x.detach()", "x * x")  # a wrong reference solution
    notebook.write_text(json.dumps(data), encoding="utf-8")
    bad = run_cli("course", "check", str(course), timeout=300)
    assert bad.returncode == 1
    assert "autograd/no_grad.ipynb: failed cell" in bad.stderr and "detached_product_gradient" in bad.stderr

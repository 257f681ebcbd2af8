"""grade-batch's outputs end to end: the real command on a tiny class, nbgrader's gradebook through
nbgrader's own API, refusals before grading, progress lines in a log, and the report in headless Chromium."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from torchdojo.core.catalog import load_catalog
from torchdojo.core.report import CheckResult
from torchdojo.teacher.batch import BatchRow

pytestmark = pytest.mark.xdist_group("grade_batch_outputs")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


NOTEBOOK_EXERCISE = "autograd/gradient_of"  # a notebook whose reference passes (course check executes it)


def first_exercise():
    return load_catalog().exercises[0]  # whatever the catalog lists first, with its checks of today


def rows_for(exercise, results: dict[str, set[str]], tampered: AbstractSet[str] = frozenset()) -> list[BatchRow]:
    rows = []
    for student, failing in results.items():
        checks = [
            CheckResult(
                name=c.name,
                title=c.title,
                outcome="failed" if c.name in failing else "passed",
                points=0 if c.name in failing else c.points,
                max_points=c.points,
            )
            for c in exercise.checks
            if not c.needs_gpu
        ]
        rows.append(
            BatchRow(
                student=student,
                exercise=exercise.id,
                status="tampered" if student in tampered else "ok",
                score=sum(c.points for c in checks),
                max_score=sum(c.max_points for c in checks),
                failed_checks=sorted(failing),
                source="",
                checks=checks,
                flags=["edited a locked cell"] if student in tampered else [],
            )
        )
    return rows


def test_to_gradebook_is_visible_through_nbgraders_api(tmp_path: Path) -> None:
    from nbgrader.api import Gradebook
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from torchdojo.teacher.course import build
    from torchdojo.teacher.gradebook_sync import find_course, write_to_gradebook

    catalog = load_catalog()
    exercise = first_exercise()
    course = tmp_path / "course"
    build(course, catalog, [exercise.id])
    first = exercise.checks[0]
    for student in ("ann", "ben", "cat"):  # as `nbgrader collect` leaves them
        folder = course / "submitted" / student / exercise.topic
        folder.mkdir(parents=True)
        shutil.copyfile(course / "source" / exercise.topic / f"{exercise.name}.ipynb", folder / f"{exercise.name}.ipynb")
        (folder / "timestamp.txt").write_text("2026-03-01 10:00:00.000000 UTC", encoding="utf-8")
    rows = rows_for(exercise, {"ann": set(), "ben": {first.name}, "cat": set()}, tampered={"cat"})
    for row in rows:
        row.source = str(course / "submitted" / row.student / exercise.topic / f"{exercise.name}.ipynb")
    assert find_course(course / "submitted", None) == course.resolve()
    result = write_to_gradebook(rows, catalog, course)
    assert (result.written, result.flagged, result.skipped) == (3, 1, [])
    again = write_to_gradebook(rows, catalog, course)  # idempotent; the assignment exists now
    assert (again.written, again.created_assignments) == (3, [])

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert gradebook.find_submission_notebook(exercise.name, exercise.topic, "ben").score == rows[1].score
        assert gradebook.find_submission_notebook(exercise.name, exercise.topic, "cat").flagged
        grade = gradebook.find_grade(f"{exercise.name}-{first.name}", exercise.name, exercise.topic, "ben")
        assert (grade.score, grade.max_score) == (0, first.points)
    api = NbGraderAPI(coursedir=CourseDirectory(root=str(course)))
    assert api.get_autograded_students(exercise.topic) == {"ann", "ben", "cat"}  # what formgrader lists as graded
    shown = api.get_submission(exercise.topic, "ann")
    assert shown["autograded"] and shown["score"] == exercise.max_score - sum(c.points for c in exercise.checks if c.needs_gpu)
    assert api.get_submission(exercise.topic, "ben")["score"] == rows[1].score


def test_to_gradebook_needs_a_course(tmp_path: Path) -> None:
    from torchdojo.teacher.exports import OutputError
    from torchdojo.teacher.gradebook_sync import find_course

    (tmp_path / "submitted").mkdir()
    with pytest.raises(OutputError) as caught:
        find_course(tmp_path / "submitted", None)
    assert "nbgrader course folder" in caught.value.text.en and "--to-gradebook" in caught.value.text.zh


# -- the real command ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two students, one exercise: the reference solution and the untouched stub."""
    exercise = first_exercise()
    root = tmp_path_factory.mktemp("grade-batch-outputs")
    for student, source in (("ann", ROOT / "solutions" / exercise.file), ("ben", ROOT / "exercises" / exercise.file)):
        target = root / "class" / student / "exercises" / exercise.file
        target.parent.mkdir(parents=True)
        shutil.copyfile(source, target)
    (root / "roster.csv").write_text('folder,name,id,sis_user_id,section\nann,"Lee, Ann",101,S101,A\ncid,Cid,103,S103,B\n', encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def graded(tiny_class: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "grade-batch",
        "class",
        "--out",
        "out/grades.csv",
        "--export",
        "wide:out/wide.csv",
        "--export",
        "canvas:out/canvas.csv",
        "--export",
        "moodle:out/moodle.csv",
        "--roster",
        "roster.csv",
        "--report",
        "out/report.html",
        "--feedback",
        "out/feedback",
        "--jobs",
        "2",
        "--cold",
        cwd=tiny_class,
        env={"TORCHDOJO_PROGRESS_SECONDS": "1"},
        timeout=240,
    )


def test_every_output_is_written(tiny_class: Path, graded: subprocess.CompletedProcess[str]) -> None:
    assert graded.returncode == 0, graded.stdout + graded.stderr
    exercise = first_exercise()
    out = tiny_class / "out"
    with (out / "canvas.csv").open(encoding="utf-8", newline="") as handle:
        canvas = list(csv.reader(handle))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", exercise.topic]
    assert canvas[2][:2] == ["Lee, Ann", "101"] and canvas[2][5] == str(exercise.max_score - sum(c.points for c in exercise.checks if c.needs_gpu))
    with (out / "wide.csv").open(encoding="utf-8", newline="") as handle:
        wide = {row[0]: row for row in csv.reader(handle)}
    assert wide["ben"][-1] == "not in roster" and wide["cid"][-1] == "no submission" and wide["ben"][3] == "0"
    with (out / "grades.checks.csv").open(encoding="utf-8", newline="") as handle:
        checks = list(csv.DictReader(handle))
    assert {c["check"] for c in checks} == {c.name for c in exercise.checks}
    assert (out / "moodle.csv").read_text(encoding="utf-8").startswith("ID number,")
    with (out / "grades.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        grades = {row["student"]: row for row in reader}
    assert reader.fieldnames == [
        "student",
        "student_id",
        "name",
        "email",
        "exercise",
        "status",
        "score",
        "max_score",
        "failed_checks",
        "flags",
        "lms",
        "submitted_at",
        "late",
    ]
    assert (grades["ann"]["student_id"], grades["ann"]["name"], grades["ann"]["exercise"]) == ("ann", "Lee, Ann", exercise.id)
    assert (grades["ben"]["student_id"], grades["ben"]["name"], grades["ben"]["score"]) == ("ben", "", "0")  # not in the roster
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "http" not in report.lower() and "<svg" in report
    assert {p.name for p in (out / "feedback").iterdir()} == {"ann.html", "ann.md", "ben.html", "ben.md"}
    assert "not in the roster" in graded.stdout and "ben" in graded.stdout and "no submission" in graded.stdout and "cid" in graded.stdout


def test_progress_lines_in_a_log(graded: subprocess.CompletedProcess[str]) -> None:
    lines = [line for line in graded.stderr.splitlines() if line.startswith("grading: ")]
    assert lines and lines[-1].startswith("grading: 2/2 done (100%)"), graded.stderr
    assert "\r" not in graded.stderr and "\x1b[" not in graded.stderr  # no bar, no escape codes in a log


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--export", "excel:x.csv"), "FORMAT:FILE"),
        (("--export", "wide:same.csv", "--export", "canvas:same.csv"), "would both write"),
        (("--report", "report.pdf"), "report.html"),
        (("--roster", "missing.csv"), "Cannot read the roster"),
        (("--export", "wide:roster.csv", "--roster", "roster.csv"), "is the roster"),
        (("--report", "class/report.html"), "inside the submissions"),
        (("--to-gradebook",), "not an nbgrader course folder"),
        (("--threshold", "150"), "between 0 and 100"),
    ],
)
def test_bad_outputs_are_refused_before_grading(tiny_class: Path, args: tuple[str, ...], fragment: str) -> None:
    done = run_cli("grade-batch", "class", "--out", "out2/grades.csv", *args, cwd=tiny_class, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert fragment in done.stderr
    assert not (tiny_class / "out2").exists()  # nothing graded, nothing written
    assert "grading" not in done.stderr


def test_bad_output_message_in_chinese(tiny_class: Path) -> None:
    done = run_cli("grade-batch", "class", "--out", "out2/grades.csv", "--export", "excel:x.csv", "--lang", "zh", cwd=tiny_class, timeout=60)
    assert done.returncode == 2 and "应为 FORMAT:FILE" in done.stderr


def test_a_course_root_is_refused(tmp_path: Path) -> None:
    for name in ("source", "release", "submitted"):
        (tmp_path / "course" / name / "autograd").mkdir(parents=True)
    (tmp_path / "course" / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    done = run_cli("grade-batch", str(tmp_path / "course"), "--out", str(tmp_path / "g.csv"), timeout=60)
    assert done.returncode == 2
    assert "nbgrader course folder" in done.stderr and str(tmp_path / "course" / "submitted") in done.stderr.replace("\n", "")
    zh = run_cli("grade-batch", str(tmp_path / "course"), "--out", str(tmp_path / "g.csv"), "--lang", "zh", timeout=60)
    assert zh.returncode == 2 and "submitted/" in zh.stderr and "课程文件夹" in zh.stderr


def test_a_single_workspace_is_refused(tmp_path: Path) -> None:
    (tmp_path / "me" / "exercises" / "01_autograd").mkdir(parents=True)
    done = run_cli("grade-batch", str(tmp_path / "me"), "--out", str(tmp_path / "g.csv"), timeout=60)
    assert done.returncode == 2 and "one learner's workspace" in done.stderr


def test_help_shows_teacher_options_only() -> None:
    done = run_cli("grade-batch", "--help", timeout=60)
    assert done.returncode == 0
    for option in ("--export", "--roster", "--to-gradebook", "--report", "--feedback", "--release", "--threshold", "--lang"):
        assert option in done.stdout
    assert "--progress" not in done.stdout


def test_json_out_carries_the_checks(tiny_class: Path) -> None:
    from torchdojo.teacher.batch import write_rows

    rows = rows_for(first_exercise(), {"ann": set()})
    write_rows(rows, tiny_class / "g.json")
    data = json.loads((tiny_class / "g.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in data["rows"][0]["checks"]] == [c.name for c in first_exercise().checks if not c.needs_gpu]


# -- headless Chromium -----------------------------------------------------------------------


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium is not installed (CI installs it: apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(tiny_class: Path, graded: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    assert graded.returncode == 0
    shot = tmp_path / "report.png"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "report_screenshot.py"),
            "--report",
            str(tiny_class / "out" / "report.html"),
            "--png",
            str(shot),
            "--dom",
            str(tmp_path / "dom.html"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    dom = (tmp_path / "dom.html").read_text(encoding="utf-8")
    assert dom.count("<svg") == 3 and 'id="most-failed"' in dom  # Chromium parsed it: the charts are in its DOM
    feedback = tiny_class / "out" / "feedback" / "ben.html"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "report_screenshot.py"),
            "--report",
            str(feedback),
            "--png",
            str(tmp_path / "ben.png"),
            "--dom",
            str(tmp_path / "ben-dom.html"),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "Feedback for ben" in (tmp_path / "ben-dom.html").read_text(encoding="utf-8")


def test_no_chromium_profile_left_behind() -> None:
    leftovers = [p for p in Path(tempfile.gettempdir()).glob("torchdojo-chromium-*") if p.stat().st_uid == os.getuid()]
    assert not leftovers


# -- course check: a line in logs, no kernel transport warning, a SyntaxError named as one ------


def test_course_check_in_a_log_and_a_syntax_error(tmp_path: Path) -> None:
    exercise = load_catalog().resolve(NOTEBOOK_EXERCISE)
    course = tmp_path / "course"
    assert run_cli("course", "build", str(course), "--topics", exercise.id, "--timeout", "60").returncode == 0  # room for a busy machine
    good = run_cli("course", "check", str(course), env={"TORCHDOJO_PROGRESS_SECONDS": "1"}, timeout=300)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "validating: 1/1 done (100%)" in good.stderr and "TCP" not in good.stderr and "\x1b[" not in good.stderr
    notebook = course / "source" / exercise.topic / f"{exercise.name}.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    solution = next(c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    lines = solution["source"].splitlines()
    lines.insert(2, "def broken(:")
    solution["source"] = "\n".join(lines)
    notebook.write_text(json.dumps(data), encoding="utf-8")
    bad = run_cli("course", "check", str(course), timeout=120)
    assert bad.returncode == 1
    assert f"{exercise.name}.ipynb: SyntaxError in {exercise.name}-solution, line 3" in bad.stderr.replace("\n", " ")
    assert "does not define" not in bad.stderr and bad.stderr.count("✗") == 1


def test_course_build_says_what_happens_to_other_notebooks_and_ignores_student_work(tmp_path: Path) -> None:
    first, second = load_catalog().exercises[:2]
    course = tmp_path / "course"
    assert run_cli("course", "build", str(course), "--topics", first.id).returncode == 0
    again = run_cli("course", "build", str(course), "--topics", second.id)
    assert again.returncode == 0
    assert "Left as they were" in again.stdout and f"{first.topic}/{first.name}.ipynb" in again.stdout
    ignored = (course / ".gitignore").read_text(encoding="utf-8").split()
    assert {"gradebook.db", "submitted/", "autograded/", "feedback/"} <= set(ignored)


# -- nbgrader's feedback pages -------------------------------------------------------------------


def test_nbgrader_feedback_names_checks_and_wraps_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config.loader import PyFileConfigLoader

    from torchdojo.teacher.course import build, notebook

    exercise = first_exercise()
    course = tmp_path / "course"
    build(course, load_catalog(), [exercise.id])
    monkeypatch.setattr(sys, "argv", ["nbgrader", "generate_feedback", exercise.topic])  # the config applies to that command only
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.HTMLExporter.template_name == "torchdojo_feedback"
    monkeypatch.setattr(sys, "argv", ["nbgrader", "formgrader"])
    assert "template_name" not in PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config().HTMLExporter
    monkeypatch.setattr(sys, "argv", ["nbgrader", "generate_feedback", exercise.topic])
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    static = Path(__import__("nbgrader").__file__).parent / "server_extensions" / "formgrader" / "static" / "node_modules" / "bootstrap" / "dist" / "css"
    config.HTMLExporter.extra_template_paths = [str(static)]  # what nbgrader's GenerateFeedback adds
    nb = nbformat.from_dict(notebook(exercise, 60.0))
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            meta["score"] = 0
            cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed", evalue="x" * 400, traceback=["CheckFailed: " + "x" * 400])]
    html, _ = HTMLExporter(config=config).from_notebook_node(
        nb, resources={"nbgrader": {"notebook": exercise.name, "score": 0, "max_score": 8, "late_penalty": 0}}
    )
    assert "Test cell" not in html and "Grade cell:" not in html
    assert exercise.checks[0].title.en in html
    assert "white-space: pre-wrap" in html


def test_graded_summary_has_no_public_checks_only_line() -> None:
    from torchdojo.core.report import Report
    from torchdojo.teacher.autograde import _summary_outputs

    exercise = first_exercise()
    rows = rows_for(exercise, {"ann": {exercise.checks[0].name}})
    report = Report(exercise=exercise.id, file="x.py", checks=rows[0].checks)
    text = _summary_outputs({exercise.id: report})[0]["text"]
    counted = len([c for c in exercise.checks if not c.needs_gpu])
    assert f"Graded: {counted - 1}/{counted} checks passed" in text and "hidden checks included" in text and "含隐藏检查" in text
    assert "public checks only" not in text.lower() and "只运行公开检查" not in text  # notebook.summary's line, either language

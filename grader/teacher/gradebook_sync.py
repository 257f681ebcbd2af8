"""`grade-batch --to-gradebook`: the batch's scores written into an nbgrader course's gradebook.

Assignments are topics, notebooks are exercise names and grade cells are
`<exercise>-<check>`, as `torchdojo course build` lays them out. For formgrader
to show a submission as graded, nbgrader wants three things: the submission in
the gradebook, a folder `autograded/<student>/<assignment>/`, and the same
timestamp as `submitted/` — this module provides all three. Existing autograded
notebooks are never overwritten; where none exists the submitted notebook is
copied there so formgrader can open it.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.core.catalog import Catalog
from torchdojo.i18n import t
from torchdojo.teacher.batch import BatchRow
from torchdojo.teacher.exports import OutputError


@dataclass
class GradebookResult:
    written: int = 0  # submissions (student × exercise) written
    flagged: int = 0  # tampered submissions flagged in the gradebook
    created_assignments: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "student exercise check: why"


def find_course(submissions: Path, given: str | None) -> Path:
    """The course folder: the one given, or the parent of an nbgrader `submitted/` folder."""
    from torchdojo.teacher.course import require_nbgrader

    require_nbgrader()  # checked before grading, not after the whole batch
    course = Path(given).expanduser() if given else submissions.resolve().parent
    if not course.is_dir() or not ((course / "nbgrader_config.py").is_file() or (course / "gradebook.db").is_file()):
        hint = "" if given else " (the folder above the submissions)"
        hint_zh = "" if given else "(提交文件夹的上一级)"
        raise OutputError(
            t(
                f"--to-gradebook: {course}{hint} is not an nbgrader course folder (no nbgrader_config.py or gradebook.db). "
                "Pass the course folder: --to-gradebook ~/course.",
                f"--to-gradebook:{course}{hint_zh} 不是 nbgrader 课程文件夹(没有 nbgrader_config.py 或 gradebook.db)。"
                "请传入课程文件夹:--to-gradebook ~/course。",
            )
        )
    return course.resolve()


def _timestamp(course: Path, student: str, assignment: str):  # -> datetime | None
    from nbgrader.utils import parse_utc

    stamp = course / "submitted" / student / assignment / "timestamp.txt"
    try:
        return parse_utc(stamp.read_text(encoding="utf-8").strip()) if stamp.is_file() else None
    except (OSError, ValueError):
        return None


def _alembic_on_path() -> None:
    """nbgrader runs `alembic` by name to create a gradebook: find it next to this interpreter too."""
    here = str(Path(sys.executable).parent)
    if shutil.which("alembic") is None and (Path(here) / "alembic").exists():
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def write_to_gradebook(rows: list[BatchRow], catalog: Catalog, course: Path) -> GradebookResult:
    from nbgrader.api import Gradebook, MissingEntry

    _alembic_on_path()
    with warnings.catch_warnings():  # nbgrader's own add_submission trips SQLAlchemy's autoflush warnings
        warnings.simplefilter("ignore")
        return _write(rows, catalog, course, Gradebook, MissingEntry)


def _write(rows: list[BatchRow], catalog: Catalog, course: Path, Gradebook: type, MissingEntry: type[Exception]) -> GradebookResult:  # noqa: N803  # nbgrader's classes, under their own names
    result = GradebookResult()
    graded = [row for row in rows if row.status != "missing" and row.exercise in catalog.by_id]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for topic in dict.fromkeys(row.exercise.split("/")[0] for row in graded):
            try:
                gradebook.find_assignment(topic)
            except MissingEntry:  # never generated here: lay it out as `course build` does
                gradebook.update_or_create_assignment(topic)
                for exercise in (e for e in catalog.exercises if e.topic == topic):
                    gradebook.update_or_create_notebook(exercise.name, topic)
                    for spec in exercise.checks:
                        if not spec.needs_gpu:
                            gradebook.update_or_create_grade_cell(f"{exercise.name}-{spec.name}", exercise.name, topic, max_score=spec.points, cell_type="code")
                result.created_assignments.append(topic)
        for row in graded:
            topic, name = row.exercise.split("/", 1)
            gradebook.update_or_create_student(row.student)
            timestamp = _timestamp(course, row.student, topic)
            try:
                gradebook.find_submission(topic, row.student)
            except MissingEntry:
                gradebook.add_submission(topic, row.student, timestamp=timestamp)
            else:
                gradebook.update_or_create_submission(topic, row.student, timestamp=timestamp)
            try:
                notebook = gradebook.find_submission_notebook(name, topic, row.student)
            except MissingEntry:
                result.skipped.append(f"{row.student} {row.exercise}: no notebook {name} in assignment {topic} of the gradebook")
                continue
            for check in row.checks:
                try:
                    grade = gradebook.find_grade(f"{name}-{check.name}", name, topic, row.student)
                except MissingEntry:
                    result.skipped.append(f"{row.student} {row.exercise} {check.name}: no grade cell {name}-{check.name} in the gradebook")
                    continue
                grade.auto_score = float(check.points)
                grade.needs_manual_grade = False
            notebook.flagged = row.status == "tampered"
            result.flagged += row.status == "tampered"
            gradebook.db.commit()
            result.written += 1
            _autograded_copy(course, row)
    return result


def _autograded_copy(course: Path, row: BatchRow) -> None:
    """formgrader lists a submission as graded only when autograded/<student>/<assignment>/ exists."""
    topic, name = row.exercise.split("/", 1)
    folder = course / "autograded" / row.student / topic
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(row.source)
    target = folder / f"{name}.ipynb"
    if source.suffix == ".ipynb" and source.is_file() and not target.exists():
        shutil.copyfile(source, target)
    stamp = course / "submitted" / row.student / topic / "timestamp.txt"
    if stamp.is_file() and not (folder / "timestamp.txt").exists():
        shutil.copyfile(stamp, folder / "timestamp.txt")

"""Grading a whole class at once, with the same checks and isolation as `torchdojo check`.

PATH is either a folder with one sub-folder per student laid out like a
workspace (`alice/exercises/01_autograd/02_gradient_of.py`, or without the
`exercises/` level), or an nbgrader `submitted/` folder
(`submitted/alice/autograd/gradient_of.ipynb`), whose code cells are graded
exactly as the course's test cells grade them. Hand-in archives from
`torchdojo submit` and Canvas/Moodle bulk downloads are checked and unpacked
first by `torchdojo.teacher.intake`, which fills each task's `Origin`. One bad submission
never stops or spoils the batch: each row has a status (`ok`, `timeout`,
`crashed`, `tampered`, `missing`, `rejected`).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from torchdojo.core.catalog import Catalog, Exercise
from torchdojo.core.launch import Launcher, Limits
from torchdojo.core.report import CheckResult
from torchdojo.core.runner import grade
from torchdojo.core.sandbox import SandboxPool
from torchdojo.core.warm import WarmWorker
from torchdojo.teacher.integrity import expected_test_cells, inspect_notebook
from torchdojo.teacher.notebook import cells_of_notebook, write_module

if TYPE_CHECKING:
    from torchdojo.teacher.exports import RosterEntry


class BatchRow(BaseModel):
    student: str
    exercise: str
    status: str
    score: int
    max_score: int
    failed_checks: list[str]
    source: str
    check_seconds: float = 0.0  # time the checks themselves took inside the child
    flags: list[str] = []  # why a submission is marked tampered (edited locked cells, touching the grader)
    # Who handed in and how (see Origin): what gradebook exports match students on.
    student_id: str = ""  # the LMS's id (Canvas user id, Moodle participant id), else the hand-in's id, else the folder name
    display_name: str = ""  # the LMS's name for the student (Canvas sortable name, Moodle full name)
    lms: str = ""  # "canvas", "moodle" or ""
    archive: str = ""  # the hand-in archive, relative to the batch PATH
    submitted_at: str = ""  # the archive's time, ISO 8601 (the learner's clock)
    late: bool = False  # after --deadline, or marked LATE by the LMS (listed; no penalty applied)
    notes: list[str] = []  # intake remarks (late, another catalog version, a clock in the future)
    checks: list[CheckResult] = []  # check by check (empty when missing): what exports, reports and feedback read


class Origin(BaseModel):
    """Where a student's work came from, as intake found it; copied onto every row of that student."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    student_id: str = ""
    display_name: str = ""
    lms: str = ""
    lms_late: bool = False  # the LMS put LATE in the file name
    archive: str = ""
    submitted_at: datetime | None = None
    late: bool = False
    late_reason: str = ""
    problem: str = ""  # why the archive was rejected ("status: reason"); such rows are not graded
    notes: list[str] = []


@dataclass(frozen=True)
class Student:
    name: str  # the row's `student`
    folder: Path | None  # laid out like a workspace; None when nothing can be graded (rejected)
    origin: Origin = field(default_factory=Origin)


@dataclass(frozen=True)
class Task:
    student: str
    exercise: Exercise
    file: Path | None
    notebook: bool
    origin: Origin = field(default_factory=Origin)


def _students(root: Path) -> list[Path]:
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def is_nbgrader_submitted(root: Path) -> bool:
    return any(root.glob("*/*/*.ipynb"))


def plan(root: Path, catalog: Catalog, exercises: list[Exercise] | None = None, students: list[Student] | None = None) -> list[Task]:
    """Every (student, exercise) pair to grade, for the exercises anyone handed in; missing ones included.

    `students` (from `torchdojo.teacher.intake`) replaces the sub-folders of `root`. A rejected student gets a row
    for each of those exercises (or, when nothing at all can be graded, for every selected exercise).
    """
    exercises = exercises or catalog.exercises
    notebook_mode = students is None and is_nbgrader_submitted(root)
    if students is None:
        students = [Student(folder.name, folder) for folder in _students(root)]
    tasks = []
    for student in students:
        for exercise in exercises:
            folder = student.folder
            if folder is None:
                tasks.append(Task(student.name, exercise, None, False, student.origin))
            elif notebook_mode:
                candidate = folder / exercise.topic / f"{exercise.name}.ipynb"
                tasks.append(Task(student.name, exercise, candidate if candidate.is_file() else None, True, student.origin))
            else:
                found = next((base / exercise.file for base in (folder / "exercises", folder) if (base / exercise.file).is_file()), None)
                tasks.append(Task(student.name, exercise, found, False, student.origin))
    handed_in = {task.exercise.id for task in tasks if task.file is not None}
    if not handed_in:
        return [task for task in tasks if task.origin.problem]
    return [task for task in tasks if task.exercise.id in handed_in]


def grade_task(task: Task, limits: Limits, launcher: Launcher | None = None) -> BatchRow:
    """One row: a rejected hand-in is not graded; everything else is graded and carries its origin."""
    origin = task.origin
    if origin.problem:
        row = BatchRow(
            student=task.student,
            exercise=task.exercise.id,
            status="rejected",
            score=0,
            max_score=sum(c.points for c in task.exercise.checks if not c.needs_gpu),
            failed_checks=[],
            source=origin.archive,
            flags=[origin.problem],
        )
    else:
        row = _grade_file(task, limits, launcher)
    notes = origin.notes + ([f"late: {origin.late_reason}"] if origin.late else [])
    return row.model_copy(
        update={
            "student_id": origin.student_id or task.student,
            "display_name": origin.display_name,
            "lms": origin.lms,
            "archive": origin.archive,
            "submitted_at": origin.submitted_at.isoformat() if origin.submitted_at else "",
            "late": origin.late,
            "notes": notes,
        }
    )


def _grade_file(task: Task, limits: Limits, launcher: Launcher | None = None) -> BatchRow:
    if task.file is None:
        return BatchRow(
            student=task.student,
            exercise=task.exercise.id,
            status="missing",
            score=0,
            max_score=sum(c.points for c in task.exercise.checks if not c.needs_gpu),
            failed_checks=[],
            source="",
        )
    if task.notebook:
        with tempfile.TemporaryDirectory(prefix="torchdojo-batch-") as folder:
            try:
                cells = cells_of_notebook(task.file)
            except (OSError, ValueError):
                cells = ["raise SystemExit('this notebook file cannot be read')"]
            module = write_module(cells, Path(folder), f"{task.student}_{task.exercise.name}")
            report = grade(task.exercise, module, limits, launcher)
        try:
            flags = inspect_notebook(task.file, expected_test_cells(task.exercise))
        except (OSError, ValueError, KeyError, TypeError):
            flags = []  # unreadable notebooks already grade as errors
    else:
        report = grade(task.exercise, task.file, limits, launcher)
        flags = []
    if report.status == "tampered" and report.checks and report.checks[0].message is not None:
        flags = [*flags, report.checks[0].message.en]  # what the run found, for the teacher's review
    return BatchRow(
        student=task.student,
        exercise=task.exercise.id,
        status="tampered" if flags else report.status,
        flags=flags,
        score=report.score,
        max_score=report.max_score,
        failed_checks=[c.name for c in report.checks if c.outcome not in ("passed", "needs_gpu", "not_graded")],
        source=str(task.file),
        check_seconds=round(sum(c.duration_s for c in report.checks), 4),
        checks=report.checks,
    )


def run_batch(
    tasks: list[Task],
    limits: Limits,
    jobs: int,
    on_done: Callable[[BatchRow], None] | None = None,
    warm: bool = True,
    on_note: Callable[[str], None] | None = None,
) -> list[BatchRow]:
    """Grade in parallel, `jobs` runs at a time, each in its own isolated child process.

    With `warm`, the children are forks of one warm worker (torch imported once), so a
    grading costs the checks' own work, not an interpreter start and `import torch`. Every
    exercise graded for two students or more is rehearsed in the worker first (see
    `torchdojo.core.warm.WarmWorker`); `on_note` hears that it is being done.
    """
    rows: dict[int, BatchRow] = {}
    repeated = Counter(task.exercise.id for task in tasks)
    rehearse = [exercise_id for exercise_id, count in repeated.items() if count >= 2]
    worker: WarmWorker | SandboxPool | None = WarmWorker(rehearse=rehearse) if warm and not limits.sandbox else None
    if warm and limits.sandbox:  # warm workers in sandboxes, one run at a time each, seeing no submission folder
        hide = (*limits.sandbox_hide, *{task.file.parent for task in tasks if task.file is not None})
        worker = SandboxPool(max(1, min(jobs, len(tasks))), hide)
    try:
        if isinstance(worker, WarmWorker):
            if on_note and rehearse:
                on_note(f"warming up: torch, then each exercise's checks once ({len(rehearse)})")
            worker.wait_ready(timeout=300 + 30 * len(rehearse))  # time limits measure the checks, not the worker's start-up
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {pool.submit(grade_task, task, limits, worker): index for index, task in enumerate(tasks)}
            for future in as_completed(futures):
                row = future.result()
                rows[futures[future]] = row
                if on_done:
                    on_done(row)
    finally:
        if worker is not None:
            worker.close()
    return [rows[i] for i in range(len(tasks))]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


GRADES_HEADER = ["student", "student_id", "name", "email", "exercise", "status", "score", "max_score", "failed_checks", "flags", "lms", "submitted_at", "late"]


def write_rows(rows: list[BatchRow], out: Path, roster: list[RosterEntry] | None = None) -> None:
    """grades.csv (GRADES_HEADER, one row per student x exercise) or grades.json.

    The identity columns say who each row belongs to, so a teacher can match it to a gradebook:
    `student_id` is the hand-in's own (Canvas user id, Moodle participant id, the id in a `torchdojo
    submit` manifest), else the folder name; `name` is the roster's, else the LMS's; `email` comes
    from the roster only (no hand-in carries one)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".json":
        totals: dict[str, int] = {}
        for row in rows:
            totals[row.student] = totals.get(row.student, 0) + row.score
        # Timings are left out: they measure the machine, not the work, and would make two runs of the same
        # class (locally, or on a cluster) differ. The rows in memory keep them (benchmarks read them).
        untimed = [r.model_dump(exclude={"check_seconds": True, "checks": {"__all__": {"duration_s"}}}) for r in rows]
        out.write_text(json.dumps({"rows": untimed, "totals": totals}, indent=1, ensure_ascii=False), encoding="utf-8")
        return
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(GRADES_HEADER)
        listed = {entry.folder: entry for entry in roster or []}
        for row in rows:
            entry = listed.get(row.student)
            name = (entry.name if entry else "") or row.display_name
            writer.writerow(
                [
                    row.student,
                    row.student_id or row.student,
                    name,
                    entry.email if entry else "",
                    row.exercise,
                    row.status,
                    row.score,
                    row.max_score,
                    " ".join(row.failed_checks),
                    "; ".join(row.flags),
                    row.lms,
                    row.submitted_at,
                    "yes" if row.late else "",
                ]
            )


class Disagreement(BaseModel):
    student: str
    exercise: str
    ours: float | None
    gradebook: float | None


def compare_with_gradebook(rows: list[BatchRow], database: Path) -> list[Disagreement]:
    """Every (student, exercise) whose score differs between this batch and an nbgrader gradebook.

    Assignments are topics and notebooks are exercise names, as `torchdojo course build` lays them out.
    """
    from nbgrader.api import Gradebook, MissingEntry

    found = []
    with Gradebook(f"sqlite:///{database.resolve()}") as gradebook:
        for row in rows:
            topic, name = row.exercise.split("/", 1)
            try:
                theirs: float | None = float(gradebook.find_submission_notebook(name, topic, row.student).score)
            except MissingEntry:
                theirs = None
            ours = None if row.status == "missing" else float(row.score)
            if ours != theirs and not (ours is None and theirs == 0):
                found.append(Disagreement(student=row.student, exercise=row.exercise, ours=ours, gradebook=theirs))
    return found

"""Gradebook-ready files from a grade-batch: points per check, one row per student, Canvas, Moodle.

Every layout is built from the batch's rows and the catalog at run time, so a
renamed or added check needs no change here. A roster (`--roster roster.csv`)
maps submission folders to names and ids; a folder missing from the roster and
a roster entry with no submission are both kept in every export and listed by
`reconcile`, never silently dropped.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel

from torchdojo.core.catalog import Catalog
from torchdojo.core.report import NOT_COUNTED
from torchdojo.i18n import Text, t
from torchdojo.teacher.batch import BatchRow

FORMATS = ("wide", "canvas", "moodle")
# Roster columns: `folder` (the submission folder's name) is required, the others optional.
ROSTER_COLUMNS = ("folder", "name", "id", "sis_user_id", "sis_login_id", "section", "email")
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


class OutputError(Exception):
    """Bad input for an output (a roster, a FORMAT:FILE, a path): one clear bilingual message."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename: a failure never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _csv_text(rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(rows)
    return buffer.getvalue()


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else round(value, 2)


# -- points per check ----------------------------------------------------------------------

CHECK_HEADER = ["student", "exercise", "check", "title", "outcome", "points", "max_points", "status"]


def check_rows(rows: list[BatchRow], catalog: Catalog) -> list[list[object]]:
    """One row per student × exercise × check; `max_points` is 0 for checks that do not count here,
    so the points and max_points of a submission add up to its score and max_score."""
    table: list[list[object]] = []
    for row in rows:
        if row.checks:
            for check in row.checks:
                counted = check.outcome not in NOT_COUNTED
                table.append(
                    [row.student, row.exercise, check.name, check.title.en, check.outcome, check.points, check.max_points if counted else 0, row.status]
                )
        elif row.exercise in catalog.by_id:  # missing: every check of the catalog, 0 points
            for spec in catalog.by_id[row.exercise].checks:
                if not spec.needs_gpu:
                    table.append([row.student, row.exercise, spec.name, spec.title.en, "missing", 0, spec.points, row.status])
    return table


def checks_file_for(out: Path) -> Path:
    """`grades.csv` -> `grades.checks.csv` (JSON output carries the checks inside each row)."""
    return out.with_name(f"{out.stem}.checks.csv")


def write_check_rows(rows: list[BatchRow], catalog: Catalog, path: Path) -> None:
    write_atomic(path, _csv_text([CHECK_HEADER, *check_rows(rows, catalog)]))


# -- roster ---------------------------------------------------------------------------------


class RosterEntry(BaseModel):
    folder: str
    name: str = ""
    id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""


def load_roster(path: Path) -> list[RosterEntry]:
    """Read a roster CSV (header row; `folder` required). Errors name the file, the line and the fix."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise OutputError(t(f"Cannot read the roster {path}: {error.strerror or error}.", f"无法读取名单 {path}:{error.strerror or error}。")) from None
    try:
        text = raw.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise OutputError(t(f"The roster {path} is not UTF-8 text: save it as CSV UTF-8.", f"名单 {path} 不是 UTF-8 文本:请另存为 CSV UTF-8 格式。")) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower().replace(" ", "_") for h in (reader.fieldnames or [])]
    if "folder" not in header:
        raise OutputError(
            t(
                f"The roster {path} needs a header row with a `folder` column (the submission folder's name); "
                f"optional columns: {', '.join(ROSTER_COLUMNS[1:])}. Found: {', '.join(h for h in header if h) or 'no header'}.",
                f"名单 {path} 需要表头,并包含 `folder` 列(提交文件夹的名字);可选列:{', '.join(ROSTER_COLUMNS[1:])}。"
                f"实际表头:{', '.join(h for h in header if h) or '无'}。",
            )
        )
    reader.fieldnames = header
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if key in ROSTER_COLUMNS and isinstance(value, str)}
        if not any(values.values()):
            continue  # blank line
        folder = values.get("folder", "")
        if not folder:
            raise OutputError(t(f"The roster {path}, line {line}: the `folder` column is empty.", f"名单 {path} 第 {line} 行:`folder` 列为空。"))
        if folder in seen:
            raise OutputError(
                t(
                    f"The roster {path}, line {line}: folder '{folder}' is already on line {seen[folder]}.",
                    f"名单 {path} 第 {line} 行:文件夹 '{folder}' 已在第 {seen[folder]} 行出现。",
                )
            )
        seen[folder] = line
        entries.append(RosterEntry(**values))
    if not entries:
        raise OutputError(t(f"The roster {path} lists no students.", f"名单 {path} 中没有学生。"))
    return entries


@dataclass
class Reconciliation:
    """Who is in the batch but not the roster, and who is on the roster but handed nothing in."""

    not_in_roster: list[str] = field(default_factory=list)
    no_submission: list[RosterEntry] = field(default_factory=list)

    def lines(self) -> list[Text]:
        found = []
        if self.not_in_roster:
            names = ", ".join(self.not_in_roster)
            found.append(
                t(
                    f"{len(self.not_in_roster)} submission folder(s) not in the roster (kept, with the folder as name): {names}",
                    f"{len(self.not_in_roster)} 个提交文件夹不在名单中(已保留,以文件夹名作姓名):{names}",
                )
            )
        if self.no_submission:
            names = ", ".join(f"{e.folder}" + (f" ({e.name})" if e.name else "") for e in self.no_submission)
            found.append(
                t(
                    f"{len(self.no_submission)} roster student(s) with no submission (kept, with empty grades): {names}",
                    f"{len(self.no_submission)} 名名单中的学生没有提交(已保留,成绩为空):{names}",
                )
            )
        return found


def reconcile(rows: list[BatchRow], roster: list[RosterEntry] | None) -> Reconciliation:
    if roster is None:
        return Reconciliation()
    folders = {row.student for row in rows}
    listed = {entry.folder for entry in roster}
    return Reconciliation(
        not_in_roster=sorted(folders - listed),
        no_submission=[entry for entry in roster if entry.folder not in folders],
    )


# -- one row per student --------------------------------------------------------------------


@dataclass
class StudentLine:
    entry: RosterEntry
    submitted: bool  # False: on the roster, no folder in the batch
    in_roster: bool
    scores: dict[str, int]  # exercise id -> points
    maxima: dict[str, int]  # exercise id -> max points


@dataclass
class ClassTable:
    exercises: list[str]  # ids, catalog order
    topics: list[str]  # assignments (nbgrader: one per topic), catalog order
    students: list[StudentLine]
    roster_given: bool = False

    def topic_score(self, line: StudentLine, topic: str) -> int:
        return sum(score for exercise, score in line.scores.items() if exercise.split("/")[0] == topic)

    def topic_max(self, topic: str) -> int:
        return max((sum(m for e, m in line.maxima.items() if e.split("/")[0] == topic) for line in self.students if line.submitted), default=0)

    def exercise_max(self, exercise: str) -> int:
        return max((line.maxima.get(exercise, 0) for line in self.students if line.submitted), default=0)


def _entry_from_row(row: BatchRow) -> RosterEntry:
    """No roster line: what the hand-in itself says (an LMS download names and numbers its students)."""
    lms = getattr(row, "lms", "")
    student_id = getattr(row, "student_id", "") if lms else ""
    return RosterEntry(folder=row.student, name=getattr(row, "display_name", "") or row.student, id=student_id)


def class_table(rows: list[BatchRow], catalog: Catalog, roster: list[RosterEntry] | None = None) -> ClassTable:
    order = {exercise.id: index for index, exercise in enumerate(catalog.exercises)}
    exercises = sorted({row.exercise for row in rows}, key=lambda e: (order.get(e, len(order)), e))
    topics = list(dict.fromkeys(e.split("/")[0] for e in exercises))
    by_folder = {entry.folder: entry for entry in roster or []}
    lines: dict[str, StudentLine] = {}
    for row in rows:
        line = lines.get(row.student)
        if line is None:
            handed_in = _entry_from_row(row)
            listed = by_folder.get(row.student)  # the roster wins; what it leaves blank, the hand-in fills
            entry = listed.model_copy(update={"name": listed.name or row.display_name, "id": listed.id or handed_in.id}) if listed else handed_in
            line = lines[row.student] = StudentLine(entry, True, row.student in by_folder, {}, {})
        line.scores[row.exercise] = row.score
        line.maxima[row.exercise] = row.max_score
    for entry in roster or []:
        if entry.folder not in lines:
            lines[entry.folder] = StudentLine(entry, False, True, {}, {})
    return ClassTable(exercises, topics, [lines[key] for key in sorted(lines)], roster is not None)


def wide_rows(table: ClassTable) -> list[list[object]]:
    """student, name, id, one column per exercise, total, max, note."""
    out: list[list[object]] = [["student", "name", "id", *table.exercises, "total", "max", "note"]]
    for line in table.students:
        note = "no submission" if not line.submitted else ("not in roster" if not line.in_roster and table.roster_given else "")
        if line.submitted:
            grades: list[object] = [line.scores.get(e, "") for e in table.exercises]
            total: object = sum(line.scores.values())
            maximum: object = sum(line.maxima.values())
        else:
            grades, total, maximum = ["" for _ in table.exercises], "", ""
        out.append([line.entry.folder, line.entry.name, line.entry.id, *grades, total, maximum, note])
    return out


def canvas_rows(table: ClassTable) -> list[list[object]]:
    """Canvas's gradebook layout: Student, ID, SIS User ID, SIS Login ID, Section, then one column
    per assignment (a topic, as in the nbgrader course), with Canvas's "Points Possible" row.
    A roster student with no submission has empty cells (Canvas leaves those grades unchanged)."""
    out: list[list[object]] = [[*CANVAS_HEADER, *table.topics], ["    Points Possible", "", "", "", "", *(table.topic_max(topic) for topic in table.topics)]]
    for line in table.students:
        entry = line.entry
        grades = [table.topic_score(line, topic) if line.submitted else "" for topic in table.topics]
        out.append([entry.name or entry.folder, entry.id, entry.sis_user_id, entry.sis_login_id, entry.section, *grades])
    return out


def moodle_identifier(table: ClassTable) -> tuple[str, str]:
    """(column header, roster field): email when the roster has emails, else the ID number."""
    if any(line.entry.email for line in table.students):
        return "Email address", "email"
    return "ID number", "id"


def moodle_rows(table: ClassTable) -> list[list[object]]:
    """Moodle's grade import: one identifier column (map it to "Email address" or "ID number" when
    importing), then one grade column per assignment. Without a roster id the folder name is used."""
    header, key = moodle_identifier(table)
    out: list[list[object]] = [[header, *table.topics]]
    for line in table.students:
        identifier = getattr(line.entry, key) or line.entry.folder
        out.append([identifier, *(table.topic_score(line, topic) if line.submitted else "" for topic in table.topics)])
    return out


LAYOUTS = {"wide": wide_rows, "canvas": canvas_rows, "moodle": moodle_rows}


def parse_export(spec: str) -> tuple[str, Path]:
    """`canvas:grades-canvas.csv` -> ("canvas", Path); a clear error for anything else."""
    fmt, sep, file = spec.partition(":")
    fmt = fmt.strip().lower()
    if not sep or not file.strip() or fmt not in FORMATS:
        raise OutputError(
            t(
                f"--export {spec!r}: expected FORMAT:FILE with FORMAT one of {', '.join(FORMATS)} (for example canvas:canvas.csv).",
                f"--export {spec!r}:应为 FORMAT:FILE,FORMAT 取 {', '.join(FORMATS)} 之一(例如 canvas:canvas.csv)。",
            )
        )
    path = Path(file.strip()).expanduser()
    if path.suffix.lower() != ".csv":
        raise OutputError(t(f"--export {spec!r}: the file must end in .csv.", f"--export {spec!r}:文件名必须以 .csv 结尾。"))
    return fmt, path


def write_export(fmt: str, table: ClassTable, path: Path) -> None:
    write_atomic(path, _csv_text(LAYOUTS[fmt](table)))

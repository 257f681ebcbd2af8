"""Everything `grade-batch` hands the teacher besides `--out`, checked before grading and written after.

`prepare` reads and checks every output option (export formats and files, the
roster, the course for `--to-gradebook`, the report and feedback paths) before
a single submission is graded, so a typo costs seconds, not a whole batch.
`deliver` then writes each output on its own: one that fails is reported and
the others are still written (exit 1), and every file is written atomically.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.core.catalog import Catalog
from torchdojo.i18n import Lang, Text, t
from torchdojo.teacher.batch import BatchRow
from torchdojo.teacher.exports import (
    OutputError,
    RosterEntry,
    checks_file_for,
    class_table,
    load_roster,
    parse_export,
    reconcile,
    write_check_rows,
    write_export,
)

COURSE_FOLDERS = ("source", "release", "autograded", "feedback")
Say = Callable[[Text, str], None]


def check_submissions_folder(root: Path, catalog: Catalog) -> None:
    """Refuse a folder that is not a set of student folders, with the folder that probably was meant."""
    if not root.is_dir():
        return
    names = {p.name for p in root.iterdir()}
    course_like = (names & set(COURSE_FOLDERS)) or "nbgrader_config.py" in names or "gradebook.db" in names
    if course_like:
        suggestion = root / "submitted"
        raise OutputError(
            t(
                f"{root} looks like an nbgrader course folder ({', '.join(sorted(n for n in names if n in (*COURSE_FOLDERS, 'submitted', 'nbgrader_config.py', 'gradebook.db')))}), "
                f"not a folder of student submissions. Pass its submitted/ folder: torchdojo grade-batch {suggestion} ...",
                f"{root} 看起来是 nbgrader 课程文件夹,而不是学生提交的文件夹。请传入其中的 submitted/ 文件夹:torchdojo grade-batch {suggestion} ...",
            )
        )
    topic_folders = {exercise.file.split("/")[0] for exercise in catalog.exercises}
    if "exercises" in names or names & topic_folders:
        raise OutputError(
            t(
                f"{root} looks like one learner's workspace (it has exercises/ or topic folders), not a folder with one sub-folder "
                "per student. Put each student's work in its own folder (class/alice/exercises/...) and pass the class folder.",
                f"{root} 看起来是单个学习者的工作区(含 exercises/ 或主题文件夹),而不是每个学生一个子文件夹的目录。"
                "请把每个学生的作业放进各自的文件夹(class/alice/exercises/...),再传入班级文件夹。",
            )
        )


@dataclass
class OutputPlan:
    out: Path
    checks_file: Path | None = None
    exports: list[tuple[str, Path]] = field(default_factory=list)
    roster: list[RosterEntry] | None = None
    course: Path | None = None
    report: Path | None = None
    threshold: float = 50.0
    feedback: Path | None = None
    release: bool = False
    lang: Lang = "en"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False


def _writable_file(path: Path, option: str) -> None:
    if path.is_dir():
        raise OutputError(t(f"{option} {path}: that is a folder; give a file name.", f"{option} {path}:这是一个文件夹,请给出文件名。"))
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(t(f"{option} {path}: {parent} is a file, not a folder.", f"{option} {path}:{parent} 是文件,不是文件夹。"))
            break


def prepare(args: argparse.Namespace, root: Path, catalog: Catalog, lang: Lang = "en") -> OutputPlan:
    out = Path(args.out).expanduser()
    plan = OutputPlan(out=out, lang=lang, threshold=getattr(args, "threshold", 50.0), release=bool(getattr(args, "release", False)))
    if out.suffix == ".csv":
        plan.checks_file = checks_file_for(out)
    plan.exports = [parse_export(spec) for spec in getattr(args, "export", None) or []]
    if getattr(args, "roster", None):
        plan.roster = load_roster(Path(args.roster).expanduser())
    elif any(fmt == "canvas" for fmt, _ in plan.exports):
        pass  # Canvas matches on name; without a roster the folder name is the Student column (ids empty)
    if getattr(args, "to_gradebook", None) is not None:
        from torchdojo.teacher.gradebook_sync import find_course

        plan.course = find_course(root, args.to_gradebook or None)
    if getattr(args, "report", None):
        plan.report = Path(args.report).expanduser()
        if plan.report.suffix.lower() not in (".html", ".htm"):
            raise OutputError(
                t(f"--report {plan.report}: the report is a web page; name it report.html.", f"--report {plan.report}:报告是网页文件,请命名为 report.html。")
            )
    if getattr(args, "feedback", None):
        plan.feedback = Path(args.feedback).expanduser()
        if plan.feedback.exists() and not plan.feedback.is_dir():
            raise OutputError(t(f"--feedback {plan.feedback}: that is a file; give a folder.", f"--feedback {plan.feedback}:这是文件,请给出文件夹。"))
        if root.is_dir() and _inside(plan.feedback, root):
            raise OutputError(
                t(
                    f"--feedback {plan.feedback} is inside the submissions {root}: the next run would take it for a student.",
                    f"--feedback {plan.feedback} 位于提交文件夹 {root} 内:下次运行会把它当成学生。",
                )
            )

    files: list[tuple[str, Path]] = [("--out", out)]
    if plan.checks_file:
        files.append(("--out (checks)", plan.checks_file))
    files += [(f"--export {fmt}", path) for fmt, path in plan.exports]
    if plan.report:
        files.append(("--report", plan.report))
    seen: dict[Path, str] = {}
    roster_path = Path(args.roster).expanduser().resolve() if getattr(args, "roster", None) else None
    for option, path in files:
        _writable_file(path, option)
        key = path.resolve()
        if key in seen:
            raise OutputError(
                t(
                    f"{option} and {seen[key]} would both write {path}: give each its own file.",
                    f"{option} 与 {seen[key]} 都会写入 {path}:请为每个输出指定不同的文件。",
                )
            )
        if roster_path is not None and key == roster_path:
            raise OutputError(
                t(
                    f"{option} {path} is the roster: it would be overwritten. Give another file name.",
                    f"{option} {path} 就是名单文件:会被覆盖。请换一个文件名。",
                )
            )
        if root.is_dir() and _inside(path, root):
            raise OutputError(
                t(
                    f"{option} {path} is inside the submissions {root}: write results next to it, not into it.",
                    f"{option} {path} 位于提交文件夹 {root} 内:请把结果写在它旁边,而不是里面。",
                )
            )
        seen[key] = option
    return plan


def deliver(plan: OutputPlan, rows: list[BatchRow], catalog: Catalog, say: Say) -> bool:
    """Write every planned output after `--out`; returns False if any of them failed (each is reported)."""
    ok = True

    def attempt(what: str, action: Callable[[], Text | None]) -> None:
        nonlocal ok
        try:
            message = action()
        except OutputError as error:
            ok = False
            say(error.text, "red")
        except OSError as error:
            ok = False
            say(
                t(
                    f"{what}: could not write {error.filename or ''}: {error.strerror or error}. The other outputs are written.",
                    f"{what}:无法写入 {error.filename or ''}:{error.strerror or error}。其他输出已写入。",
                ),
                "red",
            )
        except Exception as error:  # the gradebook's database, for instance: name it, keep going
            ok = False
            say(
                t(
                    f"{what} failed: {type(error).__name__}: {error}. The other outputs are written.",
                    f"{what} 失败:{type(error).__name__}:{error}。其他输出已写入。",
                ),
                "red",
            )
        else:
            if message is not None:
                say(message, "green")

    if plan.checks_file:
        checks_file = plan.checks_file

        def checks() -> Text:
            write_check_rows(rows, catalog, checks_file)
            return t(f"Points per check -> {checks_file}", f"每项检查的得分 -> {checks_file}")

        attempt("--out", checks)

    reconciliation = reconcile(rows, plan.roster)
    for line in reconciliation.lines():
        say(line, "yellow")
    table = class_table(rows, catalog, plan.roster)
    for fmt, path in plan.exports:

        def export(fmt: str = fmt, path: Path = path) -> Text:
            write_export(fmt, table, path)
            return t(f"{fmt} export -> {path} ({len(table.students)} students)", f"{fmt} 导出 -> {path}({len(table.students)} 名学生)")

        attempt(f"--export {fmt}", export)

    if plan.course is not None:
        course = plan.course

        def gradebook() -> Text:
            from torchdojo.teacher.gradebook_sync import write_to_gradebook

            result = write_to_gradebook(rows, catalog, course)
            for skipped in result.skipped:
                say(t(f"not in the gradebook: {skipped}", f"成绩册中没有:{skipped}"), "yellow")
            created = f"; created assignment(s) {', '.join(result.created_assignments)}" if result.created_assignments else ""
            created_zh = f";新建作业 {', '.join(result.created_assignments)}" if result.created_assignments else ""
            return t(
                f"Gradebook {course / 'gradebook.db'}: {result.written} submission(s) written, {result.flagged} flagged{created}. "
                f"formgrader shows them (nbgrader formgrader, or Jupyter's Formgrader tab).",
                f"成绩册 {course / 'gradebook.db'}:写入 {result.written} 份提交,标记 {result.flagged} 份{created_zh}。formgrader 中可见。",
            )

        attempt("--to-gradebook", gradebook)

    if plan.report is not None:
        report = plan.report

        def write_report() -> Text:
            from torchdojo.teacher.class_report import render, summarize
            from torchdojo.teacher.exports import write_atomic

            started = time.perf_counter()
            summary = summarize(rows, catalog, plan.threshold, plan.lang, reconciliation)
            write_atomic(report, render(summary, plan.lang, title=plan.out.stem))
            return t(f"Class report -> {report} ({time.perf_counter() - started:.2f} s)", f"班级报告 -> {report}({time.perf_counter() - started:.2f} 秒)")

        attempt("--report", write_report)

    if plan.feedback is not None:
        folder = plan.feedback

        def feedback() -> Text:
            from torchdojo.teacher.feedback import write_feedback

            written = write_feedback(rows, catalog, folder, plan.release, plan.lang)
            state = "released checks included" if plan.release else "checks marked after_release held back until --release"
            state_zh = "包含已公布的检查" if plan.release else "标记为 after_release 的检查在 --release 前不显示"
            return t(
                f"Feedback -> {folder} ({len(written) // 2} students, HTML and Markdown; {state})",
                f"反馈 -> {folder}({len(written) // 2} 名学生,HTML 与 Markdown;{state_zh})",
            )

        attempt("--feedback", feedback)
    return ok


def _percent(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a percentage between 0 and 100") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be a percentage between 0 and 100")
    return value


def add_output_options(parser: argparse.ArgumentParser) -> None:
    """grade-batch's output options (the names are a contract, see docs/teachers.md)."""
    group = parser.add_argument_group("outputs", "with --out FILE.csv, points per check go to FILE.checks.csv (JSON: inside each row)")
    group.add_argument(
        "--export",
        action="append",
        metavar="FORMAT:FILE",
        help="also write FILE in a gradebook layout; FORMAT is wide (a row per student), canvas or moodle; repeatable",
    )
    group.add_argument(
        "--roster",
        metavar="ROSTER_CSV",
        help="CSV with a folder column (the submission folder) and optional name, id, sis_user_id, sis_login_id, section, email",
    )
    group.add_argument(
        "--to-gradebook",
        nargs="?",
        const="",
        metavar="COURSE_DIR",
        help="write the scores into the nbgrader course's gradebook.db so formgrader shows them (default course: the folder above submitted/)",
    )
    group.add_argument("--report", metavar="REPORT_HTML", help="a self-contained class report (charts, most failed checks, who needs help)")
    group.add_argument("--threshold", type=_percent, default=50.0, metavar="PERCENT", help="the report lists students under this total score (default 50)")
    group.add_argument("--feedback", metavar="DIR", help="a page per student in DIR, HTML and Markdown, following each check's visibility")
    group.add_argument("--release", action="store_true", help="feedback also shows checks whose visibility is after_release")

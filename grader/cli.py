"""The `torchdojo` command line.

`grader` never imports `quizzes`: the quiz commands and the app plug in through
the `torchdojo.commands` entry-point group, so this module only knows the
exercise commands.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax

from grader import __version__
from grader.catalog import Catalog, CatalogError, Exercise, UnknownExercise, load_catalog
from grader.i18n import LANGS, Lang, Text, t
from grader.paths import find_workspace, record_file, shown_path
from grader.progress import Progress, ProgressError, ProgressStore, attempt_from_report, reset_attempt
from grader.render import print_report, status_table
from grader.runner import Limits, grade
from grader.workspace import (
    WorkspaceError,
    exercise_file,
    init_workspace,
    reset_exercise,
    solution_file,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage: one clear line, exit code 2."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


@dataclass
class Context:
    """Everything a command needs, resolved once from the arguments and the environment."""

    args: argparse.Namespace
    catalog: Catalog
    workspace: Path | None
    store: ProgressStore | None
    out: Console = field(default_factory=Console)
    err: Console = field(default_factory=lambda: Console(stderr=True))
    _lang: Lang | None = None
    _progress: Progress | None = None
    early: object | None = None  # a grading process started before the CLI loaded (grader.early)

    @property
    def lang(self) -> Lang:
        if self._lang is None:
            chosen = getattr(self.args, "lang", None) or os.environ.get("TORCHDOJO_LANG")
            if chosen not in LANGS:
                chosen = self.progress().settings.lang if self.store else "en"
            self._lang = chosen  # type: ignore[assignment]
        return self._lang  # type: ignore[return-value]

    def say(self, text: Text, style: str = "") -> None:
        words = escape(text(self.lang))  # learner text may hold [brackets] that rich would read as markup
        self.out.print(f"[{style}]{words}[/]" if style else words, highlight=False)

    def warn(self, text: Text) -> None:
        self.err.print(f"[yellow]{escape(text(self.lang))}[/]", highlight=False)

    def progress(self) -> Progress:
        """The record, read once per command (and again after this command changes it)."""
        if self.store is None:
            return Progress()
        if self._progress is None:
            self._progress = self.store.load()
            self.flush_notices()
        return self._progress

    def update(self, change: Callable[[Progress], object]) -> object:
        """Change the record (locked, atomic) and keep what was written as the cached copy:
        one read per action, and what the command shows next is exactly what was saved."""
        assert self.store is not None
        written: list[Progress] = []

        def apply(progress: Progress) -> object:
            written.append(progress)
            return change(progress)

        self._progress = None
        result = self.store.update(apply)
        self._progress = written[-1]
        return result

    def flush_notices(self) -> None:
        if self.store:
            while self.store.notices:
                notice = self.store.notices.pop(0)
                self.err.print(f"[yellow]{escape((self._lang and notice(self._lang)) or notice.en)}[/]", highlight=False)

    def require_workspace(self) -> Path:
        if self.workspace is None:
            raise UsageError(
                t(
                    "Not inside a torchdojo workspace. Run `torchdojo init` to make one, or pass --file.",
                    "当前不在 torchdojo 工作区中。请运行 `torchdojo init` 创建一个,或使用 --file。",
                )
            )
        return self.workspace

    def exercise(self, ref: str) -> Exercise:
        number = ref.strip().rstrip(".")
        if number.isdigit() and 1 <= int(number) <= len(self.catalog.exercises):
            return self.catalog.exercises[int(number) - 1]  # the number `torchdojo list` shows
        try:
            return self.catalog.resolve(ref)
        except UnknownExercise:
            close = self.catalog.suggestions(ref)
            maybe_en = f" Did you mean {', '.join(close)}?" if close else ""
            maybe_zh = f"你是不是想找 {', '.join(close)}?" if close else ""
            raise UsageError(
                t(
                    f"Unknown exercise '{ref}'.{maybe_en} `torchdojo list` shows them all.",
                    f"没有名为 '{ref}' 的练习。{maybe_zh}`torchdojo list` 会列出全部练习。",
                )
            ) from None

    def next_unfinished(self, after: Exercise | None = None) -> Exercise | None:
        progress = self.progress()
        order = self.catalog.exercises
        if after is not None:
            index = order.index(after)
            order = order[index + 1 :] + order[: index + 1]
        return next((e for e in order if progress.status(e.id) != "done" and e != after), None)


# -- commands -------------------------------------------------------------------------


def cmd_list(ctx: Context) -> int:
    progress = ctx.progress()
    if ctx.args.json:
        rows = []
        for e in ctx.catalog.exercises:
            latest = progress.latest(e.id) if progress.status(e.id) != "not started" else None
            rows.append(
                {
                    "id": e.id,
                    "file": f"exercises/{e.file}",
                    "title": e.title.model_dump(),
                    "status": progress.status(e.id),
                    "score": latest.score if latest else None,
                    "max_score": latest.max_score if latest else e.max_score,
                }
            )
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    ctx.out.print(status_table(ctx.catalog, progress, ctx.lang))
    done = sum(progress.status(e.id) == "done" for e in ctx.catalog.exercises)
    ctx.say(t(f"{done}/{len(ctx.catalog.exercises)} exercises done.", f"已完成 {done}/{len(ctx.catalog.exercises)} 个练习。"))
    if ctx.store is not None:
        where = shown_path(ctx.store.path)
        ctx.say(t(f"Record: {where}", f"记录文件:{where}"), "dim")
    return EXIT_OK


def _target_file(ctx: Context, exercise: Exercise, file_arg: str | None) -> Path:
    if file_arg:
        file = Path(file_arg).expanduser()
    else:
        file = exercise_file(ctx.require_workspace(), exercise)
    if file.is_dir():
        raise UsageError(t(f"{file} is a directory; --file needs a Python file.", f"{file} 是一个目录;--file 需要一个 Python 文件。"))
    if not file.exists():
        raise UsageError(t(f"No such file: {file}", f"文件不存在:{file}"))
    return file


def cmd_check(ctx: Context) -> int:
    args = ctx.args
    file_arg = args.file
    if args.id:
        as_path = Path(args.id)
        if file_arg is None and as_path.suffix == ".py" and as_path.exists():
            file_arg = args.id
        exercise = ctx.exercise(args.id)
    else:
        found = ctx.next_unfinished()
        if found is None:
            ctx.say(t("Every exercise is done. Run `torchdojo list` to see them.", "所有练习都已完成。运行 `torchdojo list` 查看。"), "green")
            return EXIT_OK
        exercise = found
    file = _target_file(ctx, exercise, file_arg)
    protect = (ctx.store.path, ctx.store.path.with_name(ctx.store.path.name + ".lock")) if ctx.store else ()
    sandbox = getattr(args, "sandbox", False)
    if sandbox:
        _require_sandbox()
    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory_mb, protect=protect, sandbox=sandbox)
    lang = ctx.lang
    if args.json or not ctx.out.is_terminal:
        report = grade(exercise, file, limits, ctx.early)  # type: ignore[arg-type]
    else:
        with ctx.out.status(t(f"Checking {exercise.id}…", f"正在检查 {exercise.id}…")(lang), spinner="dots"):
            report = grade(exercise, file, limits, ctx.early)  # type: ignore[arg-type]
    if ctx.store is not None:
        try:
            ctx.update(lambda p: p.exercise_attempts.append(attempt_from_report(report)))
        except ProgressError as error:
            ctx.warn(error.text)
        ctx.flush_notices()
    if args.json:
        print(json.dumps({**report.public_json(lang), **({"sandbox": True} if sandbox else {})}, ensure_ascii=False))
    else:
        if sandbox:
            ctx.say(SANDBOX_ON, "dim")
        upcoming = ctx.next_unfinished(after=exercise) if report.all_passed else None
        display = os.path.relpath(file) if not Path(os.path.relpath(file)).is_absolute() else str(file)
        print_report(ctx.out, report, exercise, lang, upcoming.id if upcoming else None, display)
    return EXIT_OK if report.all_passed else EXIT_FAILED


def cmd_hint(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.id)
    shown_before = ctx.progress().hints_shown.get(exercise.id, 0)

    def reveal(progress: Progress) -> int:
        count = min(progress.hints_shown.get(exercise.id, 0) + 1, len(exercise.hints))
        progress.hints_shown[exercise.id] = count
        return count

    count = ctx.update(reveal) if ctx.store else min(shown_before + 1, len(exercise.hints))
    for number, hint in enumerate(exercise.hints[:count], 1):
        ctx.out.print(f"[bold]{number}/{len(exercise.hints)}[/] {escape(hint(ctx.lang))}", highlight=False)
    if count == len(exercise.hints):
        ctx.say(t("That was the last hint.", "这是最后一条提示。"), "dim")
    return EXIT_OK


def cmd_reset(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.id)
    workspace = ctx.require_workspace()
    try:
        backup = reset_exercise(workspace, exercise)
    except WorkspaceError as error:  # the detail (a path, a git command) stays as written
        raise UsageError(t(str(error), f"无法重置 {exercise.id}:{error}")) from error
    target = exercise_file(workspace, exercise)
    if ctx.store is not None:
        try:
            ctx.update(lambda p: p.exercise_attempts.append(reset_attempt(exercise)))
        except ProgressError as error:
            ctx.warn(error.text)
    target = shown_path(target)
    ctx.say(t(f"Restored {target} to the original stub.", f"已将 {target} 恢复为原始练习文件。"), "green")
    if backup:
        ctx.say(t(f"Your previous version is kept in {backup}", f"你之前的版本保存在 {backup}"))
    return EXIT_OK


def cmd_solution(ctx: Context) -> int:
    exercise = ctx.exercise(ctx.args.id)
    if not ctx.progress().ever_passed(exercise.id):
        ctx.say(
            t(
                f"The solution opens once {exercise.id} passes. Try `torchdojo hint {exercise.id}`.",
                f"通过 {exercise.id} 之后才能查看参考答案。试试 `torchdojo hint {exercise.id}`。",
            ),
            "yellow",
        )
        return EXIT_FAILED
    path = solution_file(exercise)
    source = path.read_text(encoding="utf-8")
    if ctx.out.is_terminal:  # long lines wrap; nothing is ever cut at the terminal's edge
        ctx.out.print(Syntax(source, "python", line_numbers=True, word_wrap=True))
    else:  # a pipe or a file gets the source exactly, ready to copy
        ctx.out.file.write(source if source.endswith("\n") else source + "\n")
        ctx.out.file.flush()
    ctx.say(t(f"(from {path})", f"(来自 {path})"), "dim")
    return EXIT_OK


def cmd_init(ctx: Context) -> int:
    target = Path(ctx.args.dir).expanduser().resolve()
    existing = find_workspace(target) if target.exists() else None
    if existing is not None and (existing / "grader" / "catalog.toml").is_file():
        ctx.say(t(f"{existing} is a clone of torchdojo: it already is a workspace.", f"{existing} 是 torchdojo 的克隆:它本身就是工作区。"))
        return EXIT_OK
    try:
        created = init_workspace(target, ctx.catalog)
    except WorkspaceError as error:  # "already exists", or an original stub git cannot show: say which in Chinese too
        exists = (target / "exercises").exists()
        raise UsageError(t(str(error), f"{target / 'exercises'} 已存在;没有做任何修改。" if exists else f"无法创建工作区:{error}")) from error
    ProgressStore(target / ".torchdojo" / "progress.json").update(lambda p: None)
    ctx.say(t(f"Workspace ready: {target} ({len(created)} exercises).", f"工作区已就绪:{target}(共 {len(created)} 个练习)。"), "green")
    ctx.say(t(f"Next: cd {target} && torchdojo check", f"下一步:cd {target} && torchdojo check"))
    return EXIT_OK


# -- teachers -------------------------------------------------------------------------


def cmd_course_build(ctx: Context) -> int:
    from grader.course import require_nbgrader

    require_nbgrader()  # a course is for nbgrader: say which install brings it before writing anything
    from grader.course import build, selected

    topics = ctx.args.topics or None
    if topics and not selected(ctx.catalog, topics):
        raise UsageError(t(f"No exercises match {topics}.", f"没有与 {topics} 匹配的练习。"))
    root = Path(ctx.args.dir).expanduser().resolve()
    written = build(root, ctx.catalog, topics, ctx.args.timeout)
    ctx.say(t(f"Wrote {len(written)} notebooks and nbgrader_config.py under {root}.", f"已在 {root} 下写入 {len(written)} 个 notebook 和 nbgrader_config.py。"), "green")
    from grader.course import other_notebooks

    kept = [f"{p.parent.name}/{p.name}" for p in other_notebooks(root, written)]
    if kept:
        ctx.say(t(f"Left as they were (not rebuilt, not deleted): {len(kept)} other notebook(s) in source/: {', '.join(kept)}",
                  f"保持不变(未重建、未删除):source/ 中另有 {len(kept)} 个 notebook:{', '.join(kept)}"))
    ctx.say(t(f"Next: cd {root} && nbgrader generate_assignment <topic> (see docs/teachers.md)", f"下一步:cd {root} && nbgrader generate_assignment <主题>(见 docs/teachers.md)"))
    return EXIT_OK


def cmd_course_check(ctx: Context) -> int:
    from grader.course import require_nbgrader

    require_nbgrader()
    from grader.course_check import check_course

    root = Path(ctx.args.dir).expanduser().resolve()
    if not (root / "source").is_dir():
        raise UsageError(t(f"{root} has no source/ folder: is it a course built by `torchdojo course build`?", f"{root} 中没有 source/ 文件夹:它是用 `torchdojo course build` 生成的课程吗?"))
    problems = check_course(root, ctx.err)
    for problem in problems:
        ctx.err.print(f"[red]✗[/] {escape(problem)}", highlight=False)
    if problems:
        ctx.say(t(f"{len(problems)} problem(s).", f"发现 {len(problems)} 个问题。"), "red")
        return EXIT_FAILED
    ctx.say(t("✓ Every source notebook validates: all test cells pass on the solutions.", "✓ 所有源 notebook 都通过验证:参考答案通过全部测试单元格。"), "green")
    return EXIT_OK


SANDBOX_ON = t("Sandbox: on (bubblewrap: no network, read-only files, no other submissions or solutions in view).",
               "沙箱:已开启(bubblewrap:无网络、文件只读、看不到其他提交和参考答案)。")


def _sandbox_line(ctx: Context, limits: Limits, client: object) -> Text:
    """Whether the submissions ran sandboxed. On a cluster with --sandbox unset, each worker decided (bwrap there)."""
    if limits.sandbox or client is None or ctx.args.sandbox is not None:
        return SANDBOX_ON if limits.sandbox else t("Sandbox: off.", "沙箱:未开启。")
    from grader.cluster import sandboxing_workers

    able, workers = sandboxing_workers(client)  # type: ignore[arg-type]
    if able == workers:
        return t(f"Sandbox: on (bubblewrap on all {workers} worker(s)).", f"沙箱:已开启(全部 {workers} 个 worker 都有 bubblewrap)。")
    if able == 0:
        return t("Sandbox: off: no worker has a working bubblewrap (install it there: apt-get install bubblewrap).",
                 "沙箱:未开启:没有 worker 有可用的 bubblewrap(请在那里安装:apt-get install bubblewrap)。")
    return t(f"Sandbox: on {able} of {workers} worker(s); the others lack a working bubblewrap (install it there: apt-get install bubblewrap).",
             f"沙箱:{workers} 个 worker 中有 {able} 个开启;其余的没有可用的 bubblewrap(请在那里安装:apt-get install bubblewrap)。")


def _require_sandbox() -> None:
    """An explicit --sandbox: without a working bubblewrap, stop (exit 2) and say how to get one."""
    from grader.sandbox import sandbox_status

    status = sandbox_status()
    if not status.available:
        raise UsageError(status.problem())


def _batch_sandbox(ctx: Context, default_on: bool) -> bool:
    """grade-batch: on by default where bubblewrap works; an explicit --sandbox insists, --no-sandbox declines.
    (On a Dask cluster the workers' machines decide what they can do: only an explicit --sandbox asks it there.)"""
    from grader.sandbox import sandbox_status

    wanted = ctx.args.sandbox
    if wanted is False or (wanted is None and not default_on):
        return False
    if wanted:
        _require_sandbox()
        return True
    status = sandbox_status()
    if not status.available:
        problem = status.problem()
        ctx.warn(t(f"grading without a sandbox: {problem.en}", f"在没有沙箱的情况下评分:{problem.zh}"))
    return status.available


def cmd_grade_batch(ctx: Context) -> int:
    from grader.batch import BatchRow, run_batch, write_rows
    from grader.batch_outputs import check_submissions_folder, deliver, prepare
    from grader.course import selected
    from grader.exports import OutputError
    from grader.ticker import Ticker

    root = Path(ctx.args.path).expanduser()
    out = Path(ctx.args.out)
    if not root.is_dir() and not (root.is_file() and root.suffix.lower() == ".zip"):
        raise UsageError(t(f"{root} is neither a folder of submissions nor a .zip download.", f"{root} 既不是提交作业的文件夹,也不是 .zip 下载包。"))
    if out.suffix not in (".csv", ".json"):
        raise UsageError(t("--out must end in .csv or .json.", "--out 必须以 .csv 或 .json 结尾。"))
    try:  # every output option is checked before anything is graded
        check_submissions_folder(root, ctx.catalog)
        outputs = prepare(ctx.args, root, ctx.catalog, ctx.lang)
    except OutputError as error:
        raise UsageError(error.text) from None
    client = _cluster(ctx)  # None without --scheduler; no dask or no scheduler: exit 2 before anything is written
    try:
        intake = _take_in(ctx, root, selected(ctx.catalog, ctx.args.topics or None))
        tasks = intake.tasks
        if not tasks:
            raise UsageError(t(f"No student folders or hand-in archives in {root}.", f"{root} 中没有学生文件夹或提交的压缩包。"))
        sandbox = _batch_sandbox(ctx, default_on=client is None)
        hide = (root.resolve(), *([Path(ctx.args.work_dir).expanduser().resolve()] if ctx.args.work_dir else []))
        limits = Limits(timeout_s=ctx.args.timeout, memory_mb=ctx.args.memory_mb, threads=1, sandbox=sandbox, sandbox_hide=hide)
        with Ticker(ctx.err, "grading", len(tasks)) as ticker:  # a bar on a terminal, a line every few seconds in a log
            def done(row: BatchRow) -> None:
                ticker.advance(f"{row.student} {row.exercise} {row.status}")

            if client is None:
                rows = run_batch(tasks, limits, ctx.args.jobs, done, warm=not ctx.args.cold, on_note=ticker.note)
            else:
                rows = _run_on_cluster(ctx, client, tasks, limits, done)
        sandbox_note = _sandbox_line(ctx, limits, client)  # asks the workers, while the client is open
    finally:
        if client is not None:
            client.close()
    intake.close()  # the unpacked hand-ins (a --work-dir is kept)
    write_rows(rows, out, outputs.roster)  # the roster adds names and emails to grades.csv
    counts = {status: sum(r.status == status for r in rows) for status in ("ok", "timeout", "crashed", "tampered", "missing", "rejected")}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n)
    ctx.say(t(f"Graded {len(rows)} submissions ({summary}) -> {out}", f"已评分 {len(rows)} 份提交({summary})-> {out}"), "green")
    ctx.say(sandbox_note, "dim")
    for row in rows:
        if row.flags:
            ctx.say(t(f"tampered: {row.student} {row.exercise}: {'; '.join(row.flags)}", f"篡改:{row.student} {row.exercise}:{'; '.join(row.flags)}"), "yellow")
    for text, style in intake.lines():  # every archive's fate and the late list
        ctx.say(text, style)
    delivered = deliver(outputs, rows, ctx.catalog, ctx.say)
    if ctx.args.compare_gradebook:
        return _report_gradebook_disagreements(ctx, rows, Path(ctx.args.compare_gradebook).expanduser()) or (EXIT_OK if delivered else EXIT_FAILED)
    return EXIT_OK if delivered else EXIT_FAILED


def _cluster(ctx: Context):  # -> distributed.Client | None
    """With --scheduler: a client of a cluster whose workers grade like this machine (see grader.cluster)."""
    if not ctx.args.scheduler:
        return None
    from grader.cluster import ClusterError, connect, describe

    try:
        client = connect(ctx.args.scheduler, ctx.args.scheduler_timeout)
    except ClusterError as error:
        raise UsageError(error.text) from None
    workers, threads = describe(client)
    ctx.say(t(f"Grading on the Dask cluster at {ctx.args.scheduler}: {workers} worker(s), {threads} thread(s).",
              f"在 {ctx.args.scheduler} 的 Dask 集群上评分:{workers} 个 worker,{threads} 个线程。"), "dim")
    return client


def _run_on_cluster(ctx: Context, client: object, tasks: list, limits: Limits, done: Callable) -> list:
    from grader.cluster import run_cluster

    def fallback(task, reason: str) -> None:  # type: ignore[no-untyped-def]
        ctx.warn(t(f"graded on this machine instead: {task.student} {task.exercise.id} (the cluster could not: {reason})",
                   f"改在本机评分:{task.student} {task.exercise.id}(集群无法完成:{reason})"))

    return run_cluster(tasks, limits, client, done, warm=not ctx.args.cold, on_fallback=fallback,  # type: ignore[arg-type]
                       sandbox_where_available=ctx.args.sandbox is None)


def _take_in(ctx: Context, root: Path, exercises: list[Exercise]):  # -> grader.intake.Intake
    from grader.intake import IntakeError, take_in

    try:
        return take_in(root, ctx.catalog, exercises, ctx.args.work_dir, ctx.args.deadline)
    except IntakeError as error:
        raise UsageError(error.text) from None


def _report_gradebook_disagreements(ctx: Context, rows: list, database: Path) -> int:
    from grader.batch import compare_with_gradebook

    if not database.is_file():
        raise UsageError(t(f"{database} is not a file: pass the course's gradebook.db.", f"{database} 不是文件:请传入课程的 gradebook.db。"))
    disagreements = compare_with_gradebook(rows, database)
    for d in disagreements:
        ctx.say(t(f"disagree: {d.student} {d.exercise}: torchdojo {d.ours}, gradebook {d.gradebook}",
                  f"不一致:{d.student} {d.exercise}:torchdojo {d.ours},成绩册 {d.gradebook}"), "red")
    if disagreements:
        return EXIT_FAILED
    ctx.say(t(f"The gradebook agrees on all {len(rows)} rows.", f"成绩册与全部 {len(rows)} 行一致。"), "green")
    return EXIT_OK


# -- parser ---------------------------------------------------------------------------

Handler = Callable[[Context], int]


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--progress", metavar="PATH", help="progress file (default: .torchdojo/progress.json in the workspace)")
    common.add_argument("--lang", choices=LANGS, help="language of messages: en or zh")

    parser = argparse.ArgumentParser(
        prog="torchdojo", description="Learn PyTorch by doing. With no command, opens the app.", parents=[common]
    )
    parser.add_argument("--version", action="version", version=f"torchdojo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("list", parents=[common], help="every exercise with its status and score")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("check", parents=[common], help="grade an exercise (default: the next unfinished one)")
    p.add_argument("id", nargs="?", help="exercise id (autograd/gradient_of) or path")
    p.add_argument("--file", help="grade this file as the exercise")
    p.add_argument("--json", action="store_true", help="print only the JSON report")
    p.add_argument("--timeout", type=_positive_float, default=float(os.environ.get("TORCHDOJO_TIMEOUT", 60)), help="seconds for all checks together (default 60)")
    p.add_argument("--memory-mb", type=int, default=2048, help="memory limit of the checking process (default 2048)")
    p.add_argument("--sandbox", action="store_true", help="check inside a bubblewrap sandbox: no network, read-only files (needs bwrap)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("submit", parents=[common], help="hand your work in: pack your exercise files into one zip for your teacher")
    p.add_argument("--out", metavar="FILE", help="the zip to write, or a folder for it (default: in the workspace)")
    p.add_argument("--student", metavar="ID", help="your student id (asked once and remembered when not given)")
    p.add_argument("id", nargs="?", help=argparse.SUPPRESS)  # the old `submit ID` meant `check ID`: answered kindly
    for old in ("--file", "--timeout", "--memory-mb"):
        p.add_argument(old, help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=_submit)

    p = sub.add_parser("watch", parents=[common], help="re-check the current exercise whenever you save it")
    p.add_argument("id", nargs="?", help="start with this exercise (default: the next unfinished one)")
    p.add_argument("--manual", action="store_true", help="press Enter to re-check (when file events do not arrive)")
    p.add_argument("--timeout", type=_positive_float, default=60.0)
    p.set_defaults(handler=_watch)

    p = sub.add_parser("hint", parents=[common], help="show the next hint of an exercise")
    p.add_argument("id")
    p.set_defaults(handler=cmd_hint)

    p = sub.add_parser("reset", parents=[common], help="restore an exercise's stub (your file is backed up)")
    p.add_argument("id")
    p.set_defaults(handler=cmd_reset)

    p = sub.add_parser("solution", parents=[common], help="show the reference solution of a finished exercise")
    p.add_argument("id")
    p.set_defaults(handler=cmd_solution)

    p = sub.add_parser("init", parents=[common], help="make a workspace with the exercise stubs")
    p.add_argument("dir", nargs="?", default="torchdojo", help="folder to create (default: ./torchdojo)")
    p.set_defaults(handler=cmd_init)

    course = sub.add_parser("course", parents=[common], help="teachers: an nbgrader course from the exercises")
    course_sub = course.add_subparsers(dest="course_command", metavar="ACTION", required=True)
    p = course_sub.add_parser("build", parents=[common], help="write nbgrader_config.py and source/ notebooks")
    p.add_argument("dir", help="course folder (created if needed; rebuilding is idempotent)")
    p.add_argument("--topics", nargs="+", help="topics or exercise ids to include (default: all)")
    p.add_argument("--timeout", type=_positive_float, default=60.0, help="seconds each notebook's checks may take (default 60)")
    p.set_defaults(handler=cmd_course_build)
    p = course_sub.add_parser("check", parents=[common], help="validate every source notebook with nbgrader")
    p.add_argument("dir")
    p.set_defaults(handler=cmd_course_check)

    dev = sub.add_parser("dev", parents=[common], help="contributors: make and check an exercise (in a clone of the repository)")
    dev_sub = dev.add_subparsers(dest="dev_command", metavar="ACTION", required=True)
    p = dev_sub.add_parser("new", parents=[common], help="write a new exercise's stub, solution, checks, catalog entry and fixtures")
    p.add_argument("id", help="TOPIC/NAME, e.g. data/pad_collate (a new topic gets the next folder number)")
    p.set_defaults(handler=_dev_new)
    p = dev_sub.add_parser("check", parents=[common], help="grade one exercise three ways: solution, stub, every fixture")
    p.add_argument("id")
    p.add_argument("--mutation", action="store_true", help="then its mutation score (benchmarks/mutation_score.py)")
    p.set_defaults(handler=_dev_check)

    from grader.batch import default_jobs

    teacher = argparse.ArgumentParser(add_help=False)  # teacher commands: no learner options (--progress) in their --help
    teacher.add_argument("--lang", choices=LANGS, help="language of messages, the report and feedback: en or zh")
    p = sub.add_parser("grade-batch", parents=[teacher], help="teachers: grade a folder of submissions at once")
    p.add_argument("path", help="one sub-folder per student, hand-in zips from `torchdojo submit` (also Canvas/Moodle bulk downloads, or the download's zip itself), or an nbgrader submitted/ folder")
    p.add_argument("--out", required=True, help="FILE.csv or FILE.json")
    p.add_argument("--topics", nargs="+", help="topics or exercise ids to grade (default: all)")
    p.add_argument("--jobs", type=int, default=default_jobs(), help="parallel gradings (default: CPU cores)")
    p.add_argument("--timeout", type=_positive_float, default=60.0, help="seconds per exercise (default 60)")
    p.add_argument("--memory-mb", type=int, default=2048)
    p.add_argument("--cold", action="store_true", help="start a fresh interpreter per grading (slower; no warm worker)")
    p.add_argument("--sandbox", action=argparse.BooleanOptionalAction, default=None,
                   help="grade inside a bubblewrap sandbox: no network, read-only files, no other submissions in view (default: on when bwrap works here)")
    p.add_argument("--compare-gradebook", metavar="GRADEBOOK_DB", help="list every score that differs from an nbgrader gradebook.db (exit 1 if any)")
    p.add_argument("--deadline", metavar="WHEN", help="list hand-ins packed after this time (2026-06-01, 2026-06-01T23:59+08:00); no penalty is applied")
    p.add_argument("--work-dir", metavar="DIR", help="unpack hand-in archives here, a new or empty folder, kept (default: a temporary folder)")
    p.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help='grade on this Dask cluster instead of this machine\'s cores (--jobs is then the cluster\'s threads); '
                        'needs pip install "torchdojo[cluster]" here and on the workers; see docs/scale.md')
    p.add_argument("--scheduler-timeout", type=_positive_float, default=20.0, metavar="SECONDS",
                   help="give up reaching the scheduler, or waiting for its first worker, after this long (default 20)")
    from grader.batch_outputs import add_output_options

    add_output_options(p)
    p.set_defaults(handler=cmd_grade_batch)

    for plugin in entry_points(group="torchdojo.commands"):
        plugin.load()(sub, common)
    return parser


def _watch(ctx: Context) -> int:
    from grader.watch import cmd_watch

    return cmd_watch(ctx)


def _dev_new(ctx: Context) -> int:
    from grader.dev import DevError
    from grader.dev.new import create

    try:
        new = create(ctx.args.id)
    except DevError as error:
        raise UsageError(error.text) from None
    for path in new.files:
        ctx.out.print(f"  wrote {shown_path(path)}", highlight=False)
    ctx.out.print(t(f"  added {new.id} to grader/catalog.toml\nA working example (x * factor) to start from: edit the stub, the "
                    f"solution, the checks and the fixtures, then run: torchdojo dev check {new.id}",
                    f"  已把 {new.id} 加入 grader/catalog.toml\n这是一个可运行的示例(x * factor):请修改存根、参考解答、检查和测试用例,"
                    f"然后运行:torchdojo dev check {new.id}")(ctx.lang), highlight=False)
    return EXIT_OK


def _dev_check(ctx: Context) -> int:
    import subprocess

    from grader.dev import DevError, source_root
    from grader.dev.check import three_way

    try:
        root = source_root()
        exercise = ctx.exercise(ctx.args.id)
        failed = 0
        for verdict in three_way(exercise, root):
            failed += not verdict.ok
            mark = "[green]✓[/]" if verdict.ok else "[red]✗[/]"
            ctx.out.print(f"{mark} {escape(verdict.what)}" + (f": {escape(verdict.detail)}" if verdict.detail and not verdict.ok else ""))
    except DevError as error:
        raise UsageError(error.text) from None
    if failed or not ctx.args.mutation:
        return EXIT_FAILED if failed else EXIT_OK
    score = root / "benchmarks" / "mutation_score.py"
    return subprocess.run([sys.executable, str(score), exercise.id, "--show-survivors"], cwd=root, check=False).returncode


def _submit(ctx: Context) -> int:
    from grader.handin import HandinError, cmd_submit

    try:
        return cmd_submit(ctx)
    except HandinError as error:
        raise UsageError(error.text) from None


def make_context(args: argparse.Namespace) -> Context:
    try:
        catalog = load_catalog()
    except CatalogError as error:
        raise UsageError(t(str(error), f"无法加载练习目录(这是 torchdojo 自身的问题,不是你的代码):{error}")) from error
    workspace = find_workspace()
    store = ProgressStore(record_file(workspace, getattr(args, "progress", None)))
    return Context(args=args, catalog=catalog, workspace=workspace, store=store)


# What the teacher extra brings (pyproject.toml); a learner's plain install has none of it.
TEACHER_MODULES = frozenset({"nbgrader", "nbformat", "nbconvert", "nbclient", "jupyter_client", "ipykernel"})
TEACHER_EXTRA = Text(
    en="This is a teacher's command and needs nbgrader, which a learner's install leaves out. "
       "Install it with: pip install \"torchdojo[teacher]\" (from a clone: pip install -e \".[teacher]\").",
    zh="这是教师使用的命令,需要 nbgrader,而学习者的安装不包含它。"
       "请这样安装:pip install \"torchdojo[teacher]\"(在克隆的仓库中:pip install -e \".[teacher]\")。",
)


def main(argv: list[str] | None = None, early: object | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args.command, args.handler = "app", _app_handler()
    err = Console(stderr=True)
    try:
        ctx = make_context(args)
        ctx.early = early
        return args.handler(ctx)
    except UsageError as error:
        lang = getattr(args, "lang", None) or os.environ.get("TORCHDOJO_LANG") or "en"
        err.print(f"[red]error:[/] {escape(error.text(lang if lang in LANGS else 'en'))}", highlight=False)
        return EXIT_USAGE
    except ProgressError as error:
        err.print(f"[red]error:[/] {escape(error.text.en)}", highlight=False)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    except ModuleNotFoundError as error:
        if (error.name or "").split(".")[0] not in TEACHER_MODULES:
            raise
        lang = getattr(args, "lang", None) or os.environ.get("TORCHDOJO_LANG") or "en"
        err.print(f"[red]error:[/] {escape(TEACHER_EXTRA.en if lang != 'zh' else TEACHER_EXTRA.zh)}", highlight=False)
        return EXIT_USAGE
    except Exception as error:  # a bug in torchdojo itself: say so plainly, never a bare traceback
        if os.environ.get("TORCHDOJO_DEBUG"):
            raise
        err.print(
            f"[red]internal error:[/] {type(error).__name__}: {error}\n"
            "This is a bug in torchdojo, not in your code. Run again with TORCHDOJO_DEBUG=1 for details.",
            highlight=False,
        )
        return 3


def _app_handler() -> Handler:
    """The app registers itself as the `torchdojo.app` entry point; without it, show the list."""
    apps = list(entry_points(group="torchdojo.app"))
    if apps:
        return apps[0].load()
    return cmd_list_plain


def cmd_list_plain(ctx: Context) -> int:
    ctx.args.json = False
    return cmd_list(ctx)


if __name__ == "__main__":
    sys.exit(main())

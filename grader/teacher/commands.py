"""The teacher's commands: `course build`, `course check` and `grade-batch` (here or on a Dask cluster).

Their heavy dependencies are imported inside each command: a learner's plain install never loads them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape

from torchdojo.core.catalog import Exercise
from torchdojo.core.runner import Limits
from torchdojo.i18n import Text, t
from torchdojo.learner.context import EXIT_FAILED, EXIT_OK, SANDBOX_ON, Context, UsageError, require_sandbox

if TYPE_CHECKING:
    from distributed import Client

    from torchdojo.teacher.batch import BatchRow, Task


def cmd_course_build(ctx: Context) -> int:
    from torchdojo.teacher.course import require_nbgrader

    require_nbgrader()  # a course is for nbgrader: say which install brings it before writing anything
    from torchdojo.teacher.course import build, selected

    topics = ctx.args.topics or None
    if topics and not selected(ctx.catalog, topics):
        raise UsageError(t(f"No exercises match {topics}.", f"没有与 {topics} 匹配的练习。"))
    root = Path(ctx.args.dir).expanduser().resolve()
    written = build(root, ctx.catalog, topics, ctx.args.timeout)
    ctx.say(
        t(f"Wrote {len(written)} notebooks and nbgrader_config.py under {root}.", f"已在 {root} 下写入 {len(written)} 个 notebook 和 nbgrader_config.py。"),
        "green",
    )
    from torchdojo.teacher.course import other_notebooks

    kept = [f"{p.parent.name}/{p.name}" for p in other_notebooks(root, written)]
    if kept:
        ctx.say(
            t(
                f"Left as they were (not rebuilt, not deleted): {len(kept)} other notebook(s) in source/: {', '.join(kept)}",
                f"保持不变(未重建、未删除):source/ 中另有 {len(kept)} 个 notebook:{', '.join(kept)}",
            )
        )
    ctx.say(
        t(
            f"Next: cd {root} && nbgrader generate_assignment <topic> (see docs/teachers.md)",
            f"下一步:cd {root} && nbgrader generate_assignment <主题>(见 docs/teachers.md)",
        )
    )
    return EXIT_OK


def cmd_course_check(ctx: Context) -> int:
    from torchdojo.teacher.course import require_nbgrader

    require_nbgrader()
    from torchdojo.teacher.course_check import check_course

    root = Path(ctx.args.dir).expanduser().resolve()
    if not (root / "source").is_dir():
        raise UsageError(
            t(
                f"{root} has no source/ folder: is it a course built by `torchdojo course build`?",
                f"{root} 中没有 source/ 文件夹:它是用 `torchdojo course build` 生成的课程吗?",
            )
        )
    problems = check_course(root, ctx.err)
    for problem in problems:
        ctx.err.print(f"[red]✗[/] {escape(problem)}", highlight=False)
    if problems:
        ctx.say(t(f"{len(problems)} problem(s).", f"发现 {len(problems)} 个问题。"), "red")
        return EXIT_FAILED
    ctx.say(t("✓ Every source notebook validates: all test cells pass on the solutions.", "✓ 所有源 notebook 都通过验证:参考答案通过全部测试单元格。"), "green")
    return EXIT_OK


def _sandbox_line(ctx: Context, limits: Limits, client: Client | None) -> Text:
    """Whether the submissions ran sandboxed. On a cluster with --sandbox unset, each worker decided (bwrap there)."""
    if limits.sandbox or client is None or ctx.args.sandbox is not None:
        return SANDBOX_ON if limits.sandbox else t("Sandbox: off.", "沙箱:未开启。")
    from torchdojo.teacher.cluster import sandboxing_workers

    able, workers = sandboxing_workers(client)
    if able == workers:
        return t(f"Sandbox: on (bubblewrap on all {workers} worker(s)).", f"沙箱:已开启(全部 {workers} 个 worker 都有 bubblewrap)。")
    if able == 0:
        return t(
            "Sandbox: off: no worker has a working bubblewrap (install it there: apt-get install bubblewrap).",
            "沙箱:未开启:没有 worker 有可用的 bubblewrap(请在那里安装:apt-get install bubblewrap)。",
        )
    return t(
        f"Sandbox: on {able} of {workers} worker(s); the others lack a working bubblewrap (install it there: apt-get install bubblewrap).",
        f"沙箱:{workers} 个 worker 中有 {able} 个开启;其余的没有可用的 bubblewrap(请在那里安装:apt-get install bubblewrap)。",
    )


def _batch_sandbox(ctx: Context, default_on: bool) -> bool:
    """grade-batch: on by default where bubblewrap works; an explicit --sandbox insists, --no-sandbox declines.
    (On a Dask cluster the workers' machines decide what they can do: only an explicit --sandbox asks it there.)"""
    from torchdojo.core.sandbox import sandbox_status

    wanted = ctx.args.sandbox
    if wanted is False or (wanted is None and not default_on):
        return False
    if wanted:
        require_sandbox()
        return True
    status = sandbox_status()
    if not status.available:
        problem = status.problem()
        ctx.warn(t(f"grading without a sandbox: {problem.en}", f"在没有沙箱的情况下评分:{problem.zh}"))
    return status.available


def cmd_grade_batch(ctx: Context) -> int:
    from torchdojo.teacher.batch import run_batch, write_rows
    from torchdojo.teacher.batch_outputs import check_submissions_folder, deliver, prepare
    from torchdojo.teacher.course import selected
    from torchdojo.teacher.exports import OutputError
    from torchdojo.ticker import Ticker

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


def _cluster(ctx: Context) -> Client | None:
    """With --scheduler: a client of a cluster whose workers grade like this machine (see torchdojo.teacher.cluster)."""
    if not ctx.args.scheduler:
        return None
    from torchdojo.teacher.cluster import ClusterError, connect, describe

    try:
        client = connect(ctx.args.scheduler, ctx.args.scheduler_timeout)
    except ClusterError as error:
        raise UsageError(error.text) from None
    workers, threads = describe(client)
    ctx.say(
        t(
            f"Grading on the Dask cluster at {ctx.args.scheduler}: {workers} worker(s), {threads} thread(s).",
            f"在 {ctx.args.scheduler} 的 Dask 集群上评分:{workers} 个 worker,{threads} 个线程。",
        ),
        "dim",
    )
    return client


def _run_on_cluster(ctx: Context, client: Client, tasks: list[Task], limits: Limits, done: Callable[[BatchRow], None]) -> list[BatchRow]:
    from torchdojo.teacher.cluster import run_cluster

    def fallback(task: Task, reason: str) -> None:
        ctx.warn(
            t(
                f"graded on this machine instead: {task.student} {task.exercise.id} (the cluster could not: {reason})",
                f"改在本机评分:{task.student} {task.exercise.id}(集群无法完成:{reason})",
            )
        )

    return run_cluster(tasks, limits, client, done, warm=not ctx.args.cold, on_fallback=fallback, sandbox_where_available=ctx.args.sandbox is None)


def _take_in(ctx: Context, root: Path, exercises: list[Exercise]):  # -> torchdojo.teacher.intake.Intake
    from torchdojo.teacher.intake import IntakeError, take_in

    try:
        return take_in(root, ctx.catalog, exercises, ctx.args.work_dir, ctx.args.deadline)
    except IntakeError as error:
        raise UsageError(error.text) from None


def _report_gradebook_disagreements(ctx: Context, rows: list, database: Path) -> int:
    from torchdojo.teacher.batch import compare_with_gradebook

    if not database.is_file():
        raise UsageError(t(f"{database} is not a file: pass the course's gradebook.db.", f"{database} 不是文件:请传入课程的 gradebook.db。"))
    disagreements = compare_with_gradebook(rows, database)
    for d in disagreements:
        ctx.say(
            t(
                f"disagree: {d.student} {d.exercise}: torchdojo {d.ours}, gradebook {d.gradebook}",
                f"不一致:{d.student} {d.exercise}:torchdojo {d.ours},成绩册 {d.gradebook}",
            ),
            "red",
        )
    if disagreements:
        return EXIT_FAILED
    ctx.say(t(f"The gradebook agrees on all {len(rows)} rows.", f"成绩册与全部 {len(rows)} 行一致。"), "green")
    return EXIT_OK

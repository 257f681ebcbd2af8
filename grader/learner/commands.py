"""The learner's commands: list, check, hint, reset, solution, init, watch and submit."""

from __future__ import annotations

import json
import os
from pathlib import Path

from rich.syntax import Syntax

from torchdojo.core.catalog import Exercise
from torchdojo.core.runner import Limits, grade
from torchdojo.i18n import t
from torchdojo.learner.context import EXIT_FAILED, EXIT_OK, SANDBOX_ON, Context, UsageError, require_sandbox
from torchdojo.learner.render import print_report, status_table
from torchdojo.paths import find_workspace, shown_path
from torchdojo.record.progress import ProgressError, ProgressStore, reset_attempt
from torchdojo.record.workspace import WorkspaceError, exercise_file, init_workspace, reset_exercise, solution_file


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
        require_sandbox()
    limits = Limits(timeout_s=args.timeout, memory_mb=args.memory_mb, protect=protect, sandbox=sandbox)
    lang = ctx.lang
    if args.json or not ctx.out.is_terminal:
        report = grade(exercise, file, limits, ctx.early)
    else:
        with ctx.out.status(t(f"Checking {exercise.id}…", f"正在检查 {exercise.id}…")(lang), spinner="dots"):
            report = grade(exercise, file, limits, ctx.early)
    ctx.record_attempt(report)
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
    ctx.reveal_hint(ctx.exercise(ctx.args.id))
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
    shown = shown_path(target)
    ctx.say(t(f"Restored {shown} to the original stub.", f"已将 {shown} 恢复为原始练习文件。"), "green")
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


def cmd_watch(ctx: Context) -> int:
    from torchdojo.learner import watch

    return watch.cmd_watch(ctx)


def cmd_submit(ctx: Context) -> int:
    from torchdojo.record import handin

    try:
        return handin.cmd_submit(ctx)
    except handin.HandinError as error:
        raise UsageError(error.text) from None


def cmd_list_plain(ctx: Context) -> int:
    ctx.args.json = False
    return cmd_list(ctx)

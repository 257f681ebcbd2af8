"""The contributors' commands: `dev new` and `dev check` (in a clone of the repository)."""

from __future__ import annotations

import sys

from rich.markup import escape

from torchdojo.i18n import t
from torchdojo.learner.context import EXIT_FAILED, EXIT_OK, Context, UsageError
from torchdojo.paths import shown_path


def cmd_new(ctx: Context) -> int:
    from torchdojo.dev import DevError
    from torchdojo.dev.new import create

    try:
        new = create(ctx.args.id)
    except DevError as error:
        raise UsageError(error.text) from None
    for path in new.files:
        ctx.out.print(f"  wrote {shown_path(path)}", highlight=False)
    ctx.out.print(
        t(
            f"  added {new.id} to grader/catalog.toml\nA working example (x * factor) to start from: edit the stub, the "
            f"solution, the checks and the fixtures, then run: torchdojo dev check {new.id}",
            f"  已把 {new.id} 加入 grader/catalog.toml\n这是一个可运行的示例(x * factor):请修改存根、参考解答、检查和测试用例,"
            f"然后运行:torchdojo dev check {new.id}",
        )(ctx.lang),
        highlight=False,
    )
    return EXIT_OK


def cmd_check(ctx: Context) -> int:
    import subprocess

    from torchdojo.dev import DevError, source_root
    from torchdojo.dev.check import three_way

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

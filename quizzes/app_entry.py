"""Where the CLI meets the Textual app, without importing Textual until it is needed."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torchdojo.learner.context import Context
    from torchdojo.quizzes.engine import QuizSession


def terminal_can_run_app() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def run_quiz_app(ctx: Context, session: QuizSession) -> int | None:
    """Run the quiz in the app; None when the terminal cannot host it (the caller falls back to plain)."""
    if not terminal_can_run_app():
        return None
    from torchdojo.quizzes.app import TorchDojoApp

    TorchDojoApp(ctx=ctx, quiz=session).run()
    return 0


def open_app(ctx: Context) -> int:
    """`torchdojo` with no command."""
    if not terminal_can_run_app():
        from torchdojo.learner.commands import cmd_list_plain

        return cmd_list_plain(ctx)
    from torchdojo.quizzes.app import TorchDojoApp

    TorchDojoApp(ctx=ctx).run()
    return 0

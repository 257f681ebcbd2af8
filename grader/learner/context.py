"""The learner context: what every command shares, resolved once from the arguments and the environment.

`Context` holds the catalog, the workspace, the record (read once per action, and the copy kept after each
change) and the language, and owns the actions the CLI and `watch` take: record an attempt, reveal a hint,
find the next exercise, say something in the learner's language. The record's changes themselves
(`attempt_added`, `hint_revealed`) are plain functions the app applies to its store too: each is written
once.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from torchdojo.core.catalog import Catalog, Exercise, UnknownExercise
from torchdojo.i18n import LANGS, Lang, Text, t
from torchdojo.record.progress import Progress, ProgressError, ProgressStore, attempt_from_report

if TYPE_CHECKING:
    from torchdojo.core.launch import Launcher
    from torchdojo.core.report import Report

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad usage: one clear line, exit code 2."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def attempt_added(report: Report, source: str) -> Callable[[Progress], None]:
    """The change that records one graded attempt (for `ProgressStore.update`)."""

    def change(progress: Progress) -> None:
        progress.exercise_attempts.append(attempt_from_report(report, source=source))

    return change


def hint_revealed(exercise: Exercise) -> Callable[[Progress], int]:
    """The change that shows one more of the exercise's hints; it returns how many are shown now."""

    def change(progress: Progress) -> int:
        count = min(progress.hints_shown.get(exercise.id, 0) + 1, len(exercise.hints))
        progress.hints_shown[exercise.id] = count
        return count

    return change


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
    early: Launcher | None = None  # a grading process started before the CLI loaded (torchdojo.early)

    @property
    def lang(self) -> Lang:
        if self._lang is None:
            chosen = getattr(self.args, "lang", None) or os.environ.get("TORCHDOJO_LANG")
            if chosen not in LANGS:
                chosen = self.progress().settings.lang if self.store else "en"
            self._lang = chosen
        return self._lang

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
        self._progress = None
        self._progress, result = self.store.apply(change)
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

    def record_attempt(self, report: Report, source: str = "cli") -> None:
        """Add a graded attempt to the record. One that cannot be saved is said, never dropped in silence."""
        if self.store is None:
            return
        try:
            self.update(attempt_added(report, source))
        except ProgressError as error:
            self.warn(error.text)
        self.flush_notices()

    def reveal_hint(self, exercise: Exercise) -> int:
        """Show the exercise's hints up to one more than before, and remember how many were shown."""
        if self.store is not None:
            count = self.update(hint_revealed(exercise))
        else:
            count = min(self.progress().hints_shown.get(exercise.id, 0) + 1, len(exercise.hints))
        assert isinstance(count, int)
        for number, hint in enumerate(exercise.hints[:count], 1):
            self.out.print(f"[bold]{number}/{len(exercise.hints)}[/] {escape(hint(self.lang))}", highlight=False)
        if count == len(exercise.hints):
            self.say(t("That was the last hint.", "这是最后一条提示。"), "dim")
        return count

    def next_unfinished(self, after: Exercise | None = None) -> Exercise | None:
        progress = self.progress()
        order = self.catalog.exercises
        if after is not None:
            index = order.index(after)
            order = order[index + 1 :] + order[: index + 1]
        return next((e for e in order if progress.status(e.id) != "done" and e != after), None)


SANDBOX_ON = t(
    "Sandbox: on (bubblewrap: no network, read-only files, no other submissions or solutions in view).",
    "沙箱:已开启(bubblewrap:无网络、文件只读、看不到其他提交和参考答案)。",
)


def require_sandbox() -> None:
    """An explicit --sandbox: without a working bubblewrap, stop (exit 2) and say how to get one."""
    from torchdojo.core.sandbox import sandbox_status

    status = sandbox_status()
    if not status.available:
        raise UsageError(status.problem())

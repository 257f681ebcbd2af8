"""`torchdojo watch`: re-grade the current exercise every time its file is saved, like rustlings.

Checks run as forks of a warm worker, so a re-check takes a fraction of a second. Keys
(type them and press Enter): h hint, l list, q quit; in `--manual` mode Enter re-checks —
for file systems whose change events never arrive (network drives, WSL on a Windows drive).
When the last exercise passes, every exercise is verified again before the course is done.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from grader.catalog import Exercise
from grader.i18n import t
from grader.progress import attempt_from_report
from grader.render import print_report
from grader.report import Report
from grader.runner import Limits, grade
from grader.warm import WarmWorker
from grader.workspace import exercise_file

if TYPE_CHECKING:
    from grader.cli import Context

NO_EVENT_AFTER_S = 2.5


def _read_commands(stream: TextIO, commands: queue.Queue[str]) -> None:
    for line in stream:
        commands.put(line.strip().lower())
    commands.put("eof")


def _changes(folder: Path, stop: threading.Event) -> Iterator[set]:
    from watchfiles import watch

    yield from watch(folder, stop_event=stop, yield_on_timeout=True, rust_timeout=200, debounce=150, raise_interrupt=False)


class Watch:
    def __init__(self, ctx: Context, manual: bool, stdin: TextIO | None = None) -> None:
        self.ctx = ctx
        self.manual = manual
        self.workspace = ctx.require_workspace()
        self.limits = Limits(timeout_s=ctx.args.timeout)
        self.commands: queue.Queue[str] = queue.Queue()
        self.stdin = stdin or sys.stdin
        self.worker = WarmWorker()
        self.suggested_manual = False

    # -- one check ----------------------------------------------------------------------
    def check(self, exercise: Exercise) -> Report:
        report = grade(exercise, exercise_file(self.workspace, exercise), self.limits, self.worker)
        if self.ctx.store is not None:
            self.ctx.update(lambda p: p.exercise_attempts.append(attempt_from_report(report, source="watch")))
        return report

    def show(self, exercise: Exercise, report: Report) -> None:
        upcoming = self.ctx.next_unfinished(after=exercise) if report.all_passed else None
        self.ctx.out.rule(exercise.id)
        print_report(self.ctx.out, report, exercise, self.ctx.lang, upcoming.id if upcoming else None, f"exercises/{exercise.file}", watching=True)
        keys = t("Keys: h hint · l list · q quit", "按键:h 提示 · l 列表 · q 退出")
        if self.manual:
            keys = t("Keys: Enter re-check · h hint · l list · q quit", "按键:回车 重新检查 · h 提示 · l 列表 · q 退出")
        self.ctx.say(keys, "dim")

    # -- the loop -----------------------------------------------------------------------
    def run(self, start: Exercise | None) -> int:
        threading.Thread(target=_read_commands, args=(self.stdin, self.commands), daemon=True).start()
        try:
            return self._loop(start)
        finally:
            self.worker.close()

    def _loop(self, start: Exercise | None) -> int:
        current = start or self.ctx.next_unfinished()
        if current is None and self._verify_all() is None:
            return 0
        current = current or self.ctx.next_unfinished()
        assert current is not None
        stop = threading.Event()
        changes = None if self.manual else _changes(self.workspace / "exercises", stop)
        recheck = True
        last_mtime = self._mtime(current)
        saved_at: float | None = None
        try:
            while True:
                if recheck:
                    report = self.check(current)
                    self.show(current, report)
                    recheck = False
                    last_mtime, saved_at = self._mtime(current), None
                    if report.all_passed:
                        following = self.ctx.next_unfinished(after=current)
                        if following is None:
                            failing = self._verify_all()
                            if failing is None:
                                return 0
                            following = failing
                        current, recheck = following, True
                        continue
                if changes is not None:
                    batch = next(changes, None)
                    if batch is None:
                        return 0
                    if any(Path(path).resolve() == exercise_file(self.workspace, current).resolve() for _, path in batch):
                        recheck = True
                        continue
                else:
                    time.sleep(0.05)
                mtime = self._mtime(current)
                if mtime != last_mtime and not self.manual:
                    saved_at = saved_at or time.monotonic()
                    if time.monotonic() - saved_at > NO_EVENT_AFTER_S and not self.suggested_manual:
                        self.suggested_manual = True
                        self.ctx.say(t(
                            "Your file changed but no change event arrived (network drive? WSL on a Windows drive?). "
                            "Run `torchdojo watch --manual` and press Enter to re-check.",
                            "文件已修改,但没有收到变更事件(网络驱动器?Windows 盘上的 WSL?)。"
                            "请运行 `torchdojo watch --manual`,按回车重新检查。"), "yellow")
                try:
                    command = self.commands.get_nowait()
                except queue.Empty:
                    continue
                if command in ("q", "quit", "eof"):
                    return 0
                if command == "h":
                    from grader.cli import cmd_hint

                    self.ctx.args.id = current.id
                    cmd_hint(self.ctx)
                elif command == "l":
                    from grader.render import status_table

                    self.ctx.out.print(status_table(self.ctx.catalog, self.ctx.progress(), self.ctx.lang))
                elif command == "" and self.manual:
                    recheck = True
                else:
                    self.ctx.say(t(f"Unknown key '{command}'.", f"未知按键 '{command}'。"), "yellow")
        finally:
            stop.set()

    def _mtime(self, exercise: Exercise) -> float:
        try:
            return exercise_file(self.workspace, exercise).stat().st_mtime
        except OSError:
            return 0.0

    def _verify_all(self) -> Exercise | None:
        """Re-grade every exercise; the first that fails, or None when the whole course passes."""
        self.ctx.say(t("Last exercise passed: verifying every exercise again…", "最后一个练习已通过:正在重新验证所有练习…"))
        for exercise in self.ctx.catalog.exercises:
            report = self.check(exercise)
            if not report.all_passed:
                self.ctx.say(t(f"{exercise.id} no longer passes.", f"{exercise.id} 现在不再通过。"), "red")
                return exercise
        self.ctx.say(t("Every exercise passes. The course is done — congratulations!", "所有练习都已通过,课程完成,恭喜!"), "bold green")
        return None


def cmd_watch(ctx: Context) -> int:
    start = ctx.exercise(ctx.args.id) if ctx.args.id else None
    return Watch(ctx, ctx.args.manual).run(start)

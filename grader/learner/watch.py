"""`torchdojo watch`: re-grade the current exercise every time its file is saved, like rustlings.

Checks run as forks of a warm worker, so a re-check takes a fraction of a second. Keys act at
once (no Enter needed in a terminal): h hint, l list, r re-check, q quit. `--manual` re-checks
only on Enter or r — for file systems whose change events never arrive (network drives, WSL on
a Windows drive); without it, a file that changes with no event is found by polling.

A save is never lost: the check runs in a background thread while watch keeps listening, and a
save made during a check starts a new check as soon as the running one ends (its stale verdict
is not shown). Saving another exercise's file switches to that exercise. When the last exercise
passes, every exercise is verified again before the course is done.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from torchdojo.core.catalog import Exercise, UnknownExercise
from torchdojo.core.report import Report
from torchdojo.core.runner import Limits, file_sha256, grade
from torchdojo.core.warm import WarmWorker
from torchdojo.i18n import t
from torchdojo.learner.render import print_report
from torchdojo.record.workspace import exercise_file

if TYPE_CHECKING:
    from torchdojo.core.launch import ChildProcess
    from torchdojo.learner.context import Context

NO_EVENT_AFTER_S = 2.5
POLL_S = 0.1


def _read_lines(stream: TextIO, events: queue.Queue[tuple[str, Any]]) -> None:
    """A pipe or a file: one command per line ("" is Enter)."""
    for line in stream:
        events.put(("key", line.strip().lower() or "enter"))
    events.put(("key", "eof"))


def _read_keys(fd: int, events: queue.Queue[tuple[str, Any]]) -> None:
    """A terminal in cbreak mode: every key press arrives at once."""
    while True:
        try:
            data = os.read(fd, 64)
        except OSError:
            data = b""
        if not data:
            events.put(("key", "eof"))
            return
        for char in data.decode("utf-8", errors="ignore"):
            if char in "\r\n":
                events.put(("key", "enter"))
            elif char == "\x04":  # ctrl-d
                events.put(("key", "eof"))
            elif char.isprintable() and not char.isspace():
                events.put(("key", char.lower()))


@contextlib.contextmanager
def _cbreak(fd: int) -> Iterator[None]:
    import termios
    import tty

    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        yield
        return
    try:
        tty.setcbreak(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _watch_files(folder: Path, stop: threading.Event, events: queue.Queue[tuple[str, Any]]) -> None:
    from watchfiles import Change, watch

    for batch in watch(folder, stop_event=stop, yield_on_timeout=True, rust_timeout=200, debounce=100, raise_interrupt=False):
        changed = [Path(path) for kind, path in batch if kind != Change.deleted and path.endswith(".py")]
        if changed:
            events.put(("files", changed))


class WarmOrCold:
    """The warm worker as a launcher that remembers the running child, so quitting can stop it.
    If the worker dies, checks go on in fresh interpreters (slower, never stuck)."""

    def __init__(self, worker: WarmWorker | None = None) -> None:
        self.worker = worker or WarmWorker()
        self.pid: int | None = None
        self.cold = False

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> ChildProcess:
        from torchdojo.core.launch import ColdLauncher

        child: ChildProcess | None = None
        if not self.cold:
            try:
                child = self.worker.launch(argv, nonce, result_fd, output_fd, cwd)
            except (RuntimeError, OSError):
                self.cold = True
        if child is None:
            child = ColdLauncher().launch(argv, nonce, result_fd, output_fd, cwd)
        self.pid = child.pid
        return child

    def stop_running(self) -> None:
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)

    def close(self) -> None:
        self.stop_running()
        self.worker.close()


class Watch:
    def __init__(self, ctx: Context, manual: bool, stdin: TextIO | None = None) -> None:
        self.ctx = ctx
        self.manual = manual
        self.workspace = ctx.require_workspace()
        self.limits = Limits(timeout_s=ctx.args.timeout)
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.stdin = stdin or sys.stdin
        self.launcher = WarmOrCold()
        self.current: Exercise | None = None
        self.running: Exercise | None = None  # the exercise being checked right now
        self.again = False  # a save (or r) arrived during the running check
        self.polling = False
        self.checked_mtime = 0.0
        self.changed_at: float | None = None
        self.line_mode = True
        self.deferred: list[str] = []

    # -- checks in the background -----------------------------------------------------------
    def start_check(self, exercise: Exercise) -> None:
        if self.running is not None:
            self.again = True
            return
        self.running = exercise
        self.again = False
        file = exercise_file(self.workspace, exercise)
        self.checked_mtime = self._mtime(exercise)
        self.changed_at = None
        self.ctx.say(t(f"⋯ Checking {exercise.id} ({self._display(exercise)})…", f"⋯ 正在检查 {exercise.id}({self._display(exercise)})…"), "dim")

        def work() -> None:
            before = file_sha256(file)
            try:
                report: Report | None = grade(exercise, file, self.limits, self.launcher)
            except Exception as error:  # noqa: BLE001 - reported in the loop, never a dead thread
                self.events.put(("failed", (exercise, error)))
                return
            self.events.put(("report", (exercise, report, before)))

        threading.Thread(target=work, daemon=True, name="watch-check").start()

    def record(self, report: Report) -> None:
        self.ctx.record_attempt(report, source="watch")

    def show(self, exercise: Exercise, report: Report) -> None:
        upcoming = self.ctx.next_unfinished(after=exercise) if report.all_passed else None
        self.ctx.out.rule(exercise.id)
        print_report(
            self.ctx.out,
            report,
            exercise,
            self.ctx.lang,
            upcoming.id if upcoming else None,
            self._display(exercise),
            watching=True,
            next_file=self._display(upcoming) if upcoming else None,
        )
        self.say_keys()

    def say_keys(self) -> None:
        if self.manual:
            keys = t("Keys: Enter/r re-check · h hint · l list · q quit", "按键:回车/r 重新检查 · h 提示 · l 列表 · q 退出")
        else:
            keys = t("Keys: h hint · l list · r re-check · q quit", "按键:h 提示 · l 列表 · r 重新检查 · q 退出")
        self.ctx.say(keys, "dim")

    # -- the loop -------------------------------------------------------------------------
    def run(self, start: Exercise | None) -> int:
        stop = threading.Event()
        stdin_fd = self._terminal_fd()
        try:
            with _cbreak(stdin_fd) if stdin_fd is not None else contextlib.nullcontext():
                self.line_mode = stdin_fd is None
                if stdin_fd is not None:
                    threading.Thread(target=_read_keys, args=(stdin_fd, self.events), daemon=True).start()
                else:
                    threading.Thread(target=_read_lines, args=(self.stdin, self.events), daemon=True).start()
                if not self.manual:
                    threading.Thread(target=_watch_files, args=(self.workspace / "exercises", stop, self.events), daemon=True).start()
                return self._loop(start)
        finally:
            stop.set()
            self.launcher.close()

    def _terminal_fd(self) -> int | None:
        try:
            fd = self.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            return None
        return fd if os.isatty(fd) else None

    def _loop(self, start: Exercise | None) -> int:
        current = start or self.ctx.next_unfinished()
        if current is None:
            current = self._verify_all()
            if current is None:
                return 0
        self.current = current
        self.start_check(current)
        while True:
            try:
                kind, payload = self.events.get(timeout=POLL_S)
            except queue.Empty:
                self._poll_file()
                continue
            if kind == "key":
                if self.line_mode and (self.running is not None or self.deferred):
                    self.deferred.append(payload)  # a script's commands (and its end) run in order, after the check
                    continue
                if self._key(payload):
                    return 0
            elif kind == "files":
                self._files(payload)
            elif kind == "failed":
                exercise, error = payload
                self.running = None
                self.ctx.say(t(f"The check could not run: {error}", f"检查无法运行:{error}"), "red")
            elif kind == "report":
                if self._report(*payload):
                    return 0
            while self.deferred and self.running is None:
                if self._key(self.deferred.pop(0)):
                    return 0

    def _report(self, exercise: Exercise, report: Report, before: str) -> bool:
        """A check finished; True when the whole course is done."""
        self.running = None
        self.record(report)
        assert self.current is not None
        changed = exercise != self.current or self.again or file_sha256(exercise_file(self.workspace, exercise)) != before
        if changed:  # saved while checking: that verdict is stale, check what is there now
            if exercise == self.current:
                self.ctx.say(t("You saved during the check: checking again…", "检查期间你保存了文件:重新检查…"), "dim")
            self.start_check(self.current)
            return False
        self.show(exercise, report)
        if not report.all_passed:
            return False
        following = self.ctx.next_unfinished(after=exercise)
        if following is None:
            following = self._verify_all()
            if following is None:
                return True
        self.current = following
        self.start_check(following)
        return False

    def _key(self, key: str) -> bool:
        """One key press; True to quit."""
        assert self.current is not None
        if key in ("q", "quit", "eof"):
            return True
        if key == "h":
            self.ctx.reveal_hint(self.current)
        elif key == "l":
            from torchdojo.learner.render import status_table

            self.ctx.out.print(status_table(self.ctx.catalog, self.ctx.progress(), self.ctx.lang))
        elif key in ("r", "enter"):
            if key == "enter" and not self.manual:
                return False
            self.start_check(self.current)
        else:
            self.ctx.say(t(f"Unknown key '{key}'.", f"未知按键 '{key}'。"), "yellow")
            self.say_keys()
        return False

    def _files(self, paths: list[Path]) -> None:
        assert self.current is not None
        mine = exercise_file(self.workspace, self.current).resolve()
        resolved = [path.resolve() for path in paths]
        if mine in resolved:
            self.start_check(self.current)
            return
        for path in reversed(resolved):
            exercise = self._exercise_of(path)
            shown = os.path.relpath(path, self.workspace)
            if exercise is None:
                self.ctx.say(
                    t(
                        f"{shown} changed, but it is not one of the exercises: still watching {self._display(self.current)}.",
                        f"{shown} 有改动,但它不是练习文件:仍在监视 {self._display(self.current)}。",
                    ),
                    "yellow",
                )
                continue
            self.ctx.say(t(f"You saved {shown}: switching to {exercise.id}.", f"你保存了 {shown}:切换到 {exercise.id}。"))
            self.current = exercise
            self.start_check(exercise)
            return

    def _exercise_of(self, path: Path) -> Exercise | None:
        folder = (self.workspace / "exercises").resolve()
        try:
            relative = path.relative_to(folder).as_posix()
        except ValueError:
            return None
        try:
            exercise = self.ctx.catalog.resolve(relative)
        except UnknownExercise:
            return None
        return exercise if exercise.file == relative else None

    def _poll_file(self) -> None:
        """Without change events (network drives, WSL), notice a save by its modification time."""
        if self.manual or self.current is None or self.running is not None:
            return
        mtime = self._mtime(self.current)
        if mtime == self.checked_mtime:
            return
        if self.polling:
            self.start_check(self.current)
            return
        self.changed_at = self.changed_at or time.monotonic()
        if time.monotonic() - self.changed_at > NO_EVENT_AFTER_S:
            self.polling = True
            self.ctx.say(
                t(
                    "Your file changed but no change event arrived (network drive? WSL on a Windows drive?): watch now checks the file's time instead.",
                    "文件已修改,但没有收到变更事件(网络驱动器?Windows 盘上的 WSL?):改为定时检查文件的修改时间。",
                ),
                "yellow",
            )
            self.start_check(self.current)

    def _mtime(self, exercise: Exercise) -> float:
        try:
            return exercise_file(self.workspace, exercise).stat().st_mtime
        except OSError:
            return 0.0

    def _display(self, exercise: Exercise) -> str:
        return f"exercises/{exercise.file}"

    def _verify_all(self) -> Exercise | None:
        """Re-grade every exercise; the first that fails, or None when the whole course passes."""
        self.ctx.say(t("Last exercise passed: verifying every exercise again…", "最后一个练习已通过:正在重新验证所有练习…"))
        for exercise in self.ctx.catalog.exercises:
            report = grade(exercise, exercise_file(self.workspace, exercise), self.limits, self.launcher)
            self.record(report)
            if not report.all_passed:
                self.ctx.say(t(f"{exercise.id} no longer passes.", f"{exercise.id} 现在不再通过。"), "red")
                return exercise
        self.ctx.say(t("Every exercise passes. The course is done — congratulations!", "所有练习都已通过,课程完成,恭喜!"), "bold green")
        return None


def cmd_watch(ctx: Context) -> int:
    start = ctx.exercise(ctx.args.id) if ctx.args.id else None
    return Watch(ctx, ctx.args.manual).run(start)

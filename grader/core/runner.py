"""The parent side of a check run: isolate, limit, and decide the verdict.

Each run starts `python -m torchdojo.core.child` in its own process group with a wall
time budget for the whole exercise. The child reports plain data per check;
the parent attaches points from the catalog. If the child dies (crash, exit,
timeout), the check it was running gets that verdict, and the checks it never
reached run again in a fresh child while time remains — so one crash never
turns into a pass for a later check, and never hides the others.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import selectors
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from torchdojo.core import protocol
from torchdojo.core.catalog import Exercise
from torchdojo.core.launch import ColdLauncher, Launcher, Limits, child_arguments
from torchdojo.core.report import CheckResult, Outcome, Report, RunStatus
from torchdojo.i18n import Text, t

OUTPUT_TRUNCATED_NOTE = "\n[output truncated]\n"


@dataclass
class _Attempt:
    """What one child process told us."""

    results: dict[str, protocol.CheckVerdict] = field(default_factory=dict)
    started: list[str] = field(default_factory=list)
    importing: bool = False
    imported: bool = False
    done: bool = False
    timed_out: bool = False
    forged: Text | None = None  # what the grading channel received that the real child never writes, said to the learner
    returncode: int | None = None
    stopped_at: tuple[int, str | None] | None = None  # on a timeout: the learner's line that was running
    waited_to_start: float = 0.0  # seconds the launcher took to start the child (a busy worker): not the learner's time


class _OutputBuffer:
    """Keeps the first `limit` bytes of learner output and counts the rest."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        room = self.limit - len(self.data)
        if room > 0:
            self.data += chunk[:room]
        self.dropped += max(0, len(chunk) - max(room, 0))

    def text(self) -> str:
        text = self.data.decode("utf-8", errors="replace")
        return text + OUTPUT_TRUNCATED_NOTE if self.dropped else text


def file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _crash_message(returncode: int | None, during_import: bool) -> Text:
    where_en = " while importing your file" if during_import else ""
    where_zh = "(导入你的文件时)" if during_import else ""
    if returncode is None:
        return t("The grading process stopped unexpectedly.", "评分进程意外停止。")
    if returncode < 0:
        number = -returncode
        name = _signal_name(number)
        if number == signal.SIGKILL:
            return t(
                f"Process killed (signal {number}, {name}){where_en}: probably out of memory.",
                f"进程被杀死(信号 {number},{name}){where_zh}:可能是内存不足。",
            )
        if number == signal.SIGABRT:  # what C++ code does when an allocation fails
            return t(
                f"Process crashed (signal {number}, {name}){where_en}: often out of memory. Look for a function that "
                "calls itself without end, or a list that keeps growing.",
                f"进程崩溃(信号 {number},{name}){where_zh}:通常是内存不足。请检查是否有无限调用自身的函数,或不断变长的列表。",
            )
        return t(
            f"Process crashed (signal {number}, {name}){where_en}.",
            f"进程崩溃(信号 {number},{name}){where_zh}。",
        )
    if returncode == 0:
        return t(
            f"Your code ended the process early{where_en} (os._exit or similar). A function should return, not exit.",
            f"你的代码提前结束了进程{where_zh}(os._exit 等)。函数应该返回结果,而不是退出。",
        )
    return t(
        f"The process exited with code {returncode}{where_en} before the check finished.",
        f"检查完成之前,进程以退出码 {returncode} 结束{where_zh}。",
    )


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _run_child(
    exercise: Exercise,
    file: Path,
    checks: list[str],
    limits: Limits,
    deadline: float,
    output: _OutputBuffer,
    launcher: Launcher,
) -> _Attempt:
    attempt = _Attempt()
    nonce = secrets.token_hex(16)
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    with tempfile.TemporaryDirectory(prefix="torchdojo-run-") as workdir:
        try:
            stack_file = Path(workdir) / ".stack"
            argv = child_arguments(exercise, file, checks, limits, result_w, stack_file)
            asked_at = time.monotonic()
            process = launcher.launch(argv, nonce, result_w, output_w, workdir)
            # Waiting for the launcher (a warm worker still rehearsing, a sandbox pool's busy sandboxes) is the
            # grader's time: the learner's time limit starts when their code can start.
            attempt.waited_to_start = time.monotonic() - asked_at
            deadline += attempt.waited_to_start
            # A sandboxed run reads a staged copy of the file and dumps its stack where it can write.
            stack_file = getattr(process, "stack_file", stack_file)
            seen_as = getattr(process, "learner_path", file)
        finally:
            os.close(result_w)
            os.close(output_w)
        selector = selectors.DefaultSelector()
        selector.register(result_r, selectors.EVENT_READ, "result")
        selector.register(output_r, selectors.EVENT_READ, "output")
        pending_line = b""
        open_streams = 2
        try:
            while open_streams:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    attempt.timed_out = True
                    attempt.stopped_at = _where_stopped(process.pid, stack_file, file, seen_as)
                    break
                if process.poll() is not None:
                    # The child is gone: anything still holding our pipes is a leftover grandchild.
                    _kill_group(process.pid)
                for key, _ in selector.select(timeout=min(remaining, 0.2)):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        selector.unregister(key.fd)
                        open_streams -= 1
                        continue
                    if key.data == "output":
                        output.feed(chunk)
                        continue
                    pending_line += chunk
                    *lines, pending_line = pending_line.split(b"\n")
                    for line in lines:
                        _handle_event(line, nonce, attempt)
        finally:
            _kill_group(process.pid)
            attempt.returncode = process.wait()
            selector.close()
            os.close(result_r)
            os.close(output_r)
    return attempt


_STACK_LINE = re.compile(r'^\s*File "(?P<file>.+)", line (?P<line>\d+) in ')


def _where_stopped(pid: int, stack_file: Path, learner_file: Path, seen_as: Path | None = None) -> tuple[int, str | None] | None:
    """Before a timeout kill: ask the child for its stack (faulthandler, on SIGUSR1) and find the
    innermost line of the learner's file in it. None when it cannot tell (e.g. not in their code)."""
    try:
        os.kill(pid, signal.SIGUSR1)
    except (ProcessLookupError, PermissionError):
        return None
    targets = {str(learner_file), str(seen_as or learner_file)}
    until = time.monotonic() + 0.5
    while time.monotonic() < until:
        time.sleep(0.02)
        try:
            lines = stack_file.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        found = [m for m in map(_STACK_LINE.match, lines) if m]
        if not found:
            continue
        for match in found:  # most recent call first
            if match["file"] in targets:
                number = int(match["line"])
                try:
                    source = learner_file.read_text(encoding="utf-8", errors="replace").splitlines()[number - 1].strip() or None
                except (OSError, IndexError):
                    source = None
                return number, source
        return None
    return None


def _handle_event(line: bytes, nonce: str, attempt: _Attempt) -> None:
    event = protocol.decode(line, nonce)
    if event is None:  # not a line the real child writes: forged
        attempt.forged = attempt.forged or FORGED_LINE
    elif isinstance(event, protocol.ImportStarted):
        attempt.importing = True
    elif isinstance(event, protocol.ImportDone):
        attempt.importing, attempt.imported = False, True
    elif isinstance(event, protocol.CheckStarted):
        attempt.started.append(event.check)
    elif isinstance(event, protocol.CheckVerdict):
        if event.check in attempt.results:  # a second verdict for the same check is forged
            attempt.forged = attempt.forged or _tampered(
                f"the grading channel received a second verdict for the check {event.check}", f"评分通道收到了检查 {event.check} 的第二个结果"
            )
        attempt.results[event.check] = event
    elif isinstance(event, protocol.RunDone):
        attempt.done = True


@dataclass(frozen=True)
class _Verdict:
    """One check's verdict as the parent decides it (points come from the catalog at the end)."""

    outcome: Outcome
    message: Text | None = None
    line: int | None = None
    source: str | None = None
    duration: float = 0.0


CANNOT_SKIP = t("This check cannot be skipped: your code raised an exception meant for the grader.", "这项检查不能跳过:你的代码抛出了评分器专用的异常。")


def _tampered(en: str, zh: str) -> Text:
    """The message every check of a tampered run shows: what was found, in both languages."""
    return t(f"Tampering detected: {en}. No points for this run.", f"检测到篡改:{zh}。本次运行不得分。")


FORGED_LINE = _tampered("the grading channel received a line the grader did not write", "评分通道收到了一行不是评分器写的数据")


def _launcher_for(limits: Limits, launcher: Launcher | None) -> Launcher:
    if limits.sandbox and not getattr(launcher, "sandboxed", False):
        # Asked for a sandbox: never fall back to an unsandboxed launcher silently.
        from torchdojo.core.sandbox import SandboxLauncher

        return SandboxLauncher(hide=limits.sandbox_hide)
    return launcher or ColdLauncher()


def _take_verdicts(exercise: Exercise, attempt: _Attempt, pending: list[str], verdicts: dict[str, _Verdict]) -> Text | None:
    """Add the verdicts the child reported for pending checks; what was forged or tampered with, if anything (the
    first thing found: the channel's, or the child's own words for what it found)."""
    tampered = attempt.forged
    for name, event in attempt.results.items():
        if name not in pending:
            tampered = tampered or _tampered(
                f"the grading channel received a verdict for {name}, a check this run did not ask for",
                f"评分通道收到了检查 {name} 的结果,但本次运行并没有要求这项检查",
            )
            continue
        spec = exercise.check(name)
        if (event.outcome == "needs_gpu" and not spec.needs_gpu) or (event.outcome == "not_graded" and not spec.stand_in):
            # Only checks the catalog marks may go uncounted: learner code raising pytest's Skipped (or a
            # grader limit) elsewhere must not shrink the maximum score.
            verdicts[name] = _Verdict("error", CANNOT_SKIP, duration=event.duration)
        else:
            message = t(event.en, event.zh) if event.en else None
            verdicts[name] = _Verdict(event.outcome, message, event.line, event.source, event.duration)
        if event.tampering and tampered is None:  # the child's own words: what it found replaced, or the reference called
            tampered = t(event.en, event.zh) if event.en and event.zh else _tampered("the grading run found a change", "评分过程发现了改动")
    return tampered


def _timed_out(pending: list[str], current: str | None, attempt: _Attempt, limits: Limits) -> dict[str, _Verdict]:
    """The time ran out: the running check says where the code was; the ones after it never ran."""
    seconds = f"{limits.timeout_s:g}"
    stopped = attempt.stopped_at
    verdicts = {}
    for name in pending:
        if (name == current or current is None) and stopped is not None:
            verdicts[name] = _Verdict(
                "timeout",
                t(
                    f"Timed out after {seconds} s. When it was stopped, your code was running line {stopped[0]}: look for a loop that never ends.",
                    f"{seconds} 秒后超时。被停止时,你的代码正在运行第 {stopped[0]} 行:请检查是否有永不结束的循环。",
                ),
                stopped[0],
                stopped[1],
            )
        elif name == current or current is None:
            verdicts[name] = _Verdict("timeout", t(f"Timed out after {seconds} s. Look for an endless loop.", f"{seconds} 秒后超时。请检查是否有死循环。"))
        else:
            verdicts[name] = _Verdict(
                "timeout", t(f"Not run: the {seconds} s time limit was used up by an earlier check.", f"未运行:{seconds} 秒的时间限制已被前面的检查用完。")
            )
    return verdicts


def _report(exercise: Exercise, file: Path, verdicts: dict[str, _Verdict], output: _OutputBuffer, started_at: float, status: RunStatus) -> Report:
    checks = [
        CheckResult(
            name=spec.name,
            title=spec.title,
            outcome=verdicts[spec.name].outcome,
            points=spec.points if verdicts[spec.name].outcome == "passed" else 0,
            max_points=spec.points,
            message=verdicts[spec.name].message,
            line=verdicts[spec.name].line,
            source_line=verdicts[spec.name].source,
            duration_s=round(verdicts[spec.name].duration, 4),
        )
        for spec in exercise.checks
    ]
    return Report(
        exercise=exercise.id,
        file=str(file),
        checks=checks,
        output=output.text(),
        output_truncated=output.dropped > 0,
        duration_s=round(time.monotonic() - started_at, 3),
        file_sha256=file_sha256(file),
        status=status,
    )


def grade(exercise: Exercise, file: Path, limits: Limits | None = None, launcher: Launcher | None = None) -> Report:
    """Grade `file` as `exercise`. Never raises for anything the learner's code does.

    `launcher` is how child processes start: cold by default, or forks of a warm worker
    (`torchdojo.core.warm.WarmWorker`) for instant re-checks; the verdict path is the same.
    Children run until every check has a verdict: one that dies takes only the check it was
    running with it, and a fresh child runs the rest while the time lasts.
    """
    limits = limits or Limits()
    launcher = _launcher_for(limits, launcher)
    file = file.resolve()
    started_at = time.monotonic()
    deadline = started_at + limits.timeout_s
    output = _OutputBuffer(limits.output_bytes)
    verdicts: dict[str, _Verdict] = {}
    pending = [c.name for c in exercise.checks]
    tampered: Text | None = None  # what was found, once anything was
    status: RunStatus = "ok"

    while pending:
        attempt = _run_child(exercise, file, pending, limits, deadline, output, launcher)
        deadline += attempt.waited_to_start
        tampered = tampered or _take_verdicts(exercise, attempt, pending, verdicts)
        pending = [name for name in pending if name not in verdicts]
        if not pending:
            break
        unfinished = [name for name in attempt.started if name not in verdicts]
        current = unfinished[-1] if unfinished else None
        if attempt.done and unfinished:
            # the child finished cleanly, yet a started check never reported: its machinery was replaced
            tampered = tampered or _tampered(
                f"the check {unfinished[-1]} started, and the run ended normally without its verdict: something the checks run on was replaced",
                f"检查 {unfinished[-1]} 已开始,运行正常结束,却没有它的结果:检查所依赖的东西被替换了",
            )
            verdicts.update({name: _Verdict("error") for name in pending})
            break
        if attempt.timed_out:
            status = "timeout"
            verdicts.update(_timed_out(pending, current, attempt, limits))
            break
        crash = _crash_message(attempt.returncode, attempt.importing)
        status = status if attempt.done else "crashed"
        if attempt.importing or (current is None and not attempt.results):
            # Dying while importing, or before any progress, would repeat for every check.
            verdicts.update({name: _Verdict("error", crash) for name in pending})
            break
        if current is not None:
            verdicts[current] = _Verdict("error", crash)
        pending = [name for name in pending if name not in verdicts]

    if tampered is not None:
        status = "tampered"
        verdicts = {name: _Verdict("error", tampered) for name in verdicts}
    return _report(exercise, file, verdicts, output, started_at, status)

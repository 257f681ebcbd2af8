"""Progress for long teacher commands: a bar on a terminal, a plain line every few seconds in a log.

On a terminal this is rich's progress bar. Anywhere else (a pipe, a CI log, `nohup`),
a bar is noise, and silence looks like a hang: one line goes to stderr every
`TORCHDOJO_PROGRESS_SECONDS` seconds (default 5), even while nothing finishes,
and one when all is done:

    grading: 12/48 done (25%), 0:00:31 elapsed, last: alice autograd/vjp ok
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def _interval() -> float:
    try:
        return max(0.2, float(os.environ.get("TORCHDOJO_PROGRESS_SECONDS", "5")))
    except ValueError:
        return 5.0


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class Ticker:
    def __init__(self, console: Console, label: str, total: int, every: float | None = None) -> None:
        self.console, self.label, self.total = console, label, total
        self.every = every if every is not None else _interval()
        self.done, self.last = 0, ""
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._bar: Progress | None = None
        self._start = time.monotonic()

    def line(self) -> str:
        with self._lock:
            share = f" ({100 * self.done // self.total}%)" if self.total else ""
            last = f", last: {self.last}" if self.last else ""
            return f"{self.label}: {self.done}/{self.total} done{share}, {_clock(time.monotonic() - self._start)} elapsed{last}"

    def _emit(self) -> None:
        stream = self.console.file
        stream.write(self.line() + "\n")
        stream.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._emit()

    def __enter__(self) -> Ticker:
        self._start = time.monotonic()
        if self.console.is_terminal:
            columns = (TextColumn(self.label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[last]}"))
            self._bar = Progress(*columns, console=self.console, transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.label, total=self.total, last="")
        else:
            self._thread = threading.Thread(target=self._loop, name="torchdojo-ticker", daemon=True)
            self._thread.start()
        return self

    def advance(self, last: str = "") -> None:
        with self._lock:
            self.done += 1
            self.last = last
        if self._bar is not None:
            self._bar.update(self._task, advance=1, last=last)

    def note(self, last: str) -> None:
        """What is being worked on now (without counting it done)."""
        with self._lock:
            self.last = last
        if self._bar is not None:
            self._bar.update(self._task, last=last)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, error, trace)
            return
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if kind is None:
            self._emit()

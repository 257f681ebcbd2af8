"""A real terminal for end-to-end tests: the program runs in a pty (pexpect), pyte keeps the screen.

with Terminal(["torchdojo"], cwd=workspace) as term:
    term.wait_for("Dashboard")
    term.send("e")
    assert "Status" in term.text()
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pexpect
import pyte

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07]*\x07|[()][A-Z0-9]|[=>])")


class Terminal:
    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None, cols: int = 80, rows: int = 24, timeout: float = 60) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.transcript = bytearray()
        full_env = {k: v for k, v in os.environ.items() if k not in ("TORCHDOJO_WORKSPACE", "COLUMNS", "LINES")}
        full_env.update({"TERM": "xterm-256color", "PYTHONPATH": str(ROOT), "TEXTUAL_ANIMATIONS": "none", **(env or {})})
        self.timeout = timeout
        self.child = pexpect.spawn(sys.executable, ["-m", "torchdojo", *args], cwd=str(cwd), env=full_env, dimensions=(rows, cols), timeout=timeout)

    def pump(self, seconds: float = 0.05) -> None:
        """Feed whatever the program wrote to the screen."""
        until = time.monotonic() + seconds
        while True:
            try:
                data = self.child.read_nonblocking(65536, timeout=max(0.0, min(0.05, until - time.monotonic())))
            except pexpect.TIMEOUT:
                data = b""
            except pexpect.EOF:
                return
            if data:
                self.transcript += data
                self.stream.feed(data)
            if time.monotonic() >= until:
                return

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def log(self) -> str:
        """Everything written so far, without colours, for programs that scroll (watch)."""
        return ANSI.sub("", self.transcript.decode("utf-8", errors="replace")).replace("\r\n", "\n")

    def wait_for(self, wanted: str | Callable[[], bool], timeout: float | None = None, where: str = "screen") -> None:
        check = wanted if callable(wanted) else (lambda: wanted in (self.text() if where == "screen" else self.log()))
        until = time.monotonic() + (timeout or self.timeout)
        while time.monotonic() < until:
            self.pump(0.1)
            if check():
                return
            if not self.child.isalive():
                self.pump(0.2)
                if check():
                    return
                break
        raise AssertionError(f"waited for {wanted!r}; the screen shows:\n{self.text()}\n--- log tail ---\n{self.log()[-3000:]}")

    def settle(self, seconds: float = 0.6) -> None:
        """Let the program finish drawing."""
        self.pump(seconds)

    def send(self, keys: str) -> None:
        self.child.send(keys)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close(force=True)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

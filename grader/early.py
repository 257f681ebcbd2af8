"""A cold check's grading process, started before the CLI knows what to grade.

`torchdojo check` spends a few hundred milliseconds on its own start-up (rich, pydantic, the
catalog, the record) before it can name the exercise; the grading child spends over a second
importing torch. Started first, the child imports torch and pytest *while* the parent gets
ready; the parent then hands it the run — arguments, nonce, and the two pipe ends (SCM_RIGHTS)
— and from there it is exactly a cold child: `torchdojo.core.child.main` applies the limits, installs
the guard and imports the learner's file, in a fresh process of its own group that serves one
run and exits. A second run (after a crash) starts an ordinary cold child.

This module is imported before anything heavy: it uses the standard library only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

_MAX_MESSAGE = 1 << 20


def child_env() -> dict[str, str]:
    """What a grading child needs from its first instant (`torchdojo.core.launch.child_env` sets more; the
    early child takes that full environment with the run, before any learner code)."""
    env = dict(os.environ)
    package_parent = Path(__file__).resolve().parent.parent
    if (package_parent / "torchdojo").is_dir():  # installed as a folder; a checkout's editable install has its own finder
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(package_parent), env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env.setdefault("OMP_NUM_THREADS", "2")
    return env


class EarlyChild:
    """The runner's launcher for one cold run whose process is already importing torch."""

    def __init__(self) -> None:
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock: socket.socket | None = parent_end
        self.process = subprocess.Popen(
            [os.path.abspath(sys.executable), "-X", "utf8", "-c", "from torchdojo.early import serve_once; serve_once()", str(child_end.fileno())],
            pass_fds=(child_end.fileno(),),
            env=child_env(),
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        child_end.close()

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> Any:
        sock, self._sock = self._sock, None
        if sock is None or self.process.poll() is not None:  # used already, or it died: an ordinary cold child
            if sock is not None:
                sock.close()
            from torchdojo.core.launch import ColdLauncher

            return ColdLauncher().launch(argv, nonce, result_fd, output_fd, cwd)
        from torchdojo.core.launch import child_env

        payload = json.dumps({"argv": argv, "nonce": nonce, "cwd": cwd, "env": child_env()}).encode()
        try:
            socket.send_fds(sock, [payload], [result_fd, output_fd])
        finally:
            sock.close()
        return self.process

    def close(self) -> None:
        """Stop it if it was never used (a usage error, nothing left to check)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def serve_once() -> None:
    """In the early child: import the heavy modules, wait for the run, become a cold child."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    import pytest  # noqa: F401  # preloaded: the run finds them imported
    import torch  # noqa: F401  # preloaded, as above

    import torchdojo.checks.support  # noqa: F401  # preloaded, as above
    from torchdojo.core.child import main

    message, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, 2)
    sock.close()
    if not message or len(fds) != 2:
        os._exit(0)  # the parent needed no check
    request = json.loads(message)
    os.environ.clear()
    os.environ.update(request["env"])  # exactly a cold child's environment from here on
    result_fd, output_fd = fds
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    os.chdir(request["cwd"])
    argv = list(request["argv"])
    argv[argv.index("--result-fd") + 1] = str(result_fd)
    main(argv, nonce=request["nonce"])
    os._exit(0)


def wants_early_child(argv: list[str]) -> bool:
    """`torchdojo check|submit ...` that will grade (not --help; a --sandbox run starts its own process inside bwrap)."""
    return bool(argv) and argv[0] in ("check", "submit") and not {"-h", "--help", "--sandbox"} & set(argv)


def compile_grader() -> None:
    """Write the bytecode of the grader's own modules, here in the trusted parent.

    The grading child never writes bytecode (no `__pycache__` may appear beside a learner's
    file), so in a clone or an editable install the checks, the harness and the child
    would be compiled from source on every cold check (about 60 ms). Done while the child
    is still importing torch, and only for stale files; a read-only install (whose
    bytecode pip already wrote) is left as it is.
    """
    import compileall

    try:
        compileall.compile_dir(str(Path(__file__).resolve().parent), quiet=2, workers=1)
    except OSError:
        pass


def main() -> int:
    """The `torchdojo` command: for a check, the grading process starts before anything else loads."""
    early = EarlyChild() if wants_early_child(sys.argv[1:]) else None
    if early is not None:
        compile_grader()
    try:
        from torchdojo.cli import main as cli_main

        return cli_main(early=early)
    finally:
        if early is not None:
            early.close()

"""A warm worker: one process that has imported torch, pytest and every check once, and forks a
fresh child per check run. A fork starts in milliseconds instead of paying ~1.2 s for `import torch`.

Each fork keeps every isolation property of a cold child — its own process group, resource
limits, the audit-hook guard, a private result pipe with a nonce, output drained and capped by
the parent — because it runs exactly the same `torchdojo.core.child.main`. The parent talks to the
worker over a Unix socket, passing the pipe ends as file descriptors (SCM_RIGHTS); the worker
reports each fork's pid and, later, its exit status.

    with WarmWorker() as worker:
        report = grade(exercise, file, launcher=worker)
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torchdojo.checks.memo import ReferenceRuns
    from torchdojo.core.child import PreparedRuns

_MAX_MESSAGE = 1 << 20


# -- the worker process ---------------------------------------------------------------------


def _preload() -> None:
    """Everything a check run imports, once, before any fork."""
    import hypothesis  # noqa: F401 - imported for the forks: paid once here
    import pytest  # noqa: F401 - imported for the forks: paid once here
    import torch  # noqa: F401 - imported for the forks: paid once here

    import torchdojo.checks.support  # noqa: F401 - imported for the forks (it also sets Hypothesis's profile)
    import torchdojo.core.child  # noqa: F401 - imported for the forks
    from torchdojo.core.catalog import load_catalog

    for exercise in load_catalog().exercises:
        module = torchdojo.core.child.check_module_name(exercise.check_module)
        try:
            __import__(module or "")
        except Exception:  # noqa: BLE001 - one broken check module must not stop every other exercise's re-checks
            continue  # that exercise's own run imports it again and reports the error where it belongs


def _send(sock: socket.socket, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


def _fork_child(request: dict, result_fd: int, output_fd: int, reference_runs: ReferenceRuns | None, prepared_runs: PreparedRuns | None = None) -> None:
    """In the forked child: become a normal grading child and never return."""
    try:
        os.setsid()
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        os.close(output_fd)
        os.chdir(request["cwd"])
        argv = list(request["argv"])
        argv[argv.index("--result-fd") + 1] = str(result_fd)
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        from torchdojo.core.child import main

        main(argv, nonce=request["nonce"], reference_runs=reference_runs, prepared_runs=prepared_runs)
    except BaseException:  # noqa: BLE001 - whatever happens, a fork never returns into the worker loop
        os._exit(70)
    os._exit(0)


def _watch_exit(selector: selectors.BaseSelector, pid: int) -> None:
    """Wake the loop the moment a fork exits (a pidfd), so its exit code reaches the parent at once
    instead of at the next 50 ms poll; without pidfd support, the poll still finds it."""
    try:
        selector.register(os.pidfd_open(pid), selectors.EVENT_READ, pid)
    except (AttributeError, OSError):
        pass


def _argument(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def _rehearse(argv: list[str], source: bytes | None = None, reference_runs: ReferenceRuns | None = None, prepared_runs: PreparedRuns | None = None) -> bool:
    """Run an exercise's checks once here, on the reference solution, with no one waiting.

    Importing is not enough: the first run of a check pays one-time costs (hypothesis building its
    strategies, torch's first calls of each operator) that every fork would pay again. Rehearsed
    once in the worker, they are paid for good, and a watch re-check costs what the checks cost.
    Never fatal: anything that goes wrong only leaves the worker unrehearsed. True when every
    check passed on the reference (a rehearsal that ran them all). The reference's side of each
    comparison is kept in `reference_runs`, for every fork to reuse (torchdojo.checks.memo), and
    pytest is made ready for the run (configured, its checks collected) once into `prepared_runs` (child.prepare_pytest)."""
    import contextlib

    from torchdojo.core import child, guard, watch

    reference, module, name = _argument(argv, "--reference"), _argument(argv, "--checks-module"), _argument(argv, "--module-name")
    if source is not None and reference and module and name:
        # Sandboxed: the fork deleted its staged copy of the reference; rehearse from the bytes read before
        # the fork, in a private folder that exists only now, while no learner code is running.
        import tempfile

        with tempfile.TemporaryDirectory(prefix="torchdojo-rehearsal-") as folder:
            copy = Path(folder) / Path(reference).name
            copy.write_bytes(source)
            staged = list(argv)
            staged[staged.index("--reference") + 1] = str(copy)
            return _rehearse(staged, reference_runs=reference_runs, prepared_runs=prepared_runs)
    if not (reference and module and name and Path(reference).is_file()):
        return False
    checks = _check_names(argv)
    saved = os.dup(1), os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    passed = False
    try:
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            plugin = child.GradingPlugin(child.Channel(sink, "-"), Path(reference), f"rehearsal_{name}", checks, Path(reference), reference_runs)
            # The child's own command line: the rehearsal warms up exactly what a fork will use.
            child.forget_pytest_environment()
            if reference_runs is not None:
                reference_runs.recording = True
            arguments = child.pytest_arguments(Path(module), checks)
            passed = child.run_checks(arguments, plugin) == 0
            if prepared_runs is not None and (prepared := child.prepare_pytest(arguments)) is not None:
                prepared_runs[tuple(arguments)] = prepared
    except BaseException:  # noqa: BLE001 - a rehearsal must never take the worker down
        pass
    finally:
        if reference_runs is not None:
            reference_runs.recording = False
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in (*saved, devnull):
            os.close(fd)
        for loaded in [m for m in sys.modules if m.endswith(f"rehearsal_{name}")]:
            del sys.modules[loaded]
        with contextlib.suppress(Exception):  # what the rehearsal imported joins the watch every fork starts from
            watch.base_watch(refresh=True)
            guard.warm_up()  # and the guard's answers about where its files' code comes from
    return passed


def _end_strays(me: int) -> None:
    """Sandboxed, this worker is PID 1 of its own PID namespace: once a run is over, every other
    process in it is left over from that run (a daemon, a fork bomb) and must not meet the next
    student's run. Kill and reap them all; if that cannot be done, end the namespace instead."""
    import time

    until = time.monotonic() + 5
    while True:
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != me]
        if not others:
            return
        if time.monotonic() > until:
            os._exit(75)
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.002)


def _check_names(argv: list[str]) -> list[str]:
    """The positional check names of a child's argv (every option of torchdojo.core.child takes a value)."""
    names = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.startswith("--"):
            skip = True
            continue
        names.append(arg)
    return names


def _rehearse_first(
    exercise_ids: list[str], reference_runs: ReferenceRuns | None, prepared_runs: PreparedRuns | None = None, skip: set[str] | None = None
) -> set[str]:
    """Rehearse these exercises now, before the worker says it is ready (or a batch's first runs of them, see
    `WarmWorker.rehearse`); returns the check modules rehearsed. Those in `skip` were rehearsed before.

    A batch grades each exercise for every student: rehearsed here once, every fork starts from
    checks that already ran (quickstart/train: 1.6 s a fork unrehearsed, 0.8 s rehearsed). An
    idle moment never comes in a busy batch, so waiting for one, as watch does, would not do."""
    from torchdojo.core.catalog import load_catalog
    from torchdojo.core.launch import module_name
    from torchdojo.paths import solutions_dir

    catalog = load_catalog()
    done: set[str] = set()
    for exercise_id in exercise_ids:
        try:
            exercise = catalog.resolve(exercise_id)
        except Exception:  # noqa: BLE001 - an unknown id only goes unrehearsed
            continue
        module = str(exercise.check_module)
        if skip is not None and module in skip:
            continue
        if _rehearse(
            [
                "--checks-module",
                module,
                "--module-name",
                module_name(exercise),
                "--reference",
                str(solutions_dir() / exercise.file),
                *(c.name for c in exercise.checks),
            ],
            reference_runs=reference_runs,
            prepared_runs=prepared_runs,
        ):
            done.add(module)
    return done


def serve(sock: socket.socket, rehearse: list[str] | None = None) -> None:
    _preload()
    from torchdojo.checks.memo import ReferenceRuns
    from torchdojo.core import hugepages

    # Every fork inherits what the rehearsals keep here (the reference's runs, each property check's examples).
    # TORCHDOJO_REFERENCE_RUNS=0 turns it off: every fork runs every reference and draws every example again
    # (to measure what keeping them saves, or to rule it out when a grade surprises).
    reference_runs = ReferenceRuns() if os.environ.get("TORCHDOJO_REFERENCE_RUNS", "1") != "0" else None
    prepared_runs: PreparedRuns = {}  # made after each rehearsal: every fork of that exercise starts from its copy
    rehearsed: set[str] = _rehearse_first(rehearse, reference_runs, prepared_runs) if rehearse else set()
    hugepages.pack()  # after the rehearsals, before the first fork: each fork then copies far fewer page-table entries
    _send(sock, {"event": "ready", "rehearsed": sorted(rehearsed)})  # see WarmWorker.wait_ready
    selector = selectors.DefaultSelector()
    selector.register(sock, selectors.EVENT_READ)
    children: set[int] = set()
    to_rehearse: list[tuple[list[str], bytes | None]] = []
    sandboxed = os.environ.get("TORCHDOJO_SANDBOXED") == "1"  # see torchdojo.core.sandbox: one run at a time, cleaned up after
    while True:
        for key, _ in selector.select(timeout=0.05):
            if key.data is not None:  # a fork's pidfd: it has exited, reap it below at once
                selector.unregister(key.fd)
                os.close(key.fd)
                continue
            message, fds, _, _ = socket.recv_fds(sock, _MAX_MESSAGE, 2)
            if not message:
                return  # the parent went away
            request = json.loads(message)
            if "rehearse" in request:  # see WarmWorker.rehearse: before these exercises' runs, with nobody's time running
                for fd in fds:
                    os.close(fd)
                queued = {_argument(argv, "--checks-module") for argv, _ in to_rehearse}
                rehearsed_now = _rehearse_first(request["rehearse"], reference_runs, prepared_runs, skip=rehearsed - queued)
                rehearsed |= rehearsed_now
                if rehearsed_now:
                    hugepages.pack()  # what the rehearsal kept, too
                to_rehearse = [(argv, source) for argv, source in to_rehearse if _argument(argv, "--checks-module") not in rehearsed_now]
                _send(sock, {"event": "rehearsed", "id": request["id"], "rehearsed": sorted(rehearsed_now)})
                continue
            module = _argument(request["argv"], "--checks-module")
            reference = _argument(request["argv"], "--reference")
            source = None
            if sandboxed and module and module not in rehearsed and reference:
                try:  # read now: the fork deletes its staged copy once imported
                    source = Path(reference).read_bytes()
                except OSError:
                    pass
            pid = os.fork()
            if pid == 0:
                sock.close()
                _fork_child(request, fds[0], fds[1], reference_runs, prepared_runs)
            for fd in fds:
                os.close(fd)
            children.add(pid)
            _watch_exit(selector, pid)
            _send(sock, {"event": "started", "id": request["id"], "pid": pid})
            if module and module not in rehearsed:
                rehearsed.add(module)
                to_rehearse.append((list(request["argv"]), source))
        if to_rehearse and not children:  # idle: nobody waits for this
            _rehearse(*to_rehearse.pop(0), reference_runs=reference_runs, prepared_runs=prepared_runs)
            hugepages.pack()
        for pid in list(children):
            try:
                done, status = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                children.discard(pid)
                continue
            if done:
                children.discard(pid)
                if sandboxed and not children:
                    _end_strays(os.getpid())
                _send(sock, {"event": "exit", "pid": pid, "code": os.waitstatus_to_exitcode(status)})


def worker_main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is for the parent
    sock = socket.socket(fileno=int(sys.argv[1]))
    try:
        serve(sock, rehearse=sys.argv[2:])
    finally:
        os._exit(0)


# -- the parent's handle ---------------------------------------------------------------------


class ForkedChild:
    """The runner's view of one fork: poll and wait through the worker's exit reports."""

    def __init__(self, pid: int, worker: WarmWorker) -> None:
        self.pid = pid
        self._worker = worker

    def poll(self) -> int | None:
        return self._worker.exit_code(self.pid, block=False)

    def wait(self) -> int:
        code = self._worker.exit_code(self.pid, block=True)
        assert code is not None
        return code


class WarmWorker:
    """Start once, then `launch` many isolated check runs; safe to share between threads."""

    def __init__(self, wrap: Callable[[list[str]], list[str]] | None = None, env_update: dict[str, str] | None = None, rehearse: Sequence[str] = ()) -> None:
        """`wrap` turns the worker's command into the one to run (torchdojo.core.sandbox: inside bwrap).
        `rehearse`: exercise ids whose checks run once on their references before the worker is
        ready (a batch: each of them will be graded again and again)."""
        from torchdojo.core.launch import child_env

        parent_end, worker_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock = parent_end
        command = [
            os.path.abspath(sys.executable),
            "-X",
            "utf8",
            "-c",
            "from torchdojo.core.warm import worker_main; worker_main()",
            str(worker_end.fileno()),
            *rehearse,
        ]
        self._process = subprocess.Popen(
            wrap(command) if wrap else command,
            pass_fds=(worker_end.fileno(),),
            env={**child_env(), **(env_update or {})},
            stdin=subprocess.DEVNULL,
        )
        worker_end.close()
        self._lock = threading.Lock()
        self._cond = threading.Condition()
        self._started: dict[str, int] = {}
        self._exits: dict[int, int] = {}
        self._rehearsals: dict[str, frozenset[str]] = {}  # a rehearse request's id -> the check modules it rehearsed
        self._ready = False
        self.rehearsed: frozenset[str] = frozenset()  # check modules run once before ready (see `rehearse`)
        self._closed = False
        self._next_id = 0
        self._reader = threading.Thread(target=self._read_events, daemon=True, name="warm-worker-events")
        self._reader.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        """Still serving forks (a long-lived holder, such as a Dask worker, replaces a dead one)."""
        return self._process.poll() is None and not self._closed

    def _read_events(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with self._cond:
                    self._closed = True
                    self._cond.notify_all()
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            with self._cond:
                for line in lines:
                    event = json.loads(line)
                    if event["event"] == "started":
                        self._started[event["id"]] = event["pid"]
                    elif event["event"] == "exit":
                        self._exits[event["pid"]] = event["code"]
                    elif event["event"] == "ready":
                        self._ready = True
                        self.rehearsed = frozenset(event.get("rehearsed", ()))
                    elif event["event"] == "rehearsed":
                        self._rehearsals[event["id"]] = frozenset(event["rehearsed"])
                        self.rehearsed = self.rehearsed | self._rehearsals[event["id"]]
                self._cond.notify_all()

    def wait_ready(self, timeout: float = 300) -> bool:
        """Block until torch and every check are imported (False if the worker stopped first).

        A run's time limit starts when it is asked for; without this wait, the first runs of a batch
        also pay the worker's start-up, which a busy machine stretches past a short --timeout, so
        the same submission could time out or not depending on when it was graded."""
        with self._cond:
            self._cond.wait_for(lambda: self._ready or self._closed, timeout)
            return self._ready

    def rehearse(self, exercise_ids: Sequence[str], timeout: float = 300) -> frozenset[str]:
        """Rehearse these exercises now, as `rehearse=` does at start-up, and return when that is done: the check
        modules rehearsed by this request (those rehearsed before are not run again).

        For a worker that learns what it will grade only when the work arrives (a Dask worker: see
        torchdojo.teacher.cluster): called before an exercise's first run there, so that run and every later one
        fork from a rehearsed worker. An idle moment, when watch rehearses, never comes to a busy one. The worker
        serves nothing else meanwhile: a fork already running reports its exit when the rehearsal is done."""
        placeholder = os.open(os.devnull, os.O_RDONLY)  # every request carries two descriptors: one message per receive
        try:
            with self._lock:
                self._next_id += 1
                request_id = str(self._next_id)
                socket.send_fds(self._sock, [json.dumps({"id": request_id, "rehearse": list(exercise_ids)}).encode()], [placeholder, placeholder])
        finally:
            os.close(placeholder)
        with self._cond:
            self._cond.wait_for(lambda: request_id in self._rehearsals or self._closed, timeout)
            return self._rehearsals.pop(request_id, frozenset())

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> ForkedChild:
        with self._lock:
            self._next_id += 1
            request_id = str(self._next_id)
            payload = json.dumps({"id": request_id, "argv": argv, "nonce": nonce, "cwd": cwd}).encode()
            socket.send_fds(self._sock, [payload], [result_fd, output_fd])
        with self._cond:
            while request_id not in self._started:
                if self._closed:
                    raise RuntimeError("the warm worker stopped")
                self._cond.wait(timeout=30)
            return ForkedChild(self._started.pop(request_id), self)

    def exit_code(self, pid: int, block: bool) -> int | None:
        with self._cond:
            while pid not in self._exits:
                if not block:
                    return None
                if self._closed:
                    return -signal.SIGKILL
                self._cond.wait(timeout=1)
            return self._exits[pid]

    def close(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> WarmWorker:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

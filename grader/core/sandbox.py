"""Grading code nobody has read: the check run inside a bubblewrap (`bwrap`) sandbox.

The runner's isolation (own process, limits, audit-hook guard, nonce'd result pipe) stops
mistakes and casual cheating, but the guard lives in the same interpreter as the learner's
code, which ctypes can step around. bubblewrap adds limits the kernel enforces:

- no network: a network namespace of its own (only a loopback with nobody listening);
- its own PID namespace: it sees no other process, and when the grading process ends,
  everything it started ends with it (`--as-pid-1`, `--die-with-parent`);
- a read-only view of the machine, with a private tmpfs on /tmp and a read-only empty $HOME;
- no view of the solutions folder, of the folder the submission came from (a class's
  other submissions), or of extra folders the caller names (`Limits.sandbox_hide`).

What must stay reachable is staged into the run's own folder (bound writable, the run's
private temp dir): a copy of the learner's file, and a copy of the reference solution, which
the child imports before any learner code and then deletes (`--reference-transient`).

Two launchers: `SandboxLauncher` (a fresh sandboxed interpreter per run, like `ColdLauncher`)
and `SandboxPool` (warm workers, each inside its own sandbox, serving one run at a time so a
fork never shares its sandbox with another student's run; see `torchdojo.core.warm`).
"""

from __future__ import annotations

import functools
import os
import queue
import secrets
import shutil
import site
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self

from pydantic import BaseModel, ConfigDict

from torchdojo.i18n import Text, t

if TYPE_CHECKING:
    from torchdojo.core.launch import ChildProcess

BWRAP_ENV = "TORCHDOJO_BWRAP"  # the bwrap program to use (tests point it elsewhere to play "missing")
SANDBOXED_ENV = "TORCHDOJO_SANDBOXED"  # set inside the sandbox: a warm worker there cleans up after each run
MAX_PROCESSES = 256  # RLIMIT_NPROC inside the sandbox (its own user namespace counts only its own processes)
NAMESPACE_FLAGS = (
    "--unshare-user", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
    "--die-with-parent", "--new-session", "--as-pid-1",
)  # fmt: skip

INSTALL_HINT = t(
    "Install bubblewrap: `sudo apt-get install bubblewrap` (Debian, Ubuntu) or `sudo dnf install bubblewrap` (Fedora).",
    "请安装 bubblewrap:`sudo apt-get install bubblewrap`(Debian、Ubuntu)或 `sudo dnf install bubblewrap`(Fedora)。",
)


class SandboxStatus(BaseModel):
    """Whether a sandbox can run here, and if not, why (said to the teacher as is)."""

    model_config = ConfigDict(frozen=True)

    state: Literal["ok", "missing", "no_namespaces"]
    program: str = ""
    detail: str = ""

    @property
    def available(self) -> bool:
        return self.state == "ok"

    def problem(self) -> Text:
        """Why the sandbox cannot run, with what to do about it."""
        if self.state == "missing":
            return t(
                f"The sandbox needs bubblewrap (bwrap), which is not installed. {INSTALL_HINT.en}",
                f"沙箱需要 bubblewrap(bwrap),但它没有安装。{INSTALL_HINT.zh}",
            )
        return t(
            f"bubblewrap ({self.program}) is installed but cannot create namespaces on this machine ({self.detail}). "
            "Containers often forbid them: run on the host, or allow user namespaces (sysctl kernel.unprivileged_userns_clone=1).",
            f"bubblewrap({self.program})已安装,但在这台机器上无法创建命名空间({self.detail})。"
            "容器常常禁止它:请在宿主机上运行,或允许用户命名空间(sysctl kernel.unprivileged_userns_clone=1)。",
        )


def bwrap_program() -> str | None:
    configured = os.environ.get(BWRAP_ENV)
    if configured is not None:
        return configured if configured and os.access(configured, os.X_OK) else None
    return shutil.which("bwrap")


@functools.cache
def _probe(program: str) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            [program, *NAMESPACE_FLAGS, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "true"],
            capture_output=True,
            timeout=20,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, str(error)
    detail = done.stderr.decode(errors="replace").strip().splitlines()
    return done.returncode == 0, (detail[-1] if detail else f"exit code {done.returncode}")


def sandbox_status() -> SandboxStatus:
    """Is bwrap here, and can it make the namespaces we need? (Tried once per process.)"""
    program = bwrap_program()
    if program is None:
        return SandboxStatus(state="missing")
    works, detail = _probe(program)
    return SandboxStatus(state="ok" if works else "no_namespaces", program=program, detail="" if works else detail)


# -- the mount plan --------------------------------------------------------------------------


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _needed_paths() -> list[Path]:
    """What the grading process reads: the interpreter and its libraries, and the grader package."""
    import torchdojo

    found = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(torchdojo.__file__).resolve().parent.parent]
    found += [Path(p) for p in (*site.getsitepackages(), site.getusersitepackages()) if p]
    found += [Path(p) for p in sys.path if p and ("site-packages" in p or "dist-packages" in p)]
    unique: list[Path] = []
    for path in found:
        for candidate in (path, path.resolve()):
            if candidate.is_dir() and candidate not in unique:
                unique.append(candidate)
    return unique


def _outermost(paths: list[Path]) -> list[Path]:
    resolved = sorted({p.resolve() for p in paths if p.is_dir() and p.resolve() != Path("/")}, key=lambda p: len(p.parts))
    kept: list[Path] = []
    for path in resolved:
        if not any(_inside(path, k) for k in kept):
            kept.append(path)
    return kept


def bwrap_command(program: str, inner: list[str], staging: Path, hide: list[Path], info_fd: int | None = None) -> list[str]:
    """The bwrap command line that runs `inner` with `staging` as its one writable folder (besides /tmp).

    Order matters: later mounts cover earlier ones. Hidden folders become empty read-only tmpfs,
    then what the grader needs is bound back read-only, then solutions are hidden again (they may
    sit inside the repository just bound back), and the run's staging folder comes last."""
    from torchdojo.paths import solutions_dir

    home = Path(os.path.expanduser("~")).resolve()
    covered = [Path("/tmp")] + ([home] if home.is_dir() and not _inside(Path("/tmp"), home) else [])
    needed = _needed_paths()
    solutions = solutions_dir().resolve()
    hidden = _outermost([*hide, solutions])
    # Hidden already by /tmp or $HOME, unless a folder bound back there shows it again.
    hidden = [h for h in hidden if not any(_inside(h, c) for c in covered) or any(_inside(h, n) for n in needed)]
    args = [program, *NAMESPACE_FLAGS, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev"]
    for path in covered:
        args += ["--tmpfs", str(path)]
    rebound = [n for n in needed if any(_inside(n, c) for c in covered)]
    for path in rebound:
        args += ["--ro-bind", str(path), str(path)]
    for path in hidden:
        args += ["--tmpfs", str(path)]
    for path in needed:  # a hidden folder may hold what the grader needs (a venv inside a class folder)
        if any(_inside(path, h) for h in hidden) and not _inside(path, solutions):
            args += ["--ro-bind", str(path), str(path)]
            rebound.append(path)
    if solutions.is_dir() and any(_inside(solutions, n) for n in rebound):
        args += ["--tmpfs", str(solutions)]
    args += ["--bind", str(staging), str(staging), "--chdir", str(staging)]  # before: it may sit inside $HOME (TMPDIR)
    for path in [*hidden, *covered[1:]]:
        args += ["--remount-ro", str(path)]
    if info_fd is not None:
        args += ["--info-fd", str(info_fd)]
    return [*args, "--", *inner]


def sandbox_env(env: dict[str, str]) -> dict[str, str]:
    """The child's environment inside the sandbox: the same, with caches in the private /tmp."""
    return {**env, SANDBOXED_ENV: "1", "TMPDIR": "/tmp", "XDG_CACHE_HOME": "/tmp/.cache", "HYPOTHESIS_STORAGE_DIRECTORY": "/tmp/torchdojo-hypothesis"}


# -- staging one run ---------------------------------------------------------------------------


def _option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def _set_option(argv: list[str], name: str, value: str) -> None:
    if name in argv[:-1]:
        argv[argv.index(name) + 1] = value
    else:
        argv[0:0] = [name, value]


class Staged(BaseModel):
    """One run's copies inside its staging folder, and the child's arguments that point at them."""

    folder: Path
    learner: Path
    stack_file: Path
    argv: list[str]


def stage(argv: list[str], folder: Path) -> Staged:
    """Copy the learner's file and the reference into `folder` and point the child's arguments at them."""
    argv = list(argv)
    folder.mkdir(parents=True, exist_ok=True)
    source = Path(_option(argv, "--file") or "")
    learner_dir = folder / "submission"
    learner_dir.mkdir(exist_ok=True)
    learner = learner_dir / (source.name or "submission.py")
    try:
        shutil.copyfile(source, learner)
    except OSError:
        learner.write_bytes(b"")
        learner = learner_dir / "missing.py"  # the child then reports it cannot be read, as a cold run would
    _set_option(argv, "--file", str(learner))
    reference = _option(argv, "--reference")
    if reference and Path(reference).is_file():
        ref_dir = folder / f".reference-{secrets.token_hex(8)}"
        ref_dir.mkdir()
        copy = ref_dir / Path(reference).name
        shutil.copyfile(reference, copy)
        _set_option(argv, "--reference", str(copy))
        argv[0:0] = ["--reference-transient", "1"]
    stack_file = folder / ".stack"
    _set_option(argv, "--stack-file", str(stack_file))
    argv[0:0] = ["--max-processes", str(MAX_PROCESSES)]
    return Staged(folder=folder, learner=learner, stack_file=stack_file, argv=argv)


def _exit_code(code: int) -> int:
    """bwrap reports a child killed by signal N as 128 + N; the runner's messages expect -N."""
    return -(code - 128) if 128 < code < 160 else code


class SandboxedProcess:
    """A cold run inside bwrap. `pid` is the grading process itself (pid 1 of its namespace, the
    leader of its own session), so the runner's SIGUSR1 and group kill reach it."""

    def __init__(self, process: subprocess.Popen[bytes], child_pid: int | None, staged: Staged) -> None:
        self._process = process
        self.pid = child_pid or process.pid
        self.stack_file = staged.stack_file
        self.learner_path = staged.learner

    def poll(self) -> int | None:
        code = self._process.poll()
        return None if code is None else _exit_code(code)

    def wait(self) -> int:
        return _exit_code(self._process.wait())


def _read_child_pid(fd: int) -> int | None:
    """bwrap's --info-fd says the sandboxed process's pid as seen from here, once it exists."""
    import json

    data = b""
    with os.fdopen(fd, "rb") as info:
        while b"}" not in data:
            chunk = info.read1(4096)
            if not chunk:
                break
            data += chunk
    try:
        return int(json.loads(data[: data.index(b"}") + 1])["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


class SandboxLauncher:
    """A fresh interpreter per run, inside its own sandbox (the sandboxed `ColdLauncher`)."""

    sandboxed = True

    def __init__(self, hide: tuple[Path, ...] = ()) -> None:
        program = bwrap_program()
        if program is None:
            raise RuntimeError(sandbox_status().problem().en)
        self.program = program
        self.hide = hide

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> SandboxedProcess:
        from torchdojo.core.launch import child_env, give_nonce

        staged = stage(argv, Path(cwd))
        source = Path(_option(argv, "--file") or "")
        info_r, info_w = os.pipe()
        inner = [os.path.abspath(sys.executable), "-X", "utf8", "-m", "torchdojo.core.child", *staged.argv]
        command = bwrap_command(self.program, inner, Path(cwd), [*self.hide, source.parent], info_fd=info_w)
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=output_fd,
                stderr=output_fd,
                pass_fds=(result_fd, info_w),
                cwd=cwd,
                env=sandbox_env(child_env()),
                start_new_session=True,
            )
        finally:
            os.close(info_w)
        child_pid = _read_child_pid(info_r)
        give_nonce(process, nonce)
        return SandboxedProcess(process, child_pid, staged)


# -- warm workers in sandboxes -------------------------------------------------------------------


def _status_fields(pid: int | str) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def _children_of(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
        return found
    except OSError:
        return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _status_fields(p.name).get("PPid") == str(pid)]


def outer_pid(bwrap_pid: int, inner: int) -> int | None:
    """The pid, as seen here, of process `inner` of a sandboxed warm worker's namespace (a fork of it)."""
    for worker in _children_of(bwrap_pid):
        for child in _children_of(worker):
            if _status_fields(child).get("NSpid", "").split()[-1:] == [str(inner)]:
                return child
    return None


_NO_PID = (1 << 22) + 1  # above any pid_max: signalling it finds no process


class _PooledFork:
    """One run of a pooled worker: the runner's handle, which gives the worker back when the run ends."""

    def __init__(self, fork: ChildProcess, pid: int, staged: Staged, release: Callable[[], object]) -> None:
        self._fork = fork
        self.pid = pid
        self.stack_file = staged.stack_file
        self.learner_path = staged.learner
        self._staged = staged
        self._release = release
        self._released = False

    def poll(self) -> int | None:
        return self._fork.poll()

    def wait(self) -> int:
        code: int = self._fork.wait()
        if not self._released:
            self._released = True
            shutil.rmtree(self._staged.folder, ignore_errors=True)
            self._release()
        return code


class SandboxedWorker:
    """A warm worker started inside bwrap, with a staging root (its one writable folder besides /tmp)
    where each run's folder is made and removed again before the next run."""

    def __init__(self, program: str, hide: tuple[Path, ...]) -> None:
        from torchdojo.core.warm import WarmWorker

        self.staging = Path(tempfile.mkdtemp(prefix="torchdojo-sandbox-"))
        self.worker = WarmWorker(wrap=lambda inner: bwrap_command(program, inner, self.staging, list(hide)), env_update=sandbox_env({}))

    @property
    def alive(self) -> bool:
        return self.worker._process.poll() is None and not self.worker._closed

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, release: Callable[[], object]) -> _PooledFork:
        staged = stage(argv, self.staging / f"run-{secrets.token_hex(8)}")
        try:
            fork = self.worker.launch(staged.argv, nonce, result_fd, output_fd, str(staged.folder))
        except BaseException:
            shutil.rmtree(staged.folder, ignore_errors=True)
            raise
        pid = outer_pid(self.worker.pid, fork.pid)
        if pid is None:  # the fork is already gone (or this kernel hides NSpid): never signal a wrong process
            fork.wait()
            pid = _NO_PID
        return _PooledFork(fork, pid, staged, release)

    def close(self) -> None:
        self.worker.close()
        shutil.rmtree(self.staging, ignore_errors=True)


class SandboxPool:
    """Launcher: `size` warm workers, each in its own sandbox, each serving one run at a time.

    One run per sandbox is what keeps students apart: a fork could otherwise see a concurrent
    fork's files through /proc or the shared staging root. Between runs the worker ends every
    process left in its namespace, and the run's folder is deleted before the next run starts."""

    sandboxed = True

    def __init__(self, size: int = 1, hide: tuple[Path, ...] = ()) -> None:
        program = bwrap_program()
        if program is None:
            raise RuntimeError(sandbox_status().problem().en)
        self._program, self._hide = program, hide
        self._free: queue.Queue[SandboxedWorker] = queue.Queue()
        self._all: list[SandboxedWorker] = []
        self._lock = threading.Lock()
        for _ in range(max(1, size)):
            self._add()
        for worker in list(self._all):  # time limits measure the checks, not the workers' start-up
            ready = getattr(worker.worker, "wait_ready", None)
            if ready is not None:
                ready()

    def _add(self) -> SandboxedWorker:
        worker = SandboxedWorker(self._program, self._hide)
        with self._lock:
            self._all.append(worker)
        self._free.put(worker)
        return worker

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> _PooledFork:
        worker = self._free.get()
        if not worker.alive:  # it ended itself (could not clean up after a run): a fresh one takes its place
            worker.close()
            with self._lock:
                self._all.remove(worker)
            self._add()
            worker = self._free.get()
        try:
            return worker.launch(argv, nonce, result_fd, output_fd, lambda: self._free.put(worker))
        except BaseException:
            self._free.put(worker)
            raise

    def close(self) -> None:
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

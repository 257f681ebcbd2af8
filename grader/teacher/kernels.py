"""Fresh Jupyter kernels in milliseconds: forks of one process that imported torch and ipykernel once.

`course check` executes every source notebook in its own kernel, as nbgrader does. A kernel
started the usual way is a new interpreter that imports ipykernel and then, in the notebook's
first cell, torch: about 3 s of CPU per notebook, most of a course check on a 2-core machine.
Here one fork server pays those imports once and forks a kernel per notebook. Each fork is a
new process with its own empty namespace, its own session and process group, the client's
environment and working folder, and runs exactly `python -m ipykernel_launcher` with the
kernelspec's arguments; `import torch` in a cell finds the module loaded, as it would after a
first cell did it. Nothing is shared between two notebooks but the copy-on-write memory of the
imports.

    with KernelForkServer() as server:
        os.environ[SERVER_ENV] = server.address   # read by ForkedKernelManager, in any process
        ... nbclient / nbgrader with kernel_manager_class=ForkedKernelManager ...

Anything unusual — a kernelspec that is not this interpreter's ipykernel, a server that does not
answer — falls back to jupyter_client's own launch, so a kernel always starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self, cast

from jupyter_client.manager import AsyncKernelManager

SERVER_ENV = "TORCHDOJO_KERNEL_SERVER"  # the fork server's socket path, for kernel managers in other processes
_MAX_REQUEST = 8 << 20


# -- the fork server ------------------------------------------------------------------------


def _preload() -> None:
    """What every kernel of a torchdojo course imports anyway: ipykernel, torch, the test cells' module."""
    import ipykernel.ipkernel
    import ipykernel.kernelapp  # noqa: F401  # preloaded for every kernel forked from here
    import torch
    import torch.nn
    import torch.utils.data  # noqa: F401  # preloaded, as above

    import torchdojo.core.report  # noqa: F401  # preloaded, as above


def _read_request(conn: socket.socket) -> dict[str, Any]:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk or len(data) > _MAX_REQUEST:
            raise OSError("incomplete request")
        data += chunk
    return json.loads(data)


def _become_kernel(request: dict[str, Any]) -> None:
    """In the fork: become `python -m ipykernel_launcher ARGS` in the client's environment; never return."""
    code = 1
    try:
        os.setsid()  # its own session and process group, as jupyter_client's launch gives (interrupts reach the group)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)  # the kernel talks over zmq; stdin is never read
        os.dup2(null, 1)  # ipykernel prints a Ctrl-C note on stdout when it has no parent handle
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        args = list(request["args"])
        parent = os.environ.get("JPY_PARENT_PID")
        if parent:  # its default was read when the server imported ipykernel, without this variable
            args.append(f"--IPKernelApp.parent_handle={parent}")
        sys.argv = [request["launcher"], *args]
        sys.path[0] = os.getcwd()  # as `python -m` sets it (ipykernel_launcher removes it while it loads)
        import runpy

        runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - whatever happens, a fork never returns into the server loop
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def serve(listener: socket.socket) -> None:
    """Fork a kernel per request on `listener` (clients queued while the imports ran).

    Ends when its stdin closes (the owner went away)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is for the owner
    with contextlib.suppress(Exception):  # if an import fails, kernels import what they need themselves, as usual
        _preload()
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "listener")
    selector.register(sys.stdin, selectors.EVENT_READ, "owner")
    while True:
        for key, _ in selector.select(timeout=0.5):
            if key.data == "owner":
                if not os.read(sys.stdin.fileno(), 1024):
                    return
                continue
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(30)
                try:
                    request = _read_request(conn)
                except (OSError, ValueError):
                    continue
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    listener.close()
                    conn.close()
                    _become_kernel(request)
                try:
                    pidfd = os.pidfd_open(pid)  # before any reaping: it can only name this child
                except OSError:  # a Linux older than 5.3: the client starts its kernel the usual way
                    os.kill(pid, signal.SIGKILL)
                    continue
                try:
                    socket.send_fds(conn, [json.dumps({"pid": pid}).encode() + b"\n"], [pidfd])
                except OSError:
                    os.kill(pid, signal.SIGKILL)
                finally:
                    os.close(pidfd)
        while True:  # reap exited kernels (their clients watch them through their pidfds)
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break


def server_main() -> None:
    serve(socket.socket(fileno=int(sys.argv[1])))


def fork_server_supported() -> bool:
    """Linux only: the server hands each kernel's pidfd to its client (elsewhere kernels start as usual)."""
    return sys.platform.startswith("linux") and hasattr(os, "pidfd_open") and hasattr(socket, "send_fds") and hasattr(os, "fork")


class KernelForkServer:
    """Start the fork server (its imports run in the background); `address` is its socket path."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="torchdojo-kernels-")  # mode 0700: no other user can connect
        self.address = str(Path(self._folder.name) / "fork.sock")
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:  # listening before the server starts:
            listener.bind(self.address)  # a client never finds no socket, it waits in the backlog
            listener.listen(64)
            self._process = subprocess.Popen(
                [os.path.abspath(sys.executable), "-c", "from torchdojo.teacher.kernels import server_main; server_main()", str(listener.fileno())],
                pass_fds=(listener.fileno(),),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
            )

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._folder.cleanup()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


# -- the client side --------------------------------------------------------------------------


class ForkedKernel:
    """What jupyter_client's LocalProvisioner needs of a Popen, for a kernel that is not our child:
    its pid, and a pidfd that becomes readable when it exits (the server reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, pidfd: int) -> None:
        self.pid = pid
        self._pidfd: int | None = pidfd
        self.returncode: int | None = None

    def _exited(self, timeout: float | None) -> bool:
        if self._pidfd is None:
            return True
        with selectors.DefaultSelector() as selector:
            selector.register(self._pidfd, selectors.EVENT_READ)
            if not selector.select(timeout):
                return False
        os.close(self._pidfd)
        self._pidfd = None
        self.returncode = 0  # the server reaps it; an exited kernel is all a client asks about
        return True

    def poll(self) -> int | None:
        return self.returncode if self._exited(0) else None

    def wait(self, timeout: float | None = None) -> int:
        if not self._exited(timeout):
            raise subprocess.TimeoutExpired(["kernel"], timeout or 0)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self._pidfd is not None:
            signal.pidfd_send_signal(self._pidfd, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def fork_kernel(address: str, kernel_cmd: list[str], env: dict[str, str], cwd: str, timeout: float = 120.0) -> ForkedKernel | None:
    """A kernel forked by the server at `address`, or None when this command is not one it can run."""
    if len(kernel_cmd) < 3 or kernel_cmd[1:3] != ["-m", "ipykernel_launcher"]:
        return None
    interpreter = kernel_cmd[0] if os.sep in kernel_cmd[0] else shutil.which(kernel_cmd[0], path=env.get("PATH"))
    if not interpreter or Path(interpreter).absolute().parent != Path(sys.executable).absolute().parent:
        return None  # another environment's interpreter: its own packages
    request = {"launcher": kernel_cmd[0], "args": kernel_cmd[3:], "env": env, "cwd": cwd}
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(timeout)  # the server may still be importing torch
        try:
            conn.connect(address)
            conn.sendall(json.dumps(request).encode() + b"\n")
            message, fds, _, _ = socket.recv_fds(conn, 65536, 1)
        except OSError:
            return None
    if not fds:
        return None
    try:
        pid = int(json.loads(message)["pid"])
    except (ValueError, KeyError, TypeError):
        for fd in fds:
            os.close(fd)
        return None
    return ForkedKernel(pid, fds[0])


class _KernelProcessFields(Protocol):
    """What jupyter_client's LocalProvisioner records about the kernel it started (here: about a forked one)."""

    process: Any
    pid: int | None
    pgid: int | None
    cwd: Any


class ForkedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, launching through the fork server named in $TORCHDOJO_KERNEL_SERVER
    (the hook jupyter_client documents for launching kernels differently); everything else is unchanged."""

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        address = os.environ.get(SERVER_ENV)
        provisioner = self.provisioner
        kernel = None
        if address and provisioner is not None and hasattr(provisioner, "process"):
            env = {str(k): str(v) for k, v in (kw.get("env") or os.environ).items()}
            env.setdefault("JPY_PARENT_PID", str(os.getpid()))  # as jupyter_client's launcher sets it
            kernel = fork_kernel(address, kernel_cmd, env, str(kw.get("cwd") or os.getcwd()))
        if kernel is None or provisioner is None:  # (a kernel is only forked with a provisioner)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        local = cast(_KernelProcessFields, provisioner)  # it has `process` (hasattr above): LocalProvisioner's fields
        local.process = kernel
        local.pid = kernel.pid
        local.pgid = kernel.pid  # setsid made it its group's leader
        local.cwd = kw.get("cwd") or os.getcwd()
        self._reconcile_connection_info(provisioner.connection_info)

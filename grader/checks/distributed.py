"""Run a check's body on every rank of a real gloo process group: forked processes, bounded time.

`run_ranks(body, world_size, learner=...)` forks `world_size` ranks from the grading child. Each joins
a gloo process group (rendezvous through a `FileStore` in a temporary folder the grader owns and
removes), runs `body(rank, world_size)` and sends what it returned back on its own pipe (pickled,
tensors included), then waits to be killed (no teardown of the check's state; its connections stay
open, so a rank still waiting for it shows as stuck rather than disconnected). The parent returns
the values in rank order, or raises:

- a rank's exception, re-raised *at the learner's line* it came from (a frame with their file and
  module name, so the harness and the child name that line as for any other error of theirs;
  NotImplementedError of a stub stays "not written yet");
- `CheckFailed` when a rank is still running at the deadline (a rank waiting in a collective the
  others never joined — the classic distributed hang): its stack is dumped first (faulthandler on
  SIGUSR2) to name the learner's line where it waited, then every rank is killed;
- `CheckFailed` when a rank ends without an answer (os._exit, a crash, killed for memory);
- `RuntimeError` with the rank's traceback for the reference (`learner=None`): a grader bug.

Why fork, not spawn: a forked rank keeps what the grading child set up before learner code ran
(the audit-hook guard of `torchdojo.core.child.install_guard`, resource limits, the imported torch); spawn
would start a bare interpreter without the guard and import torch again (seconds). Forked ranks
die with the grading child (parent-death signal), and are always reaped here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import re
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from torchdojo.checks.support import CheckFailed

RANK_TIMEOUT_S = 6.0
"""Seconds all ranks together may take. The reference needs about 0.1 s; a hung collective waits here, not for gloo's timeout."""

_GLOO_TIMEOUT = timedelta(seconds=60)  # later than ours: the parent's deadline decides, with the learner's line
_DUMP_WAIT_S = 0.5


class Unpicklable:
    """Stands for a value a rank returned that cannot travel back (its type name and repr)."""

    def __init__(self, kind: str, text: str) -> None:
        self.kind = kind
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.kind}: {self.text}>"


_prepared: list[bool] = []


def prepare() -> None:
    """Work every rank would otherwise repeat, done once here and inherited by each fork: DDP's constructor
    imports torch._dynamo (1-3 s, per rank), and an optimizer's first step initializes itself (tens of ms)."""
    if _prepared:
        return
    import torch._dynamo
    import torch.distributed
    import torch.nn.parallel

    parameter = torch.nn.Parameter(torch.ones(2))  # private: no state of the caller's is touched
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    (parameter * parameter).sum().backward()
    optimizer.step()
    _prepared.append(True)


def run_ranks(
    body: Callable[[int, int], Any],
    world_size: int,
    *,
    learner: ModuleType | None,
    given: tuple[str, str] = ("", ""),
    where: object | None = None,
    timeout_s: float = RANK_TIMEOUT_S,
) -> list[Any]:
    """What `body(rank, world_size)` returned on each rank of a fresh gloo process group, in rank order.

    `learner` is the learner's module when `body` runs their code (errors are theirs, with their
    line), None when it runs the reference's (errors are the grader's). `given` describes the inputs
    for a message (en, zh); `where` is the learner's function, for a message without a better line.
    """
    import torch.distributed as dist

    if dist.is_initialized():
        raise RuntimeError("run_ranks needs a process without a process group")
    prepare()
    folder = Path(tempfile.mkdtemp(prefix="torchdojo-ranks-"))
    learner_file = getattr(learner, "__file__", None)
    ranks: list[_Rank] = []
    try:
        sys.stdout.flush()  # nothing buffered may be written twice (once by a rank)
        sys.stderr.flush()
        for index in range(world_size):
            ranks.append(_fork_rank(body, index, world_size, folder, learner_file, timeout_s))
        _collect(ranks, time.monotonic() + timeout_s)
        for rank in ranks:
            if rank.stuck:
                rank.stuck_at = _stuck_line(rank, learner_file)
    finally:
        for rank in ranks:
            rank.end()
        shutil.rmtree(folder, ignore_errors=True)
    return _verdict(ranks, learner, given, where, timeout_s)


# -- one rank ----------------------------------------------------------------------------------


class _Rank:
    """The parent's view of one forked rank."""

    def __init__(self, rank: int, pid: int, fd: int, dump: Path) -> None:
        self.rank = rank
        self.pid = pid
        self.fd = fd
        self.dump = dump
        self.data = bytearray()
        self.closed = False
        self.message: tuple[Any, ...] | None = None
        self.status: int | None = None
        self.stuck_at: int | None = None
        self.stuck = False
        self.cut_off = False  # still running when the check ended it: its end says nothing about the learner's code

    def end(self) -> None:
        self.cut_off = not self.closed
        if self.status is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
            self.status = status
        if not self.closed:
            os.close(self.fd)
            self.closed = True


def _fork_rank(body: Callable[[int, int], Any], rank: int, world_size: int, folder: Path, learner_file: str | None, timeout_s: float) -> _Rank:
    read_fd, write_fd = os.pipe()
    dump = folder / f"rank{rank}.stack"
    pid = os.fork()
    if pid == 0:  # the rank: never returns
        os.close(read_fd)
        _rank_main(body, rank, world_size, folder / "store", write_fd, dump, learner_file)
    os.close(write_fd)
    return _Rank(rank, pid, read_fd, dump)


def _rank_main(body: Callable[[int, int], Any], rank: int, world_size: int, store: Path, fd: int, dump: Path, learner_file: str | None) -> None:
    try:
        sys.setprofile(None)  # the harness's line recorder is the parent's business
        _die_with_parent()
        import faulthandler

        faulthandler.register(signal.SIGUSR2, file=open(dump, "w", encoding="utf-8"), all_threads=True)  # noqa: SIM115 - open until the rank exits: faulthandler writes to it
        import torch.distributed as dist

        os.environ["GLOO_SOCKET_IFNAME"] = "lo"  # loopback only: a sandbox has no other network
        dist.init_process_group("gloo", store=dist.FileStore(str(store), world_size), rank=rank, world_size=world_size, timeout=_GLOO_TIMEOUT)
        message: tuple[Any, ...] = ("ok", body(rank, world_size))
    except BaseException as error:  # noqa: BLE001 - everything a rank raises is reported to the parent
        message = ("raised", *_describe(error, learner_file))
    try:
        payload = _dumps(message)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
        sys.stdout.flush()
        sys.stderr.flush()
        os.close(fd)
        # Stay until the parent ends every rank: a rank that finished early must not close its connections, or a
        # rank still waiting for it in a collective would fail with a broken connection instead of showing the hang.
        while True:
            time.sleep(60)
    finally:
        os._exit(0)


def _die_with_parent() -> None:
    """A fork does not inherit the parent-death signal: set it again, so no rank outlives a killed check."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _describe(error: BaseException, learner_file: str | None) -> tuple[Any, ...]:
    """(pickled exception or None, type name, message, learner line, traceback text)."""
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if learner_file is not None and frame.f_code.co_filename == learner_file:
            line = lineno
    try:
        pickled = pickle.dumps(error.with_traceback(None))
    except Exception:  # noqa: BLE001 - an exception that cannot travel is described by name and message
        pickled = None
    text = "".join(traceback.format_exception(error))
    return pickled, type(error).__name__, str(error), line, text


def _dumps(message: tuple[Any, ...]) -> bytes:
    try:
        return pickle.dumps(message)
    except Exception:  # noqa: BLE001 - a value that cannot travel is replaced, piece by piece
        return pickle.dumps(_portable(message))


def _portable(value: Any) -> Any:
    if torch.is_tensor(value):
        return value.detach().clone()
    if isinstance(value, list | tuple):
        items = [_portable(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        return {k: _portable(v) for k, v in value.items()}
    try:
        pickle.dumps(value)
        return value
    except Exception:  # noqa: BLE001 - pickling can fail in any way: such a value is described instead
        return Unpicklable(type(value).__name__, repr(value)[:200])


# -- the parent --------------------------------------------------------------------------------


def _collect(ranks: list[_Rank], deadline: float) -> None:
    """Read every rank's answer until all answered, one raised, or the deadline passed."""
    selector = selectors.DefaultSelector()
    for rank in ranks:
        selector.register(rank.fd, selectors.EVENT_READ, rank)
    try:
        open_ranks = len(ranks)
        while open_ranks:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _dump_stuck([r for r in ranks if not r.closed])
                return
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                rank = key.data  # the _Rank registered with its pipe
                chunk = os.read(rank.fd, 1 << 16)
                if chunk:
                    rank.data += chunk
                    continue
                selector.unregister(rank.fd)
                os.close(rank.fd)
                rank.closed = True
                open_ranks -= 1
                rank.message = _loads(rank.data)
                if rank.message is None or rank.message[0] != "ok":
                    return  # one rank failed: the others may wait for it forever
    finally:
        selector.close()


def _loads(data: bytes | bytearray) -> tuple[Any, ...] | None:
    try:
        return pickle.loads(bytes(data)) if data else None
    except Exception:  # noqa: BLE001 - a rank that died mid-write left half a message
        return None


def _dump_stuck(stuck: list[_Rank]) -> None:
    """Ask the stuck ranks where they are (faulthandler writes their stacks), before they are killed."""
    for rank in stuck:
        rank.stuck = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(rank.pid, signal.SIGUSR2)
    until = time.monotonic() + _DUMP_WAIT_S
    while time.monotonic() < until and not all(_dumped(r.dump) for r in stuck):
        time.sleep(0.02)


def _dumped(path: Path) -> bool:
    try:
        return path.stat().st_size > 0
    except OSError:
        return False


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')


def _stuck_line(rank: _Rank, learner_file: str | None) -> int | None:
    """The innermost learner line in a rank's dumped stack (faulthandler writes the innermost frame first)."""
    if learner_file is None:
        return None
    try:
        text = rank.dump.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for match in _FRAME.finditer(text):
        if match["file"] == learner_file:
            return int(match["line"])
    return None


def _verdict(ranks: list[_Rank], learner: ModuleType | None, given: tuple[str, str], where: object | None, timeout_s: float) -> list[Any]:
    prefix_en = f"With {given[0]}: " if given[0] else ""
    prefix_zh = f"输入为 {given[1] or given[0]} 时:" if given[0] else ""
    raised = [r for r in ranks if r.message is not None and r.message[0] == "raised"]
    if raised:
        first = next((r for r in raised if r.message and r.message[2] != "DistBackendError"), raised[0])  # the cause, not the peers' broken pipes
        message = first.message
        assert message is not None  # a rank in `raised` has one
        pickled, kind, text, line, tb_text = message[1:]
        if learner is None:
            raise RuntimeError(f"the reference failed on rank {first.rank}:\n{tb_text}")
        _raise_at(_rebuilt(pickled, kind, text), learner, line)
    stuck = [r for r in ranks if r.stuck]
    if stuck:
        if learner is None:
            raise RuntimeError(f"the reference did not finish within {timeout_s:g} s on ranks {[r.rank for r in stuck]}")
        done = [r.rank for r in ranks if not r.stuck]
        places = [f"rank {r.rank}" + (f" at line {r.stuck_at}" if r.stuck_at else "") for r in stuck]
        places_zh = [f"{r.rank} 号进程" + (f"停在第 {r.stuck_at} 行" if r.stuck_at else "") for r in stuck]
        if done:
            en = (
                f"{prefix_en}{', '.join(places)} was still waiting after {timeout_s:g} s, while rank {', '.join(map(str, done))} had "
                "finished: it waited in a collective operation (DDP's gradient all-reduce in backward, a barrier, a broadcast) "
                "that the other ranks never joined. Every rank must run the same collective operations in the same order: "
                "the same number of batches and steps."
            )
            zh = (
                f"{prefix_zh}{'、'.join(places_zh)},{timeout_s:g} 秒后仍在等待,而 {'、'.join(map(str, done))} 号进程已经结束:"
                "它在等待一个其他进程从未参加的集合通信操作(反向传播中 DDP 对梯度的 all-reduce、barrier、广播)。"
                "每个进程都必须以相同顺序执行相同的集合通信操作:相同数量的批次和步数。"
            )
        else:
            en = (
                f"{prefix_en}no rank finished within {timeout_s:g} s ({', '.join(places)}): look for an endless loop, or ranks "
                "waiting for each other in different collective operations."
            )
            zh = f"{prefix_zh}{timeout_s:g} 秒内没有任何进程结束({'、'.join(places_zh)}):请检查是否有死循环,或者各进程在不同的集合通信操作中互相等待。"
        if not any(r.stuck_at for r in stuck):  # not in a line of theirs: in torch, or freeing their objects as they returned
            en += (
                " It was not on a line of your code: maybe as your function returned and its objects were freed (a "
                "DistributedDataParallel model whose process group was destroyed can wait forever there)."
            )
            zh += "它当时不在你代码的某一行上:可能是在函数返回、释放其对象时(进程组已被销毁的 DistributedDataParallel 模型可能在那里永远等待)。"
        raise CheckFailed(en, zh, stuck[0].stuck_at or where)
    silent = [r for r in ranks if r.message is None]
    if silent:
        rank = min(silent, key=lambda r: r.cut_off)  # a rank that ended by itself: the others were killed after it
        if learner is None:
            raise RuntimeError(f"the reference's rank {rank.rank} ended without an answer (status {rank.status})")
        how = _ended(rank.status)
        raise CheckFailed(
            f"{prefix_en}rank {rank.rank} ended without finishing ({how[0]}): a function should return, not end its process.",
            f"{prefix_zh}{rank.rank} 号进程没有完成就结束了({how[1]}):函数应该返回,而不是结束它的进程。",
            where,
        )
    return [r.message[1] for r in ranks if r.message is not None]  # every rank has one here (`silent` is empty)


def _ended(status: int | None) -> tuple[str, str]:
    if status is not None and os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return f"killed by {name}", f"被 {name} 终止"
    code = os.WEXITSTATUS(status) if status is not None and os.WIFEXITED(status) else None
    return f"exit status {code}", f"退出状态 {code}"


def _rebuilt(pickled: bytes | None, kind: str, text: str) -> BaseException:
    error = None
    if pickled is not None:
        with contextlib.suppress(Exception):  # one that cannot be rebuilt falls back to its name and message
            error = pickle.loads(pickled)
    if isinstance(error, Exception | SystemExit):  # not KeyboardInterrupt & co.: they would stop the grader
        return error
    return type(kind, (Exception,), {})(text)


def _raise_at(error: BaseException, learner: ModuleType, line: int | None) -> None:
    """Raise `error` from a frame at `line` of the learner's file (as their own code would have)."""
    file = getattr(learner, "__file__", None)
    if line is None or not file:
        raise error
    code = compile("\n" * (line - 1) + "raise __rank_error__", file, "exec")
    exec(code, {"__name__": learner.__name__, "__rank_error__": error})  # noqa: S102 - only a raise, placed at their line

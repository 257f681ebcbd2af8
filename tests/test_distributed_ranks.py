"""torchdojo.checks.distributed.run_ranks: real gloo ranks, forked, bounded, reaped, with the learner's errors as theirs.

The "learner" here is a small module written to a temporary file, so that errors and hangs can be
traced to its lines exactly as the grading child traces a submission's.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import textwrap
import traceback
from pathlib import Path
from types import ModuleType

import pytest

from torchdojo.checks import distributed
from torchdojo.checks.distributed import Unpicklable, run_ranks
from torchdojo.checks.support import CheckFailed

LEARNER = textwrap.dedent("""
    import os

    import torch
    import torch.distributed as dist


    def answer(rank, world_size):
        t = torch.tensor([float(rank + 1)])
        dist.all_reduce(t)
        return rank, world_size, dist.get_rank(), t.item(), torch.ones(2) * rank


    def fails(rank, world_size):
        if rank == 1:
            raise ValueError(f"rank {rank} says no")  # RAISES
        dist.barrier()


    def unfinished(rank, world_size):
        raise NotImplementedError("not written yet")


    def skips(rank, world_size):
        if rank == 0:
            dist.barrier()  # WAITS: rank 1 never joins
        return rank


    def leaves(rank, world_size):
        os._exit(3)


    def unpicklable(rank, world_size):
        return lambda: rank
""")


def _line(marker: str) -> int:
    return next(n for n, text in enumerate(LEARNER.splitlines(), 1) if marker in text)


@pytest.fixture(scope="module")
def learner(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    path = tmp_path_factory.mktemp("ranks") / "submission.py"
    path.write_text(LEARNER, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("submission_ranks", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    """The ranks' pids and the store folders of the runs inside one test."""
    seen: dict[str, list] = {"pids": [], "folders": []}
    fork_rank, mkdtemp = distributed._fork_rank, distributed.tempfile.mkdtemp

    def fork_and_note(*args, **kwargs):
        rank = fork_rank(*args, **kwargs)
        seen["pids"].append(rank.pid)
        return rank

    def mkdtemp_and_note(*args, **kwargs):
        folder = mkdtemp(*args, **kwargs)
        seen["folders"].append(Path(folder))
        return folder

    monkeypatch.setattr(distributed, "_fork_rank", fork_and_note)
    monkeypatch.setattr(distributed.tempfile, "mkdtemp", mkdtemp_and_note)
    return seen


def _all_cleaned_up(seen: dict[str, list]) -> None:
    assert seen["pids"], "no rank was started"
    for pid in seen["pids"]:  # reaped: the pid no longer names a process of ours
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    assert seen["folders"] and not any(folder.exists() for folder in seen["folders"])


@pytest.mark.parametrize("world_size", [2, 3])
def test_each_rank_answers_in_rank_order(learner, spied, world_size: int) -> None:
    values = run_ranks(learner.answer, world_size, learner=learner)
    total = float(sum(range(1, world_size + 1)))  # the all_reduce really crossed the processes
    assert [v[:4] for v in values] == [(rank, world_size, rank, total) for rank in range(world_size)]
    assert [v[4].tolist() for v in values] == [[float(rank)] * 2 for rank in range(world_size)]
    _all_cleaned_up(spied)


def test_a_ranks_error_is_raised_at_the_learners_line(learner, spied) -> None:
    with pytest.raises(ValueError, match="rank 1 says no") as raised:
        run_ranks(learner.fails, 2, learner=learner)
    frames = [(frame.f_code.co_filename, frame.f_globals.get("__name__"), line) for frame, line in traceback.walk_tb(raised.value.__traceback__)]
    assert (learner.__file__, learner.__name__, _line("RAISES")) in frames  # what the child and the harness look for
    _all_cleaned_up(spied)


def test_an_unfinished_stub_stays_not_implemented(learner) -> None:
    with pytest.raises(NotImplementedError, match="not written yet") as raised:
        run_ranks(learner.unfinished, 2, learner=learner)
    assert any(frame.f_code.co_filename == learner.__file__ for frame, _ in traceback.walk_tb(raised.value.__traceback__))


def test_a_hung_collective_is_reported_with_its_line_and_every_rank_ended(learner, spied) -> None:
    with pytest.raises(CheckFailed) as failed:
        run_ranks(learner.skips, 2, learner=learner, given=("two ranks", "两个进程"), timeout_s=1.5)
    line = _line("WAITS")
    assert f"rank 0 at line {line} was still waiting after 1.5 s, while rank 1 had finished" in failed.value.en
    assert failed.value.en.startswith("With two ranks: ") and f"0 号进程停在第 {line} 行" in failed.value.zh
    assert failed.value.where == line
    _all_cleaned_up(spied)


def test_a_rank_that_ends_its_process_is_reported(learner, spied) -> None:
    with pytest.raises(CheckFailed, match=r"rank \d ended without finishing \(exit status 3\)"):
        run_ranks(learner.leaves, 2, learner=learner, where=learner.leaves)
    _all_cleaned_up(spied)


def test_the_rank_that_ended_by_itself_is_named_not_the_one_the_check_ended(learner) -> None:
    """When one rank ends its process, the check kills those still waiting for it: the message names the first,
    whatever order the two ended in (on a busy machine the waiting rank 0 can still be running when rank 1 ends)."""
    import signal

    waiting, ended = distributed._Rank(0, -1, -1, Path("/nowhere")), distributed._Rank(1, -1, -1, Path("/nowhere"))
    waiting.cut_off, waiting.status = True, signal.SIGKILL  # killed by the check: a raw wait status
    ended.closed, ended.status = True, 3 << 8  # its own os._exit(3)
    with pytest.raises(CheckFailed, match=r"rank 1 ended without finishing \(exit status 3\)"):
        distributed._verdict([waiting, ended], learner, ("", ""), None, 5.0)


def test_the_references_errors_are_the_graders(learner) -> None:
    with pytest.raises(RuntimeError, match="the reference failed on rank 1") as raised:
        run_ranks(learner.fails, 2, learner=None)
    assert "rank 1 says no" in str(raised.value)  # its traceback, for whoever fixes the grader
    with pytest.raises(RuntimeError, match="did not finish within"):
        run_ranks(learner.skips, 2, learner=None, timeout_s=1.0)


def test_a_value_that_cannot_travel_is_named(learner) -> None:
    values = run_ranks(learner.unpicklable, 2, learner=learner)
    assert [type(v) for v in values] == [Unpicklable, Unpicklable]
    assert values[0].kind == "function"


def test_the_parent_keeps_no_process_group(learner) -> None:
    import torch.distributed as dist

    run_ranks(learner.answer, 2, learner=learner)
    assert not dist.is_initialized()

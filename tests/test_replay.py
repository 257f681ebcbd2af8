"""A property check's examples kept by a warm worker's rehearsal (torchdojo.checks.memo.KeptExamples) and
replayed in a fork (torchdojo.checks.replay): the same calls, in the same order, with the same verdict as
Hypothesis itself would give. On real exercises: tests/kept_examples_probe.py, in a subprocess.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from typing import Any

import pytest
import torch
from hypothesis import Phase, assume, example, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyFailure

from tests.conftest import ROOT
from torchdojo.checks.memo import KeptExamples
from torchdojo.checks.replay import replay

AS_GRADED = settings(database=None, derandomize=True, deadline=None, max_examples=8, phases=(Phase.explicit, Phase.reuse, Phase.generate))
SEED = seed(20261130)  # every check has its own seed (torchdojo.checks.support.keep_examples)


def _check(calls: list[Any], fails_on: Any = lambda x, extra: False, draw_tensor: bool = False) -> Any:
    """A property check as the check modules write them: one explicit example, drawn ones after it."""

    @SEED
    @AS_GRADED
    @example(x=[100], extra=7)
    @given(x=st.lists(st.integers(0, 9), min_size=1, max_size=3), extra=st.integers(0, 5))
    def check(x: list[int], extra: int) -> None:
        calls.append((list(x), extra, float(torch.rand(()))) if draw_tensor else (list(x), extra))
        x.append(-1)  # a call changes its arguments: the next call must not see it
        assert not fails_on(x[:-1], extra)

    return check


def _kept(check: Any) -> Any:
    kept = KeptExamples()
    kept.record(("check", "ref"), check, check)
    return kept.get(("check", "ref"))


def test_a_passing_check_gets_the_very_calls_hypothesis_made() -> None:
    made: list[Any] = []
    examples = _kept(_check(made))
    assert examples is not None and len(examples) == len(made) > 2
    assert [e.explicit for e in examples] == [True] + [False] * (len(made) - 1)
    assert len({id(e.random_state) for e in examples}) == 1  # Hypothesis seeds `random` alike for every call: kept once
    again: list[Any] = []
    replay(_check(again), {}, examples)
    assert again == made


def test_each_call_gets_its_own_copy_of_the_arguments() -> None:
    """The check appends to x in every call; kept values are copies from before the call, copied again per call."""
    examples = _kept(_check([]))
    assert examples is not None
    seen: list[Any] = []
    replay(_check(seen), {}, examples)
    replay(_check(seen[len(seen) :]), {}, examples)
    assert all(-1 not in x for x, _ in seen)


def test_torch_and_python_random_states_are_as_drawing_left_them() -> None:
    """A check that reads torch's generator reads what it would after Hypothesis's draws (and Python's `random`
    is seeded for each call as Hypothesis seeds it)."""
    torch.manual_seed(0)
    made: list[Any] = []
    examples = _kept(_check(made, draw_tensor=True))
    torch.manual_seed(12345)  # whatever ran between the rehearsal and the fork
    again: list[Any] = []
    replay(_check(again, draw_tensor=True), {}, examples)
    assert again == made
    state = random.getstate()
    replay(_check([]), {}, examples)
    assert random.getstate() == state  # put back afterwards, as Hypothesis does


@pytest.mark.parametrize("where", ["explicit", "drawn"])
def test_a_failure_gives_hypothesis_own_verdict(where: str) -> None:
    """The same exception and the same calls: an explicit example fails once; a drawn one fails, then fails again
    in what is Hypothesis's final run of it."""
    made: list[Any] = []
    examples = _kept(_check(made))
    assert examples is not None
    target = made[0] if where == "explicit" else made[3]

    def fails_on(x: list[int], extra: int) -> bool:
        return (x, extra) == tuple(target)

    by_hypothesis: list[Any] = []
    with pytest.raises(AssertionError) as hypothesis_error:
        _check(by_hypothesis, fails_on)()
    replayed: list[Any] = []
    with pytest.raises(AssertionError) as replay_error:
        replay(_check(replayed, fails_on), {}, examples)
    assert replayed == by_hypothesis
    assert replayed.count(target) == (1 if where == "explicit" else 2)
    assert type(replay_error.value) is type(hypothesis_error.value)


def test_a_failure_that_does_not_happen_again_is_flaky_in_both() -> None:
    made: list[Any] = []
    examples = _kept(_check(made))
    assert examples is not None
    target = made[3]

    def once() -> Any:
        failed: list[bool] = []

        def fails_on(x: list[int], extra: int) -> bool:
            if (x, extra) == tuple(target) and not failed:
                failed.append(True)
                return True
            return False

        return fails_on

    with pytest.raises(FlakyFailure):
        _check([], once())()
    with pytest.raises(FlakyFailure):
        replay(_check([], once()), {}, examples)


def test_checks_that_cannot_be_replayed_faithfully_are_not_kept() -> None:
    @SEED
    @AS_GRADED
    @given(st.data())
    def draws_inside(data: Any) -> None:
        data.draw(st.integers())

    @SEED
    @AS_GRADED
    @given(st.integers(0, 3))
    def rejects_some(n: int) -> None:
        assume(n != 2)

    @SEED
    @AS_GRADED
    @given(st.integers(0, 3))
    def fails(n: int) -> None:
        assert n < 2

    @SEED
    @AS_GRADED
    @given(st.just(torch.zeros(2, requires_grad=True) * 2))  # a tensor in a graph: no faithful copy
    def graph(t: torch.Tensor) -> None:
        pass

    @AS_GRADED
    @given(st.integers(0, 3))
    def no_seed(n: int) -> None:
        pass

    kept = KeptExamples()
    for check in (draws_inside, rejects_some, graph, no_seed):
        kept.record((check.__name__, "ref"), check, check)
    with pytest.raises(AssertionError):
        kept.record(("fails", "ref"), fails, fails)
    assert len(kept) == 0


@pytest.mark.xdist_group("probe")
def test_every_fixture_gets_the_same_verdicts_from_kept_examples() -> None:
    """Every fixture (wrong and right) of a few exercises, graded in forks of a rehearsed worker with the kept
    examples and without them: the same outcome, message, line and flags for every check."""
    probed = ["tensors/broadcasting", "autograd/accumulation", "modules/two_layer_net", "optimization/early_stopping", "data/pad_collate"]
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "kept_examples_probe.py"), *probed], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert sorted(row["id"] for row in rows) == sorted(probed)
    for row in rows:
        assert row["fixtures"] >= 3, row["id"]
        assert row["replayed"] > 0, f"{row['id']}: no check was replayed"
        assert row["differences"] == [], row["id"]
        assert row["wrong_lost_points"], f"{row['id']}: the probe saw no failing check"

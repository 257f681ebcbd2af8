"""The reference's runs kept by a warm worker (torchdojo.checks.memo): reused only for the very same inputs.

A fingerprint must change with anything a reference run can depend on, stay equal for equal
contents, and give up (None: the reference runs) on what it cannot read. Reused runs must equal
fresh ones on real exercises (tests/reference_runs_probe.py, in a subprocess).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch

from tests.conftest import ROOT, grade_file
from torchdojo.checks.harness import Compare, GlobalState, Run
from torchdojo.checks.memo import ReferenceRuns, fingerprint


def check_module_function(source: str, name: str, module_globals: dict[str, Any] | None = None) -> types.FunctionType:
    """A function as a check module defines it (its module is torchdojo.checks.<topic>.test_<name>)."""
    namespace: dict[str, Any] = {"__name__": "torchdojo.checks.fake.test_fake", "torch": torch, **(module_globals or {})}
    exec(compile(source, "<check>", "exec"), namespace)
    function = namespace[name]
    assert isinstance(function, types.FunctionType)
    return function


def scenario_over(value: Any) -> Any:
    def scenario(impl: Any) -> Any:
        return impl.f(value)

    return scenario


# -- what a fingerprint tells apart --------------------------------------------------------------


def test_equal_contents_give_equal_fingerprints() -> None:
    a = {"x": torch.arange(6.0).reshape(2, 3), "n": 3, "words": ["a", ("b", 2.5)]}
    b = {"x": torch.arange(6.0).reshape(2, 3), "n": 3, "words": ["a", ("b", 2.5)]}
    assert fingerprint(scenario_over(a)) == fingerprint(scenario_over(b)) is not None


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.add_(1e-7),  # one value, the smallest step
        lambda t: t.double(),
        lambda t: t.reshape(3, 2),
        lambda t: t.t().contiguous().t(),  # the same shape and values, other strides
        lambda t: t.requires_grad_(),
        lambda t: setattr(t.requires_grad_(), "grad", torch.ones(2, 3)) or t,
        lambda t: t.to(torch.int64),
    ],
    ids=["value", "dtype", "shape", "strides", "requires_grad", "grad", "int"],
)
def test_any_change_to_a_tensor_changes_the_fingerprint(change: Any) -> None:
    before = fingerprint(scenario_over(torch.arange(6.0).reshape(2, 3)))
    changed = change(torch.arange(6.0).reshape(2, 3))
    assert fingerprint(scenario_over(changed if changed is not None else torch.zeros(0))) != before


def test_aliasing_is_part_of_the_inputs() -> None:
    """x and a view of x (an in-place change of one shows in the other) are not two separate equal tensors."""
    base = torch.zeros(4)
    shared = (base, base[:2])
    separate = (torch.zeros(4), torch.zeros(4)[:2])
    assert fingerprint(scenario_over(shared)) != fingerprint(scenario_over(separate))
    twice = torch.zeros(2)
    assert fingerprint(scenario_over((twice, twice))) != fingerprint(scenario_over((torch.zeros(2), torch.zeros(2))))


class _Labelled(str):
    """A str that carries the raw values behind it (as devices/ddp's Batches does, for its hint)."""

    raw: list[int]


def _labelled(text: str, raw: list[int]) -> _Labelled:
    value = _Labelled(text)
    value.raw = raw
    return value


def test_a_str_carrying_attributes_is_read_with_them() -> None:
    assert fingerprint(_labelled("[1] [2]", [1, 2])) == fingerprint(_labelled("[1] [2]", [1, 2])) is not None
    assert fingerprint(_labelled("[1] [2]", [1, 2])) != fingerprint(_labelled("[1] [2]", [2, 1]))
    assert fingerprint(_labelled("[1] [2]", [1, 2])) != fingerprint(_labelled("[1] [3]", [1, 2]))
    assert fingerprint(_labelled("[1] [2]", [1, 2])) != fingerprint("[1] [2]")


def test_closures_defaults_and_check_module_values_are_inputs() -> None:
    make = check_module_function("def make(impl, k=2):\n    return impl.f(SIZE * k)\n", "make", {"SIZE": 3})
    other_default = check_module_function("def make(impl, k=3):\n    return impl.f(SIZE * k)\n", "make", {"SIZE": 3})
    other_global = check_module_function("def make(impl, k=2):\n    return impl.f(SIZE * k)\n", "make", {"SIZE": 4})
    other_code = check_module_function("def make(impl, k=2):\n    return impl.f(SIZE + k)\n", "make", {"SIZE": 3})
    digests = {fingerprint(f) for f in (make, other_default, other_global, other_code)}
    assert len(digests) == 4 and None not in digests
    assert fingerprint(scenario_over(1)) != fingerprint(scenario_over(2))


def test_a_table_the_check_module_changes_is_read_again() -> None:
    table: dict[str, int] = {}
    reads = check_module_function("def reads(impl):\n    return impl.f(TABLE)\n", "reads", {"TABLE": table})
    before = fingerprint(reads)
    table["seen"] = 1
    assert fingerprint(reads) != before


def test_a_learner_function_differs_from_the_rehearsals_copy() -> None:
    """The rehearsal's module and a fork's learner module have different names: what closes over one is not reused for the other."""
    source = "def f(x):\n    return x\n"
    rehearsal, learner = types.ModuleType("rehearsal_tensors_outer"), types.ModuleType("learner_tensors_outer")
    exec(source, rehearsal.__dict__)
    exec(source, learner.__dict__)
    assert fingerprint(scenario_over(rehearsal.f)) != fingerprint(scenario_over(learner.f))
    assert fingerprint(scenario_over(rehearsal)) != fingerprint(scenario_over(learner))


@pytest.mark.parametrize(
    "unreadable",
    [
        lambda: Path("/tmp/checkpoint.pt"),  # its contents are not in its name
        lambda: torch.ones(2, requires_grad=True) * 2,  # its graph is part of what a reference run does with it
        lambda: open(__file__, encoding="utf-8"),  # noqa: SIM115 - closed by the test below
        lambda: object.__new__(type("Slotted", (), {"__slots__": ("a",)})),
    ],
    ids=["path", "tensor-with-grad_fn", "file", "slots"],
)
def test_what_cannot_be_read_in_full_is_never_reused(unreadable: Any) -> None:
    value = unreadable()
    try:
        assert fingerprint(scenario_over(value)) is None
    finally:
        if hasattr(value, "close"):
            value.close()


def test_an_outcome_is_compared_by_its_grad_fn_kind() -> None:
    x = torch.ones(2, requires_grad=True)
    assert fingerprint(x * 2, outcome=True) == fingerprint(x * 2, outcome=True) is not None
    assert fingerprint(x * 2, outcome=True) != fingerprint(x + 1, outcome=True)  # MulBackward0, AddBackward0: equal values
    assert fingerprint(x * 2, outcome=True) != fingerprint((x * 2).detach(), outcome=True)


def test_the_compare_object_stands_for_its_reference_only() -> None:
    """A scenario may close over `compare`: which learner module it holds must not make every key unique."""
    reference = types.ModuleType("reference_x")
    one, two = Compare(types.ModuleType("learner_x"), reference, None, "digest"), Compare(types.ModuleType("rehearsal_x"), reference, None, "digest")
    assert fingerprint(scenario_over(one)) == fingerprint(scenario_over(two)) is not None
    assert fingerprint(scenario_over(one)) != fingerprint(scenario_over(Compare(types.ModuleType("learner_x"), reference, None, "other")))


def test_a_learner_patching_torch_cannot_make_inputs_look_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.Tensor, "numpy", lambda self: torch.zeros(1).detach().cpu().clone().numpy())
    monkeypatch.setattr(torch.Tensor, "detach", lambda self: torch.zeros(1))
    assert fingerprint(scenario_over(torch.ones(3))) != fingerprint(scenario_over(torch.full((3,), 2.0)))


# -- what is kept, and what is handed out ----------------------------------------------------------


def run_of(value: Any) -> Run:
    return Run(value, None, GlobalState.now(), None, None)


def test_only_a_rehearsal_keeps_and_only_a_fork_takes() -> None:
    runs = ReferenceRuns()
    runs.keep("k", run_of({"x": torch.ones(2)}))
    assert len(runs) == 0, "not recording: a fork keeps nothing"
    runs.recording = True
    runs.keep("k", run_of({"x": torch.ones(2)}))
    assert len(runs) == 1 and runs.take("k") is None, "a rehearsal reuses nothing: it runs every reference"
    runs.recording = False
    taken = runs.take("k")
    assert taken is not None and torch.equal(taken.value["x"], torch.ones(2))
    assert runs.take("other") is None and runs.take(None) is None
    assert (runs.hits, runs.misses) == (1, 3)


def test_a_kept_run_is_a_copy_made_before_the_rehearsal_reads_it() -> None:
    runs = ReferenceRuns()
    runs.recording = True
    value = {"x": torch.ones(2)}
    runs.keep("k", run_of(value))
    value["x"].add_(1)  # the rehearsal's own comparison, or a later example, changing the original
    runs.recording = False
    assert torch.equal(runs.take("k").value["x"], torch.ones(2))


def test_a_run_handed_out_and_then_changed_is_not_handed_out_again() -> None:
    runs = ReferenceRuns()
    runs.recording = True
    runs.keep("k", run_of({"x": torch.ones(2)}))
    runs.recording = False
    first = runs.take("k")
    assert torch.equal(runs.take("k").value["x"], torch.ones(2)), "unchanged: handed out again"
    first.value["x"].add_(1)
    assert runs.take("k") is None, "changed since: the reference runs again"


def test_a_parameter_with_a_grad_survives_keeping() -> None:
    """copy.deepcopy of an nn.Parameter drops its .grad: such a run is kept as it is, checked by its seal."""
    layer = torch.nn.Linear(2, 2)
    layer.weight.grad = torch.full_like(layer.weight, 0.25)
    runs = ReferenceRuns()
    runs.recording = True
    runs.keep("k", run_of({"parameters": list(layer.parameters())}))
    runs.recording = False
    taken = runs.take("k")
    assert taken is not None and torch.equal(taken.value["parameters"][0].grad, torch.full((2, 2), 0.25))


@dataclass
class Opaque:
    handle: Any


def test_a_run_that_cannot_be_sealed_is_not_kept() -> None:
    runs = ReferenceRuns()
    runs.recording = True
    with open(__file__, encoding="utf-8") as handle:
        runs.keep("k", run_of(Opaque(handle)))
    assert len(runs) == 0


# -- on the real exercises ---------------------------------------------------------------------------

PROBED = [
    "tensors/broadcasting",
    "autograd/per_sample_grads",  # a Parameter's .grad (copy.deepcopy drops it)
    "autograd/jacobian",
    "modules/residual_block",  # a support module's lambda closing over the case
    "modules/parameters_buffers",
    "devices/pick_device",  # stand-ins with a growing registry of the grader's own errors
    "devices/transfer_options",
    "quickstart/train",
    "optimization/adam",
    "data/transforms",
    "devices/ddp",  # outcomes that are str subclasses carrying the raw batches; runs on forked ranks
]


@pytest.mark.xdist_group("probe")
def test_every_reused_reference_run_equals_a_fresh_one() -> None:
    """In a fork of a rehearsed worker, each comparison that reuses a kept run also runs the reference afresh."""
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "reference_runs_probe.py"), *PROBED], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    found = {row["id"]: row for row in map(json.loads, done.stdout.splitlines())}
    assert sorted(found) == sorted(PROBED)
    for exercise_id, row in found.items():
        assert row["failed"] == [], exercise_id
        assert row["differences"] == [], exercise_id
        assert row["reused"] > 0, f"{exercise_id}: nothing was reused"


def test_a_wrong_submission_still_fails_in_a_rehearsed_worker() -> None:
    """grade_file's warm worker rehearses between runs: a submission graded after the rehearsal still loses its checks."""
    fixtures = sorted((ROOT / "tests" / "fixtures" / "tensors" / "outer").glob("*.py"))
    first = [grade_file("tensors/outer", f) for f in fixtures]  # the first run leaves the worker rehearsed
    again = [grade_file("tensors/outer", f) for f in fixtures]
    assert [r.score for r in first] == [r.score for r in again]
    assert min(r.score for r in again) < max(r.score for r in again)


@pytest.mark.xdist_group("probe")
@pytest.mark.parametrize("exercise_id", ["modules/residual_block", "optimization/adam"])
def test_keeping_reference_runs_never_changes_a_verdict(exercise_id: str) -> None:
    """Every fixture of the exercise (wrong and right), graded by a rehearsed worker that keeps the reference's
    runs and by one that keeps none (TORCHDOJO_REFERENCE_RUNS=0): the same outcome and message for every check.
    A submission that keys its own state by `id()` computes with memory addresses, which differ with anything the
    process did before (another run's history): for it the outcome must agree, and the numbers in the message may not."""
    from torchdojo.core.catalog import load_catalog
    from torchdojo.core.launch import Limits
    from torchdojo.core.runner import grade
    from torchdojo.core.warm import WarmWorker

    exercise = load_catalog().resolve(exercise_id)
    fixtures = sorted((ROOT / "tests" / "fixtures" / exercise.topic / exercise.name).glob("*.py"))
    verdicts = []
    for keep in ("1", "0"):
        with WarmWorker(env_update={"TORCHDOJO_REFERENCE_RUNS": keep}, rehearse=[exercise_id]) as worker:
            assert worker.wait_ready()
            reports = [grade(exercise, f, Limits(timeout_s=120), launcher=worker) for f in fixtures]
        by_address = [re.search(r"\bid\(", f.read_text(encoding="utf-8")) is not None for f in fixtures]
        verdicts.append(
            [
                [(c.name, c.outcome, "" if address else c.message.en if c.message else "") for c in r.checks]
                for r, address in zip(reports, by_address, strict=True)
            ]
        )
    assert verdicts[0] == verdicts[1]
    assert any(outcome != "passed" for report in verdicts[0] for _, outcome, _ in report), "the fixtures include wrong ones"

"""What learner code can reach in a grading process holds none of the run's own objects.

Learner code runs in the process that grades it. The guard (torchdojo.core.guard) refuses the interpreter's back doors
(frames, the garbage collector, ctypes), so what a submission can reach is what plain Python code reaches from the
loaded modules. Among that must not be the grading plugin (which sends the verdicts), the result channel, the worker's
reference runs (the expected values), a `Compare` (which holds them) or pytest's config, session and items (which lead
to the plugin). Two such ways were open until the walk below found them: `pytest.mark` keeps the run's config, and a
check module kept a rehearsal's `Compare` in a module-level cache, so any later submission in that worker could reach
the reference runs and change the expected values.

Each probe is a reference solution with tests/reachability_probe.py appended: the first call of one of its functions
(or its import) walks everything reachable and writes what it found.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.core.catalog import Exercise, load_catalog
from torchdojo.core.runner import Limits, grade
from torchdojo.core.warm import WarmWorker

pytestmark = pytest.mark.xdist_group("reachability")

PROBED = ["autograd/no_grad", "modules/quickstart_model", "tensors/views", "optimization/checkpoint", "quickstart/train", "data/worker_seeding"]
"""One exercise of each kind of check: a call, a module's class, a puzzle, checkpoints, a training loop, DataLoader workers.
A rank of devices/ddp is a fork of the grading process: it reaches what that process reaches."""


def _probe(folder: Path, exercise: Exercise) -> Path:
    reference = (ROOT / "solutions" / exercise.file).read_text(encoding="utf-8").replace("from __future__ import annotations\n", "")
    path = folder / f"{exercise.name}.py"
    path.write_text(reference + "\n\n" + (ROOT / "tests" / "reachability_probe.py").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _walks(out: Path) -> list[str]:
    return out.read_text(encoding="utf-8").splitlines() if out.exists() else []


def test_a_worker_that_rehearsed_the_whole_course_leaves_nothing_of_any_run_in_reach(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check module has run (rehearsals) in the worker the forks come from: whatever one of them kept in a module
    global is there for the next submission to find."""
    out = tmp_path / "reach.txt"
    monkeypatch.setenv("TORCHDOJO_REACH_OUT", str(out))
    catalog = load_catalog()
    with WarmWorker(rehearse=[exercise.id for exercise in catalog.exercises]) as worker:
        assert worker.wait_ready(timeout=900)
        for exercise_id in PROBED:
            exercise = catalog.resolve(exercise_id)
            grade(exercise, _probe(tmp_path, exercise), Limits(timeout_s=120), worker)
    walks = _walks(out)
    assert len(walks) >= len(PROBED), walks  # each probe walked (more than once where a DataLoader worker calls it)
    assert [walk for walk in walks if not walk.endswith("nothing of the run")] == []


def test_at_import_in_a_fresh_process_nothing_of_the_run_is_in_reach(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "reach.txt"
    monkeypatch.setenv("TORCHDOJO_REACH_OUT", str(out))
    monkeypatch.setenv("PROBE_AT_IMPORT", "1")
    exercise = load_catalog().resolve("autograd/no_grad")
    report = grade(exercise, _probe(tmp_path, exercise), Limits(timeout_s=120))
    walks = _walks(out)
    assert len(walks) == 1 and walks[0].endswith("nothing of the run"), (walks, report.status)


def test_the_walk_finds_what_is_in_reach(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk is strong enough to find the run's objects where plain code can reach them: a probe that finds nothing
    because it cannot look proves nothing. Here, in this test process (no guard), a `Compare` is put in a closure cell
    of a function in a list in a class attribute of a module, and pytest's own config is where pytest.mark keeps it:
    the walk names both."""
    import sys
    import types

    from torchdojo.checks.harness import Compare

    out = tmp_path / "reach.txt"
    monkeypatch.setenv("TORCHDOJO_REACH_OUT", str(out))
    hidden = Compare(types.ModuleType("learner"), types.ModuleType("reference"))

    def keeper() -> Compare:
        return hidden

    holder = types.ModuleType("reachability_holder")
    holder.Kept = type("Kept", (), {"things": [keeper]})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "reachability_holder", holder)
    namespace: dict[str, object] = {"__name__": "reachability_control"}
    exec(compile((ROOT / "tests" / "reachability_probe.py").read_text(encoding="utf-8"), "reachability_probe.py", "exec"), namespace)  # noqa: S102 - the probe, run as a submission would
    namespace["_probe_walk"]("control")  # type: ignore[operator]
    walk = _walks(out)[0]
    compare_path = next(part for part in walk.split(" | ") if "Compare at" in part)
    assert compare_path.endswith("['things'][0].__closure__[0]"), walk  # in the class attribute's function's closure
    assert "Config at" in walk, walk

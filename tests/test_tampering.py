"""Submissions that change the grading machinery from inside the grading process, written by a red team that was
given only the exercise's stub and the grader's source: each gets no point its own functions did not earn, in a
warm worker's fork (grade-batch, watch) and cold.

Their functions are wrong (`detached_product` returns x, `predict_no_grad` builds a graph: 2 of 9 points honestly);
the rest of each file replaces something the comparison or the verdict goes through: a class's `__bool__` or
`__init__`, a function's `__code__`, a name the harness looks up (`Mapping`, `_isinstance`), pytest's
`Function.runtest` or `CallInfo.excinfo`, the check module's globals, the verdict class, a trace function set at
import, torch's `Tensor.to` or `nn.Module.__call__`, a module put in `sys.modules`, the grading plugin reached
through the import's frames. A file whose change has no effect is graded as its functions deserve.

Added after the red team, from a review of what the watch itself relies on: a replaced `Watch.changed` (which blinded
the watch: 9 of 9 before), Hypothesis's engine told to run nothing (4 of 9, cold), a closure cell of Hypothesis's
wrapper given a check that passes (9 of 9), pluggy's hook call handing the plugin a clean call, and `__code__` swaps on
the watch, the result channel (9 of 9) and the plugin's report hook. A `__code__` swap on any grading function is now
refused where it is made (`install_guard`): the import fails, and the file gets no point.

Then a second red team, given the defences above, got 9 of 9 four ways: a tensor subclass whose `device.type` equals
"meta" (so no value was compared) and whose `requires_grad`/`grad_fn` lie; a TorchFunctionMode entered at import and
never left, answering `torch.allclose` with True; and `torch.__class__` set to a module class whose `__getattribute__`
fakes `torch.is_grad_enabled`. Now a tensor of another kind than the reference's is a difference, and after every
check the run looks for torch modes left active, a module whose class changed, and tensor subclasses made by the
submission that override what a tensor says about itself.

Then a review found that reaching the grading plugin was enough: four lines walking up the import's frames to it, and
replacing its verdict sender with one that writes "passed", got 9 of 9 (the earlier `frame_send_verdict` had failed
only by a slip of its own); so did emptying the worker's base watch, a module global. Learner code may now not look at
frames, the garbage collector's objects, its own audit hooks or ctypes (torchdojo.core.guard: refused where it asks,
through inspect, traceback, logging, exec'd strings and generators too); pytest's module globals no longer keep the
run's config; and the run compares with a snapshot of the watch in tuples, taken before learner code ran.
tests/test_reachability.py walks what learner code can still reach.

A third red team, given all of that, got 9 of 9 three ways in 30 minutes: torch's frame-evaluation hook
(`torch._C._dynamo.eval_frame.set_eval_frame`, which no audit event shows) handed every new frame to a callback of the
submission; `collections.Counter(traceback.walk_stack(None))` collected live frames (the guard looked through
walk_stack to its caller, and collections decided for itself); and a traceback's `capture_locals` showed the nonce and
the result pipe's number as text, so the submission wrote its own verdicts. torch's hook now stands behind the guard
(`guard.sealed_set_eval_frame`), and past a helper that hands frames back only the learner's code or a package decides.
(Their fourth, 5 of 9, rewrote the list a check's forward hook records grad mode in: the hook is reachable from the
model handed to the learner's function. It is left open, and said so in docs/security.md.)

Then `signal_frame` (9 of 9, from the list of open ways): a signal handler set at import, fired by a timer while the
import runs, is handed the running frame, and walks up from it to the plugin. Setting a Python signal handler is now
refused to learner code (`guard.sealed_signal`; torch's DataLoader sets its own).

Then a fourth red team got 9 of 9 two ways in 12 minutes: rebinding the checks' helpers (the strategies' `Model.make`,
`_seeded`, autograd's `common._is_tensor`: modules the watch did not cover), so that the inputs both sides were given
raised the same error, which passes (`helper_class_attributes`, `helper_globals`). Every module of the checks' package
is watched now, every value and class attribute.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import Limits, grade
from torchdojo.core.warm import WarmWorker

pytestmark = pytest.mark.xdist_group("tampering")
CASES = ROOT / "tests" / "tampering_cases"  # not under fixtures/<topic>/<name>: those are an exercise's fixtures
ATTACKS = sorted(CASES.glob("*.py"))
# Changes that do nothing to the grading (caught before they matter, or undone): graded as the wrong functions are.
INERT = {"graderlimit_exec", "settrace_locals", "skip_needs_gpu", "sysmodules_replay", "frame_audit_hook", "walk_stack_counter", "locals_nonce"}
# Changes refused where they are made (the guard's audit hook: a function's code cannot change; frames, the garbage
# collector's objects and ctypes are not for learner code; pytest.mark keeps no config): importing the file fails.
REFUSED = {"code_swap", "inner_code", "code_swap_watch", "code_swap_channel", "code_swap_makereport"}
REFUSED |= {"frame_plugin", "frame_send_verdict", "frame_verdict", "frame_inspect", "frame_traceback", "frame_generator", "frame_exec"}
REFUSED |= {"frame_logging", "gc_plugin", "ctypes_frame", "pytest_mark_config", "torch_eval_frame_hook", "signal_frame"}
HONEST = 2  # what the attacks' wrong functions earn


def _expected(path: Path, score: int, status: str) -> bool:
    if path.stem in INERT:
        return score <= HONEST and status == "ok"
    if path.stem in REFUSED:
        return score == 0 and status == "ok"
    return score == 0 and status == "tampered"


def test_the_red_team_corpus_is_there() -> None:
    assert len(ATTACKS) == 50 and INERT | REFUSED <= {path.stem for path in ATTACKS}


def test_no_tampering_earns_a_point_in_a_warm_fork() -> None:
    exercise = load_catalog().resolve("autograd/no_grad")
    limits = Limits(timeout_s=60)
    with WarmWorker(rehearse=[exercise.id]) as worker:
        assert worker.wait_ready()
        reports = {path.stem: grade(exercise, path, limits, worker) for path in ATTACKS}
        reference = grade(exercise, ROOT / "solutions" / exercise.file, limits, worker)
    assert reference.score == reference.max_score and reference.status == "ok"
    wrong = {name: (r.score, r.status) for name, r in reports.items() if not _expected(CASES / f"{name}.py", r.score, r.status)}
    assert wrong == {}


@pytest.mark.parametrize(
    "name",
    [
        "code_swap",
        "verdict_init",
        "difference_bool",
        "function_runtest",
        "module_call_nograd",
        "watch_blind",
        "hypothesis_execute",
        "closure_cell",
        "code_swap_channel",
        "frame_verdict",
        "frame_traceback",
        "watch_global",
        "signal_frame",
        "helper_class_attributes",
        "helper_globals",
    ],
)
def test_no_tampering_earns_a_point_cold(name: str) -> None:
    exercise = load_catalog().resolve("autograd/no_grad")
    path = CASES / f"{name}.py"
    report = grade(exercise, path, Limits(timeout_s=60))
    assert _expected(path, report.score, report.status), (report.score, report.status)


def test_the_watched_machinery_is_what_this_pytest_and_hypothesis_load() -> None:
    """The watch names pluggy's and Hypothesis's modules one by one: a module renamed by an upgrade would silently leave
    its classes unwatched. Each must be loaded once pytest and Hypothesis are, and define something the watch sees."""
    import sys

    import hypothesis.core  # noqa: F401 - what a check run has loaded
    import pytest  # noqa: F401

    from torchdojo.core import watch

    missing = [name for name in watch._MACHINERY_MODULES if name not in sys.modules]
    assert missing == []
    machinery = watch.Watch(watch.protected_namespaces())
    for name in watch._MACHINERY_MODULES:
        machinery.add_module(name, own_classes=True)
    watched = {label for label, _ in machinery._values}
    assert {"pluggy._caller.HookCaller", "pluggy._manager.PluginManager", "hypothesis.core.StateForActualGivenExecution"} <= watched

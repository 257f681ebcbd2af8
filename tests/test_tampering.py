"""Submissions that change the grading machinery from inside the grading process, written by a red team that was
given only the exercise's stub and the grader's source: each gets no point its own functions did not earn, in a
warm worker's fork (grade-batch, watch) and cold.

Their functions are wrong (`detached_product` returns x, `predict_no_grad` builds a graph: 2 of 9 points honestly);
the rest of each file replaces something the comparison or the verdict goes through: a class's `__bool__` or
`__init__`, a function's `__code__`, a name the harness looks up (`Mapping`, `_isinstance`), pytest's
`Function.runtest` or `CallInfo.excinfo`, the check module's globals, the verdict class, a trace function set at
import, torch's `Tensor.to` or `nn.Module.__call__`, a module put in `sys.modules`, the grading plugin reached
through the import's frames. A file whose change has no effect is graded as its functions deserve.
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
INERT = {"graderlimit_exec", "settrace_locals", "skip_needs_gpu", "sysmodules_replay"}
HONEST = 2  # what the attacks' wrong functions earn


def _expected(path: Path, score: int, status: str) -> bool:
    return score <= HONEST and status == "ok" if path.stem in INERT else score == 0 and status == "tampered"


def test_the_red_team_corpus_is_there() -> None:
    assert len(ATTACKS) == 20 and INERT <= {path.stem for path in ATTACKS}


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


@pytest.mark.parametrize("name", ["code_swap", "verdict_init", "difference_bool", "function_runtest", "module_call_nograd"])
def test_no_tampering_earns_a_point_cold(name: str) -> None:
    exercise = load_catalog().resolve("autograd/no_grad")
    path = CASES / f"{name}.py"
    report = grade(exercise, path, Limits(timeout_s=60))
    assert _expected(path, report.score, report.status), (report.score, report.status)

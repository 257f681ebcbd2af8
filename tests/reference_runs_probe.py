"""Run by tests/test_reference_runs.py in a subprocess: is every reference run a fork reuses the one the reference gives?

    python tests/reference_runs_probe.py EXERCISE_ID...

As a warm worker does, this process rehearses each exercise (recording the reference's runs and
preparing pytest's configuration), then grades each reference in a fork. There, every comparison that finds a kept run also runs the
reference afresh and compares the two exactly (values with no tolerance, the error, the global
state). Prints one JSON line per exercise: {"id", "reused", "differences", "failed"}.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from torchdojo.checks import harness
from torchdojo.checks.memo import ReferenceRuns
from torchdojo.core import child, warm
from torchdojo.core.catalog import load_catalog
from torchdojo.core.launch import Limits, child_arguments, child_env
from torchdojo.paths import solutions_dir


def _verifying(reused: list[int], differences: list[str]) -> Any:
    def reference_run(self: harness.Compare, scenario: Any, seed: int, context: Any, where: str | None) -> harness.Run:
        assert self.reference_runs is not None
        kept = self.reference_runs.take(self.reference_runs.key(self.namespace, scenario, seed, context))
        fresh = self.run(self.reference, scenario, seed, context, where)
        if kept is not None:
            reused[0] += 1
            both_returned = kept.raised is None and fresh.raised is None
            diff = self._compare_observed(kept.value, fresh.value, harness.Tolerance(rtol=0, atol=0)) if both_returned else None
            same_state = (kept.state, kept.state_outside) == (fresh.state, fresh.state_outside)
            if diff is not None or type(kept.raised) is not type(fresh.raised) or not same_state:
                differences.append(f"{scenario.__qualname__}: {diff}")
        return fresh

    return reference_run


def _grade_in_fork(argv: list[str], runs: ReferenceRuns, prepared: child.PreparedRuns, report_in: int) -> None:
    """In the fork: grade, verifying every reuse, and write what was found to `report_in`. Never returns."""
    reused: list[int] = [0]
    differences: list[str] = []
    harness.Compare._reference_run = _verifying(reused, differences)  # type: ignore[method-assign] # the probe's own fork only
    exit_now = os._exit
    me = os.getpid()

    def report_and_exit(code: int) -> None:
        if os.getpid() == me:  # not a rank or DataLoader worker forked from here
            os.write(report_in, json.dumps({"reused": reused[0], "differences": differences}).encode())
        exit_now(code)

    os._exit = report_and_exit  # type: ignore[assignment] # the child ends with os._exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    child.main(argv, nonce="probe", reference_runs=runs, prepared_runs=prepared)
    exit_now(0)


def probe(exercise_ids: list[str], work: Path) -> None:
    os.environ.update(child_env())
    warm._preload()
    catalog = load_catalog()
    runs = ReferenceRuns()
    prepared: child.PreparedRuns = {}
    plan = []
    for exercise_id in exercise_ids:
        exercise = catalog.resolve(exercise_id)
        copy = work / exercise.file
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(solutions_dir() / exercise.file, copy)
        argv = child_arguments(exercise, copy, [c.name for c in exercise.checks], Limits(), 0)
        warm._rehearse(argv, reference_runs=runs, prepared_runs=prepared)
        plan.append((exercise_id, argv))
    for exercise_id, argv in plan:
        results, results_in = os.pipe()
        report_out, report_in = os.pipe()
        argv = list(argv)
        argv[argv.index("--result-fd") + 1] = str(results_in)
        pid = os.fork()
        if pid == 0:  # a fork grading the reference, as a warm worker's fork would
            os.close(results)
            os.close(report_out)
            _grade_in_fork(argv, runs, prepared, report_in)
        os.close(results_in)
        os.close(report_in)
        verdicts = b""
        while chunk := os.read(results, 1 << 16):
            verdicts += chunk
        report = b""
        while chunk := os.read(report_out, 1 << 16):
            report += chunk
        os.close(results)
        os.close(report_out)
        os.waitpid(pid, 0)
        events = [json.loads(line) for line in verdicts.decode().splitlines() if line.strip()]
        failed = [e["check"] for e in events if e.get("event") == "result" and e.get("outcome") not in ("passed", "needs_gpu")]
        found = json.loads(report or b'{"reused": 0, "differences": ["the fork sent no report"]}')
        print(json.dumps({"id": exercise_id, "failed": failed, **found}), flush=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="torchdojo-probe-") as folder:
        probe(sys.argv[1:], Path(folder))

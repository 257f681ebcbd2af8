"""Run by tests/test_replay.py in a subprocess: do kept examples ever change a verdict?

    python tests/kept_examples_probe.py [EXERCISE_ID...]     (none: every exercise)

As a warm worker does, this process rehearses each exercise on its reference (keeping the reference's runs and
each property check's examples), then grades every fixture of the exercise (tests/fixtures/<id>/*.py) twice, in
forks: once with the kept examples (torchdojo.checks.replay), once with Hypothesis drawing them. Each check's
outcome, message, line, source and flags must be the same; only what differs between any two runs is masked
(an object's address, pytest's numbered temporary folder). Prints one JSON line per exercise:
{"id", "fixtures", "replayed", "differences", "wrong_lost_points", "cpu_hypothesis", "cpu_kept"}.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from torchdojo.checks.memo import ReferenceRuns
from torchdojo.core import child, warm
from torchdojo.core.catalog import load_catalog
from torchdojo.core.launch import Limits, child_arguments, child_env
from torchdojo.paths import solutions_dir

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_MASKS = [(re.compile(r"0x[0-9a-f]+"), "0x…"), (re.compile(r"pytest-\d+"), "pytest-N")]


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        for pattern, mask in _MASKS:
            value = pattern.sub(mask, value)
    return value


def _grade_in_fork(argv: list[str], runs: ReferenceRuns, prepared: child.PreparedRuns) -> tuple[list[dict[str, Any]], float]:
    """Each check's verdict from a fork of this process, and the fork's CPU-seconds."""
    results, results_in = os.pipe()
    argv = list(argv)
    argv[argv.index("--result-fd") + 1] = str(results_in)
    pid = os.fork()
    if pid == 0:
        os.close(results)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        child.main(argv, nonce="probe", reference_runs=runs, prepared_runs=prepared)
        os._exit(0)
    os.close(results_in)
    sent = b""
    while chunk := os.read(results, 1 << 16):
        sent += chunk
    os.close(results)
    _, _, usage = os.wait4(pid, 0)
    events = [json.loads(line) for line in sent.decode().splitlines() if line.strip()]
    verdicts = [{key: _masked(value) for key, value in e.items() if key not in ("duration", "nonce")} for e in events if e.get("event") == "result"]
    return verdicts, usage.ru_utime + usage.ru_stime


def probe(exercise_ids: list[str], work: Path) -> None:
    os.environ.update(child_env())
    warm._preload()
    catalog = load_catalog()
    exercises = [catalog.resolve(i) for i in exercise_ids] if exercise_ids else list(catalog.exercises)
    runs = ReferenceRuns()
    prepared: child.PreparedRuns = {}
    for exercise in exercises:
        reference = work / "reference" / exercise.file
        reference.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(solutions_dir() / exercise.file, reference)
        warm._rehearse(child_arguments(exercise, reference, [c.name for c in exercise.checks], Limits(), 0), reference_runs=runs, prepared_runs=prepared)
    kept = dict(runs.examples._kept)
    for exercise in exercises:
        digest = hashlib.sha256((solutions_dir() / exercise.file).read_bytes()).hexdigest()
        row: dict[str, Any] = {"id": exercise.id, "fixtures": 0, "replayed": sum(1 for _, d in kept if d == digest), "differences": []}
        row.update(wrong_lost_points=False, cpu_hypothesis=0.0, cpu_kept=0.0)
        for fixture in sorted((FIXTURES / exercise.topic / exercise.name).glob("*.py")):
            submission = work / "fixtures" / exercise.id / fixture.stem / Path(exercise.file).name
            submission.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(fixture, submission)
            argv = child_arguments(exercise, submission, [c.name for c in exercise.checks], Limits(), 0)
            runs.examples._kept = {}
            drawn, cpu_drawn = _grade_in_fork(argv, runs, prepared)
            runs.examples._kept = dict(kept)
            replayed, cpu_replayed = _grade_in_fork(argv, runs, prepared)
            row["fixtures"] += 1
            row["cpu_hypothesis"] += cpu_drawn
            row["cpu_kept"] += cpu_replayed
            row["wrong_lost_points"] |= any(v.get("outcome") not in ("passed", "needs_gpu") for v in drawn)
            if drawn != replayed:
                row["differences"].append({"fixture": fixture.name, "hypothesis": drawn, "kept": replayed})
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="torchdojo-probe-") as folder:
        probe(sys.argv[1:], Path(folder))

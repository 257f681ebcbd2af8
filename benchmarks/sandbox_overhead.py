"""What the bubblewrap sandbox costs per check: the same grading with and without it.

Two paths, each measured as N interleaved pairs (plain, sandboxed, plain, sandboxed, ...) so that a
busy machine slows both alike; the overhead is the median of the pairs' differences. Each run grades
one check of the exercise (`--check`, default its first): what the sandbox adds is per run, and the
check's own work only adds noise to the difference.

- cold: a fresh interpreter per check (`ColdLauncher` vs `SandboxLauncher`) on one exercise;
- warm: a re-check by a warm worker that has already rehearsed the exercise
  (`WarmWorker` vs `SandboxPool(1)`: a worker inside bwrap, cleaned up after each run).

Target: at most 50 ms per check on both paths. Prints the figures and PASS or FAIL; exits 1 on FAIL.

    .venv/bin/python benchmarks/sandbox_overhead.py [--exercise autograd/no_grad] [--check NAME] [--cold-runs 9] [--warm-runs 25]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from torchdojo.core.catalog import Exercise, load_catalog
from torchdojo.core.launch import ColdLauncher, Launcher, Limits
from torchdojo.core.report import Report
from torchdojo.core.runner import grade
from torchdojo.core.sandbox import SandboxLauncher, SandboxPool, sandbox_status
from torchdojo.core.warm import WarmWorker
from torchdojo.paths import solutions_dir

TARGET_S = 0.050


def timed(run: Callable[[], Report]) -> float:
    started = time.perf_counter()
    report = run()
    elapsed = time.perf_counter() - started
    if report.score != report.max_score:  # a sandbox that breaks the reference is not a fast sandbox
        raise SystemExit(f"FAIL: the reference did not get full marks: {[(c.name, c.outcome) for c in report.checks]}")
    return elapsed


def pairs(exercise: Exercise, plain: Launcher, sandboxed: Launcher, runs: int) -> tuple[list[float], list[float]]:
    file = solutions_dir() / exercise.file
    plain_s, sandbox_s = [], []
    for _ in range(runs):
        plain_s.append(timed(lambda: grade(exercise, file, Limits(timeout_s=120), plain)))
        sandbox_s.append(timed(lambda: grade(exercise, file, Limits(timeout_s=120, sandbox=True), sandboxed)))
    return plain_s, sandbox_s


def describe(name: str, plain_s: list[float], sandbox_s: list[float]) -> float:
    overhead = statistics.median(s - p for p, s in zip(plain_s, sandbox_s, strict=True))
    print(
        f"{name:>5}: median plain {statistics.median(plain_s) * 1000:8.1f} ms, sandboxed {statistics.median(sandbox_s) * 1000:8.1f} ms, "
        f"overhead (median of {len(plain_s)} pairs) {overhead * 1000:+7.1f} ms; fastest vs fastest {(min(sandbox_s) - min(plain_s)) * 1000:+7.1f} ms"
    )
    return overhead


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercise", default="autograd/no_grad")
    parser.add_argument("--check", help="the check to run (default: the exercise's first)")
    parser.add_argument("--cold-runs", type=int, default=9)
    parser.add_argument("--warm-runs", type=int, default=25)
    args = parser.parse_args()
    status = sandbox_status()
    if not status.available:
        print(f"FAIL: {status.problem().en}")
        return 1
    exercise = load_catalog().resolve(args.exercise)
    check = exercise.check(args.check) if args.check else exercise.checks[0]
    exercise = exercise.model_copy(update={"checks": [check]})
    print(f"{exercise.id}, check {check.name}: {args.cold_runs} cold and {args.warm_runs} warm pairs")

    cold = describe("cold", *pairs(exercise, ColdLauncher(), SandboxLauncher(), args.cold_runs))

    with WarmWorker() as worker, SandboxPool(1) as pool:
        pairs(exercise, worker, pool, 2)  # first use and the rehearsal of the exercise, on both
        time.sleep(1.0)
        warm = describe("warm", *pairs(exercise, worker, pool, args.warm_runs))

    passed = cold <= TARGET_S and warm <= TARGET_S
    print(
        f"{'PASS' if passed else 'FAIL'}: sandbox overhead per check {cold * 1000:.1f} ms cold, {warm * 1000:.1f} ms warm (target <= {TARGET_S * 1000:.0f} ms)"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())

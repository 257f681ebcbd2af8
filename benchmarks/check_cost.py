"""What the stronger checks cost: each exercise's cold check, now and at a baseline revision, in one run.

    python benchmarks/check_cost.py                 # against c324a1c (the checks before the behaviour harness)
    python benchmarks/check_cost.py --baseline REV  # against any revision
    python benchmarks/check_cost.py --repeat 3      # median of 3 per exercise (default 1)

Each exercise's reference solution is graded cold (`torchdojo check` as a learner runs
it: a fresh interpreter, `import torch`, every check) with the current tree and with the
baseline revision checked out into a temporary git worktree, alternating, on the same
machine. Targets (issue "Trust"): every exercise <= 3 s cold, and the course's total no
more than 1.2x the baseline's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "c324a1c"
PER_EXERCISE_S = 3.0
TOTAL_RATIO = 1.2

_TIME_ONE = """
import json, sys, time
from pathlib import Path
from grader.catalog import load_catalog
from grader.runner import Limits, grade
exercise = load_catalog().resolve(sys.argv[1])
started = time.perf_counter()
report = grade(exercise, Path("solutions") / exercise.file, Limits(timeout_s=120))
print(json.dumps({"seconds": time.perf_counter() - started, "score": report.score, "max": report.max_score}))
"""


def time_check(tree: Path, exercise_id: str) -> tuple[float, bool]:
    """Seconds for one cold check of the reference solution in `tree`, and whether it got full marks."""
    done = subprocess.run([sys.executable, "-c", _TIME_ONE, exercise_id], cwd=tree, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    if done.returncode != 0:
        raise SystemExit(f"grading {exercise_id} in {tree} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["seconds"]), result["score"] == result["max"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision to compare with (default {BASELINE})")
    parser.add_argument("--repeat", type=int, default=1, help="runs per exercise and tree; the median counts")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from grader.catalog import load_catalog

    with tempfile.TemporaryDirectory(prefix="torchdojo-baseline-") as folder:
        baseline = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, check=True, capture_output=True)
        try:
            old_ids = _catalog_ids(baseline)
            rows = []
            for number, exercise in enumerate(load_catalog().exercises, 1):
                now, before = [], []
                full = True
                for _ in range(args.repeat):
                    seconds, ok = time_check(ROOT, exercise.id)
                    now.append(seconds)
                    full = full and ok
                    if exercise.id in old_ids:
                        before.append(time_check(baseline, exercise.id)[0])
                rows.append((exercise.id, statistics.median(now), statistics.median(before) if before else None, full))
                print(f"  {number}/{len(load_catalog().exercises)} {exercise.id}", file=sys.stderr, flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT, capture_output=True)

    print(f"{'exercise':32} {'now s':>7} {'before s':>8} {'ratio':>6}")
    failing = []
    for exercise_id, now_s, before_s, full in rows:
        ratio = f"{now_s / before_s:6.2f}" if before_s else "   new"
        flag = "" if now_s <= PER_EXERCISE_S else f"  > {PER_EXERCISE_S:g} s"
        flag += "" if full else "  (solution lost points!)"
        print(f"{exercise_id:32} {now_s:7.2f} {before_s if before_s is not None else float('nan'):8.2f} {ratio}{flag}")
        if now_s > PER_EXERCISE_S or not full:
            failing.append(exercise_id)
    total_now = sum(r[1] for r in rows if r[2] is not None)
    total_before = sum(r[2] for r in rows if r[2] is not None)
    total_ratio = total_now / total_before
    print(f"{'course (exercises in both)':32} {total_now:7.2f} {total_before:8.2f} {total_ratio:6.2f}")
    print(f"course total now, every exercise: {sum(r[1] for r in rows):.1f} s")
    ok = not failing and total_ratio <= TOTAL_RATIO
    print(("PASS" if ok else "FAIL") + f": each exercise <= {PER_EXERCISE_S:g} s cold, course total <= {TOTAL_RATIO:g}x the baseline"
          + (f" (over: {', '.join(failing)})" if failing else ""))
    return 0 if ok else 1


def _catalog_ids(tree: Path) -> set[str]:
    """The exercise ids of the catalog in `tree` (the baseline may have fewer exercises)."""
    code = "from grader.catalog import load_catalog; print(' '.join(e.id for e in load_catalog().exercises))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"})
    return set(done.stdout.split())


if __name__ == "__main__":
    raise SystemExit(main())

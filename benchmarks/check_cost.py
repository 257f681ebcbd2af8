"""What the stronger checks cost: each exercise's cold check, now and at a baseline revision, in one run.

    python benchmarks/check_cost.py                 # against c324a1c (the checks before the behaviour harness)
    python benchmarks/check_cost.py --baseline REV  # against any revision
    python benchmarks/check_cost.py --repeat 3      # median of 3 per exercise (default 1)

A floor no check can go below is measured in the same run: a fresh interpreter's
`import torch` and, for an exercise whose run makes a torch optimizer, `import
torch._dynamo` too (torch imports it on the first optimizer: about 1.5 s here, sympy
included). An exercise over 3 s still passes when its checks cost no more above that
floor than the 3 s target leaves above `import torch` alone. When the grader's own
stand-ins make torch import it (a dispatch mode, meta-device kernels), that is the
checks' cost and gets no allowance.

Each exercise's reference solution is graded cold (`torchdojo check` as a learner runs
it: a fresh interpreter, `import torch`, every check) with the current tree and with the
baseline revision checked out into a temporary git worktree, alternating, on the same
machine. Targets (issue "Trust"): every exercise <= 3 s cold, and the course's total no
more than 1.2x the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "c324a1c"
PER_EXERCISE_S = 3.0
TOTAL_RATIO = 1.2

_TIME_ONE = """
import json, sys, time
from pathlib import Path
if sys.argv[2] == "torchdojo":
    from torchdojo.core.catalog import load_catalog
    from torchdojo.core.runner import Limits, grade
else:  # a baseline revision from before the one-package layout (issue 16)
    from grader.catalog import load_catalog
    from grader.runner import Limits, grade
exercise = load_catalog().resolve(sys.argv[1])
started = time.perf_counter()
report = grade(exercise, Path("solutions") / exercise.file, Limits(timeout_s=120))
print(json.dumps({"seconds": time.perf_counter() - started, "score": report.score, "max": report.max_score}))
"""


# Loaded into the grading child through PYTHONPATH: notes who made torch import torch._dynamo.
_WATCH_DYNAMO = """
import os, sys, traceback
class _Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch._dynamo" and os.environ.get("TORCHDOJO_DYNAMO_NOTE"):
            stack = [frame.filename for frame in traceback.extract_stack()]
            with open(os.environ["TORCHDOJO_DYNAMO_NOTE"], "a") as note:
                torch_itself = ("/torch/optim/", "/torch/_functorch/", "/torch/func/")  # an optimizer's step, torch.func's transforms
                note.write("optimizer\\n" if any(part in f for f in stack for part in torch_itself) else "grader\\n")
        return None
sys.meta_path.insert(0, _Watch())
"""


# Exercises about torch's compiler itself: the learner's own code imports torch._dynamo, so that is their floor.
# DistributedDataParallel's constructor imports it too (the ddp checks import it once, before forking the ranks).
COMPILER_EXERCISES = frozenset({"devices/compile", "devices/ddp"})
# Exercises with a target of their own (issue 18: the distributed one runs real processes, <= 15 s cold).
TARGETS = {"devices/ddp": 15.0}


def time_check(tree: Path, exercise_id: str, watch: Path | None = None) -> tuple[float, bool, str]:
    """Seconds for one cold check of the reference solution in `tree`, whether it got full marks, and who
    imported torch._dynamo ("optimizer", "grader" or "": nobody), when `watch` holds the note-taking sitecustomize."""
    note = Path(tempfile.mktemp(prefix="torchdojo-dynamo-"))
    package, importable = _layout(tree)
    path = os.pathsep.join(str(p) for p in (watch, importable) if p is not None)
    done = subprocess.run(
        [sys.executable, "-c", _TIME_ONE, exercise_id, package],
        check=False,
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": path, "PATH": "/usr/bin:/bin", "TORCHDOJO_DYNAMO_NOTE": str(note)},
    )
    if done.returncode != 0:
        raise SystemExit(f"grading {exercise_id} in {tree} failed:\n{done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    importer = note.read_text().split()[0] if note.exists() else ""
    note.unlink(missing_ok=True)
    return float(result["seconds"]), result["score"] == result["max"], importer


def floor(code: str, runs: int = 3) -> float:
    """Median seconds of a fresh interpreter running `code`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help=f"git revision to compare with (default {BASELINE})")
    parser.add_argument("--repeat", type=int, default=1, help="runs per exercise and tree; the median counts")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    from torchdojo.core.catalog import load_catalog

    torch_floor = floor("import torch")
    dynamo_floor = floor("import torch, torch._dynamo")
    with tempfile.TemporaryDirectory(prefix="torchdojo-baseline-") as folder:
        watch = Path(folder) / "watch"
        watch.mkdir()
        (watch / "sitecustomize.py").write_text(_WATCH_DYNAMO, encoding="utf-8")
        baseline = Path(folder) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline), args.baseline], cwd=ROOT, check=True, capture_output=True)
        try:
            old_ids = _catalog_ids(baseline)
            rows = []
            for number, exercise in enumerate(load_catalog().exercises, 1):
                now, before = [], []
                full = True
                importer = ""
                for _ in range(args.repeat):
                    seconds, ok, importer = time_check(ROOT, exercise.id, watch)
                    now.append(seconds)
                    full = full and ok
                    if exercise.id in old_ids:
                        before.append(time_check(baseline, exercise.id)[0])
                rows.append((exercise.id, statistics.median(now), statistics.median(before) if before else None, full, importer))
                print(f"  {number}/{len(load_catalog().exercises)} {exercise.id}", file=sys.stderr, flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], check=False, cwd=ROOT, capture_output=True)

    budget = PER_EXERCISE_S - torch_floor  # what the target leaves the checks above a cold `import torch`
    print(f"floor here: import torch {torch_floor:.2f} s; with torch._dynamo (a torch optimizer's first use) {dynamo_floor:.2f} s")
    print(f"{'exercise':32} {'now s':>7} {'before s':>8} {'ratio':>6} {'floor s':>7} {'checks s':>8}")
    failing = []
    for exercise_id, now_s, before_s, full, importer in rows:
        ratio = f"{now_s / before_s:6.2f}" if before_s else "   new"
        own_floor = dynamo_floor if importer == "optimizer" or exercise_id in COMPILER_EXERCISES else torch_floor
        above = now_s - own_floor
        target = TARGETS.get(exercise_id, PER_EXERCISE_S)
        within = now_s <= target or above <= target - torch_floor
        flag = "" if now_s <= target else f"  > {target:g} s" + (" (torch's floor; checks within budget)" if within else "")
        flag += "" if full else "  (solution lost points!)"
        flag += "  [stand-ins import torch._dynamo]" if importer == "grader" and exercise_id not in COMPILER_EXERCISES else ""
        print(f"{exercise_id:32} {now_s:7.2f} {before_s if before_s is not None else float('nan'):8.2f} {ratio} {own_floor:7.2f} {above:8.2f}{flag}")
        if not within or not full:
            failing.append(exercise_id)
    total_now = sum(r[1] for r in rows if r[2] is not None)
    total_before = sum(r[2] for r in rows if r[2] is not None)
    total_ratio = total_now / total_before
    print(f"{'course (exercises in both)':32} {total_now:7.2f} {total_before:8.2f} {total_ratio:6.2f}")
    print(f"course total now, every exercise: {sum(r[1] for r in rows):.1f} s")
    ok = not failing and total_ratio <= TOTAL_RATIO
    own = ", ".join(f"{e} {s:g} s" for e, s in TARGETS.items())
    print(
        ("PASS" if ok else "FAIL") + f": each exercise <= {PER_EXERCISE_S:g} s cold ({own}) (or checks <= {budget:.2f} s above torch's floor),"
        f" course total <= {TOTAL_RATIO:g}x the baseline" + (f" (over: {', '.join(failing)})" if failing else "")
    )
    return 0 if ok else 1


def _layout(tree: Path) -> tuple[str, Path]:
    """The tree's import package and the PYTHONPATH that imports it from `tree`: since issue 16 `torchdojo` is the
    tree's grader/ folder (through a link in tree/.import/, as tests.conftest.import_path_of makes); before, the
    package was `grader` itself."""
    if not (tree / "grader" / "core").is_dir():
        return "grader", tree
    shim = tree / ".import"
    shim.mkdir(exist_ok=True)
    if not (shim / "torchdojo").is_symlink():
        (shim / "torchdojo").symlink_to(tree / "grader", target_is_directory=True)
    return "torchdojo", shim


def _catalog_ids(tree: Path) -> set[str]:
    """The exercise ids of the catalog in `tree` (the baseline may have fewer exercises)."""
    package, importable = _layout(tree)
    module = "torchdojo.core.catalog" if package == "torchdojo" else "grader.catalog"
    code = f"from {module} import load_catalog; print(' '.join(e.id for e in load_catalog().exercises))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True, env={"PYTHONPATH": str(importable), "PATH": "/usr/bin:/bin"}
    )
    return set(done.stdout.split())


if __name__ == "__main__":
    raise SystemExit(main())

"""What a learner waits for, measured in one run, with its baselines in the same run.

1. Cold `torchdojo check` against `python -c "import torch"` (median of 7, interleaved).
   Target (issue 13): at most 1.2x. The check path must not import the quiz engine, fsrs,
   Textual or nbgrader (checked here too).
2. Watch-mode re-check (a fork of the warm worker, through the real runner) against the
   checks' own compute: the same checks run in this process, warm (torch, pytest and the
   check module already imported; pytest's own run included). The overhead on top is what
   watch adds: fork, pipes, nonce, guard, reaping. Target: under 50 ms.

    python benchmarks/recheck_latency.py [--runs 7] [--exercise autograd/gradient_of]
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported

from torchdojo.core.catalog import Exercise, load_catalog
from torchdojo.core.launch import module_name
from torchdojo.core.runner import grade
from torchdojo.core.warm import WarmWorker

ROOT = Path(__file__).resolve().parent.parent

EXERCISE = "autograd/gradient_of"
FORBIDDEN = ("torchdojo.quizzes.engine", "torchdojo.quizzes.bank", "fsrs", "textual", "nbgrader", "nbconvert", "jupyter_client")

IMPORTS_PROBE = f"""
import json, sys
from torchdojo.cli import main
code = main(sys.argv[1:])
forbidden = {FORBIDDEN!r}
loaded = sorted(f for f in forbidden if f in sys.modules or any(name.startswith(f + '.') for name in sys.modules))
print(json.dumps({{"code": code, "forbidden": loaded}}), file=sys.stderr)
"""


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=False, capture_output=True, cwd=ROOT)
    return time.perf_counter() - started


def check_path_imports(exercise: Exercise, solution: Path) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_PROBE, "check", exercise.id, "--file", str(solution), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])["forbidden"]


class InProcess:
    """The exercise's checks run by pytest in this process, as the child runs them, minus the isolation."""

    def __init__(self, exercise: Exercise, solution: Path) -> None:
        import pytest  # noqa: F401  # imported before the timing, as the warm child has them
        import torch  # noqa: F401  # as above

        from torchdojo.core import child
        from torchdojo.paths import solutions_dir

        self.child = child
        self.exercise = exercise
        self.solution = solution.resolve()
        self.module_name = module_name(exercise)
        self.extra = {}
        if "reference" in inspect.signature(child.GradingPlugin).parameters:
            self.extra["reference"] = solutions_dir() / exercise.file
        self.args = [
            *(f"{exercise.check_module}::test_{c.name}" for c in exercise.checks),
            "--disable-plugin-autoload",  # as the child: no installed plugin is loaded (torchdojo.core.child.pytest_arguments)
            "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:stepwise",
            "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler", "-p", "no:logging",
            "-s", "--noconftest", "--assert=plain", "-c", os.devnull, "--rootdir", str(exercise.check_module.parent),
            "-o", "python_files=test_*.py",
        ]  # fmt: skip

    def run(self) -> float:
        import pytest

        sink = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  # closed at the end of run(), after the redirects
        started = time.perf_counter()
        plugin = self.child.GradingPlugin(self.child.Channel(sink, "-"), self.solution, self.module_name, [c.name for c in self.exercise.checks], **self.extra)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            if hasattr(self.child, "CheckFixtures"):  # the fixtures are their own plugin (torchdojo.core.child.run_checks)
                pytest.main(self.args, plugins=[self.child.CheckFixtures(plugin), plugin])
            else:
                pytest.main(self.args, plugins=[plugin])
        seconds = time.perf_counter() - started
        sink.close()
        for name in [n for n in sys.modules if n.endswith(self.module_name)]:
            del sys.modules[name]
        return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--exercise", default=EXERCISE)
    args = parser.parse_args()
    exercise = load_catalog().resolve(args.exercise)
    solution = ROOT / "solutions" / exercise.file
    cli = [sys.executable, "-m", "torchdojo", "check", exercise.id, "--file", str(solution), "--json"]
    torch_only = [sys.executable, "-c", "import torch"]

    forbidden = check_path_imports(exercise, solution)
    cold, floor = [], []
    for _ in range(args.runs):  # interleaved so both see the same machine load
        floor.append(timed(torch_only))
        cold.append(timed(cli))

    local = InProcess(exercise, solution)
    with WarmWorker() as worker:
        grade(exercise, solution, launcher=worker)  # the first run waits for the worker's imports,
        grade(exercise, solution, launcher=worker)  # the second for its rehearsal (once per exercise),
        local.run()  # and the first in-process run pays the same one-time costs here
        warm, compute = [], []
        for _ in range(args.runs):  # interleaved, again
            started = time.perf_counter()
            report = grade(exercise, solution, launcher=worker)
            warm.append(time.perf_counter() - started)
            assert report.score == report.max_score, report
            compute.append(local.run())
    w, c, f, k = (statistics.median(x) for x in (warm, cold, floor, compute))
    overhead = w - k
    cold_ok, overhead_ok, imports_ok = c / f <= 1.2, overhead < 0.05, not forbidden
    print(f"exercise {exercise.id}, median of {args.runs} runs each, {os.cpu_count()} cores")
    print(f"  python -c 'import torch'          {f * 1000:7.0f} ms")
    print(f"  cold torchdojo check              {c * 1000:7.0f} ms   {c / f:.2f}x import torch (target <= 1.2x)")
    print(f"  check path imports {', '.join(FORBIDDEN)}: {', '.join(forbidden) or 'none of them'} (target: none)")
    print(f"  the checks' own compute (warm, in-process) {k * 1000:7.0f} ms")
    print(f"  watch re-check (warm fork, real runner)    {w * 1000:7.0f} ms   overhead {overhead * 1000:+.0f} ms (target < 50 ms)")
    ok = cold_ok and overhead_ok and imports_ok
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

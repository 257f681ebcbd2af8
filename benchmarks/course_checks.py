"""How long grading takes: every exercise's checks against its solution, cold, one at a time;
and `torchdojo course check` on the whole course.

Targets (issue 3): each exercise under 20 s on 2 cores, the whole course under 2 minutes.
Target (issue 14): `course check` on the full course (every notebook executed by nbgrader's
Validator, every test cell passing) in <= 60 s here.
Baseline in the same run: `python -c "import torch"`, the floor every cold check pays; the load
average is printed beside the times, as a busy machine slows everything.
Also: the tutorial model on the offline stand-in, 5 epochs (target >= 70 % in < 20 s).

    python benchmarks/course_checks.py                  # everything
    python benchmarks/course_checks.py --course-check   # only `course check` (exit 1 over 60 s)
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported

from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import grade

ROOT = Path(__file__).resolve().parent.parent


def import_torch_seconds(repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True, timeout=120)
        times.append(time.perf_counter() - started)
    return min(times)


def stand_in_training() -> tuple[float, float]:
    import torch
    from torch.utils.data import DataLoader

    from torchdojo.data.fashion import IdxFashion
    from torchdojo.data.quickstart_run import STAND_IN_LR, NeuralNetwork

    torch.manual_seed(0)
    started = time.perf_counter()
    train = DataLoader(IdxFashion(train=True), batch_size=64, shuffle=True)
    test = DataLoader(IdxFashion(train=False), batch_size=64)
    model, loss_fn = NeuralNetwork(), torch.nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=STAND_IN_LR)
    for _ in range(5):
        model.train()
        for X, y in train:
            loss_fn(model(X), y).backward()
            optimizer.step()
            optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(X).argmax(1) == y).sum()) for X, y in test)
    return correct / len(test.dataset), time.perf_counter() - started


COURSE_CHECK_TARGET_S = 60.0


def course_check_seconds() -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, notebooks, exit code) of `torchdojo course check` on a freshly built full course.

    The CPU seconds (its processes and all they started) hardly depend on what else runs here:
    divided by the cores, they are the wall time on a quiet machine, near enough."""
    env = {**os.environ, "TORCHDOJO_PROGRESS_SECONDS": "30"}
    with tempfile.TemporaryDirectory(prefix="torchdojo-bench-course-") as folder:
        course = Path(folder) / "course"
        subprocess.run([sys.executable, "-m", "torchdojo", "course", "build", str(course)], cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
        notebooks = len(list((course / "source").glob("*/*.ipynb")))
        started, before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, "-m", "torchdojo", "course", "check", str(course)], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800
        )
        seconds, after = time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        print(done.stdout[-3000:] + done.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, notebooks, done.returncode


def report_course_check(floor: float) -> bool:
    load = os.getloadavg()[0]
    seconds, cpu, notebooks, code = course_check_seconds()
    ok = code == 0 and seconds <= COURSE_CHECK_TARGET_S
    print(
        f"course check: {notebooks} notebooks in {seconds:.1f} s (target <= {COURSE_CHECK_TARGET_S:.0f} s; "
        f"{seconds / floor:.0f}x import torch; CPU {cpu:.0f} s = {cpu / (os.cpu_count() or 1):.0f} s on each of {os.cpu_count()} cores; "
        f"load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)"
        f"{'' if code == 0 else f' -- exit code {code}'}  {'PASS' if ok else 'FAIL'}"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-check", action="store_true", help="only time `course check` on the full course")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}")
    floor = import_torch_seconds()
    print(f"baseline  python -c 'import torch': {floor:.2f} s")
    if args.course_check:
        ok = report_course_check(floor)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
    total, worst, ok = 0.0, 0.0, True
    for exercise in load_catalog().exercises:
        started = time.perf_counter()
        report = grade(exercise, ROOT / "solutions" / exercise.file)
        seconds = time.perf_counter() - started
        total += seconds
        worst = max(worst, seconds)
        full = report.score == report.max_score
        ok &= full and seconds < 20
        print(f"{exercise.id:32} {report.score:>2}/{report.max_score:<2} {seconds:6.2f} s  ({seconds / floor:4.1f}x import torch)")
    print(f"whole course: {total:.1f} s (target < 120 s); slowest exercise {worst:.2f} s (target < 20 s)")
    accuracy, seconds = stand_in_training()
    print(f"stand-in, tutorial model, 5 epochs: accuracy {accuracy:.1%} in {seconds:.1f} s (target >= 70 % in < 20 s)")
    ok &= total < 120 and accuracy >= 0.7 and seconds < 20
    ok &= report_course_check(floor)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""How long grading takes: every exercise's checks against its solution, cold, one at a time.

Targets (issue 3): each exercise under 20 s on 2 cores, the whole course under 2 minutes.
Baseline in the same run: `python -c "import torch"`, the floor every cold check pays.
Also: the tutorial model on the offline stand-in, 5 epochs (target >= 70 % in < 20 s).

    python benchmarks/course_checks.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.catalog import load_catalog  # noqa: E402
from grader.runner import grade  # noqa: E402


def import_torch_seconds(repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import torch"], check=True)
        times.append(time.perf_counter() - started)
    return min(times)


def stand_in_training() -> tuple[float, float]:
    import torch
    from torch.utils.data import DataLoader

    from grader.fashion import IdxFashion
    from grader.quickstart_run import STAND_IN_LR, NeuralNetwork

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


def main() -> int:
    print(f"cores: {os.cpu_count()}")
    floor = import_torch_seconds()
    print(f"baseline  python -c 'import torch': {floor:.2f} s")
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
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

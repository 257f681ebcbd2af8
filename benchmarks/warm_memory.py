"""Memory of a warm pool: the worker plus two forks grading at the same time.

Target (issue 8): under 1 GB resident in all. Reports the peak of the summed RSS (which counts
pages the forks share with the worker once per process, so it overstates) and of the summed PSS
(shared pages split between the processes that share them: the honest total).
Baseline in the same run: one cold `python -c "import torch"` process.

    python benchmarks/warm_memory.py
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported

from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import grade
from torchdojo.core.warm import WarmWorker

ROOT = Path(__file__).resolve().parent.parent


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in KiB, or zeros if it is gone."""
    try:
        rss = int(next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS")).split()[1])
        pss = int(next(line for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines() if line.startswith("Pss:")).split()[1])
        return rss, pss
    except (OSError, StopIteration):
        return 0, 0


def children_of(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(proc.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def main() -> int:
    probe = subprocess.Popen([sys.executable, "-c", "import torch, time; time.sleep(3)"])
    time.sleep(2.5)
    baseline_rss, baseline_pss = memory_kib(probe.pid)
    probe.wait()
    exercise = load_catalog().resolve("quickstart/fit")
    solution = ROOT / "solutions" / exercise.file
    peak_rss = peak_pss = 0
    with WarmWorker() as worker:
        grade(exercise, solution, launcher=worker)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak_rss, peak_pss
            while not done.is_set():
                pids = [worker.pid, *children_of(worker.pid)]
                totals = [memory_kib(pid) for pid in pids]
                peak_rss = max(peak_rss, sum(r for r, _ in totals))
                peak_pss = max(peak_pss, sum(p for _, p in totals))
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()
        runs = [threading.Thread(target=grade, args=(exercise, solution), kwargs={"launcher": worker}) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join()
        done.set()
        sampler.join()

    def mib(kib: float) -> float:
        return kib / 1024

    print(f"baseline: one `import torch` process: RSS {mib(baseline_rss):.0f} MiB, PSS {mib(baseline_pss):.0f} MiB")
    print(f"warm worker + 2 concurrent forks (quickstart/fit): peak RSS sum {mib(peak_rss):.0f} MiB, peak PSS sum {mib(peak_pss):.0f} MiB (target < 1024 MiB)")
    print(f"  = {peak_pss / max(baseline_pss, 1):.1f}x one cold torch process (PSS)")
    ok = peak_pss < 1024 * 1024
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

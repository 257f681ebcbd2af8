"""What a warm worker's forks cost with one of its savings on, against off, in one run.

`--switch huge-pages` (the default): the worker's memory packed into huge pages (torchdojo.core.hugepages) before
it forks. `--switch namespace-versions`: what a fork checks before and after every check (the watched namespaces,
functions and closure cells, and the class of every loaded module) is read as one word each (torchdojo.core.words),
and only what moved is looked at, instead of going through all of it, which in a fork copies a page for every few
objects it touches.

Two warm workers rehearse the whole course (as grade-batch's worker does for a class), one with the saving off
(`TORCHDOJO_HUGE_PAGES=0` or `TORCHDOJO_NAMESPACE_VERSIONS=0`) and one as shipped. Then, round after round, both
grade the same student, alternating which goes first: the references of the tensors exercises, whose
checks are cheap, so that the fork is a large part of what is measured (`--exercises`: others, e.g. the
whole course; `--fixture`: each exercise's first test fixture instead, mostly wrong solutions),
so the machine's other load weighs on both alike. Counted per student: the worker's CPU (its own work and
every fork it reaped) and this process's (the runner's threads), as `cluster_scaling.py --course-only`
counts it. Targets (issue 18): with huge pages, at most 0.9 of without; with namespace versions, at most 0.95.

    python benchmarks/fork_cost.py [--switch huge-pages|namespace-versions] [--rounds 8] [--exercises ...] [--fixture]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import unittest.mock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cluster_scaling import LIMITS, _own_cpu, _process_cpu, make_class

from torchdojo.core.catalog import load_catalog
from torchdojo.core.warm import WarmWorker
from torchdojo.teacher.batch import grade_task, plan

SWITCHES = {"huge-pages": ("TORCHDOJO_HUGE_PAGES", 0.9), "namespace-versions": ("TORCHDOJO_NAMESPACE_VERSIONS", 0.95)}
"""--switch: the environment variable that turns the saving off (read by the worker), and the target ratio on/off."""


def _huge_mb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1]) >> 10
    except OSError:
        pass
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switch", choices=sorted(SWITCHES), default="huge-pages", help="the saving compared (default huge-pages)")
    parser.add_argument("--rounds", type=int, default=8, help="students graded by each worker (default 8)")
    parser.add_argument("--exercises", nargs="*", help="exercise ids handed in (default: the tensors exercises)")
    parser.add_argument("--fixture", action="store_true", help="hand in each exercise's first test fixture instead of the reference")
    args = parser.parse_args()
    variable, target = SWITCHES[args.switch]
    catalog = load_catalog()
    course = [catalog.resolve(e) for e in args.exercises] if args.exercises else [e for e in catalog.exercises if e.topic == "tensors"]
    ids = [e.id for e in catalog.exercises]  # rehearsed: the whole course, as grade-batch's worker holds it for a class
    with tempfile.TemporaryDirectory(prefix="torchdojo-fork-cost-") as folder:
        make_class(Path(folder), 2, [e.id for e in course])  # s000 hands in the references, s001 each exercise's first fixture
        tasks = [t for t in plan(Path(folder), catalog, course) if t.student == ("s001" if args.fixture else "s000")]
        workers: dict[str, WarmWorker] = {}
        try:
            for name, switch in (("off", "0"), ("on", "1")):
                with unittest.mock.patch.dict(os.environ, {variable: switch}):  # read by the worker
                    workers[name] = WarmWorker(rehearse=ids).__enter__()
            for number, worker in enumerate(workers.values()):
                print(f"rehearsing {len(ids)} exercises in worker {number + 1} of 2 ...", file=sys.stderr, flush=True)
                worker.wait_ready(timeout=300 + 30 * len(ids))
            cost: dict[str, list[float]] = {name: [] for name in workers}
            for round_number in range(args.rounds):
                order = list(workers) if round_number % 2 == 0 else list(reversed(workers))
                for name in order:
                    worker = workers[name]
                    before = _process_cpu(worker.pid) + _own_cpu()
                    for task in tasks:
                        grade_task(task, LIMITS, worker)
                    cost[name].append(_process_cpu(worker.pid) + _own_cpu() - before)
                print(f"round {round_number + 1} of {args.rounds}: " + ", ".join(f"{n} {c[-1]:.2f} s" for n, c in cost.items()), file=sys.stderr, flush=True)
            huge = {name: _huge_mb(worker.pid) for name, worker in workers.items()}
        finally:
            for worker in workers.values():
                worker.__exit__(None, None, None)
    off, on = statistics.median(cost["off"]), statistics.median(cost["on"])
    per_fork = (off - on) / len(tasks) * 1000
    ratio = on / off
    print(
        f"CPU-seconds per student, {len(tasks)} exercises ({'first fixtures' if args.fixture else 'references'}), median of {args.rounds} rounds; the workers rehearsed {len(ids)}:"
    )
    print(f"  {args.switch} off ({variable}=0): {off:.2f} s ({', '.join(f'{c:.2f}' for c in cost['off'])}); {huge['off']} MB in huge pages")
    print(f"  {args.switch} on:  {on:.2f} s ({', '.join(f'{c:.2f}' for c in cost['on'])}); {huge['on']} MB in huge pages")
    print(f"  saved per fork: {per_fork:.1f} ms; ratio {ratio:.2f} (target <= {target}): {'PASS' if ratio <= target else 'FAIL'}")
    print(f"load average {os.getloadavg()[0]:.1f} (1 min): two cores shared with other work make these noisy")
    return 0 if ratio <= target else 1


if __name__ == "__main__":
    raise SystemExit(main())

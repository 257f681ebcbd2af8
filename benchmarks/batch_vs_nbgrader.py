"""grade-batch on a class against `nbgrader autograde` on the same notebooks, and against the floor.

The floor is the checks' own computation (measured inside the grading children), divided by
the cores used: what grading would cost with zero overhead. Overhead = wall - floor.
Targets (issue 8): grade-batch's overhead per student at least 10x smaller than nbgrader's, and its
wall time within 1.5x of the floor.

nbgrader grades one notebook at a time, each in a fresh kernel that imports torch; running it on
the whole class takes long, so it runs on `--nbgrader-students` of them and its per-student
figures are reported as measured (not extrapolated into the totals).

    python benchmarks/batch_vs_nbgrader.py [--students 50] [--nbgrader-students 2] [--topics autograd ...]

The teachers' class of issue 14 (8 students x the 6 autograd notebooks, both tools on every notebook):

    python benchmarks/batch_vs_nbgrader.py --students 8 --nbgrader-students 8 --topics autograd

When nbgrader grades the whole class, both wall times and their ratio are printed, and the scores of
the two tools are compared notebook by notebook (nbgrader's gradebook against grade-batch's rows).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported

from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import Limits
from torchdojo.teacher.batch import compare_with_gradebook, default_jobs, plan, run_batch

ROOT = Path(__file__).resolve().parent.parent

ENV = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}


def run(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, check=False, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")


def make_class(course: Path, students: int, topics: list[str]) -> list[str]:
    """Every student hands in every notebook of `topics`; every fifth leaves one exercise untouched."""
    names = [f"s{index:03d}" for index in range(students)]
    for index, student in enumerate(names):
        for topic in topics:
            for source in sorted((course / "source" / topic).glob("*.ipynb")):
                release = json.loads((course / "release" / topic / source.name).read_text(encoding="utf-8"))
                answer = json.loads(source.read_text(encoding="utf-8"))
                untouched = index % 5 == 0 and source.stem == "vjp"
                if not untouched:
                    for cell, original in zip(release["cells"], answer["cells"], strict=True):
                        if cell["metadata"].get("nbgrader", {}).get("solution"):
                            cell["source"] = original["source"]
                target = course / "submitted" / student / topic / source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(release), encoding="utf-8")
    return topics


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--nbgrader-students", type=int, default=2)
    parser.add_argument("--topics", nargs="+", help="only these topics (default: the whole course)")
    args = parser.parse_args()
    args.nbgrader_students = min(args.nbgrader_students, args.students)
    cores = default_jobs()
    with tempfile.TemporaryDirectory(prefix="torchdojo-bench-") as folder:
        course = Path(folder) / "course"
        run([sys.executable, "-m", "torchdojo", "course", "build", str(course)], ROOT)
        topics = sorted(p.name for p in (course / "source").iterdir() if not args.topics or p.name in args.topics)
        if not topics:
            raise SystemExit(f"no such topics: {args.topics}")
        for topic in topics:
            run([sys.executable, "-m", "nbgrader", "generate_assignment", topic, "--force"], course)
        make_class(course, args.students, topics)
        notebooks = sum(1 for _ in (course / "submitted").glob("*/*/*.ipynb"))

        catalog = load_catalog()
        tasks = plan(course / "submitted", catalog, [e for e in catalog.exercises if e.topic in topics])
        started = time.perf_counter()
        rows = run_batch(tasks, Limits(timeout_s=60, threads=1), cores, warm=True)
        batch_wall = time.perf_counter() - started
        compute = sum(r.check_seconds for r in rows)
        floor = compute / cores

        sample = Path(folder) / "sample"
        shutil.copytree(course, sample, ignore=shutil.ignore_patterns("submitted"))
        for student in sorted(p.name for p in (course / "submitted").iterdir())[: args.nbgrader_students]:
            shutil.copytree(course / "submitted" / student, sample / "submitted" / student)
        started = time.perf_counter()
        for topic in topics:
            run([sys.executable, "-m", "nbgrader", "autograde", topic, "--create", "--force"], sample)
        nb_wall = time.perf_counter() - started
        graded = {student for student in (p.name for p in (sample / "submitted").iterdir())}
        disagreements = compare_with_gradebook([r for r in rows if r.student in graded], sample / "gradebook.db")

    per_student_compute = compute / args.students
    nb_per_student = nb_wall / args.nbgrader_students
    nb_overhead = nb_per_student - per_student_compute  # nbgrader runs one notebook at a time, on one core
    batch_overhead = (batch_wall - floor) / args.students
    print(f"class: {args.students} students x {len(tasks) // args.students} notebooks = {notebooks} notebooks; {cores} cores")
    print(f"checks' own computation: {compute:.1f} s in all, {per_student_compute:.2f} s per student; floor = {floor:.1f} s")
    print(
        f"grade-batch (warm):  wall {batch_wall:7.1f} s   overhead {batch_wall - floor:6.1f} s = {batch_overhead:.3f} s per student   wall/floor {batch_wall / floor:.2f}x (target <= 1.5x)"
    )
    print(f"nbgrader autograde:  {nb_per_student:7.1f} s per student (measured on {args.nbgrader_students})   overhead {nb_overhead:.2f} s per student")
    ratio = nb_overhead / max(batch_overhead, 1e-9)
    print(f"overhead per student: nbgrader / grade-batch = {ratio:.0f}x (target >= 10x)")
    if args.nbgrader_students == args.students:
        print(
            f"whole class, same notebooks: nbgrader autograde {nb_wall:.1f} s, grade-batch {batch_wall:.1f} s: "
            f"grade-batch is {nb_wall / batch_wall:.1f}x faster"
        )
    compared = sum(r.student in graded for r in rows)
    print(f"scores agree on {compared - len(disagreements)} of {compared} notebooks graded by both")
    by_key = {(r.student, r.exercise): r for r in rows}
    for found in disagreements:
        row = by_key[(found.student, found.exercise)]
        why = next((c.message.en for c in row.checks if c.message and c.outcome != "passed"), "")[:200]
        print(f"  differs: {found.student} {found.exercise}: grade-batch {found.ours} ({row.status}{': ' + why if why else ''}), nbgrader {found.gradebook}")
    statuses = {s: sum(r.status == s for r in rows) for s in {r.status for r in rows}}
    print(f"statuses: {statuses}")
    ok = ratio >= 10 and batch_wall / floor <= 1.5
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

"""`torchdojo dev check ID`: the three-way test of one exercise, as tests/test_exercises.py runs it for all.

The reference solution must get full marks, the untouched stub zero (failing kindly, with NotImplementedError),
and each fixture in tests/fixtures/TOPIC/NAME/ must lose exactly the checks its `# expect:` line names
(`# expect: full marks` for another correct way of writing it). With `--mutation`, the exercise's mutation score
follows (benchmarks/mutation_score.py): the measure of how much the checks catch.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from torchdojo.core.catalog import Exercise
from torchdojo.core.report import Report
from torchdojo.core.runner import Limits, grade
from torchdojo.core.warm import WarmWorker
from torchdojo.dev import DevError
from torchdojo.i18n import Text

EXPECT = re.compile(r"# expect: (.+)")


def expectation(path: Path) -> set[str] | None:
    """A fixture's `# expect:` first line: None for full marks, else the checks it must lose."""
    lines = path.read_text(encoding="utf-8").splitlines()
    match = EXPECT.fullmatch(lines[0]) if lines else None
    if not match:
        raise DevError(
            Text(
                en=f"{path} needs a first line '# expect: full marks' or '# expect: check_a, check_b'.",
                zh=f"{path} 的第一行必须是 '# expect: full marks' 或 '# expect: check_a, check_b'。",
            )
        )
    if match.group(1).strip() == "full marks":
        return None
    return {name.strip() for name in match.group(1).split(",")}


@dataclass(frozen=True)
class Verdict:
    """One of the three ways: what was graded, whether it came out as it must, and why not."""

    what: str
    ok: bool
    detail: str


def _failing(report: Report) -> set[str]:
    return {c.name for c in report.checks if c.outcome not in ("passed", "needs_gpu")}


def three_way(exercise: Exercise, root: Path) -> Iterator[Verdict]:
    """Grade the solution, the stub and every fixture of `exercise` (forks of one warm worker: seconds, not minutes)."""
    fixtures = sorted((root / "tests" / "fixtures" / exercise.topic / exercise.name).glob("*.py"))
    known = {c.name for c in exercise.checks}
    with WarmWorker() as worker:
        solution = grade(exercise, root / "solutions" / exercise.file, Limits(), worker)
        missing = {c.name: c.message.en if c.message else "" for c in solution.checks if c.name in _failing(solution)}
        yield Verdict(
            "solution: full marks",
            solution.score == solution.max_score > 0 and not missing,
            "; ".join(f"{name}: {text}" for name, text in missing.items())[:400],
        )
        stub = grade(exercise, root / "exercises" / exercise.file, Limits(), worker)
        unkind = [c.name for c in stub.checks if c.message and "NotImplementedError" not in c.message.en]
        yield Verdict(
            "stub: zero, failing kindly",
            stub.score == 0 and not unkind,
            f"score {stub.score}" + (f"; not about NotImplementedError: {', '.join(unkind)}" if unkind else ""),
        )
        wrong = [f for f in fixtures if expectation(f)]
        right = [f for f in fixtures if expectation(f) is None]
        yield Verdict(
            "fixtures: >= 2 wrong and >= 1 alternative",
            len(wrong) >= 2 and len(right) >= 1,
            f"{len(wrong)} wrong, {len(right)} alternative in tests/fixtures/{exercise.id}/",
        )
        for fixture in fixtures:
            expected = expectation(fixture) or set()
            unknown = expected - known
            report = grade(exercise, fixture, Limits(), worker)
            lost = _failing(report)
            detail = (
                f"names unknown checks: {', '.join(sorted(unknown))}"
                if unknown
                else f"expected to lose {sorted(expected) or 'nothing'}, lost {sorted(lost) or 'nothing'}"
            )
            yield Verdict(f"fixture {fixture.name}", not unknown and lost == expected, "" if lost == expected and not unknown else detail)

"""Three-way grading of every exercise: solutions get full marks, stubs get zero,
and each realistic wrong solution in tests/fixtures loses exactly the checks it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, grade_file
from torchdojo.core.catalog import load_catalog
from torchdojo.dev.check import expectation  # the `# expect:` header, read as `torchdojo dev check` reads it

EXERCISES = load_catalog().exercises
FIXTURE_FILES = sorted(FIXTURES.glob("*/*/*.py"))


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_solution_gets_full_marks(exercise) -> None:
    report = grade_file(exercise.id, ROOT / "solutions" / exercise.file)
    failing = {c.name: c.message.en if c.message else "" for c in report.checks if c.outcome not in ("passed", "needs_gpu")}
    assert failing == {}
    assert report.score == report.max_score > 0


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_untouched_stub_gets_zero(exercise) -> None:
    report = grade_file(exercise.id, ROOT / "exercises" / exercise.file)
    assert report.score == 0
    assert all(c.outcome in ("failed", "needs_gpu") for c in report.checks)
    assert all("NotImplementedError" in c.message.en for c in report.checks if c.message), "stubs fail kindly"


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}/{p.stem}")
def test_fixture_loses_exactly_the_named_checks(fixture: Path) -> None:
    exercise = load_catalog().resolve(f"{fixture.parent.parent.name}/{fixture.parent.name}")
    report = grade_file(exercise.id, fixture)
    expected_failures = expectation(fixture) or set()
    assert expected_failures <= {c.name for c in exercise.checks}, "fixture names an unknown check"
    failing = {c.name for c in report.checks if c.outcome not in ("passed", "needs_gpu")}
    messages = {c.name: c.message.en for c in report.checks if c.message}
    assert failing == expected_failures, messages
    lost = sum(c.points for c in exercise.checks if c.name in expected_failures)
    assert report.score == report.max_score - lost


def test_every_exercise_has_two_wrong_and_one_alternative_solution() -> None:
    for exercise in EXERCISES:
        folder = FIXTURES / exercise.topic / exercise.name
        files = list(folder.glob("*.py"))
        wrong = [f for f in files if expectation(f)]
        right = [f for f in files if expectation(f) is None]
        assert len(wrong) >= 2 and len(right) >= 1, f"{exercise.id} needs >= 2 wrong and >= 1 alternative solutions"

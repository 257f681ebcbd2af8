"""Fake class submissions for the nbgrader end-to-end test, made from a released notebook."""

from __future__ import annotations

import copy
import json
from pathlib import Path

CASES = Path(__file__).resolve().parent / "nbgrader_cases"

# student -> (solution cell source file or None for the untouched release, tweak)
STUDENTS: dict[str, tuple[str | None, str | None]] = {
    "full": ("full.py", None),
    "untouched": (None, None),
    "partly": ("partly.py", None),
    "warning": ("warning.py", None),
    "loop": ("loop.py", None),
    "swallow": ("swallow_interrupt.py", None),
    "raises": ("raises_at_import.py", None),
    "edited_test": ("full.py", "edit_test"),
    "deleted_test": ("full.py", "delete_test"),
    # kernel tricks: a solution cell that fakes the test cells instead of writing code
    "trick_check": ("trick_replace_check.py", None),
    "trick_modules": ("trick_sys_modules.py", None),
    "trick_errors": ("trick_hide_errors.py", None),
}


def expected_scores() -> dict[str, int]:
    """What every student must score: full marks, zero, or (partly) what the runner gives the same code.

    Computed from the catalog and the runner, so the test follows the checks as they evolve.
    """
    from torchdojo.core.catalog import load_catalog
    from torchdojo.core.runner import Limits, grade

    exercise = load_catalog().resolve("autograd/gradient_of")
    full = sum(c.points for c in exercise.checks if not c.needs_gpu)
    partly = grade(exercise, CASES / "partly.py", Limits(timeout_s=60)).score
    assert 0 < partly < full, "the 'partly' case must pass some checks and fail others"
    scores = dict.fromkeys(STUDENTS, 0)
    scores.update({"full": full, "warning": full, "edited_test": full, "deleted_test": full, "partly": partly})
    return scores


TAMPERED = {"edited_test", "deleted_test", "trick_check", "trick_modules", "trick_errors"}


def make_submission(release: Path, student: str) -> dict:
    notebook = json.loads(release.read_text(encoding="utf-8"))
    case, tweak = STUDENTS[student]
    result = copy.deepcopy(notebook)
    cells = result["cells"]
    if case is not None:
        solution = next(c for c in cells if c["metadata"].get("nbgrader", {}).get("solution"))
        solution["source"] = (CASES / case).read_text(encoding="utf-8")
    tests = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade")]
    if tweak == "edit_test":
        tests[0]["source"] = "print('all good, trust me')"
    elif tweak == "delete_test":
        cells.remove(tests[1])
    return result


def write_submitted(release: Path, submitted: Path, assignment: str) -> None:
    for student in STUDENTS:
        target = submitted / student / assignment / release.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(make_submission(release, student), ensure_ascii=False, indent=1), encoding="utf-8")

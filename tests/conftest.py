"""Shared test helpers: the catalog, grading a file, and the fixture corpus."""

from __future__ import annotations

import atexit
import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from torchdojo.core.catalog import Catalog, load_catalog
from torchdojo.core.report import Report
from torchdojo.core.runner import Limits, grade
from torchdojo.core.warm import WarmWorker

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
TEST_HOME = Path(tempfile.gettempdir()) / f"torchdojo-test-home-{os.getuid()}"


def import_path_of(tree: Path) -> str:
    """A PYTHONPATH under which `import torchdojo` is the copy of the repository at `tree`, not the installed one.

    `torchdojo` is the repository's grader/ folder: a link to the copy's grader/ goes in `tree/.import/`, ahead of
    the editable install (whose finder comes after the path entries). `torchdojo.quizzes` stays the installed one.
    """
    shim = tree / ".import"
    shim.mkdir(exist_ok=True)
    link = shim / "torchdojo"
    if not link.is_symlink():
        link.symlink_to(tree / "grader", target_is_directory=True)
    return str(shim)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def grade_file(exercise_id: str, path: Path, **limits: float) -> Report:
    """Grade with forks of this test process's warm worker: the same isolation and verdicts as a cold
    check (tests/test_warm.py and tests/test_hostile.py hold the two paths to that), seconds faster."""
    return grade(load_catalog().resolve(exercise_id), path, Limits(**limits), launcher=_warm_worker())


@functools.cache
def _warm_worker() -> WarmWorker:
    worker = WarmWorker()
    atexit.register(worker.close)
    return worker


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real `torchdojo` command in a subprocess (bounded in time)."""
    full_env = {key: value for key, value in os.environ.items() if key != "TORCHDOJO_WORKSPACE"}
    # Outside a workspace the record is ~/.torchdojo/progress.json: never the tester's own home.
    full_env.update({"COLUMNS": "200", "HOME": str(TEST_HOME), **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "torchdojo", *args],
        cwd=cwd or ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )

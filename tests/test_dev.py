"""Contributor tools, used as a contributor would: `torchdojo dev new` writes a graded exercise into a copy of the
repository, `torchdojo dev check` grades it three ways (and its mutation score), and bad requests change nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, import_path_of
from torchdojo.core.catalog import load_catalog

PARTS = ("grader", "exercises", "solutions", "tests/fixtures", "benchmarks")


def _clone(where: Path, parts: tuple[str, ...] = PARTS) -> Path:
    for part in parts:
        shutil.copytree(ROOT / part, where / part, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return where


def _dev(tree: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": import_path_of(tree), "COLUMNS": "200", "HOME": str(tree / "home")}
    return subprocess.run([sys.executable, "-m", "torchdojo", "dev", *args], capture_output=True, text=True, cwd=tree, env=env, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _clone(tmp_path_factory.mktemp("repo"))


def test_new_writes_a_graded_exercise_that_passes_three_ways(tree: Path) -> None:
    made = _dev(tree, "new", "demo/scale_it")
    assert made.returncode == 0, made.stderr
    catalog = load_catalog(tree / "grader" / "catalog.toml")
    exercise = catalog.resolve("demo/scale_it")
    assert catalog.exercises[-1].id == "demo/scale_it"  # a new topic goes at the end, in its own numbered folder
    for path in (tree / "exercises" / exercise.file, tree / "solutions" / exercise.file, tree / "grader/checks/demo/test_scale_it.py"):
        assert path.is_file() and str(path.relative_to(tree)) in made.stdout
    assert len(list((tree / "tests/fixtures/demo/scale_it").glob("*.py"))) == 3
    checked = _dev(tree, "check", "demo/scale_it")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("✓") == 6 and "✗" not in checked.stdout


def test_new_in_an_existing_topic_goes_after_its_last_exercise(tree: Path) -> None:
    topic = load_catalog(tree / "grader" / "catalog.toml").exercises[0].topic
    assert _dev(tree, "new", f"{topic}/scale_too").returncode == 0
    ids = [e.id for e in load_catalog(tree / "grader" / "catalog.toml").exercises]
    position = ids.index(f"{topic}/scale_too")
    assert ids[position - 1].startswith(f"{topic}/") and not ids[position + 1].startswith(f"{topic}/")


def test_check_names_what_went_wrong(tree: Path) -> None:
    assert _dev(tree, "new", "demo/broken").returncode == 0
    fixture = tree / "tests/fixtures/demo/broken/wrong_in_place.py"  # a wrong solution said to be right
    fixture.write_text(fixture.read_text(encoding="utf-8").replace("# expect: values", "# expect: full marks", 1), encoding="utf-8")
    stub = tree / "exercises" / load_catalog(tree / "grader" / "catalog.toml").resolve("demo/broken").file
    stub.write_text(stub.read_text(encoding="utf-8").replace("raise NotImplementedError", "return x * factor"), encoding="utf-8")
    checked = _dev(tree, "check", "demo/broken")
    assert checked.returncode == 1
    assert "✓ solution: full marks" in checked.stdout
    assert "✗ stub: zero, failing kindly: score 3" in checked.stdout  # no ValueError: bad_factor still fails
    assert "✗ fixture wrong_in_place.py: expected to lose nothing, lost ['values']" in checked.stdout


@pytest.mark.parametrize(("exercise_id", "words"), [("demo/scale_it", "already in the catalog"), ("Bad-Id", "not an exercise id")])
def test_a_bad_new_changes_nothing(tree: Path, exercise_id: str, words: str) -> None:
    _dev(tree, "new", "demo/scale_it")  # there at least once
    before = (tree / "grader" / "catalog.toml").read_bytes()
    files = sorted(p for p in tree.rglob("*") if "__pycache__" not in p.parts)
    again = _dev(tree, "new", exercise_id)
    assert again.returncode == 2 and words in again.stderr and "Traceback" not in again.stderr
    assert (tree / "grader" / "catalog.toml").read_bytes() == before
    assert sorted(p for p in tree.rglob("*") if "__pycache__" not in p.parts) == files


def test_dev_needs_a_clone(tmp_path: Path) -> None:
    installed = _clone(tmp_path, ("grader",))  # what a wheel installs: no exercises/, solutions/ or tests/ beside it
    done = _dev(installed, "new", "demo/x")
    assert done.returncode == 2 and "clone of the torchdojo repository" in done.stderr


def test_the_contributing_guide_runs(tmp_path: Path) -> None:
    """docs/contributing.md's own commands, in order, in a fresh copy of the repository."""
    guide = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    blocks = guide.split("```bash")[1:]
    commands = [line.split("#")[0].split() for block in blocks for line in block.split("```")[0].splitlines() if line.startswith("torchdojo dev ")]
    assert [c[:2] for c in commands] == [["torchdojo", "dev"]] * 3, commands
    tree = _clone(tmp_path)
    for command in commands:
        done = _dev(tree, *command[2:])
        assert done.returncode == 0, (command, done.stdout, done.stderr)
    assert "PASS" in done.stdout and "100.0%" in done.stdout  # the example's checks kill every mutant

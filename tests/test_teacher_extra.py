"""A learner's install leaves nbgrader out: the teachers' commands say how to get it, the learner's never need it.

Simulated without a second venv (machines here are offline): a `sitecustomize` on PYTHONPATH makes the Jupyter
stack unimportable, as in a plain `pip install torchdojo`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.core.catalog import load_catalog

BLOCK = '''
import sys
class _NoJupyter:
    """As if the teacher extra were not installed."""
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"nbgrader", "nbformat", "nbconvert", "nbclient", "jupyter_client", "ipykernel"}:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None
sys.meta_path.insert(0, _NoJupyter())
'''


def _run(tmp_path: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(BLOCK, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]), "TORCHDOJO_HOME": str(tmp_path / "home")}
    return subprocess.run([sys.executable, "-m", "torchdojo", *args], capture_output=True, text=True, timeout=180, cwd=cwd or tmp_path, env=env, check=False)


def test_nbgrader_is_only_in_the_teacher_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any(dep.startswith("nbgrader") for dep in project["dependencies"])
    assert any(dep.startswith("nbgrader") for dep in project["optional-dependencies"]["teacher"])


def test_the_blocker_works(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCK, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "import nbgrader"], capture_output=True, text=True, timeout=60, check=False, env={**os.environ, "PYTHONPATH": str(site)}
    )
    assert done.returncode != 0 and "No module named 'nbgrader'" in done.stderr


@pytest.mark.parametrize(
    ("args", "lang"),
    [
        (("course", "build", "course"), "en"),
        (("course", "check", "course"), "zh"),
        (("grade-batch", "subs", "--out", "grades.csv", "--to-gradebook", "course"), "en"),
    ],
)
def test_a_teacher_command_says_which_install_brings_it(tmp_path: Path, args: tuple[str, ...], lang: str) -> None:
    (tmp_path / "subs").mkdir()
    done = _run(tmp_path, *args, "--lang", lang)
    assert done.returncode == 2, done.stderr
    assert "torchdojo[teacher]" in done.stderr and "Traceback" not in done.stderr
    assert ("teacher's command" in done.stderr) if lang == "en" else ("教师" in done.stderr)
    assert not (tmp_path / "course").exists() and not (tmp_path / "grades.csv").exists()


def test_the_learner_commands_need_no_jupyter(tmp_path: Path) -> None:
    first = load_catalog().exercises[0]
    assert _run(tmp_path, "init", "dojo").returncode == 0
    workspace = tmp_path / "dojo"
    listed = _run(tmp_path, "list", "--json", cwd=workspace)
    assert listed.returncode == 0, listed.stderr
    solution = ROOT / "solutions" / first.file
    checked = _run(tmp_path, "check", first.id, "--file", str(solution), cwd=workspace)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"{first.max_score}/{first.max_score}" in checked.stdout
    quiz = _run(tmp_path, "quiz", "list", "--json", cwd=workspace)
    assert quiz.returncode == 0, quiz.stderr

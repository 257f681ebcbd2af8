"""The wheel: one top-level import package, `torchdojo`, with everything a learner needs and no Jupyter.

Built from this tree (setuptools, offline) once per session; then used the way an installed copy is: on the
path, from another folder.
"""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.xdist_group("wheel")  # one build per session


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=out,
    )
    assert done.returncode == 0, done.stderr
    (found,) = out.glob("torchdojo-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked, as pip would put it in site-packages."""
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _tree_packages() -> set[str]:
    """Every package in the repository, by its import name."""
    found = {"torchdojo._bundle"}
    for folder, name in ((ROOT / "grader", "torchdojo"), (ROOT / "quizzes", "torchdojo.quizzes")):
        for init in folder.rglob("__init__.py"):
            found.add(".".join((name, *init.parent.relative_to(folder).parts)))
    return found


def test_the_wheel_installs_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {"torchdojo", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert not any(name.startswith(("grader/", "quizzes/")) for name in names)


def test_pyproject_lists_every_package_of_the_tree() -> None:
    """setuptools ships only the packages pyproject.toml names: a new topic's checks folder must be added there."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    assert listed == _tree_packages()


def test_the_wheel_carries_the_data_and_the_material(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    exercises = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "exercises").rglob("*.py"))
    solutions = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "solutions").rglob("*.py"))
    assert exercises and all(f"torchdojo/_bundle/{name}" in names for name in exercises + solutions)
    banks = [p.name for p in (ROOT / "quizzes" / "banks").glob("*.toml")]
    wanted = [
        "torchdojo/catalog.toml",
        "torchdojo/quizzes/glossary.toml",
        "torchdojo/quizzes/coverage.toml",
        "torchdojo/quizzes/app/app.tcss",
        "torchdojo/quizzes/app/screens.tcss",
        *(f"torchdojo/quizzes/banks/{bank}" for bank in banks),
        *(
            f"torchdojo/teacher/templates/{p.relative_to(ROOT / 'grader/teacher/templates')}"
            for p in (ROOT / "grader/teacher/templates").rglob("*")
            if p.is_file()
        ),
        *(f"torchdojo/data/{p.relative_to(ROOT / 'grader/data')}" for p in (ROOT / "grader/data/FashionMNIST").rglob("*") if p.is_file()),
    ]
    assert [name for name in wanted if name not in names] == []


def test_a_plain_install_needs_no_jupyter(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.message_from_string(archive.read(next(n for n in archive.namelist() if n.endswith("METADATA"))).decode())
    plain = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]
    assert plain and not any(r.split()[0].split(">")[0].split("=")[0].lower() in ("nbgrader", "jupyter", "notebook", "dask") for r in plain)
    assert any(r.startswith("nbgrader") and 'extra == "teacher"' in r for r in metadata.get_all("Requires-Dist") or [])


def test_the_installed_layout_runs(installed: Path, tmp_path: Path) -> None:
    """From the unpacked wheel (not this checkout): the catalog, the bundled stubs, and a check."""
    env = {**os.environ, "PYTHONPATH": str(installed), "HOME": str(tmp_path), "TORCHDOJO_HOME": str(tmp_path / "home")}
    env.pop("TORCHDOJO_WORKSPACE", None)

    def run(*args: str, cwd: Path = tmp_path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "torchdojo", *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env, check=False)

    where = subprocess.run(
        [sys.executable, "-c", "import torchdojo, torchdojo.quizzes; print(torchdojo.__file__, torchdojo.quizzes.__file__)"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env=env,
        check=True,
    ).stdout.split()
    assert all(Path(path).is_relative_to(installed) for path in where), where
    listed = json.loads(run("list", "--json").stdout)
    assert len(listed) == len(list((ROOT / "exercises").rglob("*.py")))
    assert run("init", str(tmp_path / "dojo")).returncode == 0
    stub = next((tmp_path / "dojo" / "exercises").rglob("*leaf_tensors.py"))
    solution = installed / "torchdojo" / "_bundle" / "solutions" / stub.relative_to(tmp_path / "dojo" / "exercises")
    stub.write_text(solution.read_text(encoding="utf-8"), encoding="utf-8")
    checked = run("check", "autograd/leaf_tensors", "--json", cwd=tmp_path / "dojo")
    report = json.loads(checked.stdout)
    assert report["score"] == report["max_score"] > 0, checked.stderr


@pytest.mark.slow
def test_a_fresh_venv_with_the_wheel_has_no_jupyter(wheel: Path, tmp_path: Path) -> None:
    """`pip install <wheel>` into a new venv, as a learner would: no nbgrader; a teacher command says how to get it."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    # torch==2.13.0: the CPU build on this machine's disk (a bare "torch>=2.6" would take a 5 GB CUDA build)
    done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "torch==2.13.0", str(wheel)], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    python = str(venv / "bin" / "python")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env |= {"HOME": str(tmp_path), "TORCHDOJO_HOME": str(tmp_path / "home")}
    missing = subprocess.run([python, "-c", "import nbgrader"], capture_output=True, text=True, timeout=60, cwd=tmp_path, env=env, check=False)
    assert missing.returncode != 0 and "No module named 'nbgrader'" in missing.stderr
    course = subprocess.run(
        [str(venv / "bin" / "torchdojo"), "course", "build", "course"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env, check=False
    )
    assert course.returncode == 2 and 'pip install "torchdojo[teacher]"' in course.stderr, course.stderr
    assert not (tmp_path / "course").exists()
    listed = subprocess.run(
        [str(venv / "bin" / "torchdojo"), "list", "--json"], capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env, check=False
    )
    assert len(json.loads(listed.stdout)) == len(list((ROOT / "exercises").rglob("*.py")))

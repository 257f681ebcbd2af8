"""A pytest plugin installed where the learner works never runs inside grading.

A `pytest11` entry point is loaded by any pytest run that autoloads plugins, and PYTEST_PLUGINS /
PYTEST_ADDOPTS name more: inside a check run such a plugin could rewrite every report. The grading
child (and a warm worker's rehearsal) takes only pytest's own plugins and its grading plugin, even
when started from an environment that does not ask for that.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import torchdojo.core.launch
from torchdojo.core.catalog import load_catalog
from torchdojo.core.launch import ColdLauncher, Limits
from torchdojo.core.runner import grade
from torchdojo.core.warm import WarmWorker
from torchdojo.paths import solutions_dir

EXERCISE = "autograd/leaf_tensors"
PLUGIN = "torchdojo_probe_plugin"


def _install_plugin(site: Path, marker: Path) -> None:
    """A plugin that leaves a file behind when imported, installed with a pytest11 entry point."""
    site.mkdir()
    (site / f"{PLUGIN}.py").write_text(f"from pathlib import Path\nPath({str(marker)!r}).write_text('loaded', encoding='utf-8')\n", encoding="utf-8")
    info = site / f"{PLUGIN}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {PLUGIN}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[pytest11]\nprobe = {PLUGIN}\n", encoding="utf-8")


def _environment(site: Path, route: str) -> dict[str, str]:
    """The grading environment with the plugin reachable, and nothing telling pytest to leave it alone."""
    env = {key: value for key, value in torchdojo.core.launch.child_env().items() if key != "PYTEST_DISABLE_PLUGIN_AUTOLOAD"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH", ""), str(site)) if p)
    if route == "PYTEST_PLUGINS":
        env["PYTEST_PLUGINS"] = PLUGIN
    elif route == "PYTEST_ADDOPTS":
        env["PYTEST_ADDOPTS"] = f"-p {PLUGIN}"
    return env


def _loaded_by_plain_pytest(env: dict[str, str], tmp_path: Path, marker: Path) -> bool:
    """The setup is real: an ordinary pytest run in this environment loads the plugin."""
    (tmp_path / "test_plain.py").write_text("def test_nothing():\n    pass\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_plain.py")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        check=False,
    )
    loaded = marker.exists()
    marker.unlink(missing_ok=True)
    return loaded


@pytest.mark.parametrize("route", ["entry point", "PYTEST_PLUGINS", "PYTEST_ADDOPTS"])
def test_the_grading_child_loads_no_installed_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, route: str) -> None:
    marker = tmp_path / "plugin-was-loaded"
    _install_plugin(tmp_path / "site", marker)
    env = _environment(tmp_path / "site", route)
    assert _loaded_by_plain_pytest(env, tmp_path, marker)

    monkeypatch.setattr(torchdojo.core.launch, "child_env", lambda: env)
    exercise = load_catalog().resolve(EXERCISE)
    report = grade(exercise, solutions_dir() / exercise.file, Limits(timeout_s=120), launcher=ColdLauncher())
    assert report.checks and all(c.outcome == "passed" for c in report.checks), report
    assert not marker.exists(), f"the {route} plugin ran inside the grading child"


def test_a_warm_worker_rehearses_and_grades_without_installed_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "plugin-was-loaded"
    _install_plugin(tmp_path / "site", marker)
    env = _environment(tmp_path / "site", "entry point")
    monkeypatch.setattr(torchdojo.core.launch, "child_env", lambda: env)
    exercise = load_catalog().resolve(EXERCISE)
    with WarmWorker(rehearse=[EXERCISE]) as worker:
        assert worker.wait_ready()
        assert str(exercise.check_module) in worker.rehearsed  # the rehearsal ran pytest in the worker itself
        report = grade(exercise, solutions_dir() / exercise.file, Limits(timeout_s=120), launcher=worker)
    assert report.checks and all(c.outcome == "passed" for c in report.checks), report
    assert not marker.exists(), "an installed plugin ran in the warm worker's rehearsal or its fork"


def test_a_check_run_collects_its_own_folder_only() -> None:
    """Not the folders above the package (site-packages for a wheel): pytest lists every entry of each, every run."""
    from torchdojo.core.child import pytest_arguments

    exercise = load_catalog().resolve(EXERCISE)
    seen: list[Path] = []

    class Spy:
        def pytest_collectstart(self, collector: pytest.Collector) -> None:
            seen.append(Path(collector.path))

    pytest.main([*pytest_arguments(exercise.check_module, [exercise.checks[0].name]), "--collect-only"], plugins=[Spy()])
    assert seen and set(seen) <= {exercise.check_module, exercise.check_module.parent}, seen

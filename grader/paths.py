"""Where things live: the shipped course material and the learner's workspace.

In a clone of the repository the repository itself is both. After
`pip install torchdojo` the material lives in `grader/_bundle/` and the learner
makes a workspace with `torchdojo init DIR`.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CATALOG_FILE = PACKAGE_DIR / "catalog.toml"
CHECKS_DIR = PACKAGE_DIR / "checks"
WORKSPACE_MARKER = ".torchdojo"
PROGRESS_ENV = "TORCHDOJO_PROGRESS"
WORKSPACE_ENV = "TORCHDOJO_WORKSPACE"


def material_root() -> Path:
    """The folder holding the pristine `exercises/` and `solutions/`."""
    bundled = PACKAGE_DIR / "_bundle"
    if (bundled / "exercises").is_dir():
        return bundled
    return PACKAGE_DIR.parent


def stubs_dir() -> Path:
    return material_root() / "exercises"


def solutions_dir() -> Path:
    return material_root() / "solutions"


def is_workspace(folder: Path) -> bool:
    """A workspace has `exercises/` and either a `.torchdojo/` folder or is the repository."""
    return (folder / "exercises").is_dir() and ((folder / WORKSPACE_MARKER).is_dir() or (folder / "grader" / "catalog.toml").is_file())


def find_workspace(start: Path | None = None) -> Path | None:
    """The workspace containing `start` (default: the current directory), if any."""
    env = os.environ.get(WORKSPACE_ENV)
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if is_workspace(folder):
            return folder
    return None


def default_progress_file(workspace: Path) -> Path:
    env = os.environ.get(PROGRESS_ENV)
    if env:
        return Path(env)
    return workspace / WORKSPACE_MARKER / "progress.json"


def home_progress_file() -> Path:
    """The record used outside any workspace (quizzes and `check --file` still keep one)."""
    return Path.home() / WORKSPACE_MARKER / "progress.json"


def record_file(workspace: Path | None, explicit: str | Path | None = None) -> Path:
    """The one rule for the CLI and the app: --progress, else $TORCHDOJO_PROGRESS, else the
    workspace's `.torchdojo/progress.json`, else `~/.torchdojo/progress.json`."""
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(PROGRESS_ENV)
    if env:
        return Path(env).expanduser()
    if workspace is not None:
        return workspace / WORKSPACE_MARKER / "progress.json"
    return home_progress_file()


def shown_path(path: Path) -> str:
    """A path as a learner would type it: relative to here when inside, `~/...` under home."""
    try:
        resolved = path.resolve()
    except OSError:
        return str(path)
    shown = [str(resolved)]
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            shown.append(prefix + str(resolved.relative_to(base.resolve())))
        except ValueError:
            continue
    return min(shown, key=len)

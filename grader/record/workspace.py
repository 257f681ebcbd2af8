"""The learner's workspace: where their copies of the exercises and their record live."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from torchdojo.core.catalog import Catalog, Exercise
from torchdojo.paths import WORKSPACE_MARKER, default_progress_file, material_root, solutions_dir, stubs_dir


class WorkspaceError(Exception):
    pass


def exercise_file(workspace: Path, exercise: Exercise) -> Path:
    return workspace / "exercises" / exercise.file


def stub_file(exercise: Exercise) -> Path:
    return stubs_dir() / exercise.file


def original_stub(exercise: Exercise) -> bytes:
    """The untouched stub. In a clone of the repository, `exercises/` is also the learner's
    workspace and may hold their work, so the original comes from git's HEAD."""
    root = material_root()
    relative = f"exercises/{exercise.file}"
    if (root / ".git").exists():
        try:
            done = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=root, capture_output=True, timeout=30, check=True)
        except (OSError, subprocess.SubprocessError) as error:
            raise WorkspaceError(f"cannot find the original {relative}: this is a git clone and `git show HEAD:{relative}` failed.") from error
        return done.stdout
    return stub_file(exercise).read_bytes()


def pristine_stub(workspace: Path, exercise: Exercise) -> bytes:
    """The stub a reset restores (the same for every workspace)."""
    return original_stub(exercise)


def solution_file(exercise: Exercise) -> Path:
    return solutions_dir() / exercise.file


def init_workspace(target: Path, catalog: Catalog) -> list[Path]:
    """Copy every stub into `target/exercises/` and create `.torchdojo/`. Never overwrites a learner file."""
    if (target / "exercises").exists():
        raise WorkspaceError(f"{target / 'exercises'} already exists; nothing was changed.")
    originals = [(exercise, original_stub(exercise)) for exercise in catalog.exercises]  # fail before writing
    created = []
    for exercise, original in originals:
        destination = exercise_file(target, exercise)
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(original)
        created.append(destination)
    marker = target / WORKSPACE_MARKER
    marker.mkdir(parents=True, exist_ok=True)
    (marker / ".gitignore").write_text("*\n", encoding="utf-8")
    return created


def backup_dir(workspace: Path) -> Path:
    return workspace / WORKSPACE_MARKER / "backups"


def reset_exercise(workspace: Path, exercise: Exercise) -> Path | None:
    """Restore the stub; the learner's current file is first copied to the backups folder."""
    current = exercise_file(workspace, exercise)
    pristine_stub(workspace, exercise)  # fail before touching anything
    backup = None
    if current.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = backup_dir(workspace) / f"{current.stem}.{stamp}.py"
        backup.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(current, backup)
    original = pristine_stub(workspace, exercise)
    current.parent.mkdir(parents=True, exist_ok=True)
    current.write_bytes(original)
    return backup


__all__ = [
    "WorkspaceError",
    "backup_dir",
    "default_progress_file",
    "exercise_file",
    "init_workspace",
    "reset_exercise",
    "solution_file",
    "stub_file",
]

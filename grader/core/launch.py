"""How a grading child is started: its limits, arguments and environment, and the cold launcher.

Three launchers start the same child (`python -m torchdojo.core.child`): `ColdLauncher` (a fresh
interpreter), `torchdojo.core.warm.WarmWorker` (a fork of a process that already imported torch) and
`torchdojo.core.sandbox`'s (either one inside bubblewrap). They share what is here, so that the runner,
the warm worker and the sandbox depend on this module and never on each other's insides.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

import torchdojo
from torchdojo.core.catalog import Exercise
from torchdojo.paths import solutions_dir


class Limits(BaseModel):
    """Resource limits for one exercise run (all checks together)."""

    model_config = ConfigDict(frozen=True)

    timeout_s: float = Field(default=60.0, gt=0)
    memory_mb: int = Field(default=2048, ge=256)
    output_bytes: int = Field(default=32_000, ge=256)
    file_mb: int = Field(default=64, ge=1)
    # One torch thread: checks work on small tensors, and two threads per child oversubscribe a
    # shared machine (parallel tests, grade-batch, watch) and slow every check down.
    threads: int = Field(default=1, ge=0)
    protect: tuple[Path, ...] = ()  # more paths learner code may not change (e.g. a --progress file)
    # Run inside a bubblewrap sandbox (torchdojo.core.sandbox): no network, own PID namespace, read-only files.
    sandbox: bool = False
    sandbox_hide: tuple[Path, ...] = ()  # folders the sandbox hides besides solutions/ and $HOME (a class's submissions)


def module_name(exercise: Exercise) -> str:
    return f"learner_{exercise.topic}_{exercise.name}"


def guarded_paths(file: Path, extra: tuple[Path, ...] = ()) -> tuple[list[str], list[str]]:
    """(folders learner code may not read, folders it may not change) while it is graded."""
    from torchdojo.paths import PACKAGE_DIR, find_workspace, material_root

    no_read = [str(material_root() / "solutions")]
    no_write = [str(PACKAGE_DIR), str(PACKAGE_DIR.parent / "quizzes"), str(material_root() / "exercises"), str(material_root() / "solutions")]
    workspace = find_workspace(file.parent)
    if workspace is not None:
        no_write += [str(workspace / "exercises"), str(workspace / ".torchdojo")]
    no_write += [str(path) for path in extra]
    return no_read, no_write


def child_arguments(exercise: Exercise, file: Path, checks: list[str], limits: Limits, result_fd: int, stack_file: Path | None = None) -> list[str]:
    """The arguments of `python -m torchdojo.core.child` (also given to a warm worker's fork)."""
    no_read, no_write = guarded_paths(file, limits.protect)
    guards = [arg for path in no_read for arg in ("--no-read", path)] + [arg for path in no_write for arg in ("--no-write", path)]
    if stack_file is not None:
        guards += ["--stack-file", str(stack_file)]
    return [
        "--result-fd", str(result_fd),
        "--file", str(file),
        "--checks-module", str(exercise.check_module),
        "--module-name", module_name(exercise),
        "--reference", str(solutions_dir() / exercise.file),
        "--memory-mb", str(limits.memory_mb),
        "--file-mb", str(limits.file_mb),
        "--threads", str(limits.threads),
        *guards,
        *checks,
    ]  # fmt: skip


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    package_parent = Path(torchdojo.__file__).resolve().parent.parent
    if (package_parent / "torchdojo").is_dir():  # installed as a folder; a checkout's editable install has its own finder
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(package_parent), env.get("PYTHONPATH", "")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # third-party pytest plugins have no business in a check run
    env.setdefault("OMP_NUM_THREADS", "2")
    # Hypothesis keeps a cache under .hypothesis/ in the folder it was imported from: for a warm worker that is
    # the caller's folder (a teacher's class folder). Keep it in the temp folder instead; nothing lands beside the work.
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), f"torchdojo-hypothesis-{os.getuid()}"))
    return env


class ChildProcess(Protocol):
    """What the runner needs of a started child: a cold `subprocess.Popen` or a fork of a warm worker."""

    pid: int

    def poll(self) -> int | None: ...

    def wait(self) -> int: ...


class Launcher(Protocol):
    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> ChildProcess: ...


def give_nonce(process: subprocess.Popen[bytes], nonce: str) -> None:
    """A cold child reads its run's nonce from stdin (never argv, which other processes can read)."""
    assert process.stdin is not None
    try:
        process.stdin.write(nonce.encode() + b"\n")
        process.stdin.close()
    except BrokenPipeError:
        pass


class ColdLauncher:
    """A fresh interpreter per run: pays Python start-up and `import torch` every time."""

    def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> ChildProcess:
        process = subprocess.Popen(
            [os.path.abspath(sys.executable), "-X", "utf8", "-m", "torchdojo.core.child", *argv],
            stdin=subprocess.PIPE,
            stdout=output_fd,
            stderr=output_fd,
            pass_fds=(result_fd,),
            cwd=cwd,
            env=child_env(),
            start_new_session=True,
        )
        give_nonce(process, nonce)
        return process

"""The learner's record: one JSON file that never loses an attempt.

Both the CLI and the quiz app write here, so every write happens under a file
lock, re-reads the file inside the lock, and replaces it atomically (temp file,
fsync, rename, fsync of the folder). A file that cannot be read is moved aside,
never overwritten; a file written by a newer torchdojo is refused, untouched.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from filelock import FileLock, Timeout
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from torchdojo.i18n import Lang, Text, t

SCHEMA_VERSION = 3
T = TypeVar("T")


def now() -> datetime:
    return datetime.now(UTC)


class ProgressError(Exception):
    """The record cannot be used or saved; `text` says why in both languages."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


class CheckRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    outcome: str
    points: int
    max_points: int


class ExerciseAttempt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    exercise: str
    score: int
    max_score: int
    checks: list[CheckRecord]
    file_sha256: str = ""
    source: str = "cli"

    @property
    def passed(self) -> bool:
        return self.score == self.max_score and all(c.outcome in ("passed", "needs_gpu", "not_graded") for c in self.checks)


class QuizAnswer(BaseModel):
    """One answered question; `credit` is in [0, 1] (partial credit for multiple choice)."""

    model_config = ConfigDict(extra="forbid")

    at: datetime
    session: str
    question_id: str
    topic: str
    answer: str | list[str]
    correct: bool
    credit: float = Field(ge=0.0, le=1.0)
    lang: Lang = "en"


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: Lang = "en"
    theme: Literal["dark", "light"] = "dark"


class Progress(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    created_at: datetime = Field(default_factory=now)
    exercise_attempts: list[ExerciseAttempt] = Field(default_factory=list)
    hints_shown: dict[str, int] = Field(default_factory=dict)
    quiz_answers: list[QuizAnswer] = Field(default_factory=list)
    review_cards: dict[str, dict[str, Any]] = Field(default_factory=dict)
    settings: Settings = Field(default_factory=Settings)
    student_id: str | None = None  # asked once by `torchdojo submit`, written into every hand-in

    # -- derived views ---------------------------------------------------------
    def attempts_for(self, exercise: str) -> list[ExerciseAttempt]:
        return [a for a in self.exercise_attempts if a.exercise == exercise]

    def latest(self, exercise: str) -> ExerciseAttempt | None:
        attempts = self.attempts_for(exercise)
        return attempts[-1] if attempts else None

    def status(self, exercise: str) -> Literal["not started", "failing", "done"]:
        latest = self.latest(exercise)
        if latest is None or latest.source == "reset":
            return "not started"
        return "done" if latest.passed else "failing"

    def ever_passed(self, exercise: str) -> bool:
        return any(a.passed for a in self.attempts_for(exercise))


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 (the first release) kept exercise attempts only; version 2 adds the quiz record."""
    return {**data, "quiz_answers": data.get("quiz_answers", []), "review_cards": data.get("review_cards", {})}


def _v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    """Version 3 remembers the learner's student id for `torchdojo submit` (none yet)."""
    return {**data, "student_id": data.get("student_id")}


# Each step turns the dict of version N into version N + 1.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"schema_version is {version!r}")
    if version > SCHEMA_VERSION:
        raise ProgressError(
            t(
                f"This progress file was written by a newer torchdojo (schema {version}, this one reads up to "
                f"{SCHEMA_VERSION}). It was left untouched: upgrade torchdojo to use it.",
                f"这个进度文件由更新版本的 torchdojo 写入(格式 {version},当前版本最多支持 {SCHEMA_VERSION})。文件保持原样:请升级 torchdojo 后再使用。",
            )
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version += 1
        data["schema_version"] = version
    return data


class ProgressStore:
    """Reads and writes one progress file safely; `notices` collects what the user should be told."""

    def __init__(self, path: Path, lock_timeout_s: float = 15.0) -> None:
        self.path = path
        self.lock = FileLock(str(path) + ".lock", timeout=lock_timeout_s)
        self.notices: list[Text] = []

    # -- reading -----------------------------------------------------------------
    def load(self) -> Progress:
        """The current record. A missing file is a fresh record; a broken one is set aside."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Progress()
        except OSError as error:
            raise ProgressError(t(f"Cannot read {self.path}: {error.strerror}.", f"无法读取 {self.path}:{error.strerror}。")) from error
        try:
            return Progress.model_validate(migrate(json.loads(raw.decode("utf-8"))))
        except ProgressError:
            raise
        except (ValueError, UnicodeDecodeError, ValidationError, KeyError, TypeError) as error:
            return self._set_aside(error)

    def _set_aside(self, error: Exception) -> Progress:
        stamp = now().strftime("%Y%m%dT%H%M%S%f")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        with self._locked():
            if self.path.exists():
                os.replace(self.path, aside)
        reason = str(error).splitlines()[0][:160]
        self.notices.append(
            t(
                f"Your progress file could not be read ({reason}). It was kept as {aside.name} and a fresh record was started.",
                f"无法读取你的进度文件({reason})。原文件已保存为 {aside.name},并新建了一份记录。",
            )
        )
        return Progress()

    # -- writing -----------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.lock:
                yield
        except Timeout as error:
            raise ProgressError(
                t(
                    f"Another torchdojo is writing {self.path.name} and did not finish in time. Nothing was lost; try again.",
                    f"另一个 torchdojo 正在写入 {self.path.name},未能及时完成。没有丢失任何数据;请重试。",
                )
            ) from error

    def update(self, change: Callable[[Progress], T]) -> T:
        """Apply `change` to the freshest record and save it atomically; returns what `change` returns."""
        return self.apply(change)[1]

    def apply(self, change: Callable[[Progress], T]) -> tuple[Progress, T]:
        """Apply `change` to the freshest record and save it atomically; returns the record as written and
        what `change` returned, so that a caller showing the record next needs no second read."""
        with self._locked():
            progress = self.load()
            result = change(progress)
            self._write(progress)
        return progress, result

    def _write(self, progress: Progress) -> None:
        data = progress.model_dump_json(indent=1).encode("utf-8")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            _fsync_dir(self.path.parent)
        except OSError as error:
            with contextlib.suppress(OSError):
                tmp.unlink()
            full = error.errno in (errno.ENOSPC, errno.EDQUOT)
            raise ProgressError(
                t(
                    ("The disk is full: " if full else f"Could not save ({error.strerror}): ")
                    + f"this attempt was not recorded, and your earlier record in {self.path.name} is intact.",
                    ("磁盘已满:" if full else f"无法保存({error.strerror}):") + f"这次尝试没有被记录,{self.path.name} 中之前的记录完好无损。",
                )
            ) from error


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def attempt_from_report(report: Any, source: str = "cli") -> ExerciseAttempt:
    """An attempt record from a `torchdojo.core.report.Report` (duck-typed to keep this module light)."""
    return ExerciseAttempt(
        at=now(),
        exercise=report.exercise,
        score=report.score,
        max_score=report.max_score,
        checks=[CheckRecord(name=c.name, outcome=c.outcome, points=c.points, max_points=c.max_points) for c in report.checks],
        file_sha256=report.file_sha256,
        source=source,
    )


def reset_attempt(exercise: Any) -> ExerciseAttempt:
    """Marks `torchdojo reset`: the exercise reads as not started again (earlier passes still count)."""
    return ExerciseAttempt(at=now(), exercise=exercise.id, score=0, max_score=exercise.max_score, checks=[], source="reset")

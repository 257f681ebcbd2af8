"""The exercise catalog: order, files, checks with points, and progressive hints.

One TOML file (`grader/catalog.toml`) is the single source of truth, like
rustlings' `info.toml`; this module validates it with pydantic so that a typo
fails loudly at load time instead of mis-grading later.
"""

from __future__ import annotations

import tomllib
from functools import cached_property
from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationError, model_validator

from torchdojo.i18n import Text
from torchdojo.paths import CATALOG_FILE, CHECKS_DIR

ID_PATTERN = r"^[a-z][a-z0-9_]*/[a-z][a-z0-9_]*$"


class CatalogError(Exception):
    """The catalog file is missing or invalid (a bug in torchdojo, not in learner code)."""


class UnknownExercise(LookupError):
    """An id or path names no exercise."""


class CheckSpec(BaseModel):
    """One pytest check of an exercise: `name` is the test function without `test_`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    points: PositiveInt
    title: Text
    needs_gpu: bool = False  # runs only where CUDA is present; left out of nbgrader courses
    stand_in: bool = False  # uses the accelerator stand-in: may report the grader's own limit (not_graded)
    hidden: bool = False  # an nbgrader hidden test: stripped from the students' release
    # What grade-batch's per-student feedback shows (like Gradescope's levels): "shown" always,
    # "after_release" only once the teacher passes --release, "never" not at all (points still count).
    # Unset: hidden checks are "after_release", the others "shown".
    visibility: Literal["shown", "after_release", "never"] | None = None

    @property
    def shown_as(self) -> Literal["shown", "after_release", "never"]:
        if self.visibility is not None:
            return self.visibility
        return "after_release" if self.hidden else "shown"


class Exercise(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=ID_PATTERN)
    file: str = Field(pattern=r"^\d\d_[a-z_]+/\d\d_[a-z0-9_]+\.py$")
    title: Text
    hints: list[Text] = Field(min_length=1)
    checks: list[CheckSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_checks(self) -> Self:
        names = [c.name for c in self.checks]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.id}: duplicate check names")
        return self

    @property
    def topic(self) -> str:
        return self.id.split("/")[0]

    @property
    def name(self) -> str:
        return self.id.split("/")[1]

    @property
    def max_score(self) -> int:
        return sum(c.points for c in self.checks)

    @property
    def check_module(self) -> Path:
        return CHECKS_DIR / self.topic / f"test_{self.name}.py"

    def check(self, name: str) -> CheckSpec:
        for spec in self.checks:
            if spec.name == name:
                return spec
        raise KeyError(name)


class Catalog(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = Field(ge=1, le=1)
    exercises: list[Exercise] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        for attr in ("id", "file"):
            values = [getattr(e, attr) for e in self.exercises]
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"duplicate exercise {attr}: {', '.join(dupes)}")
        return self

    @cached_property
    def by_id(self) -> dict[str, Exercise]:
        return {e.id: e for e in self.exercises}

    def resolve(self, ref: str) -> Exercise:
        """Find an exercise by id (`autograd/gradient_of`), short name, or file path."""
        ref = ref.strip()
        if ref in self.by_id:
            return self.by_id[ref]
        normalized = ref.replace("\\", "/")
        for exercise in self.exercises:
            if normalized.endswith(exercise.file) or normalized.endswith(exercise.file.split("/", 1)[1]):
                return exercise
        matches = [e for e in self.exercises if e.name == ref]
        if len(matches) == 1:
            return matches[0]
        raise UnknownExercise(ref)

    def suggestions(self, ref: str) -> list[str]:
        import difflib

        return difflib.get_close_matches(ref, list(self.by_id), n=3, cutoff=0.4)


def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Catalog.model_validate(data)
    except (OSError, tomllib.TOMLDecodeError, ValidationError) as error:
        raise CatalogError(f"cannot load the exercise catalog {path}: {error}") from error

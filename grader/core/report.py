"""Grading reports: plain data shared by the runner, the CLI, the app and the batch grader."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from torchdojo.i18n import Lang, Text

Outcome = Literal["passed", "failed", "error", "timeout", "needs_gpu", "not_graded"]
# Outcomes that count neither for nor against the learner: a check that needs real CUDA,
# or one the grader's stand-ins cannot simulate (the grader's limit, never the learner's fault).
NOT_COUNTED: frozenset[str] = frozenset({"needs_gpu", "not_graded"})
# How the run itself went (for teachers' batch tables): graded normally, or cut short.
RunStatus = Literal["ok", "timeout", "crashed", "tampered"]


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    title: Text
    outcome: Outcome
    points: int = Field(ge=0)
    max_points: int = Field(ge=0)
    message: Text | None = None
    line: int | None = None
    source_line: str | None = None
    duration_s: float = 0.0


class Report(BaseModel):
    """The verdict on one file for one exercise, decided by the parent process."""

    model_config = ConfigDict(extra="forbid")

    exercise: str
    file: str
    checks: list[CheckResult]
    output: str = ""
    output_truncated: bool = False
    duration_s: float = 0.0
    file_sha256: str = ""
    status: RunStatus = "ok"

    @property
    def score(self) -> int:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> int:
        """Checks that need a GPU and could not run here are not counted."""
        return sum(c.max_points for c in self.checks if c.outcome not in NOT_COUNTED)

    @property
    def all_passed(self) -> bool:
        return all(c.outcome == "passed" or c.outcome in NOT_COUNTED for c in self.checks)

    def public_json(self, lang: Lang = "en") -> dict[str, Any]:
        """The `--json` contract: exercise, score, max_score, checks[name, outcome, points, max_points, message]."""
        return {
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [
                {
                    "name": c.name,
                    "outcome": c.outcome,
                    "points": c.points,
                    "max_points": c.max_points,
                    "message": c.message(lang) if c.message else "",
                    "message_zh": c.message.zh if c.message else "",
                    "line": c.line,
                }
                for c in self.checks
            ],
            "file": self.file,
            "output_truncated": self.output_truncated,
        }

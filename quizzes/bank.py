"""Loading and validating question banks, with one precise message per problem.

Teachers write their own banks; a typo must point at the file, the question id
and what is wrong — not at a pydantic traceback.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from torchdojo.quizzes.bias import figures, limits_broken
from torchdojo.quizzes.models import TOPICS, BankFile, Question

BANKS_DIR = Path(__file__).resolve().parent / "banks"
_QUESTION = TypeAdapter(Question)


@dataclass(frozen=True)
class BankProblem:
    file: str
    question: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.question}" if self.question else self.file
        return f"{where}: {self.message}"


@dataclass
class Bank:
    questions: list[Question]
    problems: list[BankProblem]

    @property
    def by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    def for_topics(self, topics: list[str] | None) -> list[Question]:
        return [q for q in self.questions if not topics or q.topic in topics]


def _describe(error: dict) -> str:
    location = ".".join(str(part) for part in error["loc"])
    kind = error["type"]
    if kind == "missing":
        if location.endswith((".en", ".zh")):
            language = "English" if location.endswith(".en") else "Chinese"
            return f"missing {language} translation at '{location}'"
        return f"missing field '{location}'"
    if kind == "literal_error" and location.startswith("topic"):
        return f"unknown topic {error['input']!r} (topics: {', '.join(TOPICS)})"
    if kind == "union_tag_invalid":
        return f"unknown question kind {error['input'].get('kind')!r} (kinds: single, multiple, true_false, short, code_output)"
    if kind == "string_too_short":
        return f"empty text at '{location}'"
    message = error["msg"].removeprefix("Value error, ")
    return f"{message} (at '{location}')" if location else message


def _strip_kind(loc: tuple) -> tuple:
    """pydantic puts the union tag first in the location; the author does not need it."""
    return loc[1:] if loc and loc[0] in ("single", "multiple", "true_false", "short", "code_output") else loc


def load_files(paths: list[Path]) -> Bank:
    questions: list[Question] = []
    problems: list[BankProblem] = []
    seen: dict[str, str] = {}
    for path in paths:
        name = path.name
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            bank_file = BankFile.model_validate(raw)
        except OSError as error:
            problems.append(BankProblem(str(path), None, f"cannot read: {error.strerror}"))
            continue
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            problems.append(BankProblem(name, None, f"not valid TOML: {error}"))
            continue
        except ValidationError as error:
            problems.extend(BankProblem(name, None, _describe({**e, "loc": e["loc"]})) for e in error.errors())
            continue
        in_file: list[Question] = []
        for index, data in enumerate(bank_file.questions, 1):
            qid = str(data.get("id") or f"question #{index}")
            try:
                question = _QUESTION.validate_python(data)
            except ValidationError as error:
                problems.extend(BankProblem(name, qid, _describe({**e, "loc": _strip_kind(e["loc"])})) for e in error.errors())
                continue
            if question.id in seen:
                problems.append(BankProblem(name, qid, f"duplicate id (also in {seen[question.id]})"))
                continue
            seen[question.id] = name
            in_file.append(question)
        problems.extend(BankProblem(name, None, message) for message in limits_broken(figures(in_file)))
        questions.extend(in_file)
    return Bank(questions, problems)


def shipped_bank_files() -> list[Path]:
    return sorted(BANKS_DIR.glob("*.toml"))


def load_shipped() -> Bank:
    return load_files(shipped_bank_files())

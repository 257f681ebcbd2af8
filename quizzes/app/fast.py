"""The dashboard's figures without pydantic, the bank or the catalog models: the first screen.

Importing pydantic and building the models costs more than Textual's own start-up, so the app
paints its first screen from plain data — the record read as JSON, and an index of the bank and the catalog (topic titles, question
ids, exercise ids) kept beside the validated-bank cache — and loads the full models right after. Anything unexpected (no index, an old or damaged
record) returns None, and the app takes the full path before painting. `tests/test_app.py`
checks that both paths give the same figures.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import torchdojo  # its __init__ only names the version: no pydantic, no torch
from torchdojo.quizzes.app.words import Text

if TYPE_CHECKING:
    from typing_extensions import TypeIs

    from torchdojo.i18n import Lang

PACKAGE_DIR = Path(torchdojo.__file__).resolve().parent  # grader/ in a checkout, torchdojo/ in a wheel


def _schema_version() -> int:
    """torchdojo.record.progress.SCHEMA_VERSION, read from its source (importing it would load pydantic)."""
    import re

    text = (PACKAGE_DIR / "record" / "progress.py").read_text(encoding="utf-8")
    match = re.search(r"^SCHEMA_VERSION = (\d+)", text, flags=re.M)
    return int(match.group(1)) if match else -1


SCHEMA_VERSION = _schema_version()
NOT_COUNTED = ("needs_gpu", "not_graded")  # torchdojo.core.report.NOT_COUNTED
QUIZZES_DIR = Path(__file__).resolve().parent.parent
CATALOG = PACKAGE_DIR / "catalog.toml"

Theme = Literal["dark", "light"]  # torchdojo.record.progress.Settings.theme


def is_lang(value: object) -> TypeIs[Lang]:
    """A language the app speaks ("en" or "zh"); tells the type checker so too."""
    return value in ("en", "zh")


@dataclass(frozen=True)
class Figures:
    topics: list[tuple[str, Text]]  # (topic, its title), in order
    mastery: dict[str, float]
    exercises_done: int
    exercises_total: int
    reviews_due: int
    last_activity: datetime | None
    lang: Lang = "en"
    theme: Theme = "dark"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "torchdojo"


def bank_key() -> str:
    """Identifies the shipped bank files and the catalog as they are now (path, size, modification time)."""
    key = hashlib.sha256()
    for path in [*sorted((QUIZZES_DIR / "banks").glob("*.toml")), CATALOG]:
        stat = path.stat()
        key.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    key.update(f"{torchdojo.__version__}|{Path(__file__).resolve()}".encode())
    return key.hexdigest()[:24]


def index_file(key: str) -> Path:
    return cache_dir() / f"bank-index-{key}.json"


def write_index(key: str, topics: list[tuple[str, Text]], questions: dict[str, list[str]], exercises: list[str]) -> None:
    data = {"topics": [[topic, title.en, title.zh] for topic, title in topics], "questions": questions, "exercises": exercises}
    target = index_file(key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for old in target.parent.glob("bank-index-*.json"):
            old.unlink(missing_ok=True)
        temporary = target.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        temporary.replace(target)
    except OSError:
        pass


def _when(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _passed(attempt: dict[str, Any]) -> bool:
    """torchdojo.record.progress.ExerciseAttempt.passed, on plain data."""
    return attempt["score"] == attempt["max_score"] and all(c["outcome"] == "passed" or c["outcome"] in NOT_COUNTED for c in attempt.get("checks", []))


def figures(record: Path | None, lang: str | None = None, when: datetime | None = None) -> Figures | None:
    """The dashboard from plain data, or None when only the full models can tell."""
    try:
        index = json.loads(index_file(bank_key()).read_text(encoding="utf-8"))
        ids: list[str] = index["exercises"]
        data: dict[str, Any] = {}
        if record is not None and record.exists():
            data = json.loads(record.read_text(encoding="utf-8"))
            if data.get("schema_version") != SCHEMA_VERSION:
                return None
        when = when or datetime.now(UTC)
        latest_attempt: dict[str, dict[str, Any]] = {}
        for attempt in data.get("exercise_attempts", []):
            latest_attempt[attempt["exercise"]] = attempt
        done = sum(1 for e in ids if e in latest_attempt and latest_attempt[e].get("source") != "reset" and _passed(latest_attempt[e]))
        credit: dict[str, float] = {}
        for answer in data.get("quiz_answers", []):
            credit[answer["question_id"]] = float(answer["credit"])
        questions: dict[str, list[str]] = index["questions"]
        known = {qid for topic_ids in questions.values() for qid in topic_ids}
        mastery = {
            topic: round(sum(credit.get(q, 0.0) for q in questions.get(topic, [])) / len(questions[topic]), 4) if questions.get(topic) else 0.0
            for topic, _, _ in index["topics"]
        }
        due = sum(1 for qid, card in data.get("review_cards", {}).items() if qid in known and _when(card["due"]) <= when)
        stamps = [_when(a["at"]) for a in data.get("exercise_attempts", [])] + [_when(a["at"]) for a in data.get("quiz_answers", [])]
        settings = data.get("settings", {})
        return Figures(
            topics=[(topic, Text(en=en, zh=zh)) for topic, en, zh in index["topics"]],
            mastery=mastery,
            exercises_done=done,
            exercises_total=len(ids),
            reviews_due=due,
            last_activity=max(stamps) if stamps else None,
            lang=lang if is_lang(lang) else settings.get("lang", "en"),
            theme=settings.get("theme", "dark"),
        )
    except (OSError, ValueError, KeyError, TypeError, ZeroDivisionError):
        return None


def pad(text: str, width: int) -> str:
    """Left-align by display width: a Chinese character takes two columns."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))

"""What the screens show, computed from the record, the bank and the catalog — no widgets here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from torchdojo.core.catalog import Catalog, Exercise
from torchdojo.i18n import Lang
from torchdojo.quizzes.app.fast import Figures, Theme, pad  # noqa: F401 - pad is shared
from torchdojo.quizzes.app.words import Text as WordsText
from torchdojo.quizzes.bank import Bank
from torchdojo.quizzes.engine import due_reviews, mastery
from torchdojo.record.progress import Progress, ProgressError, ProgressStore

if TYPE_CHECKING:
    from fsrs.card import CardDict


@dataclass(frozen=True)
class Summary:
    mastery: dict[str, float]
    exercises_done: int
    exercises_total: int
    reviews_due: int
    last_activity: datetime | None


def summarize(progress: Progress, bank: Bank, catalog: Catalog) -> Summary:
    stamps = [a.at for a in progress.exercise_attempts] + [a.at for a in progress.quiz_answers]
    return Summary(
        mastery=mastery(progress, bank),
        exercises_done=sum(progress.status(e.id) == "done" for e in catalog.exercises),
        exercises_total=len(catalog.exercises),
        reviews_due=len(due_reviews(progress, bank)),
        last_activity=max(stamps) if stamps else None,
    )


def quiz_score_series(progress: Progress) -> list[float]:
    """Per quiz session, in order: the share of credit earned (0..1)."""
    sessions: dict[str, list[float]] = {}
    for answer in progress.quiz_answers:
        sessions.setdefault(answer.session, []).append(answer.credit)
    return [sum(c) / len(c) for c in sessions.values()]


def exercises_done_series(progress: Progress) -> list[float]:
    """After each attempt, in order: how many exercises had passed at least once."""
    passed: set[str] = set()
    series = []
    for attempt in progress.exercise_attempts:
        if attempt.passed:
            passed.add(attempt.exercise)
        series.append(float(len(passed)))
    return series


class Record:
    """The app's handle on the progress file: loads safely, reports what went wrong, saves settings."""

    def __init__(self, path: Path | None, store: ProgressStore | None = None) -> None:
        """`store`: the CLI's own store for the same file, when the app was started from the CLI (one store per file)."""
        self.store = store if store is not None else ProgressStore(path) if path else None
        self.problem: str | None = None
        self.notices: list[str] = []

    def load(self, lang: Lang = "en") -> Progress:
        if self.store is None:
            return Progress()
        try:
            progress = self.store.load()
        except ProgressError as error:
            self.problem = error.text(lang)
            self.store = None  # never touch a file we cannot read safely
            return Progress()
        self.notices += [notice(lang) for notice in self.store.notices]
        self.store.notices.clear()
        return progress

    def save_settings(self, lang: Lang, theme: Theme) -> None:
        if self.store is None:
            return

        def change(progress: Progress) -> None:
            progress.settings.lang = lang
            progress.settings.theme = theme

        try:
            self.store.update(change)
        except ProgressError as error:
            self.problem = error.text(lang)  # in the language just chosen


def people(number: float) -> str:
    """A score for people: at most one decimal, no trailing zero (4.3333 -> 4.3, 5.0 -> 5)."""
    text = f"{round(number, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def later_reviews(progress: Progress, bank: Bank, when: datetime | None = None) -> list[tuple[datetime, str]]:
    """Questions whose review is not due yet, soonest first: (due, id)."""
    from fsrs import Card

    from torchdojo.record.progress import now

    when = when or now()
    upcoming = []
    for question_id, stored in progress.review_cards.items():
        if question_id in bank.by_id:
            card = Card.from_dict(cast("CardDict", stored))  # written by Card.to_dict (engine.schedule_review)
            if card.due > when:
                upcoming.append((card.due, question_id))
    return sorted(upcoming)


def missed_questions(progress: Progress, bank: Bank) -> list[str]:
    """Questions whose latest answer was not fully right, most recent first."""
    latest: dict[str, bool] = {}
    for answer in progress.quiz_answers:
        latest.pop(answer.question_id, None)
        latest[answer.question_id] = answer.correct
    return [qid for qid, correct in reversed(latest.items()) if not correct and qid in bank.by_id]


def when_words(due: datetime, lang: str, when: datetime | None = None) -> str:
    """ "in 10 min (at 14:05)", "at 18:30" or "on 2026-03-05", in local time."""
    from torchdojo.quizzes.app.words import w
    from torchdojo.record.progress import now

    when = when or now()
    local = due.astimezone()
    minutes = max(1, round((due - when).total_seconds() / 60))
    if minutes < 60:
        return w("in_minutes", lang, m=minutes, at=local.strftime("%H:%M"))
    if local.date() == when.astimezone().date():
        return w("at_time", lang, at=local.strftime("%H:%M"))
    return w("on_day", lang, day=local.strftime("%Y-%m-%d"))


def load_bank_cached() -> Bank:
    """The shipped bank, from a cache of the validated questions when the bank files are unchanged.

    Parsing and validating every TOML file is most of the app's start-up; like Python's .pyc files,
    the result is kept (per user, keyed by each file's path, size and modification time, and by the
    versions that made it) and used only while all of those still match. Anything odd: load afresh.
    Beside it goes the plain index the first screen is drawn from (`torchdojo.quizzes.app.fast`).
    """
    import os
    import pickle

    import pydantic

    from torchdojo.quizzes.app.fast import bank_key, cache_dir, index_file, write_index
    from torchdojo.quizzes.bank import load_shipped
    from torchdojo.quizzes.models import TOPICS

    key = bank_key()
    cached = cache_dir() / f"bank-{key}-{pydantic.VERSION}.pickle"
    bank = None
    try:
        with cached.open("rb") as handle:
            loaded = pickle.load(handle)  # noqa: S301 - the learner's own cache, written below
        if isinstance(loaded, Bank) and not loaded.problems:
            bank = loaded
    except Exception:  # noqa: BLE001 - no cache, an old one, or a broken one: load afresh
        pass
    if bank is None:
        bank = load_shipped()
        if not bank.problems:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                for old in cached.parent.glob("bank-*.pickle"):
                    old.unlink(missing_ok=True)
                temporary = cached.with_suffix(f".{os.getpid()}.tmp")
                temporary.write_bytes(pickle.dumps(bank, protocol=pickle.HIGHEST_PROTOCOL))
                temporary.replace(cached)
            except OSError:
                pass
    if not bank.problems and not index_file(key).exists():
        topics = topic_titles()
        from torchdojo.core.catalog import load_catalog

        exercises = [e.id for e in load_catalog().exercises]
        write_index(key, topics, {t: [q.id for q in bank.questions if q.topic == t] for t in TOPICS}, exercises)
    return bank


def topic_titles() -> list[tuple[str, WordsText]]:
    """Every topic and its title, in order, as the first screen's plain `Text` (the index and the dashboard use it)."""
    from torchdojo.quizzes.models import TOPIC_TITLES, TOPICS

    return [(topic, WordsText(en=TOPIC_TITLES[topic].en, zh=TOPIC_TITLES[topic].zh)) for topic in TOPICS]


def next_unfinished(progress: Progress, catalog: Catalog) -> Exercise | None:
    """The exercise to do next: the first in the catalog's order that is not done."""
    return next((e for e in catalog.exercises if progress.status(e.id) != "done"), None)


def full_figures(progress: Progress, bank: Bank, catalog: Catalog, lang: Lang) -> Figures:
    """The dashboard's figures from the full models (the same as `torchdojo.quizzes.app.fast.figures`)."""
    summary = summarize(progress, bank, catalog)
    return Figures(
        topics=topic_titles(),
        mastery=summary.mastery,
        exercises_done=summary.exercises_done,
        exercises_total=summary.exercises_total,
        reviews_due=summary.reviews_due,
        last_activity=summary.last_activity,
        lang=lang,
        theme=progress.settings.theme,
    )


def topic_choices(bank: Bank, lang: Lang) -> list[tuple[str, str]]:
    """The topics a quiz can be drawn from, as (topic, "Title (n)"), in the bank's order."""
    from torchdojo.quizzes.models import TOPIC_TITLES, TOPICS

    counts = {t: sum(q.topic == t for q in bank.questions) for t in TOPICS}
    return [(t, f"{TOPIC_TITLES[t](lang)} ({counts[t]})") for t in TOPICS if counts[t]]


def after_pass_questions(progress: Progress, bank: Bank, exercise_id: str, passed: bool | None = None, limit: int = 10) -> list[str]:
    """The questions offered once an exercise has passed: its linked questions, those never
    answered first, at most `limit`; none while the exercise has not passed (`passed`: the
    check just run, when it is not in the record; else the record says)."""
    from torchdojo.quizzes.engine import linked_questions

    if not (passed or progress.status(exercise_id) == "done"):
        return []
    answered = {a.question_id for a in progress.quiz_answers}
    linked = [q.id for q in linked_questions(bank, exercise_id)]
    return ([q for q in linked if q not in answered] + [q for q in linked if q in answered])[:limit]


def predict_offer(progress: Progress, bank: Bank, exercise_id: str, offered: set[str]) -> str | None:
    """The "predict the output" question to offer before an exercise's first check (okpy's
    unlocking): only for an exercise never attempted, once per exercise per session."""
    from torchdojo.quizzes.engine import predict_question

    if exercise_id in offered or progress.latest(exercise_id) is not None:
        return None
    question = predict_question(bank, exercise_id, progress)
    return question.id if question is not None else None

"""The quiz engine: plain Python, no UI. The Textual app and the plain terminal both drive it.

A session presents questions (shuffled reproducibly by a seed), grades each
answer, records it in the learner's progress file at once, and schedules the
question for review with FSRS (the `fsrs` library), so a missed question comes
back soon and a known one later.
"""

from __future__ import annotations

import random
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from fsrs import Card, Rating, Scheduler

from torchdojo.i18n import Lang
from torchdojo.quizzes.bank import Bank
from torchdojo.quizzes.models import TOPICS, CodeOutput, MultipleChoice, Question, ShortAnswer, SingleChoice, TrueFalse
from torchdojo.record.progress import Progress, ProgressStore, QuizAnswer, now

if TYPE_CHECKING:
    from fsrs.card import CardDict

Response = str | list[str] | bool
# One short learning step: a missed question returns in 10 minutes, a known one graduates to days.
LEARNING_STEPS = (timedelta(minutes=10),)


@dataclass(frozen=True)
class Grade:
    correct: bool
    credit: float


@dataclass(frozen=True)
class Presented:
    """A question as shown: options in a shuffled order, labelled 1, 2, 3…"""

    question: Question
    option_order: tuple[str, ...] = ()

    def option_id(self, position: int) -> str:
        """The option id shown at 1-based `position`."""
        return self.option_order[position - 1]


_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Case, width, spaces and punctuation do not matter in short answers."""
    return _PUNCTUATION.sub("", unicodedata.normalize("NFKC", text).casefold())


def grade(question: Question, response: Response) -> Grade:
    match question:
        case SingleChoice() | CodeOutput():
            correct = response == question.answer
            return Grade(correct, 1.0 if correct else 0.0)
        case MultipleChoice():
            chosen = set(response if isinstance(response, list) else [response])
            right = set(question.answers)
            credit = max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
            return Grade(chosen == right, round(credit, 4))
        case TrueFalse():
            correct = response is question.answer
            return Grade(correct, 1.0 if correct else 0.0)
        case ShortAnswer():
            given = normalize(str(response))
            correct = bool(given) and any(normalize(a) == given for a in question.accepted)
            return Grade(correct, 1.0 if correct else 0.0)
    raise TypeError(f"unknown question kind: {question!r}")


def correct_response(question: Question) -> Response:
    match question:
        case SingleChoice() | CodeOutput():
            return question.answer
        case MultipleChoice():
            return sorted(question.answers)
        case TrueFalse():
            return question.answer
        case ShortAnswer():
            return question.accepted[0]
    raise TypeError(question)


def _rating(result: Grade) -> Rating:
    if result.correct:
        return Rating.Good
    return Rating.Hard if result.credit > 0 else Rating.Again


def schedule_review(progress: Progress, question_id: str, result: Grade, when: datetime) -> None:
    """Update the question's FSRS card in the record."""
    scheduler = Scheduler(learning_steps=LEARNING_STEPS, enable_fuzzing=False)
    stored = progress.review_cards.get(question_id)
    card = Card.from_dict(cast("CardDict", stored)) if stored else Card()  # stored: written by Card.to_dict below
    card, _ = scheduler.review_card(card, _rating(result), review_datetime=when)
    progress.review_cards[question_id] = dict(card.to_dict())


def due_reviews(progress: Progress, bank: Bank, when: datetime | None = None) -> list[str]:
    """Ids of questions answered before whose review is due, most overdue first."""
    when = when or now()
    known = bank.by_id
    due = []
    for question_id, stored in progress.review_cards.items():
        if question_id not in known:
            continue
        card = Card.from_dict(cast("CardDict", stored))  # written by Card.to_dict (schedule_review)
        if card.due <= when:
            due.append((card.due, question_id))
    return [question_id for _, question_id in sorted(due)]


def mastery(progress: Progress, bank: Bank) -> dict[str, float]:
    """Per topic: the mean credit of the latest answer to each question (unanswered count as 0)."""
    latest: dict[str, float] = {}
    for answer in progress.quiz_answers:
        latest[answer.question_id] = answer.credit
    result: dict[str, float] = {}
    for topic in TOPICS:
        questions = [q for q in bank.questions if q.topic == topic]
        result[topic] = round(sum(latest.get(q.id, 0.0) for q in questions) / len(questions), 4) if questions else 0.0
    return result


@dataclass
class QuizSession:
    """One quiz: a fixed list of presented questions, answered in order."""

    items: list[Presented]
    lang: Lang = "en"
    store: ProgressStore | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    results: list[tuple[Presented, Response, Grade]] = field(default_factory=list)

    @classmethod
    def start(
        cls,
        bank: Bank,
        topics: Sequence[str] | None = None,
        count: int | None = None,
        seed: int | None = None,
        lang: Lang = "en",
        store: ProgressStore | None = None,
        question_ids: Sequence[str] | None = None,
    ) -> QuizSession:
        rng = random.Random(seed)
        if question_ids is not None:
            pool = [bank.by_id[qid] for qid in question_ids if qid in bank.by_id]
        else:
            pool = bank.for_topics(list(topics) if topics else None)
            rng.shuffle(pool)
        if count is not None:
            pool = pool[:count]
        items = []
        for question in pool:
            order: tuple[str, ...] = ()
            if hasattr(question, "options"):
                ids = [o.id for o in question.options]
                rng.shuffle(ids)
                order = tuple(ids)
            items.append(Presented(question, order))
        return cls(items=items, lang=lang, store=store)

    @property
    def current(self) -> Presented | None:
        return self.items[len(self.results)] if len(self.results) < len(self.items) else None

    @property
    def finished(self) -> bool:
        return self.current is None

    def answer(self, response: Response) -> Grade:
        """Grade the current question, record it (atomically) and move on."""
        presented = self.current
        if presented is None:
            raise IndexError("the quiz is over")
        result = grade(presented.question, response)
        when = now()
        if self.store is not None:
            record = QuizAnswer(
                at=when,
                session=self.id,
                question_id=presented.question.id,
                topic=presented.question.topic,
                answer=response if not isinstance(response, bool) else str(response).lower(),
                correct=result.correct,
                credit=result.credit,
                lang=self.lang,
            )

            def save(progress: Progress) -> None:
                progress.quiz_answers.append(record)
                schedule_review(progress, presented.question.id, result, when)

            self.store.update(save)
        self.results.append((presented, response, result))
        return result

    def score(self) -> tuple[float, int]:
        return round(sum(g.credit for _, _, g in self.results), 4), len(self.results)

    def by_topic(self) -> dict[str, tuple[float, int]]:
        totals: dict[str, tuple[float, int]] = {}
        for presented, _, result in self.results:
            credit, count = totals.get(presented.question.topic, (0.0, 0))
            totals[presented.question.topic] = (credit + result.credit, count + 1)
        return totals

    def missed(self) -> list[Question]:
        return [p.question for p, _, g in self.results if not g.correct]


def linked_questions(bank: Bank, exercise_id: str) -> list[Question]:
    """The questions that go with an exercise: offered once it passes."""
    return [q for q in bank.questions if exercise_id in q.exercises]


def predict_question(bank: Bank, exercise_id: str, progress: Progress | None = None) -> Question | None:
    """One "predict the output" question before a new exercise (okpy's unlocking): a linked
    code-output question the learner has not answered yet, or None."""
    answered = {a.question_id for a in progress.quiz_answers} if progress else set()
    for question in linked_questions(bank, exercise_id):
        if isinstance(question, CodeOutput) and question.id not in answered:
            return question
    return None

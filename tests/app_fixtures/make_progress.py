"""A fixed progress record for the app's tests and snapshots (fixed times, so screens never drift)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from torchdojo.i18n import Lang
from torchdojo.record.progress import CheckRecord, ExerciseAttempt, Progress, QuizAnswer, Settings

BASE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def sample_progress(lang: Lang = "en") -> Progress:
    progress = Progress(created_at=BASE, settings=Settings(lang=lang))
    for day, (exercise, score, max_score) in enumerate(
        [("autograd/leaf_tensors", 4, 8), ("autograd/leaf_tensors", 8, 8), ("autograd/gradient_of", 8, 8), ("autograd/accumulation", 5, 9)]
    ):
        progress.exercise_attempts.append(
            ExerciseAttempt(
                at=BASE + timedelta(days=day),
                exercise=exercise,
                score=score,
                max_score=max_score,
                checks=[CheckRecord(name="x", outcome="passed" if score == max_score else "failed", points=score, max_points=max_score)],
            )
        )
    for session, answers in enumerate([("history-01", 1.0), ("history-02", 0.0), ("quickstart-01", 1.0)], 1):
        for offset in range(session):
            qid, credit = answers
            progress.quiz_answers.append(
                QuizAnswer(
                    at=BASE + timedelta(days=session, minutes=offset),
                    session=f"s{session}",
                    question_id=qid,
                    topic=qid.split("-")[0],
                    answer="a",
                    correct=credit == 1.0,
                    credit=credit,
                )
            )
    progress.review_cards["history-02"] = {
        "card_id": 1,
        "state": 3,
        "step": 0,
        "stability": 1.0,
        "difficulty": 5.0,
        "due": (BASE + timedelta(days=3)).isoformat(),
        "last_review": (BASE + timedelta(days=2)).isoformat(),
    }
    return progress


def write_sample(path: Path, lang: Lang = "en") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sample_progress(lang).model_dump_json(indent=1), encoding="utf-8")
    return path

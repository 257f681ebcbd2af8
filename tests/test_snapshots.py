"""Snapshot tests of the main screens, in English and Chinese (pytest-textual-snapshot).

Regenerate after an intended change with: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_fixtures.make_progress import write_sample
from torchdojo.quizzes.app import TorchDojoApp
from torchdojo.quizzes.bank import load_shipped
from torchdojo.quizzes.engine import QuizSession

SIZE = (110, 36)
LANGS = ["en", "zh"]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the dashboard shows the record's path: "progress.json" on every run


def _app(tmp_path: Path, lang: str, quiz: QuizSession | None = None) -> TorchDojoApp:
    return TorchDojoApp(progress_path=write_sample(tmp_path / "progress.json", lang), lang=lang, quiz=quiz)


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_question_with_code(snap_compare, tmp_path: Path, lang: str) -> None:
    bank = load_shipped()
    code = next(q.id for q in bank.questions if q.kind == "code_output" and q.topic == "quickstart")
    quiz = QuizSession.start(bank, question_ids=[code, "history-04"], seed=5)
    assert snap_compare(_app(tmp_path, lang, quiz), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_feedback(snap_compare, tmp_path: Path, lang: str) -> None:
    quiz = QuizSession.start(load_shipped(), question_ids=["history-03", "history-04"], seed=5)
    assert snap_compare(_app(tmp_path, lang, quiz), press=["2", "enter"], terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_exercises(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=["e"], terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_progress(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=["p"], terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_help(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=["question_mark"], terminal_size=SIZE)


# -- 80×24, the smallest terminal every screen must work in, in both languages ---------------------

SMALL = (80, 24)
SCREENS = {
    "dashboard": [],
    "exercises": ["e"],
    "progress": ["p"],
    "help": ["question_mark"],
    "topics": ["o", "space"],
}


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("lang", LANGS)
def test_80x24(snap_compare, tmp_path: Path, lang: str, screen: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=SCREENS[screen], terminal_size=SMALL)


@pytest.mark.parametrize("lang", LANGS)
def test_80x24_quiz_multiple_choice_ticked(snap_compare, tmp_path: Path, lang: str) -> None:
    quiz = QuizSession.start(load_shipped(), question_ids=["history-04", "history-03"], seed=5)
    assert snap_compare(_app(tmp_path, lang, quiz), press=["1"], terminal_size=SMALL)


@pytest.mark.parametrize("lang", LANGS)
def test_80x24_quiz_feedback(snap_compare, tmp_path: Path, lang: str) -> None:
    quiz = QuizSession.start(load_shipped(), question_ids=["history-03", "history-04"], seed=5)
    assert snap_compare(_app(tmp_path, lang, quiz), press=["2", "enter"], terminal_size=SMALL)


@pytest.mark.parametrize("lang", LANGS)
def test_80x24_review_not_due_yet(snap_compare, tmp_path: Path, lang: str) -> None:
    from datetime import UTC, datetime

    from torchdojo.quizzes.app.screens.nothing_due import NothingDueScreen

    upcoming = [(datetime(2099, 1, 1, 9, 0, tzinfo=UTC), "history-01")]  # far away: the words do not depend on today

    def not_due(pilot) -> None:
        pilot.app.push_screen(NothingDueScreen(["history-01", "history-02"], upcoming, pilot.app.lang))

    assert snap_compare(_app(tmp_path, lang), run_before=not_due, terminal_size=SMALL)


@pytest.mark.parametrize("lang", LANGS)
def test_80x24_predict_before_a_first_check(snap_compare, tmp_path: Path, lang: str) -> None:
    from torchdojo.quizzes.app.screens.predict import PredictScreen

    def offer(pilot) -> None:
        pilot.app.push_screen(PredictScreen("autograd/leaf_tensors", pilot.app.lang))

    assert snap_compare(_app(tmp_path, lang), run_before=offer, terminal_size=SMALL)

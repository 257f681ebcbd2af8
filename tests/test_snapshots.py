"""Snapshot tests of the main screens, in English and Chinese (pytest-textual-snapshot).

Regenerate after an intended change with: pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path

import pytest

from quizzes.app import TorchDojoApp
from quizzes.bank import load_shipped
from quizzes.engine import QuizSession
from tests.app_fixtures.make_progress import write_sample

SIZE = (110, 36)
LANGS = ["en", "zh"]


def _app(tmp_path: Path, lang: str, quiz: QuizSession | None = None) -> TorchDojoApp:
    return TorchDojoApp(progress_path=write_sample(tmp_path / "progress.json", lang), lang=lang, quiz=quiz)


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_question_with_code(snap_compare, tmp_path: Path, lang: str) -> None:
    quiz = QuizSession.start(load_shipped(), question_ids=["quickstart-23", "history-04"], seed=5)
    assert snap_compare(_app(tmp_path, lang, quiz), terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_quiz_feedback(snap_compare, tmp_path: Path, lang: str) -> None:
    quiz = QuizSession.start(load_shipped(), question_ids=["history-03", "history-04"], seed=5)
    assert snap_compare(_app(tmp_path, lang, quiz), press=["2"], terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_exercises(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=["e"], terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_progress(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=["p"], terminal_size=SIZE)


@pytest.mark.parametrize("lang", LANGS)
def test_help(snap_compare, tmp_path: Path, lang: str) -> None:
    assert snap_compare(_app(tmp_path, lang), press=["question_mark"], terminal_size=SIZE)

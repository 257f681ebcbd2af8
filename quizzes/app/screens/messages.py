"""What a screen asks of the app: Textual messages that bubble from the screen up to the app's `on_*` handlers.

Screens post these and keep no logic; the app does the work (start a quiz, grade, record) and sets the
result back on the screen. Plain data only, and no pydantic at import: the dashboard posts some of these
before the models load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from textual.message import Message

if TYPE_CHECKING:
    from torchdojo.core.catalog import Exercise
    from torchdojo.quizzes.engine import QuizSession

Place = Literal["dashboard", "exercises", "progress"]  # the app's top-level places: its Textual modes
PLACES: tuple[Place, ...] = ("dashboard", "exercises", "progress")


class Open(Message):
    """Go to a top-level place (closing the quiz, results or dialog shown over the current one)."""

    def __init__(self, place: Place) -> None:
        super().__init__()
        self.place: Place = place


class StartQuiz(Message):
    """Ten questions from every topic, or (review) the questions that are due."""

    def __init__(self, review: bool = False) -> None:
        super().__init__()
        self.review = review


class ChooseTopics(Message):
    """Tick the topics, then ten questions from them."""


class AnswerRecorded(Message):
    """A quiz answer was saved: the record changed."""


class QuizFinished(Message):
    """The last question is answered: show the results in place of the quiz."""

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session


class Practise(Message):
    """These (missed) questions now, from the dashboard."""

    def __init__(self, question_ids: list[str]) -> None:
        super().__init__()
        self.question_ids = question_ids


class QuizOn(Message):
    """These questions, over the screen that asks (Esc returns there)."""

    def __init__(self, question_ids: list[str]) -> None:
        super().__init__()
        self.question_ids = question_ids


class CheckExercise(Message):
    """Grade this exercise (after offering its "predict the output" question, the first time)."""

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise


class NextHint(Message):
    """Reveal one more hint of this exercise."""

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise

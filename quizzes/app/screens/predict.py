"""Before an exercise's first check: the offer of one "predict the output" question (a dialog)."""

from __future__ import annotations

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS
from torchdojo.quizzes.app.words import w


class PredictScreen(ModalScreen[bool]):
    """Before an exercise's first check: offer one "predict the output" question (True) or skip (False)."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "skip", "Close")]

    def __init__(self, exercise_id: str, lang: Lang) -> None:
        super().__init__()
        self.exercise_id, self.lang = exercise_id, lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="predict") as box:
            box.border_title = w("predict_title", lang)
            yield Static(RichText(w("predict_intro", lang, id=self.exercise_id)))
            with Horizontal(id="predict-actions"):
                yield Button(w("predict_now", lang), id="predict-now", variant="primary")
                yield Button(w("predict_skip", lang), id="predict-skip")

    def on_mount(self) -> None:
        self.query_one("#predict-now", Button).focus()

    @on(Button.Pressed, "#predict-now")
    def on_predict(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#predict-skip")
    def action_skip(self) -> None:
        self.dismiss(False)

"""Choosing a quiz's topics (a dialog: it returns the ticked topics, or None)."""

from __future__ import annotations

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, SelectionList, Static

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS
from torchdojo.quizzes.app.words import w


class TopicsScreen(ModalScreen[list[str] | None]):
    """Tick the topics a quiz is drawn from; Start returns them, Cancel returns None."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "cancel", "Close")]

    def __init__(self, choices: list[tuple[str, str]], lang: Lang, chosen: list[str] | None = None) -> None:
        """`choices`: (topic, its label) for each topic a quiz can be drawn from; `chosen`: those ticked at first."""
        super().__init__()
        self.choices, self.lang = choices, lang
        self.chosen = set(chosen or [])

    def compose(self) -> ComposeResult:
        lang = self.lang
        with Vertical(id="topics") as box:
            box.border_title = w("choose_topics", lang)
            yield Static(RichText(w("topics_hint", lang), style="dim"), id="topics-hint")
            yield SelectionList[str](*((label, topic, topic in self.chosen) for topic, label in self.choices), id="topic-list")
            with Horizontal(id="topics-actions"):
                yield Button(w("start", lang), id="topics-start", variant="primary")
                yield Button(w("cancel", lang), id="topics-cancel")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @on(Button.Pressed, "#topics-start")
    def action_start(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.notify(w("no_topic", self.lang), severity="warning")
            self.query_one(SelectionList).focus()
            return
        self.dismiss(chosen)

    @on(Button.Pressed, "#topics-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

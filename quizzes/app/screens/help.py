"""Every key, and what it does (a dialog)."""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS
from torchdojo.quizzes.app.words import w


class HelpScreen(ModalScreen[None]):
    CSS_PATH = SCREENS_CSS
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close", show=False)]

    def __init__(self, keys: list[tuple[str, str]], lang: Lang) -> None:
        """`keys`: (key, what it does), in the learner's language."""
        super().__init__()
        self.keys, self.lang = keys, lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        rows = [f"[b]{key:>9}[/b]  {escape(action)}" for key, action in self.keys]
        rows += ["", escape(w("help_intro", lang))]
        with Vertical(id="help") as box:
            box.border_title = w("bindings", lang)
            with VerticalScroll(id="help-keys"):
                yield Static(RichText.from_markup("\n".join(rows)))
            yield Button("OK", id="help-close", variant="primary")

    @on(Button.Pressed, "#help-close")
    def on_close(self) -> None:
        self.dismiss()

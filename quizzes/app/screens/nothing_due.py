"""Review asked for before anything is due (a dialog: it returns the missed questions to practise, or None)."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS
from torchdojo.quizzes.app.state import when_words
from torchdojo.quizzes.app.words import w


class NothingDueScreen(ModalScreen[list[str] | None]):
    """Review asked for before anything is due: say when it will be, and offer the misses now."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, missed: list[str], upcoming: list[tuple[datetime, str]], lang: Lang) -> None:
        """`missed`: the questions last answered wrong; `upcoming`: (due, question id) of those not due yet, soonest first."""
        super().__init__()
        self.missed, self.upcoming, self.lang = missed, upcoming, lang

    def compose(self) -> ComposeResult:
        lang = self.lang
        if self.upcoming:
            lines = [w("nothing_due", lang), w("due_later", lang, n=len(self.upcoming), when=when_words(self.upcoming[0][0], lang))]
        else:
            lines = [w("nothing_due", lang) if self.missed else w("no_reviews_yet", lang)]
        with Vertical(id="nothing-due"):
            yield Static(RichText("\n".join(lines)))
            with Horizontal(id="nothing-due-actions"):
                if self.missed:
                    yield Button(w("practise_now", lang, n=len(self.missed)), id="practise-now", variant="primary")
                yield Button(w("later", lang) if self.missed else "OK", id="practise-later")

    def on_mount(self) -> None:
        self.query_one("#practise-now" if self.missed else "#practise-later", Button).focus()

    @on(Button.Pressed, "#practise-now")
    def on_practise(self) -> None:
        self.dismiss(self.missed)

    @on(Button.Pressed, "#practise-later")
    def on_later(self) -> None:
        self.dismiss(None)

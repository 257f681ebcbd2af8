"""A finished quiz's results: the score, by topic, and the questions to review."""

from __future__ import annotations

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Header, Static

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS, DojoFooter, DojoScreen
from torchdojo.quizzes.app.screens.messages import Open, Practise
from torchdojo.quizzes.app.state import pad, people
from torchdojo.quizzes.app.words import w
from torchdojo.quizzes.engine import QuizSession
from torchdojo.quizzes.models import TOPIC_TITLES


class ResultsScreen(DojoScreen):
    CSS_PATH = SCREENS_CSS
    title_key = "results"
    BINDINGS = [Binding("escape", "back", "Back 返回"), Binding("r", "practise", "Practise 练习错题")]

    def __init__(self, session: QuizSession, lang: Lang) -> None:
        super().__init__(lang)
        self.session = session

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="results"):
            yield Static(id="results-score", classes="section-title")
            yield Static(id="results-topics")
            yield Static(id="results-review")
            with Horizontal(id="results-actions"):
                yield Button(id="results-practise", variant="primary")
                yield Button(id="results-back")
        yield DojoFooter()

    def on_mount(self) -> None:
        self.refresh_words()
        self.query_one("#results-practise" if self.session.missed() else "#results-back", Button).focus()

    def refresh_words(self) -> None:
        lang = self.lang
        credit, count = self.session.score()
        self.query_one("#results-score", Static).update(f"{w('score', lang)}: {people(credit)} / {count}")
        rows = [f"{pad(TOPIC_TITLES[t](lang), 14)} {people(c)} / {n}" for t, (c, n) in self.session.by_topic().items()]
        self.query_one("#results-topics", Static).update(RichText("\n".join(rows)))
        missed = self.session.missed()
        review = RichText.assemble((w("to_review", lang), "bold"), "\n", *(f"• {q.text(lang)}\n" for q in missed), (w("misses_return", lang), "dim"))
        self.query_one("#results-review", Static).update(review if missed else w("nothing_to_review", lang))
        practise = self.query_one("#results-practise", Button)
        practise.display = bool(missed)
        practise.label = w("practise_now", lang, n=len(missed))
        self.query_one("#results-back", Button).label = w("back", lang)

    @on(Button.Pressed, "#results-back")
    def action_back(self) -> None:
        self.post_message(Open("dashboard"))

    @on(Button.Pressed, "#results-practise")
    def action_practise(self) -> None:
        missed = [q.id for q in self.session.missed()]
        if missed:
            self.post_message(Practise(missed))

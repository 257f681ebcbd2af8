"""The first screen: the learner's figures and the ways in. Textual and plain data only, no pydantic,
so it paints before the models load (see `torchdojo.quizzes.app.fast`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import var
from textual.widgets import Button, Header, Static

from torchdojo.quizzes.app.fast import Figures, pad
from torchdojo.quizzes.app.screens.base import DojoFooter, DojoScreen
from torchdojo.quizzes.app.screens.messages import ChooseTopics, Open, StartQuiz
from torchdojo.quizzes.app.words import w

if TYPE_CHECKING:
    from torchdojo.i18n import Lang


class DashboardScreen(DojoScreen):
    """The figures and the record's path, which the app sets (first from plain data, then from the models)."""

    BINDINGS = [
        Binding("s", "start_quiz", "Quiz 测验"),
        Binding("o", "choose_topics", "Topics 主题"),
        Binding("r", "start_review", "Review 复习"),
    ]
    figures: var[Figures | None] = var(None)
    record_shown: var[str | None] = var(None)

    def __init__(self, lang: Lang, figures: Figures, record_shown: str | None) -> None:
        super().__init__(lang)
        self.set_reactive(DashboardScreen.figures, figures)
        self.set_reactive(DashboardScreen.record_shown, record_shown)

    def watch_figures(self) -> None:
        if self.is_mounted and self.is_active:  # else drawn when it is shown again
            self.refresh_words()

    def watch_record_shown(self) -> None:
        self.watch_figures()

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dashboard"):
            yield Static(id="mastery-title", classes="section-title")
            yield Vertical(id="mastery")
            with Horizontal(id="stats"):
                yield Static(id="stat-exercises", classes="stat")
                yield Static(id="stat-reviews", classes="stat")
                yield Static(id="stat-last", classes="stat")
            with Horizontal(id="actions"):
                yield Button(id="start-quiz", variant="primary")
                yield Button(id="start-review")
                yield Button(id="open-exercises")
                yield Button(id="open-progress")
            yield Static(id="record-path")
        yield DojoFooter()

    def refresh_words(self) -> None:
        lang = self.lang
        summary = self.figures
        if summary is None:
            return
        self.query_one("#mastery-title", Static).update(w("mastery", lang))
        bars = self.query_one("#mastery", Vertical)
        bars.remove_children()
        for topic, title in summary.topics:
            share = summary.mastery.get(topic, 0.0)
            filled = round(share * 30)
            bar = RichText.assemble((pad(title(lang), 14), "bold"), ("█" * filled, "green"), ("░" * (30 - filled), "dim"), f" {share:.0%}")
            bars.mount(Static(bar, classes="mastery-row"))
        last = summary.last_activity.strftime("%Y-%m-%d %H:%M") if summary.last_activity else w("never", lang)
        self.query_one("#stat-exercises", Static).update(f"{w('exercises_done', lang)}\n[b]{summary.exercises_done} / {summary.exercises_total}[/b]")
        self.query_one("#stat-reviews", Static).update(f"{w('reviews_due', lang)}\n[b]{summary.reviews_due}[/b]")
        self.query_one("#stat-last", Static).update(f"{w('last_activity', lang)}\n[b]{last}[/b]")
        self.query_one("#start-quiz", Button).label = w("start_quiz", lang)
        self.query_one("#start-review", Button).label = w("start_review", lang)
        self.query_one("#open-exercises", Button).label = w("exercises", lang)
        self.query_one("#open-progress", Button).label = w("progress", lang)
        record = self.record_shown
        self.query_one("#record-path", Static).update(RichText(w("record", lang, path=record) if record else w("record_none", lang), style="dim"))

    @on(Button.Pressed, "#start-quiz")
    def action_start_quiz(self) -> None:
        self.post_message(StartQuiz())

    def action_choose_topics(self) -> None:
        self.post_message(ChooseTopics())

    @on(Button.Pressed, "#start-review")
    def action_start_review(self) -> None:
        self.post_message(StartQuiz(review=True))

    @on(Button.Pressed, "#open-exercises")
    def on_open_exercises(self) -> None:
        self.post_message(Open("exercises"))

    @on(Button.Pressed, "#open-progress")
    def on_open_progress(self) -> None:
        self.post_message(Open("progress"))

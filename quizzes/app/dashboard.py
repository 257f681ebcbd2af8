"""The first screen and what every screen shares: Textual and plain data only, no pydantic,
so the dashboard paints before the models load (see `torchdojo.quizzes.app.fast`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Static
from textual.widgets._footer import FooterKey

from torchdojo.quizzes.app.fast import pad
from torchdojo.quizzes.app.words import w

if TYPE_CHECKING:
    from torchdojo.i18n import Lang
    from torchdojo.quizzes.app.app import TorchDojoApp


# Footer labels in the learner's language, and their order: the screen's own keys first.
FOOTER_WORDS = {
    "start_quiz": "footer_quiz",
    "choose_topics": "footer_topics",
    "start_review": "footer_review",
    "app.pop_screen": "footer_back",
    "back": "footer_back",
    "check": "footer_check",
    "hint": "footer_hint",
    "practise": "footer_practise",
    "dismiss": "footer_close",
    "toggle_lang": "language",
    "help": "help",
    "quit": "quit",
}
FOOTER_LAST = {"toggle_lang": 1, "help": 2, "quit": 3}


class DojoFooter(Footer):
    """The footer in one language, short enough for 80 columns, with ? and q always there."""

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        lang = getattr(self.app, "lang", "en")
        chosen: dict[str, tuple] = {}
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in chosen:
                chosen[binding.action] = (binding, enabled, tooltip)
        ordered = sorted(chosen.values(), key=lambda item: FOOTER_LAST.get(item[0].action, 0))
        self.styles.grid_size_columns = len(ordered)
        for binding, enabled, tooltip in ordered:
            key = FOOTER_WORDS.get(binding.action)
            label = w(key, lang) if key else binding.description
            yield FooterKey(binding.key, self.app.get_key_display(binding), label, binding.action, disabled=not enabled, tooltip=tooltip).data_bind(
                compact=Footer.compact
            )


def dojo_app(screen: Screen[Any]) -> TorchDojoApp:
    """The app a screen runs in: every screen here is shown by TorchDojoApp (Textual types it as a plain App)."""
    return cast("TorchDojoApp", screen.app)


class DojoScreen(Screen):
    """A screen that redraws its words when the language changes."""

    @property
    def dojo(self) -> TorchDojoApp:
        return dojo_app(self)

    @property
    def lang(self) -> Lang:
        return self.dojo.lang

    title_key = "dashboard"

    def refresh_words(self) -> None:  # overridden by screens with words to redraw
        pass

    def redraw(self) -> None:
        self.app.sub_title = w(self.title_key, self.lang)
        self.refresh_words()
        for footer in self.query(DojoFooter):
            footer.refresh(recompose=True)

    def on_screen_resume(self) -> None:
        self.redraw()


# -- dashboard ---------------------------------------------------------------------------


class DashboardScreen(DojoScreen):
    BINDINGS = [
        Binding("s", "start_quiz", "Quiz 测验"),
        Binding("o", "choose_topics", "Topics 主题"),
        Binding("r", "start_review", "Review 复习"),
    ]

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
        summary = self.dojo.figures()
        self.query_one("#mastery-title", Static).update(w("mastery", lang))
        bars = self.query_one("#mastery", Vertical)
        bars.remove_children()
        for topic, title_en, title_zh in summary.topics:
            share = summary.mastery.get(topic, 0.0)
            filled = round(share * 30)
            title = title_zh if lang == "zh" else title_en
            bar = RichText.assemble((pad(title, 14), "bold"), ("█" * filled, "green"), ("░" * (30 - filled), "dim"), f" {share:.0%}")
            bars.mount(Static(bar, classes="mastery-row"))
        last = summary.last_activity.strftime("%Y-%m-%d %H:%M") if summary.last_activity else w("never", lang)
        self.query_one("#stat-exercises", Static).update(f"{w('exercises_done', lang)}\n[b]{summary.exercises_done} / {summary.exercises_total}[/b]")
        self.query_one("#stat-reviews", Static).update(f"{w('reviews_due', lang)}\n[b]{summary.reviews_due}[/b]")
        self.query_one("#stat-last", Static).update(f"{w('last_activity', lang)}\n[b]{last}[/b]")
        self.query_one("#start-quiz", Button).label = w("start_quiz", lang)
        self.query_one("#start-review", Button).label = w("start_review", lang)
        self.query_one("#open-exercises", Button).label = w("exercises", lang)
        self.query_one("#open-progress", Button).label = w("progress", lang)
        record = self.dojo.record_shown
        self.query_one("#record-path", Static).update(RichText(w("record", lang, path=record) if record else w("record_none", lang), style="dim"))

    @on(Button.Pressed, "#start-quiz")
    def action_start_quiz(self) -> None:
        self.dojo.start_quiz()

    def action_choose_topics(self) -> None:
        self.dojo.choose_topics()

    @on(Button.Pressed, "#start-review")
    def action_start_review(self) -> None:
        self.dojo.start_quiz(review=True)

    @on(Button.Pressed, "#open-exercises")
    def on_open_exercises(self) -> None:
        self.dojo.action_exercises()

    @on(Button.Pressed, "#open-progress")
    def on_open_progress(self) -> None:
        self.dojo.action_progress()

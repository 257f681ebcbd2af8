"""The learner's progress over time: quiz scores and exercises done, as bar charts."""

from __future__ import annotations

from typing import Any

from rich.text import Text as RichText
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.reactive import var
from textual.widgets import Header, Static

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS, DojoFooter, DojoScreen
from torchdojo.quizzes.app.screens.messages import Open
from torchdojo.quizzes.app.state import exercises_done_series, quiz_score_series
from torchdojo.quizzes.app.words import w
from torchdojo.record.progress import Progress

BLOCKS = " ▁▂▃▄▅▆▇█"


def chart_lines(values: list[float], top: float, rows: int, width: int) -> list[str]:
    """Columns of eighth-blocks on a fixed scale from 0 to `top`, newest on the right, and a baseline.
    0 draws nothing and `top` a full column, so an empty record never reads as 100 %."""
    shown = values[-max(1, width) :]
    eighths = [round(max(0.0, min(v / top, 1.0)) * rows * 8) if top > 0 else 0 for v in shown]
    lines = ["".join(BLOCKS[max(0, min(8, e - (row - 1) * 8))] for e in eighths) for row in range(rows, 0, -1)]
    return [*lines, "▔" * max(len(shown), 1)]


class Chart(Static):
    """A bar chart with a fixed scale (Textual's Sparkline scales to the data: 0 / 21 drew a full block)."""

    def __init__(self, top: float, rows: int = 4, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.top = top
        self.rows = rows
        self.data: list[float] = []

    def plot(self, data: list[float]) -> None:
        self.data = list(data)
        width = self.size.width or 60
        self.update(RichText("\n".join(chart_lines(self.data, self.top, self.rows, width)), style="green"))

    def on_resize(self) -> None:
        self.plot(self.data)


class ProgressScreen(DojoScreen):
    """The app sets `progress` when the record changes; the charts are drawn from it when the screen is shown."""

    CSS_PATH = SCREENS_CSS
    title_key = "progress"
    BINDINGS = [Binding("escape", "back", "Back 返回")]
    progress: var[Progress | None] = var(None, always_update=True)  # never compared: a new record each time

    def __init__(self, lang: Lang, progress: Progress, exercises_total: int) -> None:
        super().__init__(lang)
        self.exercises_total = exercises_total
        self.set_reactive(ProgressScreen.progress, progress)

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="progress"):
            yield Static(id="quiz-chart-title", classes="section-title")
            yield Chart(1.0, rows=3, id="quiz-chart")
            yield Static(id="quiz-chart-note")
            yield Static(id="exercise-chart-title", classes="section-title")
            yield Chart(float(self.exercises_total), rows=3, id="exercise-chart")
            yield Static(id="exercise-chart-note")
        yield DojoFooter()

    def on_mount(self) -> None:
        self.refresh_words()

    def action_back(self) -> None:
        self.post_message(Open("dashboard"))

    def refresh_words(self) -> None:
        lang, progress = self.lang, self.progress
        if progress is None:
            return
        quiz, done = quiz_score_series(progress), exercises_done_series(progress)
        self.query_one("#quiz-chart-title", Static).update(w("quiz_scores", lang))
        self.query_one("#exercise-chart-title", Static).update(w("exercises_over_time", lang))
        self.query_one("#quiz-chart", Chart).plot(quiz)
        self.query_one("#exercise-chart", Chart).plot(done)
        self.query_one("#quiz-chart-note", Static).update(" → ".join(f"{s:.0%}" for s in quiz[-8:]) if quiz else f"[dim]{w('no_history', lang)}[/]")
        self.query_one("#exercise-chart-note", Static).update(f"{int(done[-1])} / {self.exercises_total}" if done else f"[dim]{w('no_history', lang)}[/]")

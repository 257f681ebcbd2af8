"""The exercises: the catalog with each one's status, checks and hints (the app grades and records them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import var
from textual.widgets import Button, DataTable, Header, Static

from torchdojo.quizzes.app.screens.base import SCREENS_CSS, DojoFooter, DojoScreen
from torchdojo.quizzes.app.screens.messages import CheckExercise, NextHint, Open, QuizOn
from torchdojo.quizzes.app.state import after_pass_questions, next_unfinished
from torchdojo.quizzes.app.words import w

if TYPE_CHECKING:
    from torchdojo.core.catalog import Catalog, Exercise
    from torchdojo.core.report import Report
    from torchdojo.i18n import Lang, Text
    from torchdojo.quizzes.bank import Bank
    from torchdojo.record.progress import Progress


@dataclass(frozen=True, eq=False)
class Checked:
    """A check's outcome, which the app sets on the screen when the grader is done."""

    exercise: Exercise
    report: Report


@dataclass(frozen=True, eq=False)
class Hints:
    """The hints of an exercise revealed so far, which the app sets on the screen."""

    exercise: Exercise
    shown: list[Text]


class ExercisesScreen(DojoScreen):
    """The app sets `progress` when the record changes, `checking` when a check starts, then `checked`
    with its report, and `hints` when one more is revealed."""

    CSS_PATH = SCREENS_CSS
    title_key = "exercises"
    BINDINGS = [
        Binding("enter", "check", "Check 检查", show=False),
        Binding("c", "check", "Check 检查"),
        Binding("h", "hint", "Hint 提示"),
        Binding("u", "linked", "Linked quiz 相关测验", show=False),
        Binding("escape", "back", "Back 返回"),
    ]
    progress: var[Progress | None] = var(None, always_update=True)  # never compared: a new record each time
    checking: var[Exercise | None] = var(None, always_update=True)
    checked: var[Checked | None] = var(None, always_update=True)
    hints: var[Hints | None] = var(None, always_update=True)

    def __init__(self, lang: Lang, catalog: Catalog, progress: Progress, bank: Bank, workspace: Path | None) -> None:
        super().__init__(lang)
        self.catalog, self.bank, self.workspace = catalog, bank, workspace
        self.set_reactive(ExercisesScreen.progress, progress)

    @property
    def record(self) -> Progress:
        assert self.progress is not None  # set in __init__
        return self.progress

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="exercises"):
            yield DataTable(id="exercise-table", cursor_type="row")
            with VerticalScroll(id="exercise-detail"):
                yield Static(id="exercise-path")
                with Horizontal(id="exercise-actions"):
                    yield Button(id="run-check", variant="primary")
                    yield Button(id="show-hint")
                yield Button(id="linked-quiz")
                yield Static(id="exercise-report")
        yield DojoFooter()

    def on_mount(self) -> None:
        self.refresh_words()
        table = self.query_one(DataTable)
        table.focus()
        upcoming = next_unfinished(self.record, self.catalog)
        if upcoming is not None:  # start on the exercise to do next
            table.move_cursor(row=self.catalog.exercises.index(upcoming))

    def _columns(self) -> list[tuple[str, int]]:
        """Exercise, status and score always fit; the title takes what is left (none at 80 columns)."""
        from rich.cells import cell_len

        lang, exercises = self.lang, self.catalog.exercises
        id_width = max(len(e.id) for e in exercises)
        status_width = max(cell_len(w(f"status_{s}", lang)) for s in ("not started", "failing", "done"))
        status_width = max(status_width, cell_len(w("col_status", lang)))
        score_width = max(5, cell_len(w("col_score", lang)))
        room = self.query_one(DataTable).size.width - 2  # a vertical scrollbar may take two; 0 before layout: no title yet
        left = room - (id_width + status_width + score_width + 2 * 4)
        title_width = min(34, max((cell_len(e.title(lang)) for e in exercises), default=0), left)
        columns = [("col_exercise", id_width)]
        if title_width >= 12:
            columns.append(("col_title", title_width))
        return [*columns, ("col_status", status_width), ("col_score", score_width)]

    def on_resize(self) -> None:
        narrow = self.size.width < 100
        self.query_one("#exercise-detail").styles.width = 27 if narrow else "2fr"
        self.call_after_refresh(self.refresh_words)

    def refresh_words(self) -> None:
        lang = self.lang
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        columns = self._columns()
        for key, width in columns:
            table.add_column(w(key, lang), width=width, key=key)
        with_title = any(key == "col_title" for key, _ in columns)
        progress = self.record
        for exercise in self.catalog.exercises:
            status = progress.status(exercise.id)
            latest = progress.latest(exercise.id)
            colour = {"done": "green", "failing": "red"}.get(status, "dim")
            score = f"{latest.score}/{latest.max_score}" if latest and status != "not started" else f"-/{exercise.max_score}"
            title = [exercise.title(lang)] if with_title else []
            table.add_row(exercise.id, *title, RichText(w(f"status_{status}", lang), style=colour), score, key=exercise.id)
        if cursor < table.row_count:
            table.move_cursor(row=cursor)
        self.query_one("#run-check", Button).label = w("check", lang)
        self.query_one("#show-hint", Button).label = w("hint", lang)
        self._show_path()

    def _selected(self) -> Exercise | None:
        table = self.query_one(DataTable)
        return self.catalog.exercises[table.cursor_row] if table.row_count else None

    def _linked(self, exercise: Exercise, passed: bool | None = None) -> list[str]:
        return after_pass_questions(self.record, self.bank, exercise.id, passed=passed)

    def _show_linked(self, exercise: Exercise, passed: bool | None = None) -> list[str]:
        """The button that offers a passed exercise's questions: shown only when there are some."""
        linked = self._linked(exercise, passed)
        button = self.query_one("#linked-quiz", Button)
        button.display = bool(linked)
        button.label = w("linked_quiz", self.lang, n=len(linked))
        return linked

    def _show_path(self) -> None:
        exercise = self._selected()
        workspace = self.workspace
        if exercise is None:
            return
        self._show_linked(exercise)
        if workspace is None:
            self.query_one("#exercise-path", Static).update(w("no_workspace", self.lang))
        else:
            title = exercise.title(self.lang)
            self.query_one("#exercise-path", Static).update(
                RichText.assemble((title, "bold"), "\n", w("edit_file", self.lang, path=f"exercises/{exercise.file}"))
            )

    @on(DataTable.RowHighlighted)
    def on_row_highlighted(self) -> None:
        self._show_path()

    def action_back(self) -> None:
        self.post_message(Open("dashboard"))

    @on(DataTable.RowSelected)
    @on(Button.Pressed, "#run-check")
    def action_check(self) -> None:
        exercise = self._selected()
        if exercise is None or self.workspace is None:
            self.notify(w("no_workspace", self.lang), severity="warning")
            return
        self.post_message(CheckExercise(exercise))

    def watch_checking(self, exercise: Exercise | None) -> None:
        if exercise is None or not self.is_mounted:
            return
        report = self.query_one("#exercise-report", Static)
        report.update(w("checking", self.lang, id=exercise.id))
        report.loading = True

    def watch_checked(self, checked: Checked | None) -> None:
        if checked is None or not self.is_mounted:
            return
        from io import StringIO

        from rich.console import Console

        from torchdojo.learner.render import print_report

        buffer = StringIO()
        console = Console(file=buffer, force_terminal=True, width=max(40, self.query_one("#exercise-report").size.width or 60))
        exercise, report = checked.exercise, checked.report
        print_report(console, report, exercise, self.lang, None, f"exercises/{exercise.file}")
        widget = self.query_one("#exercise-report", Static)
        widget.loading = False
        widget.update(RichText.from_ansi(buffer.getvalue()))
        self.refresh_words()
        if report.all_passed and exercise is self._selected():
            linked = self._show_linked(exercise, passed=True)
            if linked:
                self.notify(w("linked_offer", self.lang, n=len(linked)), timeout=8)

    @on(Button.Pressed, "#linked-quiz")
    def action_linked(self) -> None:
        exercise = self._selected()
        if exercise is None:
            return
        linked = self._linked(exercise)
        if linked:
            self.post_message(QuizOn(linked))
        else:
            self.notify(w("linked_none", self.lang), severity="warning")

    @on(Button.Pressed, "#show-hint")
    def action_hint(self) -> None:
        exercise = self._selected()
        if exercise is None:
            return
        self.post_message(NextHint(exercise))

    def watch_hints(self, hints: Hints | None) -> None:
        if hints is None or not self.is_mounted:
            return
        exercise = hints.exercise
        lines = [f"{n}/{len(exercise.hints)} {hint(self.lang)}" for n, hint in enumerate(hints.shown, 1)]
        self.query_one("#exercise-report", Static).update(RichText("\n".join(lines)))

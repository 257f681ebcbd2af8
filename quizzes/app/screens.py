"""The app's screens. Each one only shows what `state` and the engine compute and forwards input."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from rich.markup import escape
from rich.syntax import Syntax
from rich.text import Text as RichText
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Header, Input, OptionList, ProgressBar, SelectionList, Static
from textual.widgets.option_list import Option

from torchdojo.quizzes.app.dashboard import DojoFooter, DojoScreen, dojo_app
from torchdojo.quizzes.app.state import after_pass_questions, exercises_done_series, pad, people, predict_offer, quiz_score_series, topic_choices
from torchdojo.quizzes.app.words import w
from torchdojo.quizzes.engine import Grade, QuizSession, Response, correct_response
from torchdojo.quizzes.models import KIND_TITLES, TOPIC_TITLES, CodeOutput, MultipleChoice, ShortAnswer, TrueFalse

# -- quiz --------------------------------------------------------------------------------


SCREENS_CSS = Path(__file__).resolve().parent / "screens.tcss"  # read when the first of these screens is shown


class QuizScreen(DojoScreen):
    CSS_PATH = SCREENS_CSS
    title_key = "quiz"
    BINDINGS = [
        *(Binding(str(n), f"choose({n})", show=False) for n in range(1, 7)),
        Binding("a", "submit", "Answer", show=False),
        Binding("n", "next", "Next", show=False),
        Binding("escape", "app.pop_screen", "Back 返回"),
    ]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
        self.session = session
        self.selected: set[str] = set()
        self.last_grade: Grade | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="quiz"):
            yield ProgressBar(total=max(len(self.session.items), 1), show_eta=False, id="quiz-progress")
            yield Static(id="question-meta")
            yield Static(id="question-text")
            yield Static(id="question-code")
            yield OptionList(id="options")
            yield Input(id="short-answer")
            yield Static(id="input-hint")
            yield Static(id="feedback")
            with Horizontal(id="quiz-actions"):
                yield Button(id="submit", variant="primary")
                yield Button(id="next")
        yield DojoFooter()

    def on_mount(self) -> None:
        self.show_question()

    # -- drawing ---------------------------------------------------------------------
    def refresh_words(self) -> None:
        if self.showing is not None:
            self.show_question(keep_answer=self.last_grade is not None)

    @property
    def showing(self):
        """The question on screen: the answered one while its feedback shows, else the next."""
        if self.last_grade is not None and self.session.results:
            return self.session.results[-1][0]
        return self.session.current

    def show_question(self, keep_answer: bool = False) -> None:
        if not keep_answer:
            self.last_grade = None
        presented = self.showing
        if presented is None:
            self.dojo.show_results(self.session)
            return
        lang, question = self.lang, presented.question
        if not keep_answer:
            self.selected.clear()
        number = self.session.items.index(presented) + 1
        self.query_one(ProgressBar).update(progress=len(self.session.results))
        self.query_one("#question-meta", Static).update(
            f"[dim]{number}/{len(self.session.items)} · {TOPIC_TITLES[question.topic](lang)} · {KIND_TITLES[question.kind](lang)}[/]"
        )
        self.query_one("#question-text", Static).update(RichText(question.text(lang), style="bold"))
        code = self.query_one("#question-code", Static)
        code.display = isinstance(question, CodeOutput)
        if isinstance(question, CodeOutput):
            code.update(Syntax(question.code.strip(), "python", line_numbers=False))
        options = self.query_one(OptionList)
        short = self.query_one("#short-answer", Input)
        short.display = isinstance(question, ShortAnswer)
        options.display = not short.display
        short.placeholder = w("your_answer", lang)
        self._draw_options()
        count = len(self._choices())
        hint = {"multiple": "multi_hint", "true_false": "tf_hint", "short": "your_answer"}.get(question.kind, "choose_hint")
        self.query_one("#input-hint", Static).update(f"[dim]{w(hint, lang, n=count)}[/]")
        self.query_one("#submit", Button).label = w("submit", lang)
        self.query_one("#next", Button).label = w("next", lang)
        answered = self.last_grade is not None
        self.query_one("#submit", Button).display = not answered and isinstance(question, MultipleChoice | ShortAnswer)
        self.query_one("#next", Button).display = answered
        feedback = self.query_one("#feedback", Static)
        feedback.update(self._feedback() if answered else "")
        feedback.display = answered
        self.query_one("#input-hint", Static).display = not answered
        options.disabled = short.disabled = answered
        if not keep_answer:
            options.highlighted = None  # a new question starts with nothing chosen
        if not answered:
            (short if short.display else options).focus()
        else:
            self.query_one("#next", Button).focus()

    def _choices(self) -> list[tuple[str | bool, str]]:
        presented, lang = self.showing, self.lang
        assert presented is not None
        if isinstance(presented.question, TrueFalse):
            return [(True, w("true", lang)), (False, w("false", lang))]
        return [(oid, presented.question.option(oid).text(lang)) for oid in presented.option_order]

    def _draw_options(self) -> None:
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        multiple = isinstance(self.showing.question, MultipleChoice)
        for index, (key, label) in enumerate(self._choices(), 1):
            mark = ("[x] " if key in self.selected else "[ ] ") if multiple else ""
            # Plain text, never markup: "[x]" and options such as "[1, 2]" must show as written.
            options.add_option(Option(RichText(f"{index}. {mark}{label}"), id=f"choice-{index}"))
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted

    def _feedback(self) -> RichText:
        grade, lang = self.last_grade, self.lang
        presented = self.session.results[-1][0]
        assert grade is not None
        head = w("correct", lang) if grade.correct else (w("partly", lang) + f" {grade.credit:.0%}" if grade.credit > 0 else w("wrong", lang))
        answer = correct_response(presented.question)
        if presented.option_order:
            ids = answer if isinstance(answer, list) else [answer]
            shown = ", ".join(str(presented.option_order.index(i) + 1) for i in ids)
        elif isinstance(presented.question, TrueFalse):
            shown = w("true" if answer else "false", lang)
        else:
            shown = str(answer)
        style = "bold green" if grade.correct else ("bold yellow" if grade.credit > 0 else "bold red")
        return RichText.assemble(
            (head, style),
            (f"  {w('answer_was', lang)}:{shown}\n\n" if lang == "zh" else f"  {w('answer_was', lang)}: {shown}\n\n"),
            presented.question.explanation(lang),
            "\n\n",
            (w("press_next", lang), "dim"),
        )

    # -- input -----------------------------------------------------------------------
    def action_choose(self, number: int) -> None:
        """A digit: toggles a multiple-choice option, or highlights a single choice (Enter answers)."""
        if self.last_grade is not None or self.session.current is None:
            return
        choices = self._choices()
        if not 1 <= number <= len(choices) or isinstance(self.session.current.question, ShortAnswer):
            return  # a key with no option: nothing happens
        if isinstance(self.session.current.question, MultipleChoice):
            self._toggle(number)
        else:
            self.query_one(OptionList).highlighted = number - 1

    def _toggle(self, number: int) -> None:
        self.selected ^= {cast(str, self._choices()[number - 1][0])}  # toggled only for multiple choice: option ids
        self._draw_options()
        self.query_one(OptionList).highlighted = number - 1

    @on(OptionList.OptionSelected, "#options")
    def on_option_chosen(self, event: OptionList.OptionSelected) -> None:
        """Enter on the highlighted option, or a click: answers (toggles, for multiple choice)."""
        if self.last_grade is not None or self.session.current is None:
            return
        number = event.option_index + 1
        if isinstance(self.session.current.question, MultipleChoice):
            self._toggle(number)
        else:
            self._answer(self._choices()[number - 1][0])

    @on(Input.Submitted, "#short-answer")
    def on_short_answer(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._answer(event.value)
        else:
            self.notify(w("your_answer", self.lang), severity="warning")

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        presented = self.session.current
        if presented is None or self.last_grade is not None:
            return
        if isinstance(presented.question, MultipleChoice):
            if self.selected:
                self._answer(sorted(self.selected))
        elif isinstance(presented.question, ShortAnswer):
            self.on_short_answer(Input.Submitted(self.query_one(Input), self.query_one(Input).value))

    @on(Button.Pressed, "#next")
    def action_next(self) -> None:
        if self.last_grade is None:
            return
        self.query_one("#short-answer", Input).value = ""
        self.show_question()

    def _answer(self, response: Response) -> None:
        try:
            self.last_grade = self.session.answer(response)
        except Exception as error:  # noqa: BLE001 - a save failure must not lose the quiz
            self.notify(str(error), severity="error")
            return
        self.dojo.reload_progress()
        self.show_question(keep_answer=True)
        self.query_one(ProgressBar).update(progress=len(self.session.results))


# -- results -----------------------------------------------------------------------------


class ResultsScreen(DojoScreen):
    CSS_PATH = SCREENS_CSS
    title_key = "results"
    BINDINGS = [Binding("escape", "back", "Back 返回"), Binding("r", "practise", "Practise 练习错题")]

    def __init__(self, session: QuizSession) -> None:
        super().__init__()
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
        self.dojo.action_dashboard()

    @on(Button.Pressed, "#results-practise")
    def action_practise(self) -> None:
        missed = [q.id for q in self.session.missed()]
        if missed:
            self.dojo.practise(missed)


# -- exercises ---------------------------------------------------------------------------


class ExercisesScreen(DojoScreen):
    CSS_PATH = SCREENS_CSS
    title_key = "exercises"
    BINDINGS = [
        Binding("enter", "check", "Check 检查", show=False),
        Binding("c", "check", "Check 检查"),
        Binding("h", "hint", "Hint 提示"),
        Binding("u", "linked", "Linked quiz 相关测验", show=False),
        Binding("escape", "app.pop_screen", "Back 返回"),
    ]

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
        upcoming = self.dojo.next_unfinished()
        if upcoming is not None:  # start on the exercise to do next
            table.move_cursor(row=self.dojo.catalog.exercises.index(upcoming))

    def _columns(self) -> list[tuple[str, int]]:
        """Exercise, status and score always fit; the title takes what is left (none at 80 columns)."""
        from rich.cells import cell_len

        lang, exercises = self.lang, self.dojo.catalog.exercises
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
        progress = self.dojo.progress
        for exercise in self.dojo.catalog.exercises:
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

    def _selected(self):
        table = self.query_one(DataTable)
        return self.dojo.catalog.exercises[table.cursor_row] if table.row_count else None

    def _linked(self, exercise, passed: bool | None = None) -> list[str]:
        return after_pass_questions(self.dojo.progress, self.dojo.bank, exercise.id, passed=passed)

    def _show_linked(self, exercise, passed: bool | None = None) -> list[str]:
        """The button that offers a passed exercise's questions: shown only when there are some."""
        linked = self._linked(exercise, passed)
        button = self.query_one("#linked-quiz", Button)
        button.display = bool(linked)
        button.label = w("linked_quiz", self.lang, n=len(linked))
        return linked

    def _show_path(self) -> None:
        exercise = self._selected()
        workspace = self.dojo.workspace
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

    @on(DataTable.RowSelected)
    @on(Button.Pressed, "#run-check")
    def action_check(self) -> None:
        exercise = self._selected()
        if exercise is None or self.dojo.workspace is None:
            self.notify(w("no_workspace", self.lang), severity="warning")
            return
        question = predict_offer(self.dojo.progress, self.dojo.bank, exercise.id, self.dojo.predict_offered)
        if question is None:
            self._start_check(exercise)
            return
        self.dojo.predict_offered.add(exercise.id)  # offered once: skipping it is always fine

        def chosen(predict: bool | None) -> None:
            if predict:
                self.dojo.quiz_on([question])
            else:
                self._start_check(exercise)

        self.app.push_screen(PredictScreen(exercise.id), chosen)

    def _start_check(self, exercise) -> None:
        report = self.query_one("#exercise-report", Static)
        report.update(w("checking", self.lang, id=exercise.id))
        report.loading = True
        self.run_check(exercise)

    @work(thread=True, exclusive=True, group="check")
    def run_check(self, exercise) -> None:
        report = self.dojo.check_exercise(exercise)
        self.app.call_from_thread(self.show_report, exercise, report)

    def show_report(self, exercise, report) -> None:
        from io import StringIO

        from rich.console import Console

        from torchdojo.learner.render import print_report

        buffer = StringIO()
        console = Console(file=buffer, force_terminal=True, width=max(40, self.query_one("#exercise-report").size.width or 60))
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
            self.dojo.quiz_on(linked)
        else:
            self.notify(w("linked_none", self.lang), severity="warning")

    @on(Button.Pressed, "#show-hint")
    def action_hint(self) -> None:
        exercise = self._selected()
        if exercise is None:
            return
        hints = self.dojo.next_hints(exercise)
        lines = [f"{n}/{len(exercise.hints)} {hint(self.lang)}" for n, hint in enumerate(hints, 1)]
        self.query_one("#exercise-report", Static).update(RichText("\n".join(lines)))


# -- choosing topics, predicting an output --------------------------------------------------


class TopicsScreen(ModalScreen[list[str] | None]):
    """Tick the topics a quiz is drawn from; Start returns them, Cancel returns None."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "cancel", "Close")]

    def __init__(self, chosen: list[str] | None = None) -> None:
        super().__init__()
        self.chosen = set(chosen or [])

    def compose(self) -> ComposeResult:
        app = dojo_app(self)
        lang = app.lang
        with Vertical(id="topics") as box:
            box.border_title = w("choose_topics", lang)
            yield Static(RichText(w("topics_hint", lang), style="dim"), id="topics-hint")
            yield SelectionList[str](*((label, topic, topic in self.chosen) for topic, label in topic_choices(app.bank, lang)), id="topic-list")
            with Horizontal(id="topics-actions"):
                yield Button(w("start", lang), id="topics-start", variant="primary")
                yield Button(w("cancel", lang), id="topics-cancel")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    @on(Button.Pressed, "#topics-start")
    def action_start(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.notify(w("no_topic", dojo_app(self).lang), severity="warning")
            self.query_one(SelectionList).focus()
            return
        self.dismiss(chosen)

    @on(Button.Pressed, "#topics-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class PredictScreen(ModalScreen[bool]):
    """Before an exercise's first check: offer one "predict the output" question (True) or skip (False)."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "skip", "Close")]

    def __init__(self, exercise_id: str) -> None:
        super().__init__()
        self.exercise_id = exercise_id

    def compose(self) -> ComposeResult:
        lang = dojo_app(self).lang
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


# -- progress ----------------------------------------------------------------------------


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
    CSS_PATH = SCREENS_CSS
    title_key = "progress"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back 返回")]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="progress"):
            yield Static(id="quiz-chart-title", classes="section-title")
            yield Chart(1.0, rows=3, id="quiz-chart")
            yield Static(id="quiz-chart-note")
            yield Static(id="exercise-chart-title", classes="section-title")
            yield Chart(float(len(self.dojo.catalog.exercises)), rows=3, id="exercise-chart")
            yield Static(id="exercise-chart-note")
        yield DojoFooter()

    def on_mount(self) -> None:
        self.refresh_words()

    def refresh_words(self) -> None:
        lang, progress = self.lang, self.dojo.progress
        quiz, done = quiz_score_series(progress), exercises_done_series(progress)
        self.query_one("#quiz-chart-title", Static).update(w("quiz_scores", lang))
        self.query_one("#exercise-chart-title", Static).update(w("exercises_over_time", lang))
        self.query_one("#quiz-chart", Chart).plot(quiz)
        self.query_one("#exercise-chart", Chart).plot(done)
        self.query_one("#quiz-chart-note", Static).update(" → ".join(f"{s:.0%}" for s in quiz[-8:]) if quiz else f"[dim]{w('no_history', lang)}[/]")
        self.query_one("#exercise-chart-note", Static).update(
            f"{int(done[-1])} / {len(self.dojo.catalog.exercises)}" if done else f"[dim]{w('no_history', lang)}[/]"
        )


# -- help --------------------------------------------------------------------------------


class HelpScreen(ModalScreen[None]):
    CSS_PATH = SCREENS_CSS
    BINDINGS = [Binding("escape", "dismiss", "Close"), Binding("question_mark", "dismiss", "Close", show=False)]

    def compose(self) -> ComposeResult:
        app = dojo_app(self)
        lang = app.lang
        rows = [f"[b]{key:>9}[/b]  {escape(action)}" for key, action in app.binding_help()]
        rows += ["", escape(w("help_intro", lang))]
        with Vertical(id="help") as box:
            box.border_title = w("bindings", lang)
            with VerticalScroll(id="help-keys"):
                yield Static(RichText.from_markup("\n".join(rows)))
            yield Button("OK", id="help-close", variant="primary")

    @on(Button.Pressed, "#help-close")
    def on_close(self) -> None:
        self.dismiss()


# -- nothing due yet ---------------------------------------------------------------------


class NothingDueScreen(ModalScreen[None]):
    """Review asked for before anything is due: say when it will be, and offer the misses now."""

    CSS_PATH = SCREENS_CSS

    BINDINGS = [Binding("escape", "dismiss", "Close")]

    def __init__(self, missed: list[str], upcoming: list) -> None:
        super().__init__()
        self.missed = missed
        self.upcoming = upcoming

    def compose(self) -> ComposeResult:
        from torchdojo.quizzes.app.state import when_words

        app = dojo_app(self)
        lang = app.lang
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
        self.dismiss()
        dojo_app(self).practise(self.missed)

    @on(Button.Pressed, "#practise-later")
    def on_later(self) -> None:
        self.dismiss()

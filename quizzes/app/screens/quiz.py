"""The quiz: one question at a time, its feedback, then the results (which the app shows)."""

from __future__ import annotations

from typing import cast

from rich.syntax import Syntax
from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Header, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from torchdojo.i18n import Lang
from torchdojo.quizzes.app.screens.base import SCREENS_CSS, DojoFooter, DojoScreen
from torchdojo.quizzes.app.screens.messages import AnswerRecorded, QuizFinished
from torchdojo.quizzes.app.words import w
from torchdojo.quizzes.engine import Grade, QuizSession, Response, correct_response
from torchdojo.quizzes.models import KIND_TITLES, TOPIC_TITLES, CodeOutput, MultipleChoice, ShortAnswer, TrueFalse


class QuizScreen(DojoScreen):
    CSS_PATH = SCREENS_CSS
    title_key = "quiz"
    BINDINGS = [
        *(Binding(str(n), f"choose({n})", show=False) for n in range(1, 7)),
        Binding("a", "submit", "Answer", show=False),
        Binding("n", "next", "Next", show=False),
        Binding("escape", "app.pop_screen", "Back 返回"),
    ]

    def __init__(self, session: QuizSession, lang: Lang) -> None:
        super().__init__(lang)
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
            self.post_message(QuizFinished(self.session))
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
            f"  {w('answer_shown', lang, shown=shown)}\n\n",
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
        self.post_message(AnswerRecorded())
        self.show_question(keep_answer=True)
        self.query_one(ProgressBar).update(progress=len(self.session.results))

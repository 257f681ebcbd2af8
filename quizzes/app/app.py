"""`torchdojo` with no arguments: dashboard, quizzes, exercises and progress in one terminal app.

Start-up imports neither torch nor the grader's runner child: checks run in a
separate process, through a background worker, when the learner asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

import torchdojo.quizzes.app.fast as fast
from torchdojo.quizzes.app.screens.base import DojoScreen
from torchdojo.quizzes.app.screens.dashboard import DashboardScreen
from torchdojo.quizzes.app.screens.messages import (
    PLACES,
    AnswerRecorded,
    CheckExercise,
    ChooseTopics,
    NextHint,
    Open,
    Place,
    Practise,
    QuizFinished,
    QuizOn,
    StartQuiz,
)
from torchdojo.quizzes.app.words import w

if TYPE_CHECKING:
    from torchdojo.core.catalog import Catalog, Exercise
    from torchdojo.core.report import Report
    from torchdojo.i18n import Lang, Text
    from torchdojo.learner.context import Context
    from torchdojo.learner.watch import WarmOrCold
    from torchdojo.quizzes.app.screens.exercises import ExercisesScreen
    from torchdojo.quizzes.app.screens.progress import ProgressScreen
    from torchdojo.quizzes.app.state import Record
    from torchdojo.quizzes.bank import Bank
    from torchdojo.quizzes.engine import QuizSession
    from torchdojo.record.progress import Progress

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class TorchDojoApp(App[None]):
    """Holds the record, the catalog and the bank, and does what the screens ask (their messages, `on_*` below).

    Its top-level places (dashboard, exercises, progress) are Textual modes, each with its own screen stack;
    a quiz, its results and the dialogs are pushed over the current place.
    """

    CSS_PATH = Path(__file__).resolve().parent / "app.tcss"
    TITLE = "torchdojo"
    BINDINGS = [
        Binding("l", "toggle_lang", "中文/English"),
        Binding("t", "toggle_theme", "Theme 主题", show=False),
        Binding("d", "dashboard", "Home 总览", show=False),
        Binding("e", "exercises", "Exercises 练习", show=False),
        Binding("p", "progress", "Progress 进度", show=False),
        Binding("question_mark,f1", "help", "Help 帮助"),
        Binding("q", "quit", "Quit 退出"),
    ]
    DEFAULT_MODE = "dashboard"
    lang: reactive[Lang] = reactive("en", init=False)

    def __init__(
        self,
        progress_path: Path | None = None,
        workspace: Path | None = None,
        lang: str | None = None,
        quiz: QuizSession | None = None,
        ctx: Context | None = None,
    ) -> None:
        super().__init__()
        # Textual MODES, one per place: each base screen is built on its first visit from this app's data (add_mode
        # takes a callable per instance; a class-level MODES table could not reach the record). The dashboard, the
        # default mode, is added once it is composed (on_mount): built as the default screen, it skips the stylesheet
        # refresh Textual gives a mode's first screen, before the first frame.
        for place in PLACES:
            if place != self.DEFAULT_MODE:
                self.add_mode(place, partial(self._place, place))
        self._places: dict[str, DojoScreen] = {}  # the base screen of each place visited so far
        self._shared_store = ctx.store if ctx is not None else None
        if ctx is not None:  # started from the CLI: the same record, through the same store, as every other command
            from torchdojo.paths import record_file

            workspace = ctx.workspace
            progress_path = ctx.store.path if ctx.store is not None else record_file(workspace)
            lang = getattr(ctx.args, "lang", None) or lang
        self.progress_path = progress_path
        self.workspace = workspace
        self.initial_quiz = quiz
        self.warm: WarmOrCold | None = None
        self.predict_offered: set[str] = set()  # exercises whose "predict the output" was offered
        self.quiz_topics: list[str] = []  # the topics last chosen for a quiz
        self._loaded = False
        self._asked_lang = lang
        # The first screen is drawn from plain data when it can be (torchdojo.quizzes.app.fast); the models
        # load right after it is shown. Otherwise (no index yet, an unusual record) they load now.
        self._figures = fast.figures(progress_path, lang) if quiz is None else None
        if self._figures is None:
            self._load()
            start_lang, self._theme = lang if fast.is_lang(lang) else self.progress.settings.lang, self.progress.settings.theme
        else:
            start_lang, self._theme = self._figures.lang, self._figures.theme
        self.set_reactive(TorchDojoApp.lang, start_lang)
        if quiz is not None:
            quiz.store = self.record.store
            quiz.lang = self.lang

    # -- start ---------------------------------------------------------------------------
    def get_default_screen(self) -> Screen:
        return self._place("dashboard")

    def on_mount(self) -> None:
        self.add_mode(self.DEFAULT_MODE, partial(self._place, "dashboard"))  # composed already: switch_mode finds it
        self.theme = THEMES.get(self._theme, "textual-dark")
        self.sub_title = w("dashboard", self.lang)
        if self.initial_quiz is not None:
            self._push_quiz(self.initial_quiz)
        if self._loaded:
            self._say_record_problems()

    def on_ready(self) -> None:
        if not self._loaded:  # the first frame is on screen: now load the models
            self.set_timer(0.01, self._finish_loading)

    def _finish_loading(self) -> None:
        if self._figures is None:
            return
        self._load()
        self._say_record_problems()
        if self.screen_stack:  # empty once the app is closing (the timer may fire then)
            self._hand_down()  # the dashboard redraws from the models if it is shown

    def _say_record_problems(self) -> None:
        for notice in self.record.notices:
            self.notify(notice, severity="warning", timeout=15)
        if self.record.problem:
            self.notify(w("not_saved", self.lang, reason=self.record.problem), severity="error", timeout=20)

    # -- the models, loaded once, on first use -----------------------------------------------
    def _load(self) -> None:
        if self._loaded:
            return
        from torchdojo.core.catalog import load_catalog
        from torchdojo.quizzes.app.state import Record, load_bank_cached

        self._loaded = True
        self._record = Record(self.progress_path, self._shared_store)
        self._progress = self._record.load(self._asked_lang if fast.is_lang(self._asked_lang) else "en")
        self._catalog = load_catalog()
        self._bank = load_bank_cached()
        self._figures = None

    @property
    def record(self) -> Record:
        self._load()
        return self._record

    @property
    def progress(self) -> Progress:
        self._load()
        return self._progress

    @progress.setter
    def progress(self, value: Progress) -> None:
        self._load()
        self._progress = value

    @property
    def catalog(self) -> Catalog:
        self._load()
        return self._catalog

    @property
    def bank(self) -> Bank:
        self._load()
        return self._bank

    def figures(self) -> fast.Figures:
        """What the dashboard shows: from plain data until the models are loaded."""
        if self._figures is not None and not self._loaded:
            return self._figures
        from torchdojo.quizzes.app.state import full_figures

        return full_figures(self.progress, self.bank, self.catalog, self.lang)

    def on_unmount(self) -> None:
        if self.warm is not None:
            self.warm.close()

    # -- the record, handed down to the screens -------------------------------------------------
    def reload_progress(self) -> None:
        if self.record.store is not None:
            self.progress = self.record.load(self.lang)
            self._hand_down()

    def _hand_down(self) -> None:
        """The record changed: each place's screen gets what it shows (each redraws when it is shown)."""
        for screen in self._places.values():
            if isinstance(screen, DashboardScreen):
                screen.record_shown = self.record_shown
                screen.figures = self.figures()
            else:
                cast("ExercisesScreen | ProgressScreen", screen).progress = self.progress

    def check_exercise(self, exercise: Exercise) -> Report:
        """Runs in a worker thread: the grader's child process does the work."""
        from torchdojo.core.runner import grade
        from torchdojo.record.workspace import exercise_file

        assert self.workspace is not None
        if self.warm is None:
            from torchdojo.learner.watch import WarmOrCold

            self.warm = WarmOrCold()  # torch loads there, in its own process, on the first check
        report = grade(exercise, exercise_file(self.workspace, exercise), launcher=self.warm)
        if self.record.store is not None:
            from torchdojo.learner.context import attempt_added

            self.record.store.update(attempt_added(report, "app"))
            self.call_from_thread(self.reload_progress)
        return report

    def next_hints(self, exercise: Exercise) -> list[Text]:
        from torchdojo.learner.context import hint_revealed

        count = self.record.store.update(hint_revealed(exercise)) if self.record.store else len(exercise.hints)
        self.reload_progress()
        return exercise.hints[:count]

    @property
    def record_shown(self) -> str | None:
        """The record in use, as the learner would type its path."""
        from torchdojo.paths import shown_path

        if not self._loaded:  # the first screen: the record read fine as plain data
            return shown_path(self.progress_path) if self.progress_path is not None else None
        return shown_path(self.record.store.path) if self.record.store is not None else None

    # -- the places (Textual modes) -----------------------------------------------------------
    def _place(self, place: Place) -> Screen:
        """The base screen of a place, built on its first visit; what it shows is handed down here."""
        screen: DojoScreen
        if place == "dashboard":
            screen = DashboardScreen(self.lang, self.figures(), self.record_shown)
        elif place == "exercises":
            from torchdojo.quizzes.app.screens.exercises import ExercisesScreen

            screen = ExercisesScreen(self.lang, self.catalog, self.progress, self.bank, self.workspace)
        else:
            from torchdojo.quizzes.app.screens.progress import ProgressScreen

            screen = ProgressScreen(self.lang, self.progress, len(self.catalog.exercises))
        self._places[place] = screen
        return screen

    def _open(self, place: Place) -> None:
        """Closes what is shown over the current place (a quiz, results, a dialog), then shows `place` as it was left."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.switch_mode(place)

    def _exercises(self) -> ExercisesScreen:
        from torchdojo.quizzes.app.screens.exercises import ExercisesScreen

        screen = self._places.get("exercises") or self._place("exercises")
        assert isinstance(screen, ExercisesScreen)
        return screen

    # -- what the screens ask (their messages) ----------------------------------------------------
    def on_open(self, message: Open) -> None:
        self._open(message.place)

    def on_start_quiz(self, message: StartQuiz) -> None:
        self.start_quiz(review=message.review)

    def on_choose_topics(self, _: ChooseTopics) -> None:
        self.choose_topics()

    def on_answer_recorded(self, _: AnswerRecorded) -> None:
        self.reload_progress()

    def on_quiz_finished(self, message: QuizFinished) -> None:
        self.show_results(message.session)

    def on_practise(self, message: Practise) -> None:
        self.practise(message.question_ids)

    def on_quiz_on(self, message: QuizOn) -> None:
        self.quiz_on(message.question_ids)

    def on_check_exercise(self, message: CheckExercise) -> None:
        """Offers the exercise's "predict the output" question before its first check, once; then grades it."""
        from torchdojo.quizzes.app.screens.predict import PredictScreen
        from torchdojo.quizzes.app.state import predict_offer

        exercise = message.exercise
        question = predict_offer(self.progress, self.bank, exercise.id, self.predict_offered)
        if question is None:
            self._start_check(exercise)
            return
        self.predict_offered.add(exercise.id)  # offered once: skipping it is always fine

        def chosen(predict: bool | None) -> None:
            if predict:
                self.quiz_on([question])
            else:
                self._start_check(exercise)

        self.push_screen(PredictScreen(exercise.id, self.lang), chosen)

    def _start_check(self, exercise: Exercise) -> None:
        self._exercises().checking = exercise
        self._run_check(exercise)

    @work(thread=True, exclusive=True, group="check")
    def _run_check(self, exercise: Exercise) -> None:
        report = self.check_exercise(exercise)
        self.call_from_thread(self._checked, exercise, report)

    def _checked(self, exercise: Exercise, report: Report) -> None:
        from torchdojo.quizzes.app.screens.exercises import Checked

        self._exercises().checked = Checked(exercise, report)

    def on_next_hint(self, message: NextHint) -> None:
        from torchdojo.quizzes.app.screens.exercises import Hints

        self._exercises().hints = Hints(message.exercise, self.next_hints(message.exercise))

    # -- quizzes --------------------------------------------------------------------------------
    def choose_topics(self) -> None:
        """Tick topics, then ten questions from them."""
        from torchdojo.quizzes.app.screens.topics import TopicsScreen
        from torchdojo.quizzes.app.state import topic_choices

        def chosen(topics: list[str] | None) -> None:
            if topics:
                self.quiz_topics = topics
                self.start_quiz(topics=topics)

        self.push_screen(TopicsScreen(topic_choices(self.bank, self.lang), self.lang, self.quiz_topics), chosen)

    def start_quiz(self, review: bool = False, topic: str | None = None, topics: list[str] | None = None) -> None:
        from torchdojo.quizzes.engine import QuizSession, due_reviews

        ids = due_reviews(self.progress, self.bank) if review else None
        if review and not ids:
            from torchdojo.quizzes.app.screens.nothing_due import NothingDueScreen
            from torchdojo.quizzes.app.state import later_reviews, missed_questions

            def chosen(missed: list[str] | None) -> None:
                if missed:
                    self.practise(missed)

            upcoming = NothingDueScreen(missed_questions(self.progress, self.bank), later_reviews(self.progress, self.bank), self.lang)
            self.push_screen(upcoming, chosen)
            return
        topics = [topic] if topic else topics
        session = QuizSession.start(self.bank, topics, count=None if review else 10, lang=self.lang, store=self.record.store, question_ids=ids)
        self._push_quiz(session)

    def _push_quiz(self, session: QuizSession) -> None:
        from torchdojo.quizzes.app.screens.quiz import QuizScreen

        self.push_screen(QuizScreen(session, self.lang))

    def practise(self, question_ids: list[str]) -> None:
        """The missed questions now, before they are due (answers are recorded and rescheduled), over the dashboard."""
        from torchdojo.quizzes.engine import QuizSession

        session = QuizSession.start(self.bank, lang=self.lang, store=self.record.store, question_ids=question_ids)
        self._open("dashboard")
        self._push_quiz(session)

    def quiz_on(self, question_ids: list[str]) -> None:
        """These questions, over the screen that offered them (Esc returns there)."""
        from torchdojo.quizzes.engine import QuizSession

        session = QuizSession.start(self.bank, lang=self.lang, store=self.record.store, question_ids=question_ids)
        self._push_quiz(session)

    def show_results(self, session: QuizSession) -> None:
        """In place of the finished quiz; over the place's own screen (the bottom of its stack, never replaced)."""
        from torchdojo.quizzes.app.screens.results import ResultsScreen

        results = ResultsScreen(session, self.lang)
        if len(self.screen_stack) <= 1:
            self.push_screen(results)
        else:
            self.switch_screen(results)

    # -- actions -------------------------------------------------------------------------
    def action_dashboard(self) -> None:
        self._open("dashboard")

    def action_exercises(self) -> None:
        self._open("exercises")

    def action_progress(self) -> None:
        self._open("progress")

    def action_help(self) -> None:
        from torchdojo.quizzes.app.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.binding_help(), self.lang))

    def action_toggle_lang(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"

    def watch_lang(self, lang: Lang) -> None:
        self.notify(w("lang_switched", lang), timeout=2)
        screens = [*self._places.values(), *(s for s in self.screen_stack if s not in self._places.values())]
        for screen in screens:
            if isinstance(screen, DojoScreen):
                screen.lang = lang  # each redraws its words (the one shown, its title and footer too)
        self._save_settings()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self._save_settings()

    def _save_settings(self) -> None:
        theme: fast.Theme = "light" if self.theme == "textual-light" else "dark"
        self.record.save_settings(self.lang, theme)
        self.reload_progress()

    def binding_help(self) -> list[tuple[str, str]]:
        """Every key and what it does, in the learner's language (the help screen's lines)."""
        keys = [
            ("l", "key_lang"),
            ("t", "key_theme"),
            ("d / e / p", "key_places"),
            ("s / r", "key_quiz"),
            ("o", "key_topics"),
            ("1-6 ↑↓", "key_choose"),
            ("enter", "key_enter"),
            ("a", "key_multiple"),
            ("r", "key_practise"),
            ("c / h", "key_check_hint"),
            ("u", "key_linked"),
            ("esc", "key_back"),
            ("?", "help"),
            ("ctrl+p", "key_palette"),
            ("q", "quit"),
        ]
        return [(key, w(word, self.lang)) for key, word in keys]

    def palette_actions(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Every action of the app, as (title, help, callback): the command palette lists them all."""
        from torchdojo.quizzes.models import TOPIC_TITLES, TOPICS

        def both(key: str, **values: object) -> str:
            return w(key, "en", **values) + " / " + w(key, "zh", **values)

        actions: list[tuple[str, str, Callable[[], object]]] = [
            ("Language: 中文 / English", "Switch the language (切换语言)", self.action_toggle_lang),
            ("Theme: light / dark 主题", "Switch between the light and dark theme (切换主题)", self.action_toggle_theme),
            (both("dashboard"), "Open the dashboard", self.action_dashboard),
            (both("exercises"), "Open the exercises", self.action_exercises),
            (both("progress"), "Open the progress charts", self.action_progress),
            (both("start_quiz"), "Ten questions from every topic", self.start_quiz),
            (both("start_review"), "The questions that are due for review", lambda: self.start_quiz(review=True)),
            (both("choose_topics"), "Tick the topics, then ten questions from them", self.choose_topics),
        ]
        for topic in TOPICS:
            title = f"{w('quiz_topic', 'en', topic=TOPIC_TITLES[topic]('en'))} / {w('quiz_topic', 'zh', topic=TOPIC_TITLES[topic]('zh'))}"
            actions.append((title, f"Every question on {TOPIC_TITLES[topic]('en')}", partial(self.start_quiz, topic=topic)))
        actions += [
            (both("check_selected"), "Run the grader on the selected exercise", lambda: self._on_exercise("action_check")),
            (both("hint_selected"), "Show one more hint for the selected exercise", lambda: self._on_exercise("action_hint")),
            (both("linked_selected"), "The questions that go with the selected exercise, once it passes", lambda: self._on_exercise("action_linked")),
            (both("help"), "Every key", self.action_help),
            (both("quit"), "Leave torchdojo", self.exit),
        ]
        return actions

    def _on_exercise(self, action: str) -> None:
        """Check or hint from anywhere: on the Exercises screen (opened if needed), for its selected row."""
        if self.screen is not self._places.get("exercises"):
            self._open("exercises")
        self.call_after_refresh(lambda: getattr(self.screen, action)())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        titles = {title for title, _, _ in self.palette_actions()}
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Theme") and command.title not in titles:
                yield command
        for title, help_text, callback in self.palette_actions():
            yield SystemCommand(title, help_text, callback)

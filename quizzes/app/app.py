"""`torchdojo` with no arguments: dashboard, quizzes, exercises and progress in one terminal app.

Start-up imports neither torch nor the grader's runner child: checks run in a
separate process, through a background worker, when the learner asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

import torchdojo.quizzes.app.fast as fast
from torchdojo.quizzes.app.dashboard import DashboardScreen, DojoScreen
from torchdojo.quizzes.app.words import w

if TYPE_CHECKING:
    from types import ModuleType

    from torchdojo.core.catalog import Catalog, Exercise
    from torchdojo.core.report import Report
    from torchdojo.i18n import Lang, Text
    from torchdojo.learner.context import Context
    from torchdojo.learner.watch import WarmOrCold
    from torchdojo.quizzes.app.state import Record
    from torchdojo.quizzes.bank import Bank
    from torchdojo.quizzes.engine import QuizSession
    from torchdojo.record.progress import Progress

THEMES = {"dark": "textual-dark", "light": "textual-light"}


def _screens() -> ModuleType:
    """The other screens, loaded after the first paint (they need the models)."""
    import torchdojo.quizzes.app.screens as screens

    return screens


class TorchDojoApp(App[None]):
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
        """The dashboard is the bottom of the stack: one screen composed at start-up, not a blank one under it."""
        return DashboardScreen()

    def on_mount(self) -> None:
        self.theme = THEMES.get(self._theme, "textual-dark")
        self.sub_title = w("dashboard", self.lang)
        if self.initial_quiz is not None:
            self.push_screen(_screens().QuizScreen(self.initial_quiz))
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
        stack = self.screen_stack  # empty once the app is closing (the timer may fire then)
        if stack and isinstance(stack[-1], DashboardScreen) and stack[-1].is_mounted:
            stack[-1].refresh_words()

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
        self._progress = self._record.load(self._asked_lang or "en")
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

    # -- state shared by the screens -------------------------------------------------------
    def reload_progress(self) -> None:
        if self.record.store is not None:
            self.progress = self.record.load(self.lang)

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

    def next_unfinished(self) -> Exercise | None:
        return next((e for e in self.catalog.exercises if self.progress.status(e.id) != "done"), None)

    def choose_topics(self) -> None:
        """Tick topics, then ten questions from them."""

        def chosen(topics: list[str] | None) -> None:
            if topics:
                self.quiz_topics = topics
                self.start_quiz(topics=topics)

        self.push_screen(_screens().TopicsScreen(self.quiz_topics), chosen)

    def start_quiz(self, review: bool = False, topic: str | None = None, topics: list[str] | None = None) -> None:
        from torchdojo.quizzes.engine import QuizSession, due_reviews

        ids = due_reviews(self.progress, self.bank) if review else None
        if review and not ids:
            from torchdojo.quizzes.app.state import later_reviews, missed_questions

            self.push_screen(_screens().NothingDueScreen(missed_questions(self.progress, self.bank), later_reviews(self.progress, self.bank)))
            return
        topics = [topic] if topic else topics
        session = QuizSession.start(self.bank, topics, count=None if review else 10, lang=self.lang, store=self.record.store, question_ids=ids)
        self.push_screen(_screens().QuizScreen(session))

    def practise(self, question_ids: list[str]) -> None:
        """The missed questions now, before they are due (answers are recorded and rescheduled)."""
        from torchdojo.quizzes.engine import QuizSession

        session = QuizSession.start(self.bank, lang=self.lang, store=self.record.store, question_ids=question_ids)
        while len(self.screen_stack) > 1:  # back to the dashboard, the bottom of the stack
            self.pop_screen()
        self.push_screen(_screens().QuizScreen(session))

    def quiz_on(self, question_ids: list[str]) -> None:
        """These questions, over the screen that offered them (Esc returns there)."""
        from torchdojo.quizzes.engine import QuizSession

        session = QuizSession.start(self.bank, lang=self.lang, store=self.record.store, question_ids=question_ids)
        self.push_screen(_screens().QuizScreen(session))

    def show_results(self, session: QuizSession) -> None:
        """In place of the finished quiz; over the dashboard (the bottom of the stack, never replaced)."""
        results = _screens().ResultsScreen(session)
        if isinstance(self.screen, DashboardScreen):
            self.push_screen(results)
        else:
            self.switch_screen(results)

    # -- actions -------------------------------------------------------------------------
    def _go(self, screen_type: type[DojoScreen]) -> None:
        while len(self.screen_stack) > 1:  # back to the dashboard, the bottom of the stack
            self.pop_screen()
        if screen_type is not DashboardScreen:
            self.push_screen(screen_type())

    def action_dashboard(self) -> None:
        self._go(DashboardScreen)

    def action_exercises(self) -> None:
        self._go(_screens().ExercisesScreen)

    def action_progress(self) -> None:
        self._go(_screens().ProgressScreen)

    def action_help(self) -> None:
        if not isinstance(self.screen, _screens().HelpScreen):
            self.push_screen(_screens().HelpScreen())

    def action_toggle_lang(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"

    def watch_lang(self, lang: Lang) -> None:
        self.notify(w("lang_switched", lang), timeout=2)
        for screen in self.screen_stack:
            if isinstance(screen, DojoScreen) and screen.is_mounted:
                screen.redraw() if screen is self.screen else screen.refresh_words()
        self._save_settings()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self._save_settings()

    def _save_settings(self) -> None:
        theme: fast.Theme = "light" if self.theme == "textual-light" else "dark"
        self.record.save_settings(self.lang, theme)
        self.reload_progress()

    def binding_help(self) -> list[tuple[str, str]]:
        zh = self.lang == "zh"
        return [
            ("l", "切换中文/英文" if zh else "switch 中文 / English"),
            ("t", "浅色/深色主题" if zh else "light / dark theme"),
            ("d / e / p", "总览 / 练习 / 进度" if zh else "dashboard / exercises / progress"),
            ("s / r", "开始测验 / 复习(总览)" if zh else "start a quiz / review (dashboard)"),
            ("o", "选择测验主题(总览)" if zh else "choose the quiz topics (dashboard)"),
            ("1-6 ↑↓", "选择选项(测验)" if zh else "choose an option (quiz)"),
            ("enter", "提交答案、下一题(测验);检查练习" if zh else "answer, next question (quiz); check (exercises)"),
            ("a", "提交多选题" if zh else "answer a multiple-choice question"),
            ("r", "练习答错的题(结果)" if zh else "practise the missed questions (results)"),
            ("c / h", "检查 / 下一条提示(练习)" if zh else "check / next hint (exercises)"),
            ("u", "通过后的相关测验(练习)" if zh else "quiz on a passed exercise (exercises)"),
            ("esc", "返回" if zh else "back"),
            ("?", w("help", self.lang)),
            ("ctrl+p", "命令面板:所有操作" if zh else "command palette: every action"),
            ("q", w("quit", self.lang)),
        ]

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
        if not isinstance(self.screen, _screens().ExercisesScreen):
            self.action_exercises()
        self.call_after_refresh(lambda: getattr(self.screen, action)())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        titles = {title for title, _, _ in self.palette_actions()}
        for command in super().get_system_commands(screen):
            if command.title not in ("Quit", "Theme") and command.title not in titles:
                yield command
        for title, help_text, callback in self.palette_actions():
            yield SystemCommand(title, help_text, callback)

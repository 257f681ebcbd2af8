"""`torchdojo` with no arguments: dashboard, quizzes, exercises and progress in one terminal app.

Start-up imports neither torch nor the grader's runner child: checks run in a
separate process, through a background worker, when the learner asks.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from grader.catalog import Catalog, Exercise, load_catalog
from grader.progress import Progress, attempt_from_report
from quizzes.app.screens import DashboardScreen, DojoScreen, ExercisesScreen, HelpScreen, ProgressScreen, QuizScreen, ResultsScreen
from quizzes.app.state import Record
from quizzes.app.words import w
from quizzes.bank import Bank, load_shipped
from quizzes.engine import QuizSession, due_reviews

if TYPE_CHECKING:
    from grader.i18n import Text
    from grader.report import Report

THEMES = {"dark": "textual-dark", "light": "textual-light"}


class TorchDojoApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "torchdojo"
    BINDINGS = [
        Binding("l", "toggle_lang", "中文/English"),
        Binding("t", "toggle_theme", "Theme 主题"),
        Binding("d", "dashboard", "Home 总览"),
        Binding("e", "exercises", "Exercises 练习"),
        Binding("p", "progress", "Progress 进度"),
        Binding("question_mark,f1", "help", "Help 帮助"),
        Binding("q", "quit", "Quit 退出"),
    ]
    lang: reactive[str] = reactive("en", init=False)

    def __init__(
        self,
        progress_path: Path | None = None,
        workspace: Path | None = None,
        lang: str | None = None,
        quiz: QuizSession | None = None,
        ctx: object | None = None,
    ) -> None:
        super().__init__()
        if ctx is not None:  # started from the CLI
            store = getattr(ctx, "store", None)
            from quizzes.cli import HOME_PROGRESS

            progress_path = store.path if store is not None else HOME_PROGRESS
            workspace = getattr(ctx, "workspace", None)
            lang = getattr(getattr(ctx, "args", None), "lang", None) or lang
        self.record = Record(progress_path)
        self.progress: Progress = self.record.load(lang or "en")
        self.workspace = workspace
        self.catalog: Catalog = load_catalog()
        self.bank: Bank = load_shipped()
        self.initial_quiz = quiz
        self.warm: object | None = None
        self.set_reactive(TorchDojoApp.lang, lang if lang in ("en", "zh") else self.progress.settings.lang)
        if quiz is not None:
            quiz.store = self.record.store
            quiz.lang = self.lang  # type: ignore[assignment]

    # -- start ---------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.theme = THEMES.get(self.progress.settings.theme, "textual-dark")
        self.sub_title = w("dashboard", self.lang)
        self.push_screen(DashboardScreen())
        if self.initial_quiz is not None:
            self.push_screen(QuizScreen(self.initial_quiz))
        for notice in self.record.notices:
            self.notify(notice, severity="warning", timeout=15)
        if self.record.problem:
            self.notify(w("not_saved", self.lang, reason=self.record.problem), severity="error", timeout=20)

    def on_unmount(self) -> None:
        if self.warm is not None:
            self.warm.close()  # type: ignore[attr-defined]

    # -- state shared by the screens -------------------------------------------------------
    def reload_progress(self) -> None:
        if self.record.store is not None:
            self.progress = self.record.load(self.lang)

    def check_exercise(self, exercise: Exercise) -> Report:
        """Runs in a worker thread: the grader's child process does the work."""
        from grader.runner import grade
        from grader.workspace import exercise_file

        assert self.workspace is not None
        if self.warm is None:
            from grader.warm import WarmWorker

            self.warm = WarmWorker()  # torch loads there, in its own process, on the first check
        report = grade(exercise, exercise_file(self.workspace, exercise), launcher=self.warm)
        if self.record.store is not None:
            self.record.store.update(lambda p: p.exercise_attempts.append(attempt_from_report(report, source="app")))
            self.call_from_thread(self.reload_progress)
        return report

    def next_hints(self, exercise: Exercise) -> list[Text]:
        def reveal(progress: Progress) -> int:
            count = min(progress.hints_shown.get(exercise.id, 0) + 1, len(exercise.hints))
            progress.hints_shown[exercise.id] = count
            return count

        count = self.record.store.update(reveal) if self.record.store else len(exercise.hints)
        self.reload_progress()
        return exercise.hints[:count]

    def start_quiz(self, review: bool = False) -> None:
        ids = due_reviews(self.progress, self.bank) if review else None
        if review and not ids:
            self.notify(w("nothing_to_review", self.lang))
            return
        session = QuizSession.start(self.bank, count=None if review else 10, lang=self.lang, store=self.record.store, question_ids=ids)  # type: ignore[arg-type]
        self.push_screen(QuizScreen(session))

    def show_results(self, session: QuizSession) -> None:
        self.switch_screen(ResultsScreen(session))

    # -- actions -------------------------------------------------------------------------
    def _go(self, screen_type: type[DojoScreen]) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
        if not isinstance(self.screen, DashboardScreen):
            self.pop_screen()
        if screen_type is not DashboardScreen:
            self.push_screen(screen_type())

    def action_dashboard(self) -> None:
        self._go(DashboardScreen)

    def action_exercises(self) -> None:
        self._go(ExercisesScreen)

    def action_progress(self) -> None:
        self._go(ProgressScreen)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_lang(self) -> None:
        self.lang = "zh" if self.lang == "en" else "en"

    def watch_lang(self, lang: str) -> None:
        self.notify(w("lang_switched", lang), timeout=2)
        for screen in self.screen_stack:
            if isinstance(screen, DojoScreen) and screen.is_mounted:
                screen.redraw() if screen is self.screen else screen.refresh_words()
        self._save_settings()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"
        self._save_settings()

    def _save_settings(self) -> None:
        theme = "light" if self.theme == "textual-light" else "dark"
        self.record.save_settings(self.lang, theme)
        self.reload_progress()

    def binding_help(self) -> list[tuple[str, str]]:
        zh = self.lang == "zh"
        return [
            ("l", "切换中文/英文" if zh else "switch 中文 / English"),
            ("t", "浅色/深色主题" if zh else "light / dark theme"),
            ("d", w("dashboard", self.lang)),
            ("e", w("exercises", self.lang)),
            ("p", w("progress", self.lang)),
            ("s / r", "开始测验 / 复习" if zh else "start a quiz / review (dashboard)"),
            ("1-6", "选择选项" if zh else "choose an option (quiz)"),
            ("a / n", "提交 / 下一题" if zh else "answer / next question (quiz)"),
            ("enter", "检查练习" if zh else "check the selected exercise"),
            ("h", "下一条提示" if zh else "next hint (exercises)"),
            ("esc", "返回" if zh else "back"),
            ("?", w("help", self.lang)),
            ("ctrl+p", "命令面板" if zh else "command palette"),
            ("q", w("quit", self.lang)),
        ]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Language: 中文 / English", "Switch the language (切换语言)", self.action_toggle_lang)
        yield SystemCommand(w("dashboard", "en") + " / " + w("dashboard", "zh"), "Open the dashboard", self.action_dashboard)
        yield SystemCommand(w("exercises", "en") + " / " + w("exercises", "zh"), "Open the exercises", self.action_exercises)
        yield SystemCommand(w("progress", "en") + " / " + w("progress", "zh"), "Open the progress charts", self.action_progress)
        yield SystemCommand(w("start_quiz", "en") + " / " + w("start_quiz", "zh"), "Ten questions from every topic", self.start_quiz)

"""The app's shape (issue 16): one module per screen, Textual modes for the places, messages up and attributes down.

A screen shows what the app hands it and posts a message for what the learner asks; the app answers. These tests
press the keys and look at the screen stack, the mode and the record; and they read the screens' source for calls
into the app, which would bring the tangle back.
"""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path

import pytest
from textual.message import Message
from textual.widgets import Button, DataTable

from tests.app_fixtures.first_paint import at_first_paint
from tests.app_fixtures.make_progress import write_sample
from tests.conftest import ROOT
from torchdojo.core.catalog import load_catalog
from torchdojo.quizzes.app import TorchDojoApp
from torchdojo.quizzes.app.screens import messages
from torchdojo.quizzes.app.screens.dashboard import DashboardScreen
from torchdojo.quizzes.app.screens.exercises import ExercisesScreen
from torchdojo.quizzes.app.screens.progress import ProgressScreen
from torchdojo.quizzes.app.screens.quiz import QuizScreen
from torchdojo.quizzes.app.screens.results import ResultsScreen
from torchdojo.quizzes.bank import load_shipped
from torchdojo.quizzes.engine import QuizSession, correct_response
from torchdojo.record.workspace import init_workspace

SIZE = (110, 36)
APP_DIR = ROOT / "quizzes" / "app"
SCREENS = sorted((APP_DIR / "screens").glob("*.py"))


# -- the source: screens never reach into the app ------------------------------------------------------


def _app_own_names() -> set[str]:
    """Methods and attributes TorchDojoApp adds to Textual's App: what a screen must not call or read."""
    from textual.app import App

    tree = ast.parse((APP_DIR / "app.py").read_text(encoding="utf-8"))
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "TorchDojoApp")
    names: set[str] = set()
    for node in ast.walk(cls):
        if isinstance(node, ast.FunctionDef) and node in cls.body:
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self" and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node in cls.body:
            names.add(node.target.id)
    return names - set(dir(App))


def _reaches_into_the_app(source: str, own: set[str]) -> list[str]:
    """Each place in `source` that uses the app beyond Textual's own App: `dojo_app`, `self.dojo`, `self.app.<ours>`."""
    found = []
    if "TorchDojoApp" in source:
        found.append("names TorchDojoApp")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and node.id == "dojo_app":
            found.append(f"line {node.lineno}: dojo_app")
        elif isinstance(node, ast.Attribute) and node.attr == "dojo":
            found.append(f"line {node.lineno}: .dojo")
        elif isinstance(node, ast.Attribute) and node.attr in own and isinstance(node.value, ast.Attribute) and node.value.attr == "app":
            found.append(f"line {node.lineno}: .app.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in ("torchdojo.quizzes.app.app", "torchdojo.quizzes.app"):
            found.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import) and any(a.name == "torchdojo.quizzes.app.app" for a in node.names):
            found.append(f"line {node.lineno}: imports the app")
    return found


def test_the_check_finds_a_call_into_the_app() -> None:
    own = _app_own_names()
    assert {"start_quiz", "practise", "show_results", "reload_progress", "check_exercise", "lang", "progress"} <= own
    assert "push_screen" not in own and "notify" not in own  # Textual's own: a screen may use them
    for sneaky in (
        "self.app.start_quiz()",
        "x = self.app.progress",
        "dojo_app(self).practise([])",
        "self.dojo.reload_progress()",
        "from torchdojo.quizzes.app.app import TorchDojoApp",
        "import torchdojo.quizzes.app.app",
    ):
        assert _reaches_into_the_app(sneaky, own), sneaky
    assert _reaches_into_the_app("self.app.push_screen(x)\nself.notify('hi')\nself.post_message(m)", own) == []


@pytest.mark.parametrize("module", SCREENS, ids=lambda path: path.name)
def test_a_screen_never_calls_into_the_app(module: Path) -> None:
    assert _reaches_into_the_app(module.read_text(encoding="utf-8"), _app_own_names()) == []


def test_one_module_per_screen() -> None:
    expected = {"base", "messages", "dashboard", "quiz", "results", "exercises", "topics", "predict", "progress", "help", "nothing_due"}
    assert {path.stem for path in SCREENS} - {"__init__"} == expected
    assert not (APP_DIR / "screens.py").exists() and not (APP_DIR / "dashboard.py").exists()


def test_every_message_has_its_handler_in_the_app() -> None:
    posted = [cls for _, cls in inspect.getmembers(messages, inspect.isclass) if issubclass(cls, Message) and cls.__module__ == messages.__name__]
    assert len(posted) >= 9
    missing = [cls.__name__ for cls in posted if not callable(getattr(TorchDojoApp, cls.handler_name, None))]
    assert missing == []


def test_the_app_speaks_through_one_mechanism() -> None:
    """Text is chosen by `text(lang)` (words.Text, torchdojo.i18n.Text): no `... if lang == "zh" else ...` left in the app."""
    from torchdojo.i18n import Text as I18nText
    from torchdojo.quizzes.app.words import WORDS, Text

    for path in sorted(APP_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "__call__" and path.name == "words.py" for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and id(node) not in allowed:
                assert not any(isinstance(c, ast.Constant) and c.value == "zh" for c in [node.left, *node.comparators]), f"{path.name}:{node.lineno}"
    for text in (WORDS["quiz"], Text(en="Tensors", zh="张量")):
        assert [text(lang) for lang in ("en", "zh")] == [I18nText(en=text.en, zh=text.zh)(lang) for lang in ("en", "zh")]


# -- pilots: the learner presses, the app answers ---------------------------------------------------------


async def _answer(pilot, screen: QuizScreen) -> None:
    presented = screen.session.current
    answer = correct_response(presented.question)
    if presented.question.kind == "short":
        await pilot.press(*answer, "enter")
    elif presented.question.kind == "multiple":
        await pilot.press(*(str(presented.option_order.index(o) + 1) for o in answer), "a")
    elif presented.question.kind == "true_false":
        await pilot.press("1" if answer else "2", "enter")
    else:
        await pilot.press(str(presented.option_order.index(answer) + 1), "enter")
    await pilot.pause()


async def test_the_places_are_modes_and_keep_their_place(tmp_path: Path) -> None:
    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    app = TorchDojoApp(progress_path=write_sample(workspace / ".torchdojo" / "progress.json"), workspace=workspace)
    async with app.run_test(size=SIZE) as pilot:
        assert app.current_mode == "dashboard" and isinstance(app.screen, DashboardScreen)
        await pilot.press("e")
        await pilot.pause()
        exercises = app.screen
        assert app.current_mode == "exercises" and isinstance(exercises, ExercisesScreen) and len(app.screen_stack) == 1
        table = exercises.query_one(DataTable)
        start = table.cursor_row
        await pilot.press("down", "down")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        assert app.current_mode == "progress" and isinstance(app.screen, ProgressScreen)
        await pilot.press("escape")  # Back: the progress screen asks for the dashboard
        await pilot.pause()
        assert app.current_mode == "dashboard" and isinstance(app.screen, DashboardScreen)
        await pilot.press("l")  # the language reaches the places not shown too
        await pilot.pause()
        await pilot.click("#open-exercises")
        await pilot.pause()
        assert app.screen is exercises and table.cursor_row == start + 2  # the same screen, where it was left
        assert exercises.lang == "zh" and str(table.columns["col_status"].label) == "状态"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#open-progress")
        await pilot.pause()
        assert app.current_mode == "progress" and app.screen.lang == "zh"


async def test_a_quiz_answer_and_its_end_reach_the_app(tmp_path: Path) -> None:
    record = write_sample(tmp_path / "p.json")
    session = QuizSession.start(load_shipped(), question_ids=["history-01"])
    app = TorchDojoApp(progress_path=record, quiz=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        dashboard = app.screen_stack[0]
        assert isinstance(dashboard, DashboardScreen) and isinstance(app.screen, QuizScreen)
        answers, before = len(app.progress.quiz_answers), dashboard.figures
        await _answer(pilot, app.screen)
        assert len(app.progress.quiz_answers) == answers + 1  # AnswerRecorded: the app read the record again
        assert dashboard.figures != before  # ... and handed the dashboard its new figures
        await pilot.press("enter")  # the last question: QuizFinished
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen) and [type(s) for s in app.screen_stack] == [DashboardScreen, ResultsScreen]
        await pilot.click("#results-back")  # Open("dashboard")
        await pilot.pause()
        assert app.screen_stack == [dashboard] and app.current_mode == "dashboard"
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["quiz_answers"][-1]["question_id"] == "history-01"


async def test_going_to_a_place_closes_what_was_over_the_current_one(tmp_path: Path) -> None:
    session = QuizSession.start(load_shipped(), question_ids=["history-01", "history-03"])
    app = TorchDojoApp(progress_path=tmp_path / "p.json", quiz=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        await pilot.press("p")
        await pilot.pause()
        assert app.current_mode == "progress" and len(app.screen_stack) == 1
        await pilot.press("d")
        await pilot.pause()
        assert app.current_mode == "dashboard" and [type(s) for s in app.screen_stack] == [DashboardScreen]  # the quiz is closed


async def test_a_check_and_a_hint_asked_by_the_screen_come_back_to_it(tmp_path: Path) -> None:
    workspace = tmp_path / "dojo"
    catalog = load_catalog()
    init_workspace(workspace, catalog)
    record = workspace / ".torchdojo" / "progress.json"
    app = TorchDojoApp(progress_path=record, workspace=workspace)
    app.predict_offered.update(e.id for e in catalog.exercises)  # no "predict the output" offer: straight to the check
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ExercisesScreen)
        exercise = screen._selected()
        await pilot.press("c")  # CheckExercise
        await pilot.pause()
        assert screen.checking is exercise
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.checked is not None and screen.checked.exercise is exercise and screen.checked.report.exercise == exercise.id
        await pilot.press("h")  # NextHint
        await pilot.pause()
        assert screen.hints is not None and len(screen.hints.shown) == 1
        assert screen.query_one("#run-check", Button).label  # still the exercises screen, drawn
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["exercise_attempts"][-1]["exercise"] == exercise.id and saved["hints_shown"] == {exercise.id: 1}


def test_the_first_screen_loads_no_other_screen() -> None:
    loaded = at_first_paint("sorted(m.rsplit('.', 1)[-1] for m in sys.modules if m.startswith('torchdojo.quizzes.app.screens.'))")
    assert loaded == "['base', 'dashboard', 'messages']"

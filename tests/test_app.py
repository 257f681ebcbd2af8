"""Pilot-driven tests of the Textual app: every flow a learner takes, by keyboard and by mouse."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from textual.widgets import Button, OptionList, Static

from tests.app_fixtures.first_paint import at_first_paint
from tests.app_fixtures.make_progress import write_sample
from tests.conftest import ROOT
from torchdojo.core.catalog import load_catalog
from torchdojo.quizzes.app import TorchDojoApp
from torchdojo.quizzes.app.screens.dashboard import DashboardScreen
from torchdojo.quizzes.app.screens.exercises import ExercisesScreen
from torchdojo.quizzes.app.screens.help import HelpScreen
from torchdojo.quizzes.app.screens.predict import PredictScreen
from torchdojo.quizzes.app.screens.progress import Chart, ProgressScreen
from torchdojo.quizzes.app.screens.quiz import QuizScreen
from torchdojo.quizzes.app.screens.results import ResultsScreen
from torchdojo.quizzes.app.screens.topics import TopicsScreen
from torchdojo.quizzes.bank import load_shipped
from torchdojo.quizzes.engine import QuizSession, correct_response
from torchdojo.record.workspace import init_workspace

SIZE = (110, 36)
BANK = load_shipped()
CATALOG = load_catalog()
FIRST = CATALOG.exercises[0]  # whatever the catalog lists first: selected when the exercise list opens


def _text(app: TorchDojoApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _answer_current(pilot, screen: QuizScreen) -> None:
    presented = screen.session.current
    question = presented.question
    answer = correct_response(question)
    if question.kind == "short":
        await pilot.press(*answer, "enter")
    elif question.kind == "multiple":
        for option_id in answer:
            await pilot.press(str(presented.option_order.index(option_id) + 1))
        await pilot.press("a")
    elif question.kind == "true_false":
        await pilot.press("1" if answer else "2", "enter")
    else:
        await pilot.press(str(presented.option_order.index(answer) + 1), "enter")
    await pilot.pause()


async def test_quiz_to_the_end_is_recorded(tmp_path: Path) -> None:
    record = tmp_path / "progress.json"
    app = TorchDojoApp(progress_path=record)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, QuizScreen)
        asked = [p.question.id for p in screen.session.items]
        while screen.session.current is not None:
            await _answer_current(pilot, screen)
            assert "✓" in _text(app, "#feedback")
            await pilot.press("enter")
            await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert "10 / 10" in _text(app, "#results-score")
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert [a["question_id"] for a in saved["quiz_answers"]] == asked
    assert all(a["correct"] for a in saved["quiz_answers"])


async def test_mouse_answers_and_wrong_answer_feedback(tmp_path: Path) -> None:
    session = QuizSession.start(BANK, question_ids=["history-03"], seed=3)
    app = TorchDojoApp(progress_path=tmp_path / "p.json", quiz=session)
    async with app.run_test(size=SIZE) as pilot:
        wrong = next(i for i, oid in enumerate(session.items[0].option_order) if oid != "a")
        await pilot.click(OptionList, offset=(4, wrong + 1))
        await pilot.pause()
        assert session.results and not session.results[0][2].correct
        feedback = _text(app, "#feedback")
        assert "✗" in feedback and "2019" in feedback  # the explanation names the seed's wrong year


async def test_switch_language_shows_the_question_in_chinese(tmp_path: Path) -> None:
    record = tmp_path / "progress.json"
    session = QuizSession.start(BANK, question_ids=["history-01"])
    app = TorchDojoApp(progress_path=record, quiz=session)
    async with app.run_test(size=SIZE) as pilot:
        assert "Where was PyTorch built?" in _text(app, "#question-text")
        await pilot.press("l")
        await pilot.pause()
        assert "PyTorch 是在哪里开发的?" in _text(app, "#question-text")
        options = app.screen.query_one(OptionList)
        assert any("Facebook 人工智能研究院" in str(options.get_option_at_index(i).prompt) for i in range(options.option_count))
    assert json.loads(record.read_text(encoding="utf-8"))["settings"]["lang"] == "zh"
    app2 = TorchDojoApp(progress_path=record)
    async with app2.run_test(size=SIZE):
        assert app2.lang == "zh"  # remembered


async def test_exercises_run_a_check_on_a_solution(tmp_path: Path) -> None:
    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    shutil.copyfile(ROOT / "solutions" / FIRST.file, workspace / "exercises" / FIRST.file)
    record = workspace / ".torchdojo" / "progress.json"
    app = TorchDojoApp(progress_path=record, workspace=workspace)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExercisesScreen)
        assert f"exercises/{FIRST.file}" in _text(app, "#exercise-path")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PredictScreen)  # a first check: "predict the output" is offered, never forced
        await pilot.click("#predict-skip")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        report = _text(app, "#exercise-report")
        assert f"{FIRST.max_score}/{FIRST.max_score}" in report and "All checks passed" in report
        linked = app.screen.query_one("#linked-quiz", Button)
        count = sum(FIRST.id in q.exercises for q in BANK.questions)
        assert linked.display and f"Quiz: {count} on this" in str(linked.label)  # passed: its questions are offered
        await pilot.press("h")
        await pilot.pause()
        assert f"1/{len(FIRST.hints)}" in _text(app, "#exercise-report")
    saved = json.loads(record.read_text(encoding="utf-8"))
    assert saved["exercise_attempts"][-1]["source"] == "app" and saved["exercise_attempts"][-1]["score"] == FIRST.max_score
    assert saved["hints_shown"] == {FIRST.id: 1}


async def test_bad_keys_do_nothing_harmful(tmp_path: Path) -> None:
    record = tmp_path / "progress.json"
    session = QuizSession.start(BANK, question_ids=["history-01", "history-05"])
    app = TorchDojoApp(progress_path=record, quiz=session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("9", "0", "x", "z", "a", "n", "enter", "tab", "ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        # A new question starts with no option highlighted: none of these keys answers or skips it.
        assert session.results == [] and session.current is not None and session.current.question.id == "history-01"
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("9", "x", "0")
        assert isinstance(app.screen, DashboardScreen)
    saved = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    assert saved.get("quiz_answers", []) == []


async def test_help_theme_and_progress_screens(tmp_path: Path) -> None:
    record = write_sample(tmp_path / "progress.json")
    app = TorchDojoApp(progress_path=record)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("t")
        await pilot.pause()
        assert app.theme == "textual-light"
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        assert list(app.screen.query_one("#exercise-chart", Chart).data) == [0.0, 1.0, 2.0, 2.0]
        assert list(app.screen.query_one("#quiz-chart", Chart).data) == [1.0, 0.0, 1.0]
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert _text(app, "#stat-exercises").splitlines() == ["Exercises done", f"2 / {len(CATALOG.exercises)}"]
        assert _text(app, "#stat-reviews").splitlines() == ["Reviews due", "1"]  # the sample's one card, due long ago
    assert json.loads(record.read_text(encoding="utf-8"))["settings"]["theme"] == "light"


async def test_corrupted_record_opens_with_a_message_and_a_fresh_start(tmp_path: Path) -> None:
    record = tmp_path / "progress.json"
    record.write_text("{ broken", encoding="utf-8")
    app = TorchDojoApp(progress_path=record)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("could not be read" in m and "corrupt-" in m for m in messages)
        assert isinstance(app.screen, DashboardScreen)
    assert list(tmp_path.glob("progress.json.corrupt-*"))


async def test_future_record_is_left_untouched(tmp_path: Path) -> None:
    record = tmp_path / "progress.json"
    record.write_text('{"schema_version": 42}', encoding="utf-8")
    app = TorchDojoApp(progress_path=record)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("l")
        await pilot.pause()
        assert any("not being saved" in n.message or "不会被保存" in n.message for n in app._notifications)
    assert record.read_text(encoding="utf-8") == '{"schema_version": 42}'


def test_start_up_does_not_import_torch() -> None:
    code = "import sys\nfrom torchdojo.quizzes.app import TorchDojoApp\napp = TorchDojoApp(progress_path=None)\nprint('torch' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT, check=False)
    assert done.stdout.strip() == "False", done.stderr


async def test_review_before_anything_is_due_says_when_and_practises_the_misses(tmp_path: Path) -> None:
    from torchdojo.quizzes.app.screens.nothing_due import NothingDueScreen
    from torchdojo.record.progress import ProgressStore

    record = tmp_path / "progress.json"
    quiz = QuizSession.start(BANK, question_ids=["history-01", "history-03"], store=ProgressStore(record))
    for presented in list(quiz.items):
        right = correct_response(presented.question)
        quiz.answer(next(o for o in presented.option_order if o != right))  # both missed
    app = TorchDojoApp(progress_path=record)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, NothingDueScreen)
        said = " ".join(str(s.render()) for s in app.screen.query(Static)) + " ".join(str(b.label) for b in app.screen.query(Button))
        assert "Nothing to review: all correct" not in said
        assert "2 question(s) come back for review in" in said and "Practise the 2 missed now" in said
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert sorted(p.question.id for p in app.screen.session.items) == ["history-01", "history-03"]


async def test_results_round_scores_and_offer_the_misses(tmp_path: Path) -> None:
    from torchdojo.quizzes.engine import Grade

    session = QuizSession.start(BANK, question_ids=["history-01", "history-03", "history-04"])
    for presented, credit in zip(session.items, (1.0, 0.3333, 0.0), strict=True):
        session.results.append((presented, "a", Grade(credit == 1.0, credit)))
    app = TorchDojoApp(progress_path=tmp_path / "p.json")
    async with app.run_test(size=SIZE) as pilot:
        app.show_results(session)
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert "1.3 / 3" in _text(app, "#results-score") and "1.3333" not in _text(app, "#results-score")
        assert "come back for review" in _text(app, "#results-review")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen) and len(app.screen.session.items) == 2


async def test_chinese_mastery_labels_align(tmp_path: Path) -> None:
    from rich.cells import cell_len

    app = TorchDojoApp(progress_path=write_sample(tmp_path / "p.json", "zh"), lang="zh")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        rows = [str(s.render()) for s in app.screen.query(".mastery-row")]
        starts = {cell_len(row[: min(i for i in (row.find("█"), row.find("░")) if i >= 0)]) for row in rows}
        assert len(rows) >= 4 and len(starts) == 1, rows


def test_the_progress_chart_draws_nothing_for_zero() -> None:
    from torchdojo.quizzes.app.screens.progress import chart_lines

    empty = "".join(chart_lines([0.0, 0.0, 0.0], 21.0, 3, 60)[:-1])
    assert empty.strip() == "", "0 / 21 draws no bar"
    full = chart_lines([0.0, 21.0], 21.0, 3, 60)
    assert [line[-1] for line in full[:-1]] == ["█", "█", "█"] and [line[0] for line in full[:-1]] == [" ", " ", " "]
    assert chart_lines([1.0], 1.0, 1, 60) == ["█", "▔"]


async def test_the_palette_has_every_action(tmp_path: Path) -> None:
    from torchdojo.quizzes.models import TOPIC_TITLES, TOPICS

    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    app = TorchDojoApp(progress_path=workspace / ".torchdojo" / "progress.json", workspace=workspace)
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        titles = " | ".join(commands)
        for wanted in (
            "Review due questions",
            "Check the selected exercise",
            "Hint for the selected exercise",
            "Start a quiz",
            "Exercises",
            "Progress",
            "Dashboard",
            "Language",
            "Theme",
            "Help",
            "Quit",
        ):
            assert wanted in titles, wanted
        for topic in TOPICS:
            assert f"Quiz: {TOPIC_TITLES[topic]('en')}" in titles
        hint = next(c for title, c in commands.items() if title.startswith("Hint for the selected"))
        hint.callback()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ExercisesScreen)
        assert "1/3" in _text(app, "#exercise-report")


def test_the_first_screen_figures_match_the_full_models(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from torchdojo.core.report import NOT_COUNTED
    from torchdojo.quizzes.app import fast
    from torchdojo.quizzes.app.state import full_figures, load_bank_cached
    from torchdojo.record.progress import SCHEMA_VERSION, ProgressStore

    assert fast.SCHEMA_VERSION == SCHEMA_VERSION and set(fast.NOT_COUNTED) == set(NOT_COUNTED)
    bank, catalog = load_bank_cached(), load_catalog()  # also writes the plain index
    record = write_sample(tmp_path / "p.json")
    when = datetime(2026, 3, 5, tzinfo=UTC)
    plain = fast.figures(record, when=when)
    assert plain is not None
    from unittest import mock

    with mock.patch("torchdojo.quizzes.engine.now", return_value=when):
        full = full_figures(ProgressStore(record).load(), bank, catalog, "en")
    assert plain == full
    assert plain.exercises_done == 2 and plain.reviews_due == 1


def test_the_first_screen_loads_no_pydantic() -> None:
    assert at_first_paint("sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'fsrs', 'torch'})") == "[]"


# -- topics, questions after a pass, predicting before a first check (issue 17) --------------


async def test_choose_topics_from_the_dashboard(tmp_path: Path) -> None:
    app = TorchDojoApp(progress_path=tmp_path / "p.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, TopicsScreen)
        await pilot.click("#topics-start")  # nothing ticked: stays, says why
        await pilot.pause()
        assert isinstance(app.screen, TopicsScreen)
        await pilot.press("space", "down", "down", "down", "down", "space")  # history and tensors
        await pilot.click("#topics-start")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        topics = {p.question.topic for p in app.screen.session.items}
        assert topics <= {"history", "tensors"} and len(app.screen.session.items) == 10
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        assert set(app.screen.query_one("#topic-list").selected) == {"history", "tensors"}  # remembered
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_choose_topics_from_the_palette_in_chinese(tmp_path: Path) -> None:
    app = TorchDojoApp(progress_path=tmp_path / "p.json", lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        command = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Choose topics"))
        assert "选择主题" in command.title
        command.callback()
        await pilot.pause()
        assert isinstance(app.screen, TopicsScreen)
        start = app.screen.query_one("#topics-start", Button)
        assert str(start.label) == "开始" and start.region.bottom <= 24  # fits 80×24
        listed = app.screen.query_one("#topic-list")
        assert listed.option_count == 10 and "自动求导" in str(listed.get_option_at_index(5).prompt)


async def test_a_passed_exercise_offers_its_linked_questions(tmp_path: Path) -> None:
    from torchdojo.quizzes.engine import linked_questions

    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    app = TorchDojoApp(progress_path=write_sample(workspace / ".torchdojo" / "progress.json"), workspace=workspace)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        linked = app.screen.query_one("#linked-quiz", Button)
        passed = {"autograd/leaf_tensors", "autograd/gradient_of"}  # in the sample record
        upcoming = next(e.id for e in CATALOG.exercises if e.id not in passed)  # the first exercise not passed
        assert app.screen._selected().id == upcoming and not linked.display  # not passed: nothing offered
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ExercisesScreen)
        ids = [e.id for e in CATALOG.exercises]
        steps = ids.index("autograd/gradient_of") - ids.index(upcoming)
        await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))  # to autograd/gradient_of, passed
        await pilot.pause()
        assert app.screen._selected().id == "autograd/gradient_of"
        assert linked.display
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        wanted = {q.id for q in linked_questions(BANK, "autograd/gradient_of")}
        assert {p.question.id for p in app.screen.session.items} == wanted
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExercisesScreen)  # back where the offer was
        command = next(c for c in app.get_system_commands(app.screen) if c.title.startswith("Quiz on the selected exercise"))
        command.callback()
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)


async def test_a_new_exercise_offers_one_prediction_before_its_first_check(tmp_path: Path) -> None:
    from torchdojo.quizzes.engine import predict_question

    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    app = TorchDojoApp(progress_path=workspace / ".torchdojo" / "progress.json", workspace=workspace, lang="zh")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        await pilot.pause()
        assert app.screen._selected().id == FIRST.id
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, PredictScreen)
        assert str(app.screen.query_one("#predict-skip", Button).label) == "跳过,直接检查"
        await pilot.press("enter")  # "Predict" has the focus
        await pilot.pause()
        assert isinstance(app.screen, QuizScreen)
        assert [p.question.id for p in app.screen.session.items] == [predict_question(BANK, FIRST.id).id]
        assert app.screen.session.items[0].question.kind == "code_output"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExercisesScreen)
        from torchdojo.quizzes.app.state import predict_offer

        assert predict_offer(app.progress, app.bank, FIRST.id, app.predict_offered) is None  # offered once
        assert predict_offer(app.progress, app.bank, CATALOG.exercises[1].id, app.predict_offered) is not None


async def test_the_first_frame_already_shows_the_figures(tmp_path: Path) -> None:
    """The dashboard draws its figures once, when its screen first resumes: by Textual's Ready (the first frame
    shown, where benchmarks/app_startup.py stops its clock) every topic's bar and the record's counts are there."""
    seen: dict[str, object] = {}

    class Probe(TorchDojoApp):
        def on_ready(self) -> None:
            seen["rows"] = len(self.screen.query(".mastery-row"))
            seen["done"] = str(self.screen.query_one("#stat-exercises", Static).render())

    app = Probe(progress_path=write_sample(tmp_path / "p.json"))
    async with app.run_test(size=(110, 36)) as pilot:
        await pilot.pause()
    topics = {exercise.topic for exercise in load_catalog().exercises} | {q.topic for q in load_shipped().questions}
    assert seen["rows"] == len(topics)
    assert f"2 / {len(load_catalog().exercises)}" in str(seen["done"])

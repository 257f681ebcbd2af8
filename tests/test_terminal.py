"""End to end, as a person uses it: the real `torchdojo` app and `torchdojo watch` in a real
terminal (a pty, 80×24 unless said), read back through a terminal emulator (pyte)."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.terminal import Terminal
from torchdojo.core.catalog import load_catalog
from torchdojo.i18n import Lang
from torchdojo.quizzes.bank import load_shipped
from torchdojo.quizzes.engine import QuizSession
from torchdojo.record.workspace import init_workspace

pytestmark = pytest.mark.timeout(240)

CATALOG = load_catalog()
FIRST, SECOND, FOURTH = CATALOG.exercises[0], CATALOG.exercises[1], CATALOG.exercises[3]  # whatever the catalog lists
LEAF = Path("exercises") / FIRST.file  # the exercise watch starts with in a fresh workspace


def _seed_for(kind: str, topic: str = "history", lang: Lang = "en") -> tuple[int, str]:
    """A seed whose first question is of `kind` (the banks change; the seed is found, not fixed)."""
    bank = load_shipped()
    for seed in range(500):
        first = QuizSession.start(bank, [topic], 3, seed).items[0]
        if first.question.kind == kind:
            return seed, first.question.text(lang)
    raise AssertionError(f"no {kind} question in {topic}")


def _quiz(tmp_path: Path, kind: str, lang: Lang = "en") -> tuple[Terminal, str]:
    seed, text = _seed_for(kind, lang=lang)
    args = ["quiz", "--topic", "history", "--count", "3", "--seed", str(seed), "--lang", lang, "--progress", str(tmp_path / "p.json")]
    return Terminal(args, cwd=tmp_path), text


def _footer(term: Terminal) -> str:
    return term.lines()[-1]


def _wait_footer(term: Terminal, *keys: str) -> None:
    """The footer (redrawn after each screen change) shows these keys."""
    term.wait_for(lambda: all(f"{key} " in _footer(term) for key in keys), timeout=20)


def test_a_multiple_choice_tick_is_visible(tmp_path: Path) -> None:
    term, text = _quiz(tmp_path, "multiple")
    with term:
        term.wait_for(text[:30])
        term.settle()
        assert "[ ]" in term.text() and "[x]" not in term.text()
        term.send("1")
        term.wait_for("[x]", timeout=10)
        term.send("1")
        term.wait_for(lambda: "[x]" not in term.text(), timeout=10)


def test_a_digit_chooses_and_enter_answers(tmp_path: Path) -> None:
    term, text = _quiz(tmp_path, "single")
    with term:
        term.wait_for(text[:30])
        term.send("2")
        term.settle(1.0)
        screen = term.text()
        assert "Correct" not in screen and "Not quite" not in screen, screen
        assert not (tmp_path / "p.json").exists() or not json.loads((tmp_path / "p.json").read_text())["quiz_answers"]
        term.send("\r")
        term.wait_for("Press Enter for the next question", timeout=10)
        assert "Correct" in term.text() or "Not quite" in term.text()
        term.send("\r")  # the explanation stays until this Enter: now the next question
        term.wait_for("2/3", timeout=10)
        assert "Correct" not in term.text() and "Not quite" not in term.text()
    answers = json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))["quiz_answers"]
    assert len(answers) == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_screen_works_at_80x24(tmp_path: Path, lang: str) -> None:
    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    words = {
        "en": {
            "home": "Mastery by topic",
            "status": "Status",
            "score": "Score",
            "done": "Exercises done",
            "progress": "Quiz scores over time",
            "record": "Record:",
            "keys": "Keys",
        },
        "zh": {
            "home": "各主题掌握程度",
            "status": "状态",
            "score": "得分",
            "done": "已完成练习",
            "progress": "测验得分变化",
            "record": "记录文件",
            "keys": "按键",
        },
    }[lang]
    with Terminal(["--lang", lang], cwd=workspace) as term:
        term.wait_for(words["home"])
        term.settle()
        screen = term.text()
        for fragment in (words["done"], words["record"], ".torchdojo/progress.json"):
            assert fragment in screen, screen
        _wait_footer(term, "?", "q")
        term.send("e")
        term.wait_for(words["status"])
        term.wait_for(CATALOG.exercises[0].id, timeout=20)
        for _ in range(len(CATALOG.exercises)):  # a long course scrolls: page down to the last row
            if CATALOG.exercises[-1].id in term.text():
                break
            term.send("\x1b[6~")  # PageDown
            term.settle(0.3)
        term.wait_for(CATALOG.exercises[-1].id, timeout=20)  # the last row can be reached
        term.settle()
        header = next(line for line in term.lines() if words["status"] in line)
        assert words["score"] in header
        topics = {f"{e.topic}/" for e in CATALOG.exercises}
        rows = [line for line in term.lines() if any(topic in line for topic in topics)]
        assert any(CATALOG.exercises[-1].id in row for row in rows), term.text()  # the last row is shown whole
        assert all("-/" in row for row in rows)
        _wait_footer(term, "?", "q", "c")
        term.send("p")
        term.wait_for(words["progress"])
        term.settle()
        assert "█" not in term.text(), "an empty record draws no bar"
        _wait_footer(term, "?", "q")
        term.send("?")
        term.wait_for(words["keys"])
        term.settle()
        assert "OK" in term.text() and "ctrl+p" in term.text()
        term.send("\x1b")
        term.settle()
        term.send("d")
        term.settle()
        term.send("s")
        term.wait_for("1/10")
        term.settle()
        if "Short answer" in term.text() or "简答" in term.text():
            _wait_footer(term, "esc", "f1")  # today's first question takes typed text: "?" and "q" are letters of the answer
        else:
            _wait_footer(term, "?", "q", "esc")


def test_watch_picks_up_a_save_made_during_a_check(tmp_path: Path) -> None:
    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    leaf = workspace / LEAF
    slow = "import time\ntime.sleep(3)  # a slow import keeps the check running\n" + leaf.read_text(encoding="utf-8")
    leaf.write_text(slow, encoding="utf-8")
    with Terminal(["watch"], cwd=workspace, cols=100, rows=40) as term:
        term.wait_for(f"Checking {FIRST.id}", where="log")
        time.sleep(0.5)
        shutil.copyfile(ROOT / "solutions" / LEAF.relative_to("exercises"), leaf)  # saved while the slow check runs
        term.wait_for("All checks passed", where="log", timeout=120)
        log = term.log()
        assert f"{FIRST.max_score}/{FIRST.max_score}" in log
        assert f"Next up: {SECOND.id}" in log and f"torchdojo check {SECOND.id}" not in log
        term.wait_for(f"Checking {SECOND.id}", where="log")
        term.wait_for(lambda: term.log().count("Keys:") >= 2, timeout=120)
        term.send("h")  # no Enter: keys act at once
        term.wait_for(lambda: "1/" in term.log().rsplit("Keys:", 1)[-1], timeout=20)
        other = workspace / "exercises" / FOURTH.file
        other.write_text(other.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        term.wait_for(f"switching to {FOURTH.id}", where="log", timeout=30)
        (workspace / "exercises" / "scratch.py").write_text("x = 1\n", encoding="utf-8")
        term.wait_for("is not one of the exercises", where="log", timeout=30)
        term.send("q")
        term.child.expect(__import__("pexpect").EOF, timeout=30)
    attempts = json.loads((workspace / ".torchdojo" / "progress.json").read_text(encoding="utf-8"))["exercise_attempts"]
    leaf_attempts = [a for a in attempts if a["exercise"] == FIRST.id]
    assert leaf_attempts[-1]["score"] == FIRST.max_score


def test_watch_quits_on_q_while_a_check_runs(tmp_path: Path) -> None:
    workspace = tmp_path / "dojo"
    init_workspace(workspace, load_catalog())
    (workspace / LEAF).write_text("while True:\n    pass\n", encoding="utf-8")
    with Terminal(["watch"], cwd=workspace) as term:
        term.wait_for(f"Checking {FIRST.id}", where="log")
        term.send("q")
        started = time.monotonic()
        term.child.expect(__import__("pexpect").EOF, timeout=30)
        assert time.monotonic() - started < 15
    from tests.test_hostile import grading_processes

    deadline = time.monotonic() + 15
    while grading_processes(workspace) and time.monotonic() < deadline:  # the check it quit during ends with it
        time.sleep(0.2)
    assert grading_processes(workspace) == set(), "a grading process outlived watch"

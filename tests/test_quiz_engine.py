"""The quiz engine: grading rules, reproducible shuffles, the record, mastery and FSRS reviews."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from tests.conftest import ROOT, run_cli
from torchdojo.quizzes.bank import load_files, load_shipped
from torchdojo.quizzes.engine import QuizSession, correct_response, due_reviews, grade, mastery, normalize
from torchdojo.quizzes.plain import parse_response, run_plain
from torchdojo.record.progress import ProgressStore, now

BANK = load_shipped()


def test_multiple_choice_partial_credit_rule() -> None:
    q = BANK.by_id["history-04"]  # answers a, b, c of five
    assert grade(q, ["a", "b", "c"]).credit == 1.0 and grade(q, ["a", "b", "c"]).correct
    assert grade(q, ["a", "b"]).credit == round(2 / 3, 4) and not grade(q, ["a", "b"]).correct
    assert grade(q, ["a", "d"]).credit == 0.0  # one right, one wrong
    assert grade(q, ["d", "e"]).credit == 0.0  # never below zero


def test_short_answers_ignore_case_space_and_punctuation() -> None:
    q = BANK.by_id["advantages-18"]
    assert grade(q, "  Torch.Accelerator.is_available( ) ").correct
    assert grade(BANK.by_id["history-29"], "lua").correct and grade(BANK.by_id["history-29"], "Lua 语言").correct
    assert not grade(q, "").correct and not grade(q, "torch.cuda.is_available()").correct
    assert normalize("Ｆａｃｅｂｏｏｋ！") == "facebook"


def test_true_false_and_single() -> None:
    assert grade(BANK.by_id["history-05"], False).correct and not grade(BANK.by_id["history-05"], True).correct
    q = BANK.by_id["quickstart-06"]
    assert grade(q, correct_response(q)).correct


def test_same_seed_same_quiz_and_shuffled_options() -> None:
    first = QuizSession.start(BANK, ["history"], count=8, seed=42)
    second = QuizSession.start(BANK, ["history"], count=8, seed=42)
    other = QuizSession.start(BANK, ["history"], count=8, seed=43)
    assert [(p.question.id, p.option_order) for p in first.items] == [(p.question.id, p.option_order) for p in second.items]
    assert [p.question.id for p in first.items] != [p.question.id for p in other.items]
    assert all(p.question.topic == "history" for p in first.items)
    assert any(p.option_order != tuple(sorted(p.option_order)) for p in first.items), "options are shuffled"


def test_answers_are_recorded_with_mastery_and_reviews(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    session = QuizSession.start(BANK, ["quickstart"], count=4, seed=1, store=store)
    wrong_id = session.current.question.id
    session.answer(
        "zzz"
        if session.current.question.kind == "short"
        else (not correct_response(session.current.question))
        if session.current.question.kind == "true_false"
        else "nope"
    )
    while not session.finished:
        session.answer(correct_response(session.current.question))
    progress = store.load()
    assert [a.question_id for a in progress.quiz_answers] == [p.question.id for p in session.items]
    assert {a.session for a in progress.quiz_answers} == {session.id}
    assert mastery(progress, BANK)["quickstart"] == round(3 / len(BANK.for_topics(["quickstart"])), 4)
    assert due_reviews(progress, BANK, now() + timedelta(minutes=15))[:1] == [wrong_id]
    assert wrong_id not in due_reviews(progress, BANK, now())  # not due this very second
    right = [p.question.id for p in session.items[1:]]
    assert not set(right) & set(due_reviews(progress, BANK, now() + timedelta(minutes=15)))


def test_plain_input_is_parsed_kindly() -> None:
    session = QuizSession.start(BANK, question_ids=["history-04", "history-05", "history-29"], seed=0)
    multiple, true_false, short = session.items
    assert sorted(parse_response(multiple, "1, 2 3")) == sorted({multiple.option_id(i) for i in (1, 2, 3)})
    assert parse_response(true_false, "对") is True and parse_response(true_false, "F") is False
    assert parse_response(short, " Meta ") == "Meta"
    for presented, bad in ((multiple, "9"), (multiple, ""), (true_false, "maybe"), (short, "  ")):
        try:
            parse_response(presented, bad)
        except ValueError as error:
            assert str(error)
        else:
            raise AssertionError(f"{bad!r} accepted")


def test_plain_session_survives_bad_input_and_end_of_input(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "p.json")
    session = QuizSession.start(BANK, question_ids=["history-05", "history-08"], store=store)
    out = io.StringIO()
    assert run_plain(session, io.StringIO("what?\nf\n"), out) == 0
    text = out.getvalue()
    assert "Answer t (true) or f (false)." in text and "End of input" in text
    assert len(store.load().quiz_answers) == 1


def test_scripted_plain_session_records_a_complete_attempt(tmp_path: Path) -> None:
    progress = tmp_path / "progress.json"
    session = QuizSession.start(BANK, ["history"], count=10, seed=7)
    lines = []
    for presented in session.items:
        lines.append({"true_false": "t", "short": "2018"}.get(presented.question.kind, "1"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torchdojo",
            "quiz",
            "--plain",
            "--topic",
            "history",
            "--count",
            "10",
            "--seed",
            "7",
            "--progress",
            str(progress),
            "--lang",
            "zh",
        ],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "得分" in done.stdout
    record = json.loads(progress.read_text(encoding="utf-8"))
    assert len(record["quiz_answers"]) == 10 and len({a["session"] for a in record["quiz_answers"]}) == 1
    assert [a["question_id"] for a in record["quiz_answers"]] == [p.question.id for p in session.items]
    assert all(a["lang"] == "zh" for a in record["quiz_answers"])
    assert len(record["review_cards"]) == 10


def test_quiz_list_json_contract() -> None:
    rows = json.loads(run_cli("quiz", "list", "--topic", "history", "--json").stdout)
    assert len(rows) == 27 and {"id", "topic", "kind", "text", "answer"} <= rows[0].keys()
    assert rows[0]["text"]["zh"] and rows[0]["options"][0]["text"]["en"]


BROKEN = """format_version = 1

[[questions]]
id = "history-01"
topic = "history"
kind = "single"
source = "test"
text = { en = "A?", zh = "甲?" }
options = [{ id = "a", text = { en = "x", zh = "x" } }, { id = "b", text = { en = "y", zh = "y" } }]
answer = "a"
explanation = { en = "e", zh = "解释" }

[[questions]]
id = "history-01"
topic = "history"
kind = "true_false"
source = "test"
text = { en = "Dup?", zh = "重复?" }
answer = true
explanation = { en = "e", zh = "解释" }

[[questions]]
id = "history-02"
topic = "history"
kind = "true_false"
source = "test"
text = { en = "No Chinese" }
answer = true
explanation = { en = "e", zh = "解释" }

[[questions]]
id = "history-03"
topic = "history"
kind = "multiple"
source = "test"
text = { en = "M?", zh = "多?" }
options = [{ id = "a", text = { en = "x", zh = "x" } }, { id = "b", text = { en = "y", zh = "y" } }]
answers = []
explanation = { en = "e", zh = "解释" }

[[questions]]
id = "history-04"
topic = "history"
kind = "single"
source = "test"
text = { en = "S?", zh = "单?" }
options = [{ id = "a", text = { en = "x", zh = "x" } }, { id = "b", text = { en = "y", zh = "y" } }]
answer = "c"
explanation = { en = "e", zh = "解释" }

[[questions]]
id = "cooking-01"
topic = "cooking"
kind = "true_false"
source = "test"
text = { en = "Pasta?", zh = "意面?" }
answer = true
explanation = { en = "e", zh = "解释" }
"""


def test_validate_names_every_problem_precisely(tmp_path: Path) -> None:
    bank_file = tmp_path / "mine.toml"
    bank_file.write_text(BROKEN, encoding="utf-8")
    problems = [str(p) for p in load_files([bank_file]).problems]
    assert "mine.toml: history-01: duplicate id (also in mine.toml)" in problems
    assert any(p.startswith("mine.toml: history-02: missing Chinese translation at 'text.zh'") for p in problems)
    assert any(p.startswith("mine.toml: history-03:") and "at least 1 item" in p for p in problems)
    assert any(p.startswith("mine.toml: history-04: answer 'c' is not among the options") for p in problems)
    assert any(p.startswith("mine.toml: cooking-01: unknown topic 'cooking'") for p in problems)
    done = run_cli("quiz", "validate", str(bank_file))
    assert done.returncode == 1
    assert "history-04: answer 'c' is not among the options" in done.stderr
    assert "5 problem(s)" in done.stdout


def test_validate_rejects_non_toml_and_accepts_the_shipped_banks(tmp_path: Path) -> None:
    junk = tmp_path / "junk.toml"
    junk.write_text("questions = [", encoding="utf-8")
    assert "not valid TOML" in str(load_files([junk]).problems[0])
    assert run_cli("quiz", "validate").returncode == 0


def test_linked_and_predict_questions_for_an_exercise() -> None:
    from torchdojo.quizzes.engine import linked_questions, predict_question
    from torchdojo.record.progress import Progress, QuizAnswer

    linked = linked_questions(BANK, "autograd/leaf_tensors")
    assert linked and all("autograd/leaf_tensors" in q.exercises for q in linked)
    first = predict_question(BANK, "autograd/leaf_tensors")
    assert first is not None and first.kind == "code_output"
    progress = Progress()
    progress.quiz_answers.append(QuizAnswer(at=now(), session="s", question_id=first.id, topic=first.topic, answer="a", correct=True, credit=1.0))
    second = predict_question(BANK, "autograd/leaf_tensors", progress)
    assert second is not None and second.id != first.id
    assert predict_question(BANK, "no/such_exercise") is None


def test_validate_rejects_a_guessable_bank(tmp_path: Path) -> None:
    statements = "".join(
        f'\n[[questions]]\nid = "history-{n:02d}"\ntopic = "history"\nkind = "true_false"\nsource = "a test"\n'
        f'text = {{ en = "s{n}", zh = "陈述{n}" }}\nanswer = true\nexplanation = {{ en = "e", zh = "解释" }}\n'
        for n in range(1, 6)
    )
    bank = tmp_path / "all_true.toml"
    bank.write_text("format_version = 1\n" + statements, encoding="utf-8")
    problems = [str(p) for p in load_files([bank]).problems]
    assert any("5 of 5 true/false statements are true" in p for p in problems), problems
    done = run_cli("quiz", "validate", str(bank))
    assert done.returncode != 0 and "true/false statements are true" in done.stderr

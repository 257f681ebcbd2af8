"""The shipped question banks: valid, complete, bilingual, and right — code answers are run for real."""

from __future__ import annotations

import contextlib
import io
from collections import Counter

import pytest
import torch

from quizzes.bank import load_shipped
from quizzes.models import TOPICS, CodeOutput, MultipleChoice, ShortAnswer, SingleChoice, TrueFalse

BANK = load_shipped()
CODE_QUESTIONS = [q for q in BANK.questions if isinstance(q, CodeOutput)]


def test_every_shipped_bank_validates() -> None:
    assert [str(p) for p in BANK.problems] == []


def test_size_and_topics() -> None:
    per_topic = Counter(q.topic for q in BANK.questions)
    assert len(BANK.questions) >= 80
    assert set(per_topic) == set(TOPICS) and min(per_topic.values()) >= 12
    kinds = Counter(q.kind for q in BANK.questions)
    assert set(kinds) == {"single", "multiple", "true_false", "short", "code_output"}


def test_ids_unique_and_prefixed_by_topic() -> None:
    ids = [q.id for q in BANK.questions]
    assert len(ids) == len(set(ids))
    assert all(q.id.startswith(q.topic + "-") for q in BANK.questions)


def test_both_languages_present_everywhere() -> None:
    for q in BANK.questions:
        texts = [q.text, q.explanation] + [o.text for o in getattr(q, "options", [])]
        for text in texts:
            assert text.en.strip() and text.zh.strip(), q.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in q.text.zh + q.explanation.zh), f"{q.id}: zh text has no Chinese"


def test_right_number_of_correct_options() -> None:
    for q in BANK.questions:
        match q:
            case SingleChoice() | CodeOutput():
                assert sum(o.id == q.answer for o in q.options) == 1, q.id
            case MultipleChoice():
                assert 1 <= len(q.answers) < len(q.options), q.id
            case TrueFalse():
                assert isinstance(q.answer, bool), q.id
            case ShortAnswer():
                assert q.accepted and all(a.strip() for a in q.accepted), q.id


def test_true_false_answers_are_not_all_the_same() -> None:
    answers = Counter(q.answer for q in BANK.questions if isinstance(q, TrueFalse))
    assert answers[True] >= 3 and answers[False] >= 3


def test_seed_errors_are_taught_correctly() -> None:
    """facts.md: 1.0 was stable in 2018 (the seed says 2019); ONNX predates 1.0."""
    one_oh = BANK.by_id["history-03"]
    assert one_oh.option(one_oh.answer).text.en == "December 2018"
    assert "2019" in one_oh.explanation.en and "wrong" in one_oh.explanation.en
    assert BANK.by_id["history-05"].answer is False
    assert BANK.by_id["history-21"].accepted[0] == "2018"


@pytest.mark.parametrize("question", CODE_QUESTIONS, ids=lambda q: q.id)
def test_code_output_answer_is_what_torch_prints(question: CodeOutput) -> None:
    torch.manual_seed(0)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(question.code, f"<{question.id}>", "exec"), {"__name__": "__quiz__"})  # noqa: S102 - our own bank
    assert printed.getvalue().strip() == question.output.strip()
    assert question.option(question.answer).text.en == question.output
    others = [o.text.en for o in question.options if o.id != question.answer]
    assert question.output not in others

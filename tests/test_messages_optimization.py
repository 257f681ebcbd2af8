"""The optimization checks name the RIGHT cause: a wrong submission gets the message about its own mistake.

Each case grades a fixture with one known mistake and asserts what its failing check says in
English and Chinese (the observation that differs, and the hint about that mistake).
"""

from __future__ import annotations

from functools import cache

import pytest

from tests.conftest import FIXTURES, grade_file
from torchdojo.core.report import Report


@cache
def _graded(exercise: str, fixture: str) -> Report:
    return grade_file(f"optimization/{exercise}", FIXTURES / "optimization" / exercise / f"{fixture}.py")


# (exercise, fixture, check, words the English message must contain, Chinese words)
CASES = [
    (
        "sgd_momentum",
        "wrong_buffer_is_grad",
        "in_place_no_graph",
        ["the buffers right after the caller zeroed p.grad in place", "never p.grad itself"],
        ["调用者原地把 p.grad 清零之后的缓冲区"],
    ),
    ("sgd_momentum", "wrong_no_validation", "nesterov_dampening_raises", ["raises ValueError", "nesterov=True"], ["ValueError"]),
    ("adam", "wrong_own_step_counter", "resumes_at_step", ["resumed at step=", "`step` argument"], ["参数 `step`"]),
    ("clipping", "wrong_reads_twice", "any_iterable", ["a generator (readable once)", "turn it into a list once"], ["生成器"]),
    ("micro_batches", "wrong_step_each_micro_batch", "unequal_micro_batches", ["optimizer.step()", "times for"], ["optimizer.step()"]),
    ("micro_batches", "wrong_divide_by_count", "unequal_micro_batches", ["len(X) / total", "same size"], ["len(X) / total"]),
    (
        "lr_scheduler",
        "wrong_scheduler_first",
        "rate_per_step",
        ["the learning rate each optimizer.step() used", "scheduler.step() once"],
        ["每次 optimizer.step() 使用的学习率"],
    ),
    ("losses", "wrong_weighted_mean_over_n", "class_weights", ["weight[target]", "not by the number of samples"], ["weight[target] 之和"]),
    ("early_stopping", "wrong_class_state", "instances_independent", ["Keep the state on self"], ["self"]),
    ("param_groups", "wrong_decay_by_name", "no_decay_for_biases_and_norms", ["body.1.weight", "not by the name"], ["不要按名字"]),
]


@pytest.mark.parametrize(("exercise", "fixture", "check", "words", "words_zh"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_message_names_the_cause(exercise: str, fixture: str, check: str, words: list[str], words_zh: list[str]) -> None:
    found = {c.name: c for c in _graded(exercise, fixture).checks}
    assert found[check].outcome == "failed", {c.name: c.outcome for c in found.values()}
    message = found[check].message
    assert message is not None
    for word in words:
        assert word in message.en, message.en
    for word in words_zh:
        assert word in message.zh, message.zh

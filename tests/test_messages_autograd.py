"""The autograd checks name the RIGHT cause: a wrong submission gets the message about its own mistake.

Each case grades a fixture with one known mistake and asserts what its failing check says
(English and Chinese) — and, where a misleading message was found before, what it must not
say or which other checks must not be blamed. (Example from issue 12: a grad-mode leak was
reported as "both factors were detached".)
"""

from __future__ import annotations

from functools import cache

import pytest

from tests.conftest import FIXTURES, grade_file
from torchdojo.core.report import Report


@cache
def _graded(exercise: str, fixture: str) -> Report:
    return grade_file(f"autograd/{exercise}", FIXTURES / "autograd" / exercise / f"{fixture}.py")


def _message(exercise: str, fixture: str, check: str) -> tuple[str, str]:
    report = _graded(exercise, fixture)
    found = {c.name: c for c in report.checks}
    assert found[check].outcome == "failed", {c.name: c.outcome for c in report.checks}
    assert found[check].message is not None
    return found[check].message.en, found[check].message.zh


# (exercise, fixture, check, words the English message must contain, words it must not contain, Chinese words)
CASES = [
    ("leaf_tensors", "wrong_sets_default_dtype", "make_leaf_dtype", ["the default dtype after the call", "set_default_dtype"], [], ["调用之后的默认 dtype"]),
    (
        "leaf_tensors",
        "wrong_cached_leaf",
        "make_leaf_is_leaf_with_grad",
        ["a second make_leaf(values)", ".grad", "new tensor on every call"],
        [],
        ["再次调用 make_leaf(values)"],
    ),
    ("leaf_tensors", "wrong_autograd_grad", "square_sum_grad_uses_autograd", [".backward()", "torch.autograd.grad"], [], ["backward()"]),
    (
        "gradient_of",
        "wrong_shared_buffer",
        "result_is_plain_tensor",
        ["the first result, after the second call", "nothing kept between calls"],
        [],
        ["第二次调用之后的第一次返回值"],
    ),
    (
        "gradient_of",
        "wrong_grad_mode_forced_on",
        "works_inside_no_grad",
        ["grad mode", "inside the caller's torch.no_grad()", "expected off, yours gives on", "enable_grad"],
        [],
        ["梯度模式"],
    ),
    ("gradient_of", "wrong_leaks_requires_grad_on_error", "caller_tensor_untouched", ["raised", "requires_grad", "also when you raise"], [], ["抛出异常"]),
    ("gradient_of", "wrong_nonleaf_x", "correct_gradient", ["a non-leaf tensor", "yours gives None"], [], ["非叶子张量"]),
    (
        "accumulation",
        "wrong_data_update",
        "autograd_sees_the_update",
        ["loss.backward()", "expected 'raises RuntimeError', yours gives 'runs'", "p.data"],
        [],
        ["p.data"],
    ),
    ("accumulation", "wrong_generator_twice", "clears_gradients", ["generator", "not cleared"], [], ["生成器"]),
    ("accumulation", "wrong_grad_mode_forced_on", "update_not_recorded", ["grad mode", "inside the caller's torch.no_grad()"], [], ["梯度模式"]),
    ("accumulation", "wrong_float32_step", "updates_values", ["differs by up to", "own dtype"], [], ["最多相差"]),
    (
        "no_grad",
        "wrong_grad_mode_left_off",
        "predict_values",
        ["grad mode (torch.is_grad_enabled()) after the call: expected on, yours gives off", "context manager"],
        ["detached", "eval()"],
        ["梯度模式"],
    ),
    ("no_grad", "wrong_switches_to_eval", "predict_values", ["the model afterwards['training']", "do not call eval()"], [], ["调用后的模型"]),
    ("no_grad", "wrong_detach_after", "predict_builds_no_graph", ["grad mode during the forward pass", "too late"], [], ["前向传播时的梯度模式"]),
    ("no_grad", "wrong_detached_product_data", "detached_product_sees_changes", ["changed in place", "x.data"], [], ["x.data"]),
    ("vjp", "wrong_stale_grad", "fresh_gradient_each_call", ["the result of a second call", "no old gradient"], [], ["第二次调用的返回值"]),
    ("vjp", "wrong_tolist_float32", "matches_jacobian", ["(its dtype): expected float64, yours gives float32", "in x's dtype"], [], ["使用 x 的 dtype"]),
    ("vjp", "wrong_no_enable_grad", "works_inside_no_grad", ["raised RuntimeError"], [], ["RuntimeError"]),
    ("custom_function", "wrong_in_place_forward", "forward_values", ["the caller's x after Cube.apply(x)", "must not change x in place"], [], ["调用者的 x"]),
    ("custom_function", "wrong_no_grad_output", "uses_grad_output", ["backward(v)", "grad_output"], [], ["grad_output"]),
    ("custom_function", "wrong_ctx_attribute", "saves_for_backward", ["save_for_backward"], [], ["save_for_backward"]),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}/{c[1]}:{c[2]}")
def test_message_names_the_cause(case) -> None:
    exercise, fixture, check, words, absent, words_zh = case
    en, zh = _message(exercise, fixture, check)
    for word in words:
        assert word in en, en
    for word in absent:
        assert word not in en, en
    for word in words_zh:
        assert word in zh, zh


def test_grad_mode_leak_is_not_blamed_on_detach() -> None:
    """Issue 12's example: predict_no_grad leaving grad mode off must not fail the detached_product checks."""
    report = _graded("no_grad", "wrong_grad_mode_left_off")
    outcomes = {c.name: c.outcome for c in report.checks}
    assert all(outcomes[name] == "passed" for name in outcomes if name.startswith("detached_product")), outcomes


def test_in_place_input_is_reported_as_such() -> None:
    """A forward that cubes x in place: the expected values come from the reference's own copy of x, and the
    message says the caller's x changed — not that x ** 3 was computed wrongly."""
    en, _ = _message("custom_function", "wrong_in_place_forward", "forward_values")
    assert en.index("the caller's x after Cube.apply(x)") < en.index("expected"), en

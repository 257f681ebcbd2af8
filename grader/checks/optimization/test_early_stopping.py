"""Checks for optimization/early_stopping, by comparison with the reference on generated sequences of values.

Drawn: values with plateaus and exact repeats (an equal value is not an improvement), min_delta
(values are multiples of 1/8, so best - min_delta is exact: a correct solution cannot lose on
rounding), patience from 1, mode "max", values given as 0-d tensors attached to a graph (the state
must hold plain floats), and two instances used in turn (state kept on the class shows). Observed
after every call: the returned decision, best, best_epoch and bad_epochs.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.optimization.common import STATE_HINT, raises
from torchdojo.checks.strategies.optimization import StopCase, stop_cases

DECISIONS = ("the value step(value) returns after each epoch", "每轮 step(value) 的返回值")
STATE = ("(best, best_epoch, bad_epochs) after each epoch", "每轮之后的 (best, best_epoch, bad_epochs)")


def _run(impl, case: StopCase, state: bool = True) -> dict[object, list[object]]:
    stopper = impl.EarlyStopping(**case.kwargs())
    seen: dict[object, list[object]] = {DECISIONS: []}
    if state:
        seen[STATE] = [(stopper.best, stopper.best_epoch, stopper.bad_epochs)]
    for value in case.inputs():
        seen[DECISIONS].append(stopper.step(value))
        if state:
            seen[STATE].append((stopper.best, stopper.best_epoch, stopper.bad_epochs))
    return seen


def _same(compare, case: StopCase, hint: tuple[str, str], state: bool = True) -> None:
    compare.same(lambda impl: _run(impl, case, state), given=case.describe(), where="EarlyStopping.step", state_hint=STATE_HINT, hint=hint)


RULE = (("An epoch improves when value < best - min_delta (mode \"min\"); then best = value and bad_epochs = 0, otherwise "
        "bad_epochs += 1; step returns bad_epochs >= patience."),
        ("当 value < best - min_delta(mode 为 \"min\")时这一轮算作改善:此时 best = value,bad_epochs = 0;否则 bad_epochs += 1;"
        "step 返回 bad_epochs >= patience。"))


@settings(max_examples=12)
@example(StopCase((1.0, 1.0, 1.0, 0.75, 0.75), patience=2))
@given(stop_cases())
def test_stops_after_patience(compare, case: StopCase) -> None:
    _same(compare, case, (f"{RULE[0]} An equal value is not an improvement, and the first value always is.",
                          f"{RULE[1]}相等的值不算改善,第一个值总是算作改善。"), state=False)


@settings(max_examples=12)
@example(StopCase((1.0, 0.875, 0.75, 0.5, 1.0), patience=1, min_delta=0.125))
@given(stop_cases(min_delta=True))
def test_min_delta(compare, case: StopCase) -> None:
    _same(compare, case, (f"{RULE[0]} A value better by exactly min_delta, or less, is not an improvement.",
                          f"{RULE[1]}只好出恰好 min_delta 或更少,不算改善。"), state=False)


@settings(max_examples=8)
@given(stop_cases(min_delta=True, mode="max"))
def test_mode_max(compare, case: StopCase) -> None:
    _same(compare, case, ("With mode=\"max\" (an accuracy), an epoch improves when value > best + min_delta.",
                          "mode=\"max\"(例如准确率)时,当 value > best + min_delta 时这一轮算作改善。"))


@settings(max_examples=10)
@given(stop_cases(min_delta=True, mode=None), st.booleans())
def test_tracks_best(compare, case: StopCase, tensors: bool) -> None:
    case = StopCase(case.values, case.patience, case.min_delta, case.mode, tensors)
    _same(compare, case, (
        ("Start with best = None, best_epoch = -1, bad_epochs = 0; on an improvement store best = float(value) (a plain float, "
        "even for a tensor) and best_epoch = the index of this call (0, 1, 2, ...)."),
        ("初始 best = None,best_epoch = -1,bad_epochs = 0;有改善时保存 best = float(value)(即使传入的是张量也要存普通 float),"
        "best_epoch = 这次调用的序号(0、1、2……)。")))


@settings(max_examples=6)
@given(stop_cases(mode=None), stop_cases(mode=None))
def test_instances_independent(compare, first: StopCase, second: StopCase) -> None:
    def scenario(impl):
        a, b = impl.EarlyStopping(**first.kwargs()), impl.EarlyStopping(**second.kwargs())
        seen = []
        for x, y in zip(first.values, second.values, strict=False):  # used in turn, as for two models
            seen.append((a.step(x), b.step(y), a.best, b.best, a.best_epoch, b.best_epoch, a.bad_epochs, b.bad_epochs))
        return {("(a.step, b.step, a.best, b.best, a.best_epoch, b.best_epoch, a.bad_epochs, b.bad_epochs) each epoch",
                 "每轮的 (a.step, b.step, a.best, b.best, a.best_epoch, b.best_epoch, a.bad_epochs, b.bad_epochs)"): seen}

    compare.same(scenario, given=f"a = {first.describe()}; b = {second.describe()}; a.step and b.step in turn",
                 where="EarlyStopping.step", state_hint=STATE_HINT,
                 hint=(("Keep the state on self (set in __init__), not on the class or in module-level variables: "
                       "two stoppers must not share it."),
                       "请把状态保存在 self 上(在 __init__ 中设置),不要放在类或模块级变量上:两个早停对象不能共享状态。"))


@settings(max_examples=3)
@given(st.sampled_from(["minimum", "Max", "loss", ""]))
def test_bad_input_raises(compare, mode: str) -> None:
    compare.same(lambda impl: impl.EarlyStopping(patience=2, mode=mode), given=f"EarlyStopping(patience=2, mode={mode!r})",
                 where="EarlyStopping.__init__",
                 hint=("Raise ValueError (with a message) in __init__ for a mode other than \"min\" or \"max\".",
                       "mode 不是 \"min\" 或 \"max\" 时,请在 __init__ 中抛出 ValueError(并附上说明)。"))

    def two_values(impl):
        stopper = impl.EarlyStopping(patience=2)
        stopper.step(1.0)
        return {("step(torch.tensor([0.5, 0.25])) (two values, not one)", "step(torch.tensor([0.5, 0.25]))(两个值而不是一个)"):
                raises(lambda: stopper.step(torch.tensor([0.5, 0.25]))).split(":")[0]}

    compare.same(two_values, given="EarlyStopping(patience=2), step(1.0), then step(torch.tensor([0.5, 0.25]))", where="EarlyStopping.step",
                 hint=(("Turn the value into a number with float(value): it raises for a tensor of several values; let that error "
                       "reach the caller instead of hiding it."),
                       "请用 float(value) 把值转换成数:多个值的张量会让它报错;让这个错误传给调用者,不要把它藏起来。"))

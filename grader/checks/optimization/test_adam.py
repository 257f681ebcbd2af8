"""Checks for optimization/adam, by comparison with the reference (which matches torch.optim.Adam).

Drawn: learning rates, betas other than the defaults (low betas make a missing bias correction
show), a large eps (an eps inside the square root, or before the bias correction, shows), weight
decay (Adam's L2 on the gradient, not AdamW's), float64, 0-d and transposed parameters, parameters
without .grad, and a resumed run: moments that are not zero and a step number other than 1 (a
step counted by the function itself, instead of the `step` argument, shows). Observed after every
step: the parameters, both moments, the gradients; and in place: the caller's moment tensors,
the parameters' identity, leaf-ness, graph and version counter.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.optimization.common import PRECISE, STATE_HINT, raises, values
from torchdojo.checks.strategies.optimization import (
    AdamSettings,
    Params,
    adam_settings,
    parameter_sets,
)

PARAMS = ("the parameters after each step", "每一步之后的参数")
MOMENTS = ("exp_avgs and exp_avg_sqs after each step", "每一步之后的 exp_avgs 和 exp_avg_sqs")
GRADS = ("the parameters' .grad after each step", "每一步之后参数的 .grad")

FORMULA = (("exp_avg = b1 * exp_avg + (1 - b1) * g; exp_avg_sq = b2 * exp_avg_sq + (1 - b2) * g * g; "
           "p -= lr * (exp_avg / (1 - b1 ** step)) / (sqrt(exp_avg_sq / (1 - b2 ** step)) + eps)."),
           ("exp_avg = b1 * exp_avg + (1 - b1) * g;exp_avg_sq = b2 * exp_avg_sq + (1 - b2) * g * g;"
           "p -= lr * (exp_avg / (1 - b1 ** step)) / (sqrt(exp_avg_sq / (1 - b2 ** step)) + eps)。"))


def _moments(params: list[torch.Tensor], start: int, seed: int) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Zeros for a fresh run; for a run resumed at step `start` > 1, moments as a checkpoint would hold them."""
    if start == 1:
        return [torch.zeros_like(p) for p in params], [torch.zeros_like(p) for p in params]
    g = torch.Generator().manual_seed(seed)
    avgs = [torch.randn(p.shape, generator=g, dtype=p.dtype) * 0.3 for p in params]
    squares = [torch.rand(p.shape, generator=g, dtype=p.dtype) * 0.5 + 0.01 for p in params]
    return avgs, squares


def _steps(params_case: Params, adam: AdamSettings, steps: int, start: int = 1):
    def scenario(impl):
        params = params_case.make()
        exp_avgs, exp_avg_sqs = _moments(params, start, params_case.seed)
        seen: dict[object, list[object]] = {PARAMS: [], MOMENTS: [], GRADS: []}
        for step in range(start, start + steps):
            params_case.give_gradients(params, step - start)
            adam.call(impl, params, exp_avgs, exp_avg_sqs, step)
            seen[PARAMS].append(values(params))
            seen[MOMENTS].append((values(exp_avgs), values(exp_avg_sqs)))
            seen[GRADS].append([values(p.grad) for p in params])
        return seen

    return scenario


def _same(compare, params_case: Params, adam: AdamSettings, steps: int, hint: tuple[str, str], start: int = 1) -> None:
    resumed = f", resumed at step={start} with moments that are not zero" if start > 1 else ""
    compare.same(_steps(params_case, adam, steps, start), where="adam_step", tolerance=PRECISE, state_hint=STATE_HINT, hint=hint,
                 given=f"{params_case.describe()}; {adam.describe()}; {steps} steps{resumed}")


@settings(max_examples=8)
@given(parameter_sets(), adam_settings())
def test_first_step(compare, params_case: Params, adam: AdamSettings) -> None:
    _same(compare, params_case, adam, 1, (
        f"{FORMULA[0]} On step 1 the bias correction divides by 1 - b1 and 1 - b2; eps goes after the square root.",
        f"{FORMULA[1]}第 1 步的偏差修正除以 1 - b1 和 1 - b2;eps 加在开平方之后。"))


@settings(max_examples=8)
@given(parameter_sets(), adam_settings())
def test_several_steps(compare, params_case: Params, adam: AdamSettings) -> None:
    _same(compare, params_case, adam, 4, (f"{FORMULA[0]} Use the `step` you are given in the bias correction.",
                                          f"{FORMULA[1]}偏差修正中请使用传入的 `step`。"))


@settings(max_examples=6)
@given(parameter_sets(), adam_settings(weight_decay=True))
def test_weight_decay(compare, params_case: Params, adam: AdamSettings) -> None:
    _same(compare, params_case, adam, 3, (
        ("Adam's weight decay is added to the gradient before both moments: g = p.grad + weight_decay * p (not AdamW's "
        "p -= lr * weight_decay * p); p.grad itself stays as it was."),
        ("Adam 的权重衰减在计算两个矩之前加到梯度上:g = p.grad + weight_decay * p(不是 AdamW 的 "
        "p -= lr * weight_decay * p);p.grad 本身保持不变。")))


@settings(max_examples=6)
@given(parameter_sets(), adam_settings(), st.integers(2, 40))
def test_resumes_at_step(compare, params_case: Params, adam: AdamSettings, start: int) -> None:
    _same(compare, params_case, adam, 2, (
        ("The bias correction uses the `step` argument (a run resumed from a checkpoint goes on at its own step number), "
        "and the moments go on from the values they hold: keep no count or state of your own between calls."),
        ("偏差修正使用参数 `step`(从检查点恢复的训练会从它自己的步数继续),两个矩从它们当前的值继续更新:"
        "不要在调用之间保存自己的计数或状态。")), start=start)


@settings(max_examples=6)
@given(parameter_sets(missing=True), adam_settings())
def test_skips_missing_grads(compare, params_case: Params, adam: AdamSettings) -> None:
    _same(compare, params_case, adam, 3, (
        "Skip a parameter whose .grad is None: its value and both moments stay as they were.",
        "跳过 .grad 为 None 的参数:它的值和两个矩都保持不变。"))


@settings(max_examples=6)
@given(parameter_sets(), adam_settings())
def test_in_place_no_graph(compare, params_case: Params, adam: AdamSettings) -> None:
    def scenario(impl):
        params = params_case.make()
        exp_avgs, exp_avg_sqs = _moments(params, 1, params_case.seed)
        originals, avgs, squares = list(params), list(exp_avgs), list(exp_avg_sqs)
        versions = [p._version for p in params]
        params_case.give_gradients(params, 0)
        adam.call(impl, params, exp_avgs, exp_avg_sqs, 1)
        return {
            ("the caller's lists hold the same tensor objects", "调用者的列表中仍是原来的张量对象"):
                [a is b for a, b in zip(params + exp_avgs + exp_avg_sqs, originals + avgs + squares, strict=True)],
            ("the parameters: leaves that require grad, with no grad_fn", "参数:需要梯度、没有 grad_fn 的叶子张量"):
                [(p.is_leaf, p.requires_grad, p.grad_fn is None) for p in originals],
            ("autograd sees each update (the version counter moved: no .data)", "自动求导能察觉每次更新(版本计数器变化:不用 .data)"):
                [p._version > before for p, before in zip(originals, versions, strict=True)],
            ("the caller's moment tensors after the step", "这一步之后调用者的矩张量"): (values(avgs), values(squares)),
        }

    compare.same(scenario, given=f"{params_case.describe()}; {adam.describe()}; one step", where="adam_step",
                 tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Update the parameters and the caller's moment tensors in place inside `with torch.no_grad():` "
                       "(exp_avg.mul_(b1).add_(...), p.sub_(...)); rebinding a name or a list item, or .data, is not in place."),
                       ("请在 `with torch.no_grad():` 中原地更新参数和调用者的矩张量(exp_avg.mul_(b1).add_(...)、p.sub_(...));"
                       "重新绑定变量名或列表元素、或者使用 .data,都不是原地更新。")))


@settings(max_examples=3)
@given(parameter_sets(), adam_settings())
def test_errors_reach_caller(compare, params_case: Params, adam: AdamSettings) -> None:
    def scenario(impl):
        params = params_case.make()
        params_case.give_gradients(params, 0)
        wrong = [torch.zeros(5, dtype=p.dtype) if p.dim() else torch.zeros(2, 5, dtype=p.dtype) for p in params]
        outcome = raises(lambda: adam.call(impl, params, wrong, [w.clone() for w in wrong], 1))
        return {("adam_step with moments of another shape than the parameters", "矩的形状与参数不同时调用 adam_step"): outcome.split(":")[0]}

    compare.same(scenario, given=f"{params_case.describe()}; {adam.describe()}; moments of shape (5,) or (2, 5)", where="adam_step",
                 state_hint=STATE_HINT,
                 hint=("Let errors reach the caller: a try/except that hides them turns the caller's mistake into a silent wrong step.",
                       "请让错误传给调用者:用 try/except 把错误藏起来,会把调用者的错误变成一次悄无声息的错误更新。"))

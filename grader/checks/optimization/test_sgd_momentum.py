"""Checks for optimization/sgd_momentum, by comparison with the reference (which matches torch.optim.SGD).

Drawn: momentum other than 0.5 (where m == 1 - m hides a swapped formula), dampening on the first
step (where torch copies the gradient, undamped), Nesterov, weight decay, float64, 0-d and
transposed (not contiguous) parameters, parameters whose .grad is None always or before the
second step. Between steps the caller writes new gradients into the existing .grad in place (as
backward() after zero_grad(set_to_none=False) does): a buffer that is p.grad itself shows.
Observed after every step: the parameters, the buffers, the gradients, and the parameters'
identity, leaf-ness and graph.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.optimization.common import PRECISE, STATE_HINT, values
from torchdojo.checks.strategies.optimization import (
    Params,
    SgdSettings,
    parameter_sets,
    sgd_settings,
)

PARAMS = ("the parameters after each step", "每一步之后的参数")
BUFFERS = ("the momentum buffers after each step", "每一步之后的动量缓冲区")
GRADS = ("the parameters' .grad after each step", "每一步之后参数的 .grad")

FORMULA = (("g = p.grad (+ weight_decay * p); first step: buf = a copy of g; later: buf = momentum * buf + (1 - dampening) * g; "
           "step = buf (Nesterov: g + momentum * buf); p -= lr * step."),
           ("g = p.grad(加上 weight_decay * p);第一步:buf = g 的副本;之后:buf = momentum * buf + (1 - dampening) * g;"
           "更新量 = buf(Nesterov:g + momentum * buf);p -= lr * 更新量。"))


def _steps(params_case: Params, sgd: SgdSettings, steps: int):
    def scenario(impl):
        params = params_case.make()
        buffers: list[torch.Tensor | None] = [None] * len(params)
        seen: dict[object, list[object]] = {PARAMS: [], BUFFERS: [], GRADS: []}
        for step in range(steps):
            params_case.give_gradients(params, step)
            sgd.call(impl, params, buffers)
            seen[PARAMS].append(values(params))
            seen[BUFFERS].append(values(buffers))
            seen[GRADS].append([values(p.grad) for p in params])
        return seen

    return scenario


def _same(compare, params_case: Params, sgd: SgdSettings, steps: int, hint: tuple[str, str]) -> None:
    compare.same(_steps(params_case, sgd, steps), given=f"{params_case.describe()}; {sgd.describe()}; {steps} steps",
                 where="sgd_momentum_step", tolerance=PRECISE, state_hint=STATE_HINT, hint=hint)


@settings(max_examples=8)
@given(parameter_sets(), sgd_settings(dampening=True))
def test_first_step(compare, params_case: Params, sgd: SgdSettings) -> None:
    _same(compare, params_case, sgd, 1, (
        ("On a parameter's first step its buffer is a plain copy of the gradient (no momentum, no dampening: "
        "torch.optim.SGD does not damp the first step), and p -= lr * buf. Leave p.grad as it was."),
        ("参数第一次更新时,它的缓冲区就是梯度的副本(不乘 momentum,也不做 dampening:torch.optim.SGD 第一步不衰减),"
        "然后 p -= lr * buf。p.grad 保持不变。")))


@settings(max_examples=8)
@given(parameter_sets(), sgd_settings(dampening=True))
def test_momentum_steps(compare, params_case: Params, sgd: SgdSettings) -> None:
    _same(compare, params_case, sgd, 4, (f"{FORMULA[0]} Keep the buffer as a tensor of its own: the caller overwrites p.grad in place.",
                                          f"{FORMULA[1]}缓冲区必须是独立的张量:调用者会原地覆盖 p.grad。"))


@settings(max_examples=8)
@given(parameter_sets(), sgd_settings(nesterov=True))
def test_nesterov(compare, params_case: Params, sgd: SgdSettings) -> None:
    _same(compare, params_case, sgd, 3, (
        "With nesterov=True the buffer is updated as usual, and the step is g + momentum * buf (not buf).",
        "nesterov=True 时缓冲区照常更新,更新量是 g + momentum * buf(而不是 buf)。"))


@settings(max_examples=8)
@given(parameter_sets(), sgd_settings(nesterov=None, weight_decay=True))
def test_weight_decay(compare, params_case: Params, sgd: SgdSettings) -> None:
    _same(compare, params_case, sgd, 3, (
        ("Weight decay is added to the gradient before the buffer: g = p.grad + weight_decay * p (p as it is before this step); "
        "p.grad itself stays as it was."),
        "权重衰减在更新缓冲区之前加到梯度上:g = p.grad + weight_decay * p(p 取本步更新之前的值);p.grad 本身保持不变。"))


@settings(max_examples=8)
@given(parameter_sets(missing=True), sgd_settings(nesterov=None))
def test_skips_missing_grads(compare, params_case: Params, sgd: SgdSettings) -> None:
    _same(compare, params_case, sgd, 3, (
        "Skip a parameter whose .grad is None (its buffer stays None); its first step with a gradient creates its buffer.",
        "跳过 .grad 为 None 的参数(它的缓冲区保持 None);它第一次有梯度的那一步再创建缓冲区。"))


@settings(max_examples=6)
@given(parameter_sets(), sgd_settings(nesterov=None))
def test_in_place_no_graph(compare, params_case: Params, sgd: SgdSettings) -> None:
    def scenario(impl):
        params = params_case.make()
        originals = list(params)
        buffers: list[torch.Tensor | None] = [None] * len(params)
        versions = [p._version for p in params]
        params_case.give_gradients(params, 0)
        sgd.call(impl, params, buffers)
        moved = [p._version > before for p, before in zip(originals, versions, strict=True)]
        for p in originals:  # the caller clears the gradients in place: the buffers must not change
            p.grad.zero_()
        kept = values(buffers)
        sgd.call(impl, params, buffers)  # a step with zero gradients: momentum alone moves the parameters
        return {
            ("the caller's list holds the same parameter objects", "调用者的列表中仍是原来的参数对象"): [a is b for a, b in zip(params, originals, strict=True)],
            ("the parameters: leaves that require grad, with no grad_fn", "参数:需要梯度、没有 grad_fn 的叶子张量"):
                [(p.is_leaf, p.requires_grad, p.grad_fn is None) for p in originals],
            ("autograd sees each update (the version counter moved: no .data)", "自动求导能察觉每次更新(版本计数器变化:不用 .data)"): moved,
            ("the buffers right after the caller zeroed p.grad in place", "调用者原地把 p.grad 清零之后的缓冲区"): kept,
        }

    compare.same(scenario, given=f"{params_case.describe()}; {sgd.describe()}; a step, p.grad.zero_() for each p, another step",
                 where="sgd_momentum_step", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Update each parameter in place inside `with torch.no_grad():` (p.sub_(...) or p -= ...; not p = p - ..., "
                       "not .data), and store a copy of the gradient as the first buffer (g.clone()), never p.grad itself."),
                       ("请在 `with torch.no_grad():` 中原地更新每个参数(p.sub_(...) 或 p -= ...;不要写 p = p - ...,也不要用 .data),"
                       "第一个缓冲区存梯度的副本(g.clone()),不要直接存 p.grad。")))


@settings(max_examples=3)
@given(parameter_sets(), sgd_settings(), st.sampled_from([0.1, 0.5]))
def test_nesterov_dampening_raises(compare, params_case: Params, sgd: SgdSettings, dampening: float) -> None:
    def scenario(impl):
        params = params_case.make()
        buffers: list[torch.Tensor | None] = [None] * len(params)
        params_case.give_gradients(params, 0)
        try:
            impl.sgd_momentum_step(params, buffers, sgd.lr, sgd.momentum, dampening=dampening, nesterov=True)
        except ValueError as error:
            outcome: object = f"raises ValueError{' without a message' if str(error).strip() in ('', 'None') else ''}"
        else:
            outcome = "returns"
        return {("sgd_momentum_step(..., dampening>0, nesterov=True)", "sgd_momentum_step(..., dampening>0, nesterov=True)"): outcome,
                PARAMS: values(params), BUFFERS: values(buffers)}

    compare.same(scenario, given=f"{params_case.describe()}; lr={sgd.lr}, momentum={sgd.momentum}, dampening={dampening}, nesterov=True",
                 where="sgd_momentum_step", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Check the arguments first: nesterov=True with dampening != 0 raises ValueError (with a message) "
                       "before any parameter or buffer changes."),
                       "请先检查参数:nesterov=True 且 dampening != 0 时,在修改任何参数或缓冲区之前抛出 ValueError(并附上说明)。"))

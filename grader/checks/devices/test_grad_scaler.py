"""Checks for devices/grad_scaler: scale, backward, unscale_, clip, step, update — in that order.

Compared with the reference on generated setups (a Linear or a small MLP; SGD with momentum or
Adam; a CPU `torch.amp.GradScaler` with drawn init_scale, growth and backoff factors and
growth_interval 1 or 2; one to three calls in a row): the returned losses (type and value), the
parameters and their .grad afterwards (the true, unscaled and clipped gradients), x and y
afterwards, the optimizer's state, and the scaler's scale and growth tracker after every call.
max_norm is drawn either far above every gradient norm (clipping changes nothing, so a wrong
clip cannot fail the other checks) or below it (clipping bites: only unscaled gradients give the
reference's step). A setup whose scaled gradients overflow float32 must skip the step and back
off the scale. Clearing the gradients with model.zero_grad() or optimizer.zero_grad(), with or
without set_to_none, is all right: only their values after the step are compared. The model's own
error (x of the wrong width) must reach the caller.
"""

from __future__ import annotations

import torch
from hypothesis import given, settings

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import learner_code
from torchdojo.checks.strategies.devices import ScalerCase, scaler_cases

LOOSE = (1e9,)
BITES = (0.05, 0.3)

LOSSES = ("the losses it returned", "它返回的损失")
PARAMS = ("the parameters afterwards", "调用后的参数")
GRADS = ("the gradients afterwards", "调用后的梯度")
INPUTS = ("x and y afterwards", "调用后的 x 和 y")
SCALE = ("the scaler's scale after each call", "每次调用后 scaler 的缩放因子")
TRACKER = ("the scaler's growth tracker after each call", "每次调用后 scaler 的增长计数")
STATE = ("the optimizer's state afterwards", "调用后优化器的状态")


def _run(impl, case: ScalerCase, observe: tuple[tuple[str, str], ...]) -> dict:
    model, optimizer, scaler = case.build()
    losses, scales, trackers, inputs = [], [], [], []
    for x, y in case.batches():
        losses.append(impl.scaled_step(model, optimizer, scaler, x, y, case.max_norm))
        scales.append(scaler.get_scale())
        trackers.append(scaler.state_dict().get("_growth_tracker"))
        inputs.append((x, y))
    seen = {
        LOSSES: losses,
        PARAMS: {name: p.detach().clone() for name, p in model.named_parameters()},
        GRADS: {name: p.grad for name, p in model.named_parameters()},
        INPUTS: inputs,
        SCALE: scales,
        TRACKER: trackers,
        STATE: optimizer.state_dict()["state"],
    }
    return {label: seen[label] for label in observe}


STEP = (("Clear the old gradients first, scale the loss before backward — scaler.scale(loss).backward() — and step through "
         "the scaler: scaler.step(optimizer). Return loss.item() of the unscaled loss; leave x and y alone."),
        ("先清空旧梯度,在 backward 之前缩放损失——scaler.scale(loss).backward()——并通过 scaler 执行一步:"
         "scaler.step(optimizer)。返回未缩放损失的 loss.item();不要改动 x 和 y。"))
CLIP = (("Clip the true gradients: scaler.unscale_(optimizer) first, then "
         "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm), then scaler.step(optimizer)."),
        ("请裁剪真实的梯度:先 scaler.unscale_(optimizer),再 torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm),"
         "然后 scaler.step(optimizer)。"))
UPDATE = ("Call scaler.update() once per step, after scaler.step(optimizer): it sets the scale for the next step.",
          "每一步调用一次 scaler.update(),放在 scaler.step(optimizer) 之后:它决定下一步的缩放因子。")
SKIP = (("Let the scaler decide: scaler.step(optimizer) skips the step when a scaled gradient is inf or NaN, and "
         "scaler.update() then lowers the scale. Don't call optimizer.step() yourself."),
        ("让 scaler 来决定:缩放后的梯度出现 inf 或 NaN 时,scaler.step(optimizer) 会跳过这一步,"
         "随后 scaler.update() 降低缩放因子。不要自己调用 optimizer.step()。"))
ORDER = (("GradScaler checks its own order on every call: scaler.scale(loss).backward(), scaler.unscale_(optimizer), clip, "
          "scaler.step(optimizer), scaler.update() — each once, in this order."),
         ("GradScaler 每次调用都会检查顺序:scaler.scale(loss).backward()、scaler.unscale_(optimizer)、裁剪、"
          "scaler.step(optimizer)、scaler.update()——每个一次,按这个顺序。"))


@settings(max_examples=10, deadline=None)
@given(scaler_cases(LOOSE))
def test_step(compare, case: ScalerCase) -> None:
    def wrong_width(impl):
        model, optimizer, scaler = case.build()
        x, y = case.batches()[0]
        return impl.scaled_step(model, optimizer, scaler, torch.cat([x, x[:, :1]], dim=1), y, case.max_norm)

    with learner_code():
        same(compare, wrong_width, {}, ("Let the model's own error reach the caller: don't catch it.", "让模型自己的错误传给调用者:不要捕获它。"),
             given=f"{case.describe()}, but x has 4 features (the model raises)", where="scaled_step")
        same(compare, lambda impl: _run(impl, case, (LOSSES, INPUTS, PARAMS, GRADS, STATE)), {}, STEP,
             raised=ORDER, given=case.describe(), where="scaled_step")


@settings(max_examples=10, deadline=None)
@given(scaler_cases(BITES, steps=(1, 2)))
def test_clips_unscaled_gradients(compare, case: ScalerCase) -> None:
    with learner_code():
        same(compare, lambda impl: _run(impl, case, (PARAMS, GRADS)), {}, CLIP, raised=ORDER, given=case.describe(), where="scaled_step")


@settings(max_examples=8, deadline=None)
@given(scaler_cases(LOOSE + BITES, steps=(2, 3)))
def test_scale_updates(compare, case: ScalerCase) -> None:
    with learner_code():
        same(compare, lambda impl: _run(impl, case, (SCALE, TRACKER)), {}, UPDATE, raised=ORDER, given=case.describe(), where="scaled_step")


@settings(max_examples=6, deadline=None)
@given(scaler_cases(LOOSE + BITES, steps=(1, 2), overflow=True))
def test_skips_overflow(compare, case: ScalerCase) -> None:
    with learner_code():
        same(compare, lambda impl: _run(impl, case, (PARAMS, STATE, SCALE)), {}, SKIP, raised=ORDER, given=case.describe(), where="scaled_step")

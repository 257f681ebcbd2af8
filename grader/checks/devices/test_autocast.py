"""Checks for devices/autocast: the forward pass in bfloat16 under CPU autocast, a float32 loss outside.

Compared with the reference on generated models (Linear stacks, one ending in a LayerNorm, whose
output autocast keeps float32, one with a Conv1d) and batches: the loss (value, dtype, shape,
graph); the dtypes the matrix multiplies and convolutions produced during the call (read by a
dispatch mode, below autocast: bfloat16 only if the region was really open, whatever the code
looked like); the parameters, the dtype and shape of their .grad after loss.backward(), x and y afterwards;
and the autocast state after one call and after two more. Any spelling of the region that names bfloat16 is
right (the default dtype is the caller's setting: a caller that set it to float16 is drawn), and so is
computing the loss inside the region (mse_loss runs in float32 there anyway). The model's own error
(x of the wrong width) must reach the caller.
"""

from __future__ import annotations

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import learner_code
from torchdojo.checks.strategies.devices import AmpCase, amp_cases
from torchdojo.checks.support import GraderDispatchMode

aten = torch.ops.aten
_MATMULS = {aten.mm, aten.addmm, aten.bmm, aten.convolution, aten.matmul, aten.linear}


class MatmulDtypes(GraderDispatchMode):
    """Records the dtype each matrix multiply or convolution produced (as kernels run, after autocast's casts)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, str]] = set()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if func.overloadpacket in _MATMULS and isinstance(out, torch.Tensor):
            name = "convolution" if func.overloadpacket is aten.convolution else "matrix multiply"
            self.seen.add((name, str(out.dtype).removeprefix("torch.")))
        return out


def _fresh_autocast() -> None:
    """Every scenario starts outside any region, so one leaked region cannot fail the other checks."""
    torch.set_autocast_enabled("cpu", False)
    torch.set_autocast_dtype("cpu", torch.bfloat16)
    torch.clear_autocast_cache()


LOSS = ("the loss", "损失")
DTYPES = ("the dtypes its matrix multiplies and convolutions produced", "矩阵乘法和卷积产生的 dtype")
PARAMS = ("the parameters afterwards", "调用后的参数")
GRADS = ("the dtype and shape of each parameter's .grad after loss.backward()", "loss.backward() 之后每个参数 .grad 的 dtype 和形状")
INPUTS = ("x and y afterwards", "调用后的 x 和 y")
STATE = ("autocast on the CPU after the call (enabled, dtype)", "调用后 CPU 上的 autocast 状态(是否开启、dtype)")

REGION = (("Run the forward pass inside `with torch.autocast(\"cpu\", dtype=torch.bfloat16):` — the layers then compute in "
          "bfloat16. Name the dtype (the default is whatever the caller set), not float16, and don't cast the model."),
          ("请在 `with torch.autocast(\"cpu\", dtype=torch.bfloat16):` 中做前向传播,层的计算就会使用 bfloat16。"
          "请写明 dtype(默认值取决于调用者的设置),不要用 float16,也不要转换模型。"))
FLOAT_LOSS = (("Return the mean squared error of the forward pass run under bfloat16 autocast, as a float32 0-d tensor still "
              "attached to the graph: nn.functional.mse_loss(out.float(), y) — no .item(), no .detach()."),
              ("请返回在 bfloat16 autocast 下前向传播所得的均方误差,作为仍连接在计算图上的 float32 0 维张量:"
              "nn.functional.mse_loss(out.float(), y)——不要 .item(),也不要 .detach()。"))
WEIGHTS = ("Autocast casts copies: leave the model's weights float32 (no model.bfloat16() or model.to(...)), and change neither x nor y.",
           "autocast 转换的是副本:模型权重保持 float32(不要 model.bfloat16() 或 model.to(...)),也不要改动 x 和 y。")
CLOSED = ("Leave the region when the forward pass is done: a `with torch.autocast(...):` block switches autocast off again.",
          "前向传播结束后离开区域:`with torch.autocast(...):` 块结束时会重新关闭 autocast。")


def _call(impl, case: AmpCase, caller_dtype: torch.dtype | None = None):
    _fresh_autocast()
    if caller_dtype is not None:  # the caller changed CPU autocast's default dtype: the spec's bfloat16 still holds
        torch.set_autocast_dtype("cpu", caller_dtype)
    model = case.build()
    x, y = case.data()
    spy = MatmulDtypes()
    with spy:
        loss = impl.autocast_loss(model, x, y)
    state = (torch.is_autocast_enabled("cpu"), str(torch.get_autocast_dtype("cpu")).removeprefix("torch."))
    _fresh_autocast()
    return model, x, y, loss, spy.seen, state


@settings(max_examples=10, deadline=None)
@given(amp_cases)
def test_loss(compare, case: AmpCase) -> None:
    def scenario(impl):
        _, _, _, loss, _, _ = _call(impl, case)
        return {LOSS: loss}

    def wrong_width(impl):
        _fresh_autocast()
        x, y = case.data()
        try:
            return impl.autocast_loss(case.build(), torch.cat([x, x[:, :1]], dim=1), y)
        finally:
            _fresh_autocast()

    with learner_code():
        same(compare, scenario, {}, FLOAT_LOSS, given=case.describe(), where="autocast_loss")
        same(compare, wrong_width, {}, ("Let the model's own error reach the caller: don't catch it.", "让模型自己的错误传给调用者:不要捕获它。"),
             given=f"{case.describe()}, but x has 5 features (the model raises)", where="autocast_loss")


@settings(max_examples=10, deadline=None)
@given(amp_cases, st.sampled_from([None, torch.float16]))
def test_layers_in_bfloat16(compare, case: AmpCase, caller_dtype: torch.dtype | None) -> None:
    def scenario(impl):
        seen = _call(impl, case, caller_dtype)[4]
        return {DTYPES: sorted(seen)}

    given_words = case.describe()
    if caller_dtype is not None:
        given_words += ", the caller set CPU autocast's default dtype to float16 (torch.set_autocast_dtype)"
    with learner_code():
        same(compare, scenario, {}, REGION, given=given_words, where="autocast_loss")


@settings(max_examples=8, deadline=None)
@given(amp_cases)
def test_weights_stay_float32(compare, case: AmpCase) -> None:
    def scenario(impl):
        model, x, y, loss, _, _ = _call(impl, case)
        params = {name: p.detach().clone() for name, p in model.named_parameters()}
        if isinstance(loss, torch.Tensor) and loss.requires_grad:
            loss.backward()
        grads = {name: None if p.grad is None else (str(p.grad.dtype).removeprefix("torch."), tuple(p.grad.shape))
                 for name, p in model.named_parameters()}
        return {PARAMS: params, INPUTS: (x, y), GRADS: grads}

    with learner_code():
        same(compare, scenario, {PARAMS[0]: WEIGHTS, "x and y": WEIGHTS}, FLOAT_LOSS, given=case.describe(), where="autocast_loss")


@settings(max_examples=6, deadline=None)
@given(amp_cases)
def test_region_closed(compare, case: AmpCase) -> None:
    def scenario(impl):
        _, _, _, _, _, state = _call(impl, case)
        _fresh_autocast()
        model = case.build()
        x, y = case.data()
        impl.autocast_loss(model, x, y)
        impl.autocast_loss(model, x, y)
        after = (torch.is_autocast_enabled("cpu"), str(torch.get_autocast_dtype("cpu")).removeprefix("torch."))
        _fresh_autocast()
        return {STATE: state, ("autocast after two calls", "两次调用后的 autocast 状态"): after}

    with learner_code():
        same(compare, scenario, {}, CLOSED, given=case.describe(), where="autocast_loss")

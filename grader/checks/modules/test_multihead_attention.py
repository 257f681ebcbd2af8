"""Checks for modules/multihead_attention, by comparison with the reference on seeded nn.MultiheadAttention modules.

Every weight and bias of the torch module is drawn (zero biases would hide one copied to the
wrong projection); one head and several heads are checked apart (a wrong split of the heads, or
scores divided by sqrt(E) instead of sqrt(d), shows only with several); L differs from S, and
cross-attention uses three different tensors; masks follow nn.MultiheadAttention (True = not
allowed); float64 is compared tightly. The learner's module is only ever built by from_torch,
so its layout is theirs.
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.autograd.common import PRECISE
from torchdojo.checks.modules.common import attempt, outcome
from torchdojo.checks.strategies.modules import MhaCase, mha_cases, randn

WHERE = "MultiHeadAttention.forward"


def _output(impl, case: MhaCase) -> dict:
    mha = case.torch_module()
    q, k, v, mask = case.inputs()
    model = impl.from_torch(mha)
    out = model(q, k, v, mask) if mask is not None else model(q, k, v)
    wide = torch.cat([q, q[..., :1]], dim=-1)  # one feature more than embed_dim: the projections refuse it
    return {"the output": out.detach() if torch.is_tensor(out) else out, ("q, k and v afterwards", "调用后的 q、k、v"): (q, k, v),
            ("model(q_with_one_feature_too_many, k, v)", "model(多一个特征的 q, k, v)"): outcome(lambda: model(wide, k, v))}


@settings(max_examples=5)
@given(mha_cases(heads="one", masked=False))
@example(MhaCase(4, 1, 2, 3, 5, True, False, torch.float64, 1))
def test_single_head(compare, case: MhaCase) -> None:
    compare.same(lambda impl: _output(impl, case), given=case.describe(), where=WHERE, tolerance=PRECISE,
                 hint=(("With one head: q_proj, k_proj, v_proj hold the three (E, E) blocks of in_proj_weight in that order "
                       "(and the three parts of in_proj_bias); softmax(q kᵀ / sqrt(E)) v over the keys, then out_proj."),
                       ("一个头时:q_proj、k_proj、v_proj 依次持有 in_proj_weight 的三个 (E, E) 块(以及 in_proj_bias 的三部分);"
                       "在键上计算 softmax(q kᵀ / sqrt(E)) v,再经过 out_proj。")))


@settings(max_examples=6)
@given(mha_cases(heads="many", masked=False))
@example(MhaCase(6, 3, 2, 2, 4, True, False, torch.float32, 2))
def test_heads(compare, case: MhaCase) -> None:
    compare.same(lambda impl: _output(impl, case), given=case.describe(), where=WHERE, tolerance=PRECISE,
                 hint=(("Split the last dim into heads with .view(N, L, heads, d).transpose(1, 2) (not .view(N, heads, L, d)), "
                       "divide the scores by sqrt(d) with d = E // heads, and join with .transpose(1, 2).reshape(N, L, E)."),
                       ("用 .view(N, L, heads, d).transpose(1, 2) 把最后一维分成多个头(不是 .view(N, heads, L, d)),"
                       "分数除以 sqrt(d),d = E // heads,再用 .transpose(1, 2).reshape(N, L, E) 拼接回来。")))


@settings(max_examples=6)
@given(mha_cases(masked=True))
@example(MhaCase(6, 2, 2, 3, 4, True, True, torch.float64, 3))
def test_mask(compare, case: MhaCase) -> None:
    compare.same(lambda impl: _output(impl, case), given=case.describe(), where=WHERE, tolerance=PRECISE,
                 hint=(("nn.MultiheadAttention's bool attn_mask is True where a query may NOT attend: "
                       "scores.masked_fill(attn_mask, float('-inf')), the same (L, S) mask for every batch and head."),
                       ("nn.MultiheadAttention 的布尔 attn_mask 为 True 的位置表示不允许关注:"
                       "scores.masked_fill(attn_mask, float('-inf')),每个批次和每个头都使用同一个 (L, S) 掩码。")))


@settings(max_examples=4)
@given(mha_cases())
def test_copies_weights(compare, case: MhaCase) -> None:
    def scenario(impl):
        mha = case.torch_module()
        q, k, v, mask = case.inputs()
        model = impl.from_torch(mha)
        before = model(q, k, v, mask).detach()
        with torch.no_grad():
            for p in mha.parameters():
                p.mul_(-2.0)  # the caller changes mha afterwards
        after = model(q, k, v, mask).detach()
        params = list(model.parameters())
        return {("the output before and after the caller changed mha", "调用者修改 mha 之前和之后的输出"): (before, after),
                ("your module's parameters are leaves that require grad", "你的模块的参数是需要梯度的叶子张量"): all(
                    p.is_leaf and p.requires_grad for p in params) and len(params) > 0,
                ("the dtypes of your module's parameters", "你的模块的参数的 dtype"): sorted({str(p.dtype) for p in params}),
                ("mha's parameters have a .grad", "mha 的参数有 .grad"): any(p.grad is not None for p in mha.parameters())}

    compare.same(scenario, given=case.describe(), where="from_torch", tolerance=PRECISE,
                 hint=(("Copy the values into your own parameters (layer.weight.copy_(...) under torch.no_grad(), in mha's dtype): "
                       "a view or slice of mha's tensors would change when mha changes."),
                       ("把数值复制到你自己的参数中(在 torch.no_grad() 中用 layer.weight.copy_(...),dtype 与 mha 相同):"
                       "mha 张量的视图或切片会随 mha 一起改变。")))


@settings(max_examples=4)
@given(mha_cases())
def test_gradients(compare, case: MhaCase) -> None:
    def scenario(impl):
        model = impl.from_torch(case.torch_module())
        q, k, v, mask = case.inputs()
        q, k, v = (t.detach().clone().requires_grad_(True) for t in (q, k, v))
        out = model(q, k, v, mask)
        weights = randn((case.batch, case.queries, case.embed), case.seed + 6, 1.0, case.dtype)
        ended = attempt(lambda: (out * weights).sum().backward())
        return {("(out * w).sum().backward()", "(out * w).sum().backward()"): ended,
                ("q.grad, k.grad, v.grad", "q.grad、k.grad、v.grad"): (q.grad, k.grad, v.grad),
                ("every parameter of your module got a gradient", "你的模块的每个参数都得到了梯度"): all(
                    p.grad is not None for p in model.parameters())}

    compare.same(scenario, given=case.describe() + " (q, k, v require grad)", where=WHERE, tolerance=PRECISE,
                 hint=("Gradients reach the queries, keys and values and every projection: no .detach(), .data or torch.no_grad() in forward.",
                       "梯度传到查询、键、值和每个投影:forward 中不要使用 .detach()、.data 或 torch.no_grad()。"))

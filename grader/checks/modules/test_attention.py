"""Checks for modules/attention, by comparison with the reference on generated queries, keys, values and masks.

L (queries), S (keys), E (embedding) and Ev (value width) are drawn apart, so a scale by sqrt(Ev)
or sqrt(L), a softmax over the queries, or k not transposed give other numbers; batches are
0-, 1- and 2-d; float64 is compared tightly; masks are None, 2-d (broadcast over the batch),
full-shaped and causal, with at least one allowed key per query (an inverted mask, or 0 instead
of -inf, shows). Gradients use an upstream gradient that is not ones; the inputs are compared
after every call.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.autograd.common import PRECISE
from torchdojo.checks.modules.common import attempt, outcome
from torchdojo.checks.strategies.modules import AttentionCase, attention_cases, randn

WHERE = "scaled_dot_product_attention"
FORMULA = (("scores = q @ k.transpose(-2, -1) / math.sqrt(E) with E = q.shape[-1]; softmax over the last dim (the keys); "
           "then weights @ v. Work on new tensors: never change q, k, v or the mask."),
           ("scores = q @ k.transpose(-2, -1) / math.sqrt(E),其中 E = q.shape[-1];在最后一维(键)上做 softmax;"
           "再计算 `weights @ v`。在新张量上计算:不要修改 q、k、v 或 mask。"))
MASK = (("mask is True where a query may attend (as in F.scaled_dot_product_attention): scores.masked_fill(~mask, "
        "float('-inf')) before the softmax gives the other keys a weight of exactly 0. It may be 2-d and broadcast over the batch."),
        ("mask 为 True 的位置表示可以关注(与 F.scaled_dot_product_attention 相同):在 softmax 之前用 "
        "scores.masked_fill(~mask, float('-inf')),其他键的权重就恰好为 0。mask 可以是二维的,在批次上广播。"))


@settings(max_examples=6)
@given(st.integers(1, 7))
@example(4)
def test_causal_mask(compare, size: int) -> None:
    def scenario(impl):
        first = impl.causal_mask(size)
        seen = {(f"causal_mask({size})", f"causal_mask({size})"): first.clone() if torch.is_tensor(first) else first}
        if torch.is_tensor(first) and first.numel():
            first.fill_(False)  # the caller changes its mask; a new call must not see that
        seen[(f"a second causal_mask({size}) after the caller changed the first", f"调用者修改第一个结果后再次调用 causal_mask({size})")] = (
            impl.causal_mask(size))
        return seen

    compare.same(scenario, given=f"size = {size}", where="causal_mask",
                 hint=(("A new (size, size) tensor of dtype torch.bool each call, True on and below the diagonal: "
                       "torch.tril(torch.ones(size, size, dtype=torch.bool))."),
                       ("每次调用返回一个新的 (size, size) torch.bool 张量,对角线及以下为 True:"
                       "torch.tril(torch.ones(size, size, dtype=torch.bool))。")))


def _observe(impl, case: AttentionCase) -> dict:
    q, k, v, mask = case.tensors()
    result = impl.scaled_dot_product_attention(q, k, v, mask) if mask is not None else impl.scaled_dot_product_attention(q, k, v)
    seen = {"the result": result, ("q, k and v afterwards", "调用后的 q、k、v"): (q, k, v)}
    if mask is not None:
        seen[("the mask afterwards", "调用后的 mask")] = mask
    return seen


@settings(max_examples=8)
@given(attention_cases(masks=("none",)))
@example(AttentionCase((2,), 3, 5, 4, 2, torch.float32, "none", 7))
@example(AttentionCase((), 1, 4, 3, 5, torch.float64, "none", 11))
def test_attention_values(compare, case: AttentionCase) -> None:
    compare.same(lambda impl: _observe(impl, case), given=case.describe(), where=WHERE, tolerance=PRECISE, hint=FORMULA)


@settings(max_examples=8)
@given(attention_cases(masks=("broadcast", "full", "causal")))
@example(AttentionCase((2,), 4, 4, 3, 2, torch.float32, "causal", 5))
@example(AttentionCase((2, 3), 3, 5, 2, 4, torch.float64, "broadcast", 9))
def test_mask(compare, case: AttentionCase) -> None:
    compare.same(lambda impl: _observe(impl, case), given=case.describe(), where=WHERE, tolerance=PRECISE, hint=MASK)


@settings(max_examples=6)
@given(attention_cases())
@example(AttentionCase((2,), 3, 4, 5, 2, torch.float64, "causal", 3))
def test_gradients(compare, case: AttentionCase) -> None:
    def scenario(impl):
        q, k, v, mask = (t.requires_grad_(True) if t is not None and t.is_floating_point() else t for t in case.tensors())
        out = impl.scaled_dot_product_attention(q, k, v, mask)
        upstream = randn(tuple(out.shape), case.seed + 5, 1.0, out.dtype) if torch.is_tensor(out) else None
        ended = attempt(lambda: out.backward(upstream))
        return {("out.backward(g)", "out.backward(g)"): ended,
                ("q.grad, k.grad, v.grad", "q.grad、k.grad、v.grad"): (q.grad, k.grad, v.grad)}

    compare.same(scenario, given=case.describe() + " (q, k, v require grad)", where=WHERE, tolerance=PRECISE,
                 hint=(("Build the result from torch operations on q, k and v (no .detach(), no .item(), no torch.no_grad()), "
                       "so that gradients reach all three; keys masked out get no gradient."),
                       ("用 torch 运算由 q、k、v 计算结果(不要 .detach()、.item() 或 torch.no_grad()),"
                       "梯度才能传到三者;被掩码屏蔽的键没有梯度。")))


@settings(max_examples=4)
@given(attention_cases(masks=("none", "broadcast")), st.sampled_from(["k", "v"]))
def test_shape_errors(compare, case: AttentionCase, which: str) -> None:
    def scenario(impl):
        q, k, v, mask = case.tensors()
        if which == "k":
            k = torch.cat([k, k[..., :1]], dim=-1)  # E + 1 columns
        else:
            v = torch.cat([v, v[..., :1, :]], dim=-2)  # S + 1 rows
        return {("the call", "这次调用"): outcome(lambda: impl.scaled_dot_product_attention(q, k, v, mask)),
                ("q, k and v afterwards", "调用后的 q、k、v"): (q, k, v)}

    bad = "k with one more column than q (E + 1)" if which == "k" else "v with one more row than k (S + 1)"
    bad_zh = "k 比 q 多一列(E + 1)" if which == "k" else "v 比 k 多一行(S + 1)"
    compare.same(scenario, given=f"{case.describe()}, then {bad}", given_zh=f"{case.describe()},然后 {bad_zh}", where=WHERE,
                 hint=("Shapes that do not fit must raise an error (torch's @ does): never catch it and return something else.",
                       "形状不匹配时必须抛出错误(torch 的 @ 会抛出):不要捕获它再返回别的东西。"))

"""Checks for autograd/higher_order, by comparison with the reference on generated inputs.

Functions have first and second derivatives that differ from each other and from f (a
swapped pair or a missing second `grad` shows); one is quadratic (f'' constant but f' still in
the graph) and linear ones make f' leave the graph (f'' must be zeros, not an error). x comes
as callers hold it (plain, requiring grad, with a .grad already, non-leaf), in float32 and
float64 (compared tightly); calls also run inside the caller's torch.no_grad().
"""

from typing import Any

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, outcome, snapshot
from torchdojo.checks.strategies import CallerState, CallerTensor, caller_tensors
from torchdojo.checks.strategies.autograd import (
    LINEAR_FUNCTIONS,
    SECOND_FUNCTIONS,
    Function,
)

WHERE = "derivatives"
PLAIN: tuple[CallerState, ...] = ("plain",)


def _call(impl, function: Function, x: torch.Tensor) -> Any:
    result = impl.derivatives(function.f, x)
    if isinstance(result, tuple) and len(result) == 2:
        return tuple(snapshot(r) for r in result)
    return result


def _words(function: Function, x: CallerTensor) -> dict[str, str]:
    en, zh = x.describe()
    return {"given": f"f(x) = {function.name}, x = {en}", "given_zh": f"f(x) = {function.name},x = {zh}"}


@settings(max_examples=8)
@given(caller_tensors(states=PLAIN), st.sampled_from(SECOND_FUNCTIONS))
def test_values(compare, x: CallerTensor, function: Function) -> None:
    def refuses(t: torch.Tensor) -> torch.Tensor:
        raise ValueError("f refuses this input")

    def mismatched(t: torch.Tensor) -> torch.Tensor:  # torch's own error (RuntimeError), as a shape mistake in f gives
        return t.reshape(-1) @ torch.ones(t.numel() + 1, dtype=t.dtype)  # (n,) @ (n + 1,): raises for every n

    compare.same(lambda impl: {("(f'(x), f''(x)) values", "(f'(x), f''(x)) 的数值"): tuple(
                     r.detach() if torch.is_tensor(r) else r for r in _call(impl, function, x.make())),
                               ("derivatives(g, x) for a g that raises ValueError", "g 抛出 ValueError 时的 derivatives(g, x)"): outcome(
                     lambda: impl.derivatives(refuses, x.make())),
                               ("derivatives(h, x) for an h whose shapes do not fit (torch raises RuntimeError)",
                                "h 的形状不匹配(torch 抛出 RuntimeError)时的 derivatives(h, x)"): outcome(
                     lambda: impl.derivatives(mismatched, x.make()))},
                 **_words(function, x), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("first = grad(f(x).sum(), x, create_graph=True)[0] keeps a graph; second = grad(first.sum(), x)[0]. "
                       "Return (first, second) in that order, in x's dtype and shape; let an error raised by f reach the caller."),
                       ("first = grad(f(x).sum(), x, create_graph=True)[0] 保留计算图;second = grad(first.sum(), x)[0]。"
                       "按 (first, second) 的顺序返回,dtype 和形状与 x 相同;f 抛出的错误要传给调用者。")))


@settings(max_examples=6)
@given(caller_tensors(states=PLAIN), st.sampled_from(SECOND_FUNCTIONS + LINEAR_FUNCTIONS))
def test_detached_results(compare, x: CallerTensor, function: Function) -> None:
    def scenario(impl):
        first, second = impl.derivatives(function.f, x.make())
        again = impl.derivatives(function.f, x.make())  # a second call gives the same, fresh results
        return {("(f'(x), f''(x))", "(f'(x), f''(x))"): (snapshot(first), snapshot(second)),
                ("a second call", "第二次调用"): tuple(snapshot(r) for r in again)}

    compare.same(scenario, **_words(function, x), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=("Both results are plain tensors: .detach() them (f' was built with create_graph=True and is still in a graph).",
                       "两个结果都应是普通张量:对它们调用 .detach()(f' 是用 create_graph=True 计算的,仍在计算图中)。"))


@settings(max_examples=6)
@given(caller_tensors(states=PLAIN), st.sampled_from(LINEAR_FUNCTIONS))
def test_linear_function(compare, x: CallerTensor, function: Function) -> None:
    compare.same(lambda impl: {("(f'(x), f''(x))", "(f'(x), f''(x))"): _call(impl, function, x.make())},
                 **_words(function, x), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("For a linear f, f' is a constant with no graph (first.requires_grad is False): differentiating it "
                       "again raises, so return torch.zeros_like(x) as f'' then."),
                       ("f 是线性函数时,f' 是常数,没有计算图(first.requires_grad 为 False):再次求导会报错,"
                       "这时 f'' 返回 torch.zeros_like(x)。")))


@settings(max_examples=8)
@given(caller_tensors(), st.sampled_from(SECOND_FUNCTIONS))
def test_caller_untouched(compare, x: CallerTensor, function: Function) -> None:
    def scenario(impl):
        given_x = x.make()
        result = _call(impl, function, given_x)
        return {"the result": result, "x after the call": given_x}

    compare.same(scenario, **_words(function, x), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Differentiate a detached copy (x.detach().requires_grad_(True)) with torch.autograd.grad: "
                       "backward() would add into the caller's .grad, and requires_grad_ on x itself changes the caller's tensor."),
                       ("对分离出来的副本(x.detach().requires_grad_(True))用 torch.autograd.grad 求导:"
                       "backward() 会累加到调用者的 .grad 上,对 x 本身调用 requires_grad_ 会改变调用者的张量。")))


@settings(max_examples=6)
@given(caller_tensors(states=("plain", "requires_grad")), st.sampled_from(SECOND_FUNCTIONS + LINEAR_FUNCTIONS))
def test_inside_no_grad(compare, x: CallerTensor, function: Function) -> None:
    def scenario(impl):
        given_x = x.make()
        return {"the result": _call(impl, function, given_x), "x after the call": given_x}

    compare.same(scenario, **_words(function, x), where=WHERE, tolerance=PRECISE, context=torch.no_grad,
                 context_words=(" inside the caller's torch.no_grad()", "(在调用者的 torch.no_grad() 中)"),
                 hint=(("The caller may be inside torch.no_grad(): wrap your work in `with torch.enable_grad():`, which "
                       "records the graph there and restores the caller's mode when the block ends."),
                       ("调用者可能在 torch.no_grad() 中:把计算放进 `with torch.enable_grad():`,它在块内记录计算图,"
                       "并在块结束时恢复调用者的模式。")))

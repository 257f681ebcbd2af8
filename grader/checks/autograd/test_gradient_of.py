"""Checks for autograd/gradient_of, by comparison with the reference on generated inputs.

Every scenario runs on the reference and on the learner's code, and every effect is
compared: the result (values, dtype, shape, graph attachment), the caller's tensor
afterwards (values, requires_grad, .grad) also when f(x) is not a scalar, grad mode, a
call inside the caller's `no_grad`, and a second call (which must not change the first
result). x is drawn as the caller may hold it: plain, a leaf that requires grad (with or
without a .grad already), a non-leaf; float32 or float64 (compared tightly), 0-d to 3-d.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, ends, snapshot
from torchdojo.checks.strategies import CallerTensor, caller_tensors
from torchdojo.checks.strategies.autograd import Function, functions
from torchdojo.checks.support import show


def _given(function: Function, x: CallerTensor) -> dict[str, str]:
    en, zh = x.describe()
    return {"given": f"f(x) = {function.name}, x = {en}", "given_zh": f"f(x) = {function.name},x = {zh}"}


@settings(max_examples=16)
@given(caller_tensors(), functions)
def test_correct_gradient(compare, x: CallerTensor, function: Function) -> None:
    compare.same(
        lambda impl: {"the result": impl.gradient_of(function.f, x.make())},
        **_given(function, x),
        where="gradient_of", state_hint=STATE_HINT,
        tolerance=PRECISE,
        hint=(("Differentiate a copy of x that is a leaf of x's dtype and shape (x.detach().clone().requires_grad_()), "
              "so that neither the caller's .grad nor a non-leaf x can change the answer."),
              ("请对 x 的一个副本求导:它是与 x 的 dtype 和形状相同的叶子张量(x.detach().clone().requires_grad_()),"
              "这样调用者已有的 .grad 或非叶子的 x 都不会影响结果。")),
    )


NON_SCALAR: list[tuple[str, list[tuple[int, ...]]]] = [
    ("x * 2", [(3,), (2, 2)]),
    ("x.sum(0)", [(2, 2), (3, 2)]),
    ("torch.stack([x.sum(), x.sum()])", [(), (3,)]),
]
non_scalar_cases = st.sampled_from([(body, shape) for body, shapes in NON_SCALAR for shape in shapes])


def _non_scalar(body: str):
    return eval(f"lambda x: {body}", {"torch": torch})


@settings(max_examples=10)
@given(caller_tensors(), functions, non_scalar_cases)
def test_caller_tensor_untouched(compare, x: CallerTensor, function: Function, case: tuple[str, tuple[int, ...]]) -> None:
    body, shape = case
    f = _non_scalar(body)
    bad = CallerTensor(torch.linspace(-1.0, 2.0, max(1, torch.Size(shape).numel())).reshape(shape), x.state)

    def scenario(impl):
        caller = x.make()
        impl.gradient_of(function.f, caller)
        other = bad.make()
        ends(lambda: impl.gradient_of(f, other))  # it raises ValueError: x must be as it was all the same
        return {
            ("the caller's x after the call", "调用后调用者的 x"): caller,
            (f"the caller's x after gradient_of(lambda x: {body}, x) raised", f"gradient_of(lambda x: {body}, x) 抛出异常之后调用者的 x"): other,
        }

    compare.same(
        scenario,
        **_given(function, x),
        where="gradient_of", state_hint=STATE_HINT,
        tolerance=PRECISE,
        hint=(("Work on x.detach().clone(), and use torch.autograd.grad so that nothing of the caller's changes "
              "(requires_grad, .grad, values), also when you raise."),
              ("请在 x.detach().clone() 上计算,并使用 torch.autograd.grad,不要改动调用者的任何东西"
              "(requires_grad、.grad、数值),抛出异常时也一样。")),
    )


@settings(max_examples=6)
@given(non_scalar_cases)
def test_non_scalar_raises_value_error(compare, case: tuple[str, tuple[int, ...]]) -> None:
    body, shape = case
    f = _non_scalar(body)
    compare.same(
        lambda impl: impl.gradient_of(f, torch.linspace(-1.0, 2.0, max(1, torch.Size(shape).numel())).reshape(shape)),
        given=f"f(x) = {body}, x of shape {shape} (f(x) is not a scalar)",
        given_zh=f"f(x) = {body},x 的形状为 {shape}(f(x) 不是标量)",
        where="gradient_of", state_hint=STATE_HINT,
        hint=("A non-scalar f(x) has no single gradient: check before differentiating and raise ValueError with a clear message.",
              "非标量的 f(x) 没有唯一的梯度:求导前先检查,并抛出带有清晰说明的 ValueError。"),
    )


@settings(max_examples=10)
@given(caller_tensors(), functions)
def test_result_is_plain_tensor(compare, x: CallerTensor, function: Function) -> None:
    other = CallerTensor(x.values * -1.5 + 0.25, x.state)

    def scenario(impl):
        first = impl.gradient_of(function.f, x.make())
        first_then = snapshot(first)
        second = impl.gradient_of(function.f, other.make())
        return {
            "the result": first_then,
            (f"the result of a second call, at x = {show(other.values)}", f"第二次调用(x = {show(other.values)})的返回值"): second,
            ("the first result, after the second call", "第二次调用之后的第一次返回值"): first,
        }

    compare.same(
        scenario,
        **_given(function, x),
        where="gradient_of", state_hint=STATE_HINT,
        tolerance=PRECISE,
        hint=("Return a plain tensor (no create_graph=True), a new one on every call: nothing kept between calls.",
              "请返回普通张量(不要 create_graph=True),并且每次调用都返回新的张量:调用之间不保留任何东西。"),
    )


@settings(max_examples=8)
@given(caller_tensors(), functions)
def test_works_inside_no_grad(compare, x: CallerTensor, function: Function) -> None:
    def scenario(impl):
        inside = impl.gradient_of(function.f, x.make())
        return {("the result when called inside torch.no_grad()", "在 torch.no_grad() 中调用时的返回值"): inside}

    compare.same(
        scenario,
        **_given(function, x),
        where="gradient_of",
        tolerance=PRECISE,
        context=torch.no_grad,
        context_words=(" inside the caller's torch.no_grad()", "(在调用者的 torch.no_grad() 中)"),
        hint=(("The caller may be inside torch.no_grad(): compute under `with torch.enable_grad():`, which also puts "
              "grad mode back as the caller had it when the block ends (torch.set_grad_enabled(True) does not)."),
              ("调用者可能处在 torch.no_grad() 中:请在 `with torch.enable_grad():` 中计算,代码块结束时它会把梯度模式"
              "恢复成调用者原来的设置(torch.set_grad_enabled(True) 不会)。")),
    )

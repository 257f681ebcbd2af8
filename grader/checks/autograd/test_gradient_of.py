"""Checks for autograd/gradient_of, by comparison with the reference on generated inputs.

Every scenario runs on the reference and on the learner's code, and every effect is
compared: the result (values, dtype, shape, graph attachment), the caller's tensor
afterwards (values, requires_grad, .grad), grad mode, and a call inside `no_grad`.
"""

import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.checks.strategies import CallerTensor, caller_tensors
from grader.checks.strategies.autograd import Function, functions
from grader.checks.support import show


@given(caller_tensors(states=("plain",)), functions)
def test_correct_gradient(compare, x: CallerTensor, function: Function) -> None:
    compare.same(
        lambda impl: {"the result": impl.gradient_of(function.f, x.make())},
        given=f"f(x) = {function.name}, x = {show(x.values)}",
        where="gradient_of",
    )


@given(caller_tensors(), functions)
def test_caller_tensor_untouched(compare, x: CallerTensor, function: Function) -> None:
    def scenario(impl):
        caller = x.make()
        impl.gradient_of(function.f, caller)
        return {("the caller's x after the call", "调用后调用者的 x"): caller}

    en, zh = x.describe()
    compare.same(
        scenario,
        given=f"f(x) = {function.name}, x = {en}",
        given_zh=f"f(x) = {function.name},x = {zh}",
        where="gradient_of",
        hint=("Work on x.detach().clone(), and use torch.autograd.grad so that nothing of the caller's changes.",
              "请在 x.detach().clone() 上计算,并使用 torch.autograd.grad,不要改动调用者的任何东西。"),
    )


NON_SCALAR = ["x * 2", "x.sum(0)", "torch.stack([x.sum(), x.sum()])"]


@given(st.sampled_from([(3,), (2, 2)]), st.sampled_from(NON_SCALAR))
def test_non_scalar_raises_value_error(compare, shape: tuple[int, ...], body: str) -> None:
    f = eval(f"lambda x: {body}", {"torch": torch})  # noqa: S307 - fixed, grader-written expressions
    compare.same(
        lambda impl: impl.gradient_of(f, torch.ones(shape)),
        given=f"f(x) = {body}, x of shape {shape} (f(x) is not a scalar)",
        given_zh=f"f(x) = {body},x 的形状为 {shape}(f(x) 不是标量)",
        where="gradient_of",
        hint=("A non-scalar f(x) has no single gradient: raise ValueError with a clear message.",
              "非标量的 f(x) 没有唯一的梯度:请抛出带有清晰说明的 ValueError。"),
    )


@given(caller_tensors(), functions)
def test_result_is_plain_tensor(compare, x: CallerTensor, function: Function) -> None:
    def scenario(impl):
        first = impl.gradient_of(function.f, x.make())
        second = impl.gradient_of(function.f, x.make())
        with torch.no_grad():  # the caller's own no_grad block
            inside = impl.gradient_of(function.f, x.make())
            mode_inside = torch.is_grad_enabled()
        return {
            "the result": first,
            ("the result of a second call", "第二次调用的返回值"): second,
            ("the result when called inside torch.no_grad()", "在 torch.no_grad() 中调用时的返回值"): inside,
            ("grad mode inside the caller's torch.no_grad() after the call", "调用后调用者 torch.no_grad() 块中的梯度模式"): mode_inside,
        }

    en, zh = x.describe()
    compare.same(
        scenario,
        given=f"f(x) = {function.name}, x = {en}",
        given_zh=f"f(x) = {function.name},x = {zh}",
        where="gradient_of",
        hint=("Return a plain tensor (no create_graph=True) and leave grad mode as the caller set it: "
              "`with torch.enable_grad():` inside the function restores it on exit.",
              "请返回普通张量(不要 create_graph=True),并保持调用者设置的梯度模式:"
              "在函数内使用 `with torch.enable_grad():`,退出时会自动恢复。"),
    )

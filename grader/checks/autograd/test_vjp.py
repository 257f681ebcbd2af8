"""Checks for autograd/vjp, by comparison with the reference on generated functions, x and v.

f's output has another shape than x (2-d -> 2-d, 1-d -> 2-d, a 0-d output with a 0-d v)
or the same shape with a non-diagonal Jacobian (cumsum): v ⊙ grad, v @ J, v.t() and
ones_like(y) all go wrong somewhere. v is never ones. x and v are float32 or float64
(float64 compared tightly); x is held as a caller may hold it (a leaf with a stale .grad,
a non-leaf); calls are repeated and made inside the caller's no_grad.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, raises, snapshot
from torchdojo.checks.strategies import CallerTensor
from torchdojo.checks.strategies.autograd import Vjp, vjps

STATES = st.sampled_from(["plain", "requires_grad", "leaf_with_grad", "non_leaf"])


@settings(max_examples=14)
@given(vjps())
def test_matches_jacobian(compare, case: Vjp) -> None:
    compare.same(
        lambda impl: {"the result": impl.vector_jacobian_product(case.case.f, case.x.clone(), case.v.clone())},
        given=case.describe(),
        where="vector_jacobian_product",
        tolerance=PRECISE,
        state_hint=STATE_HINT,
        hint=(("The result is y.backward(gradient=v) on a fresh leaf copy of x, with v passed as it is (not transposed, not "
              "replaced by ones, not multiplied afterwards), in x's dtype."),
              ("结果就是在 x 的新叶子副本上执行 y.backward(gradient=v):v 原样传入(不转置、不换成全 1、不在之后再相乘),"
              "使用 x 的 dtype。")),
    )


@settings(max_examples=6)
@given(vjps())
def test_result_shape(compare, case: Vjp) -> None:
    # A v that is not f(x)'s shape (and cannot broadcast to it) is the caller's mistake: it must not pass silently.
    wrong_v = torch.ones(case.v.numel() + 2, dtype=case.v.dtype)

    def scenario(impl):
        result = impl.vector_jacobian_product(case.case.f, case.x.clone(), case.v.clone())
        seen = {("the shape of the result", "返回值的形状"): tuple(result.shape) if torch.is_tensor(result) else result}
        if case.v.dim() > 0:  # any v broadcasts against a 0-d f(x): (f(x) * v).sum() would be right there
            seen[(f"a v of shape {tuple(wrong_v.shape)}, not f(x)'s shape", f"形状为 {tuple(wrong_v.shape)}、与 f(x) 不同的 v")] = raises(
                lambda: impl.vector_jacobian_product(case.case.f, case.x.clone(), wrong_v))
        return seen

    compare.same(
        scenario,
        given=case.describe(),
        where="vector_jacobian_product",
        state_hint=STATE_HINT,
        hint=("v has the shape of f(x); the result has the shape of x. A v of another shape is an error: let it raise.",
              "v 与 f(x) 形状相同;结果与 x 形状相同。形状不同的 v 是错误:让它抛出异常。"),
    )


@settings(max_examples=10)
@given(vjps(), STATES)
def test_fresh_gradient_each_call(compare, case: Vjp, state: str) -> None:
    x = CallerTensor(case.x, state)  # type: ignore[arg-type]  # `state` is drawn from CallerState's values; annotating it would change this test's derandomized examples (hypothesis seeds from its source)

    def scenario(impl):
        caller = x.make()
        first = impl.vector_jacobian_product(case.case.f, caller, case.v.clone())
        first_then = snapshot(first)
        second = impl.vector_jacobian_product(case.case.f, caller, case.v * -2.0)
        return {
            "the result": first_then,
            ("the result of a second call with v * -2", "用 v * -2 第二次调用的返回值"): second,
            ("the first result, after the second call", "第二次调用之后的第一次返回值"): first,
            ("the caller's x after both calls", "两次调用之后调用者的 x"): caller,
        }

    en, zh = x.describe()
    compare.same(
        scenario,
        given=f"{case.describe()}, x held by the caller as {en}",
        given_zh=f"{case.describe()},调用者持有的 x 为 {zh}",
        where="vector_jacobian_product",
        tolerance=PRECISE,
        state_hint=STATE_HINT,
        hint=(("Make a fresh leaf from x on every call (x.detach().clone().requires_grad_()): the caller's x, its "
              "requires_grad and its .grad stay as they were, and no old gradient (or cached leaf) is added in."),
              ("每次调用都从 x 新建叶子张量(x.detach().clone().requires_grad_()):调用者的 x、它的 requires_grad 和 .grad "
              "都保持不变,也不会累加旧的梯度(或缓存的叶子张量)。")),
    )


@settings(max_examples=6)
@given(vjps())
def test_works_inside_no_grad(compare, case: Vjp) -> None:
    compare.same(
        lambda impl: {("the result when called inside torch.no_grad()", "在 torch.no_grad() 中调用时的返回值"):
                      impl.vector_jacobian_product(case.case.f, case.x.clone(), case.v.clone())},
        given=case.describe(),
        where="vector_jacobian_product",
        tolerance=PRECISE,
        context=torch.no_grad,
        context_words=(" inside the caller's torch.no_grad()", "(在调用者的 torch.no_grad() 中)"),
        hint=(("The caller may be inside torch.no_grad(): compute under `with torch.enable_grad():`, which also puts grad "
              "mode back as the caller had it when the block ends (torch.set_grad_enabled(True) does not)."),
              ("调用者可能处在 torch.no_grad() 中:请在 `with torch.enable_grad():` 中计算,代码块结束时它会把梯度模式"
              "恢复成调用者原来的设置(torch.set_grad_enabled(True) 不会)。")),
    )

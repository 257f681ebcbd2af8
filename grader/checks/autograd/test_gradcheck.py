"""Checks for autograd/gradcheck, by comparison with the reference on generated inputs and functions.

Inputs hold large values of both signs (log(1 + exp(x)) overflows to inf, exp(x) / (1 + exp(x))
gives nan), 0-d to 2-d, float32 and float64 (compared tightly); upstream gradients are not ones.
passes_gradcheck gets right and wrong functions (a wrong derivative, a backward that ignores
grad_output), float32 inputs (gradcheck needs a float64 copy) and inputs as callers hold them;
the caller's x is compared afterwards.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, outcome, snapshot
from torchdojo.checks.strategies import CallerTensor, caller_tensors
from torchdojo.checks.strategies.autograd import softplus_inputs, upstream
from torchdojo.checks.support import show


class _HalfDerivative(torch.autograd.Function):
    """x ** 2 with the derivative x instead of 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x


class _IgnoresUpstream(torch.autograd.Function):
    """x ** 3 whose backward forgets grad_output."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x**2 + 0 * grad_output


class _DropsSmallTerm(torch.autograd.Function):
    """x ** 2 / 2 + 0.05 * x whose backward forgets the small linear term (off by 0.05: only a tight atol sees it)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**2 / 2 + 0.05 * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x


FUNCTIONS = {"a Function for x**2 / 2 + 0.05 * x whose backward drops the 0.05": _DropsSmallTerm.apply, "torch.sin": torch.sin, "torch.tanh": torch.tanh, "a Function for x**2 whose backward gives x": _HalfDerivative.apply,
             "a Function for x**3 whose backward ignores grad_output": _IgnoresUpstream.apply}


@settings(max_examples=8)
@given(softplus_inputs())
def test_forward_values(compare, x: torch.Tensor) -> None:
    def scenario(impl):
        plain = x.clone()
        return {("Softplus.apply(x)", "Softplus.apply(x)"): snapshot(impl.Softplus.apply(plain)), "x after the call": plain}

    compare.same(scenario, given=f"x = {show(x)}", where="Softplus.forward", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("log(1 + exp(x)) overflows for large x (exp(100) is inf in float32): compute "
                       "x.clamp(min=0) + torch.log1p(torch.exp(-x.abs())), in x's dtype and shape, without changing x."),
                       ("x 很大时 log(1 + exp(x)) 会溢出(float32 中 exp(100) 是 inf):计算 "
                       "x.clamp(min=0) + torch.log1p(torch.exp(-x.abs())),保持 x 的 dtype 和形状,不要修改 x。")))


@settings(max_examples=8)
@given(softplus_inputs())
def test_backward(compare, x: torch.Tensor) -> None:
    g = upstream(x, 7)

    def scenario(impl):
        leaf = x.clone().requires_grad_(True)
        impl.Softplus.apply(leaf * 1.0).backward(g)
        return {("x.grad after Softplus.apply(x).backward(g)", "Softplus.apply(x).backward(g) 之后的 x.grad"): leaf.grad}

    compare.same(scenario, given=f"x = {show(x)}, g = {show(g)}", where="Softplus.backward", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("backward returns grad_output * torch.sigmoid(x) for the saved x: sigmoid stays finite where "
                       "exp(x) / (1 + exp(x)) gives inf / inf = nan."),
                       ("backward 对保存的 x 返回 grad_output * torch.sigmoid(x):sigmoid 始终有限,"
                       "而 exp(x) / (1 + exp(x)) 会得到 inf / inf = nan。")))


def _gradcheck(function, x: torch.Tensor) -> str:
    try:
        torch.autograd.gradcheck(function, (x,), eps=1e-6, atol=1e-5, raise_exception=True)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - gradcheck reports a mismatch as an exception
        return "fails: " + (str(error).strip().splitlines() or [""])[0][:160]
    return "passes"


@settings(max_examples=4)
@given(softplus_inputs())
def test_softplus_gradcheck(compare, x: torch.Tensor) -> None:
    small = x.to(torch.float64).clamp(-5, 5)  # finite differences of softplus are well conditioned here
    compare.same(lambda impl: {("torch.autograd.gradcheck(Softplus.apply, x) in float64", "float64 下的 torch.autograd.gradcheck(Softplus.apply, x)"):
                               _gradcheck(impl.Softplus.apply, small.clone().requires_grad_(True))},
                 given=f"x = {show(small)}", where="Softplus.backward", state_hint=STATE_HINT,
                 hint=("gradcheck compares backward with finite differences of forward: d softplus / dx = sigmoid(x).",
                       "gradcheck 用 forward 的有限差分检验 backward:d softplus / dx = sigmoid(x)。"))


def _refuses(x):
    raise ValueError("this function refuses every input")


@settings(max_examples=8)
@given(caller_tensors(shapes=st.sampled_from([(), (3,), (2, 2)])), st.sampled_from(sorted(FUNCTIONS)))
@example(CallerTensor(torch.tensor([0.3, -0.7, 1.2]), "plain"), "torch.sin")  # float32, as callers often hold it
@example(CallerTensor(torch.tensor([0.4, -1.1], dtype=torch.float64), "plain"), "torch.tanh")
@example(CallerTensor(torch.tensor([0.2, -0.6], dtype=torch.float64), "requires_grad"), "a Function for x**2 whose backward gives x")
@example(CallerTensor(torch.tensor([0.5, -0.2]), "plain"), "a Function for x**2 / 2 + 0.05 * x whose backward drops the 0.05")
def test_passes_gradcheck(compare, x: CallerTensor, name: str) -> None:
    # |x| >= 1.5 everywhere: the wrong backwards are off by more than 1 there (a loose atol shows), float32 and float64
    v = x.values
    given_x = CallerTensor(torch.where(v >= 0, 1.5 + v.abs().clamp(max=1), -1.5 - v.abs().clamp(max=1)), x.state)

    def scenario(impl):
        caller_x = given_x.make()
        verdict = impl.passes_gradcheck(FUNCTIONS[name], caller_x)
        return {(f"passes_gradcheck({name}, x)", f"passes_gradcheck({name}, x)"): verdict, "x after the call": caller_x,
                ("passes_gradcheck(f, x) for an f that raises ValueError", "f 抛出 ValueError 时的 passes_gradcheck(f, x)"): outcome(
                    lambda: impl.passes_gradcheck(_refuses, given_x.make()))}

    en, zh = given_x.describe()
    compare.same(scenario, given=f"x = {en}", given_zh=f"x = {zh}", where="passes_gradcheck", state_hint=STATE_HINT,
                 hint=(("Run gradcheck on a float64 copy that requires grad (x.detach().to(torch.float64).requires_grad_(True)), "
                       "with eps=1e-6, atol=1e-5 and raise_exception=False: True for a right backward, False for a wrong one, "
                       "the caller's x untouched, and errors of fn itself left to reach the caller."),
                       ("在需要梯度的 float64 副本(x.detach().to(torch.float64).requires_grad_(True))上运行 gradcheck,"
                       "eps=1e-6、atol=1e-5、raise_exception=False:正确的 backward 返回 True,错误的返回 False,"
                       "调用者的 x 保持不变,fn 自己的错误照常传给调用者。")))

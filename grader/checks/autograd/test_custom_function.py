"""Checks for autograd/custom_function, by comparison with the reference on generated inputs.

Inputs always hold a negative value and often a zero (3 * x * |x|, y ** (1/3) and 3 * y / x
go wrong there), are 0-d to 2-d, float32 and float64 (float64 compared tightly, so a backward
computed in float32 shows); upstream gradients are never ones (a forgotten grad_output shows);
two applications share one backward pass (state kept on the class shows); the caller's x is
compared after forward (an in-place x.pow_(3) shows).
"""

import torch
from hypothesis import given, settings

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, outcome, snapshot
from torchdojo.checks.strategies.autograd import cube_inputs, upstream
from torchdojo.checks.support import show


def _given(x: torch.Tensor) -> dict[str, str]:
    return {"given": f"x = {show(x)}"}


@settings(max_examples=8)
@given(cube_inputs())
def test_forward_values(compare, x: torch.Tensor) -> None:
    def scenario(impl):
        plain, leaf = x.clone(), x.clone().requires_grad_(True)
        return {
            ("Cube.apply(x)", "Cube.apply(x)"): snapshot(impl.Cube.apply(plain)),
            ("the caller's x after Cube.apply(x)", "Cube.apply(x) 之后调用者的 x"): plain,
            ("Cube.apply(x) for an x that requires grad", "x 需要梯度时的 Cube.apply(x)"): snapshot(impl.Cube.apply(leaf)),
            ("that x afterwards", "调用之后的该 x"): leaf,
        }

    compare.same(scenario, **_given(x), where="Cube.forward", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("forward returns x ** 3 as a new tensor, in x's dtype and for any shape (0-d too); it must not change x "
                       "in place."),
                       "forward 返回新的张量 x ** 3,保持 x 的 dtype,适用于任何形状(包括 0 维);不能原地修改 x。"))


@settings(max_examples=8)
@given(cube_inputs())
def test_backward_formula(compare, x: torch.Tensor) -> None:
    def scenario(impl):
        a = x.clone().requires_grad_(True)
        b = (x * -0.5 + 1.25).requires_grad_(True)
        ya, yb = impl.Cube.apply(a), impl.Cube.apply(b)  # two applications before one backward
        ya.sum().backward()
        yb.sum().backward()
        return {
            ("x.grad after Cube.apply(x).sum().backward()", "Cube.apply(x).sum().backward() 之后的 x.grad"): a.grad,
            ("the gradient for a second input applied before the first backward",
             "在第一次 backward 之前应用的第二个输入的梯度"): b.grad,
        }

    compare.same(scenario, **_given(x), where="Cube.backward", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("d(x**3)/dx = 3 * x**2 for every x (negative and zero too), computed in x's dtype from the tensor saved "
                       "for this very call (ctx.saved_tensors), never from state kept on the class."),
                       ("对任何 x(包括负数和 0),d(x**3)/dx = 3 * x**2,用 x 的 dtype,并且使用本次调用保存的张量"
                       "(ctx.saved_tensors)计算,不要使用保存在类上的状态。")))


@settings(max_examples=8)
@given(cube_inputs())
def test_uses_grad_output(compare, x: torch.Tensor) -> None:
    def scenario(impl):
        base = x.clone().requires_grad_(True)
        y = impl.Cube.apply(base * 1.0)  # a non-leaf input: the gradient must flow on to base
        y.backward(upstream(x, 3))
        return {("the gradient after Cube.apply(x).backward(v)", "Cube.apply(x).backward(v) 之后的梯度"): base.grad}

    compare.same(scenario, given=f"x = {show(x)}, v = {show(upstream(x, 3))}", where="Cube.backward", tolerance=PRECISE,
                 state_hint=STATE_HINT,
                 hint=("backward receives grad_output (dLoss/dy, here v) and must return grad_output * 3 * x**2.",
                       "backward 收到 grad_output(dLoss/dy,这里是 v),必须返回 grad_output * 3 * x**2。"))


def _gradcheck(function, x: torch.Tensor) -> str:
    try:
        torch.autograd.gradcheck(function, (x,), eps=1e-6, atol=1e-5, raise_exception=True)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - gradcheck reports a mismatch as an exception
        return "fails: " + (str(error).strip().splitlines() or [""])[0][:160]
    return "passes"


@settings(max_examples=4)
@given(cube_inputs())
def test_gradcheck(compare, x: torch.Tensor) -> None:
    x64 = x.to(torch.float64)
    compare.same(
        lambda impl: {("torch.autograd.gradcheck(Cube.apply, x) in float64", "float64 下的 torch.autograd.gradcheck(Cube.apply, x)"):
                      _gradcheck(impl.Cube.apply, x64.clone().requires_grad_(True))},
        given=f"x = {show(x64)}",
        where="Cube.backward",
        state_hint=STATE_HINT,
        hint=("gradcheck compares backward with finite differences of forward: they must agree.",
              "gradcheck 用 forward 的有限差分检验 backward:两者必须一致。"),
    )


@settings(max_examples=4)
@given(cube_inputs())
def test_saves_for_backward(compare, x: torch.Tensor) -> None:
    def scenario(impl):
        base = x.clone().requires_grad_(True)
        inputs = base * 1.0
        y = impl.Cube.apply(inputs)
        saved = len(getattr(y.grad_fn, "saved_tensors", ())) > 0
        expected = upstream(x, 4) * 3 * x.detach() ** 2
        with torch.no_grad():
            inputs.add_(1.0)  # the caller changes x in place before backward

        def backward() -> None:
            y.backward(upstream(x, 4))

        ended = outcome(backward)
        # Both are right: autograd refuses (the saved x changed), or the gradient at the original x.
        safe = ended.startswith("raises") or (base.grad is not None and bool(torch.allclose(base.grad, expected.to(base.grad.dtype),
                                                                                            rtol=1e-4, atol=1e-5)))
        return {
            ("forward saved tensors with ctx.save_for_backward", "forward 用 ctx.save_for_backward 保存了张量"): saved,
            ("backward after x was changed in place: an error or the gradient at the original x",
             "x 被原地修改后的 backward:报错,或给出原来 x 处的梯度"): safe,
        }

    compare.same(scenario, **_given(x), where="Cube.forward", state_hint=STATE_HINT,
                 hint=(("Save what backward needs with ctx.save_for_backward(...) and read it back from ctx.saved_tensors: "
                       "autograd then checks that it was not changed in place before backward. Tensors kept as ctx or class "
                       "attributes are not checked, and backward silently uses the changed values."),
                       ("请用 ctx.save_for_backward(...) 保存 backward 需要的张量,并从 ctx.saved_tensors 取回:"
                       "这样自动求导会检查它们在 backward 之前没有被原地修改。保存为 ctx 或类属性的张量不会被检查,"
                       "backward 会悄悄使用被修改后的数值。")))

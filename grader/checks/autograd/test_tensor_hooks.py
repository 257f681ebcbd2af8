"""Checks for autograd/tensor_hooks, by comparison with the reference on generated inputs.

x comes as a caller holds it (plain, a leaf that requires grad, one with a .grad already, a
non-leaf) in float32 and float64; factors are never 1 and take both signs. The result is used
next to x itself (a hook on x scales that use too), twice in one sum (a hook that changes grad
in place scales the other branch, which shares the tensor), with two factors at once (a hook
that reads shared state), and x is backpropagated alone afterwards (a hook left on x shows).
"""

import torch
from hypothesis import assume, given, settings

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, outcome, snapshot
from torchdojo.checks.strategies import CallerTensor, caller_tensors
from torchdojo.checks.strategies.autograd import HOOK_FACTORS, upstream
from torchdojo.checks.support import show

WHERE = "scale_grad"
HOOK_HINT = (("Register the hook on the new tensor (y = x.clone(); y.register_hook(lambda grad: grad * factor)), never on x, and "
             "return a new tensor from the hook instead of changing grad in place."),
             ("把钩子注册在新张量上(y = x.clone(); y.register_hook(lambda grad: grad * factor)),不要注册在 x 上;"
             "钩子要返回新张量,不要原地修改 grad。"))


def _grad_input(x: CallerTensor) -> CallerTensor:
    return x if x.state != "plain" else CallerTensor(x.values, "requires_grad")


@settings(max_examples=8)
@given(caller_tensors(), HOOK_FACTORS)
def test_forward_copy(compare, x: CallerTensor, factor: float) -> None:
    def scenario(impl):
        given_x = x.make()
        y = impl.scale_grad(given_x, factor)
        return {(f"scale_grad(x, {factor})", f"scale_grad(x, {factor})"): snapshot(y),
                ("the result is x itself", "返回值就是 x 本身"): y is given_x,
                ("x afterwards", "调用后的 x"): given_x}

    en, zh = x.describe()
    compare.same(scenario, given=f"x = {en}", given_zh=f"x = {zh}", where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Forward returns a new tensor with x's values, dtype and shape (x.clone()), attached to the graph when "
                       "x requires grad; x itself stays as it was."),
                       "前向返回一个新张量,数值、dtype、形状与 x 相同(x.clone()),x 需要梯度时它连接到计算图;x 本身保持不变。"))


@settings(max_examples=8)
@given(caller_tensors(states=("requires_grad", "leaf_with_grad", "non_leaf")), HOOK_FACTORS)
def test_scaled_gradient(compare, x: CallerTensor, factor: float) -> None:
    g = upstream(x.values, 5)

    def scenario(impl):
        leaf = x.values.detach().clone().requires_grad_(True)
        if x.state == "leaf_with_grad":
            leaf.grad = torch.full_like(leaf, 0.5)
        given_x = leaf * 1.0 if x.state == "non_leaf" else leaf
        impl.scale_grad(given_x, factor).backward(g)
        return {("the gradient that reaches x", "传到 x 的梯度"): leaf.grad}

    en, zh = x.describe()
    compare.same(scenario, given=f"x = {en}, y = scale_grad(x, {factor}), y.backward(g) with g = {show(g)}",
                 given_zh=f"x = {zh},y = scale_grad(x, {factor}),y.backward(g),g = {show(g)}",
                 where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=("x must receive factor * g (added to a .grad it already has): the hook returns grad * factor.",
                       "x 应收到 factor * g(累加到已有的 .grad 上):钩子返回 grad * factor。"))


@settings(max_examples=8)
@given(caller_tensors(states=("requires_grad", "non_leaf")), HOOK_FACTORS, HOOK_FACTORS)
def test_other_uses_unchanged(compare, x: CallerTensor, factor: float, other: float) -> None:
    assume(factor != other)  # two different factors: a hook reading shared state shows
    def scenario(impl):
        leaf = x.values.detach().clone().requires_grad_(True)
        given_x = leaf * 1.0 if x.state == "non_leaf" else leaf
        y, z = impl.scale_grad(given_x, factor), impl.scale_grad(given_x, other)
        (y + given_x + 2 * z).sum().backward()  # one gradient tensor reaches y and x: a hook must not change it in place
        first = leaf.grad.clone() if leaf.grad is not None else None
        leaf.grad = None
        again = leaf * 1.0 if x.state == "non_leaf" else leaf
        (again * 3).sum().backward()  # x alone, in a new graph: no hook may be left on x
        return {("x.grad after (scale_grad(x, a) + x + 2 * scale_grad(x, b)).sum().backward()",
                 "(scale_grad(x, a) + x + 2 * scale_grad(x, b)).sum().backward() 之后的 x.grad"): first,
                ("x.grad after a later (x * 3).sum().backward() without scale_grad",
                 "之后不经过 scale_grad 的 (x * 3).sum().backward() 得到的 x.grad"): leaf.grad}

    en, zh = x.describe()
    compare.same(scenario, given=f"x = {en}, a = {factor}, b = {other}", given_zh=f"x = {zh},a = {factor},b = {other}",
                 where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT, hint=HOOK_HINT)


@settings(max_examples=6)
@given(caller_tensors(states=("plain", "requires_grad")), HOOK_FACTORS)
def test_no_grad_inputs(compare, x: CallerTensor, factor: float) -> None:
    def scenario(impl):
        given_x = x.make()
        with torch.no_grad():
            inside = impl.scale_grad(given_x, factor)
        plain = x.values.detach().clone()
        return {("scale_grad(x, f) inside torch.no_grad()", "在 torch.no_grad() 中调用 scale_grad(x, f)"): snapshot(inside),
                ("scale_grad(x, f) for an x that does not require grad", "x 不需要梯度时的 scale_grad(x, f)"): snapshot(
                    impl.scale_grad(plain, factor)),
                ("a later backward through x", "之后经过 x 的反向传播"): outcome(
                    lambda: (given_x * 2).sum().backward() if given_x.requires_grad else None)}

    en, zh = x.describe()
    compare.same(scenario, given=f"x = {en}, f = {factor}", given_zh=f"x = {zh},f = {factor}", where=WHERE, state_hint=STATE_HINT,
                 hint=(("A tensor that does not require grad (e.g. made inside torch.no_grad()) cannot take a hook: "
                       "register it only when the copy requires grad (if y.requires_grad: ...), and return the copy either way."),
                       ("不需要梯度的张量(例如在 torch.no_grad() 中创建的)不能注册钩子:只在副本需要梯度时注册"
                       "(if y.requires_grad: ...),无论如何都返回副本。")))

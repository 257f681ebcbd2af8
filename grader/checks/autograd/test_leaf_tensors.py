"""Checks for autograd/leaf_tensors, by comparison with the reference on generated values.

Values are drawn with ints among the floats (torch.tensor would infer int64 from them) and
under both default dtypes (torch.Tensor(values) follows the caller's default, float32 must
not). Every call is made twice: a module-level cache of leaves accumulates old gradients.
"""

import torch
from hypothesis import given, settings
from torch.autograd.graph import Node

from torchdojo.checks.autograd.common import STATE_HINT, default_dtype, numbers, snapshot
from torchdojo.checks.strategies.autograd import (
    default_dtypes,
    several_values,
    value_lists,
)

_DTYPE_WORDS = {torch.float32: ("float32", "float32"), torch.float64: ("float64", "float64")}


def _given(values_: list, dtype: torch.dtype) -> tuple[str, str]:
    words = _DTYPE_WORDS[dtype]
    return (f"values = {values_!r}, with torch.get_default_dtype() = {words[0]}",
            f"values = {values_!r},且 torch.get_default_dtype() = {words[1]}")


@settings(max_examples=8)
@given(value_lists, default_dtypes)
def test_make_leaf_values(compare, values_: list, dtype: torch.dtype) -> None:
    def scenario(impl):
        with default_dtype(dtype):
            return {("the values of make_leaf(values)", "make_leaf(values) 的数值"): numbers(impl.make_leaf(list(values_)))}

    en, zh = _given(values_, dtype)
    compare.same(scenario, given=en, given_zh=zh, where="make_leaf")


@settings(max_examples=8)
@given(value_lists, default_dtypes)
def test_make_leaf_dtype(compare, values_: list, dtype: torch.dtype) -> None:
    def scenario(impl):
        with default_dtype(dtype) as after:
            leaf = impl.make_leaf(list(values_))
            return {
                ("the dtype of make_leaf(values)", "make_leaf(values) 的 dtype"): getattr(leaf, "dtype", leaf),
                ("the default dtype after the call", "调用之后的默认 dtype"): after,
            }

    en, zh = _given(values_, dtype)
    compare.same(scenario, given=en, given_zh=zh, where="make_leaf", state_hint=STATE_HINT,
                 hint=(("Pass dtype=torch.float32 to the call that creates the tensor: ints and the caller's default dtype "
                       "then cannot change it, and torch.set_default_dtype (which changes every later tensor) is not needed."),
                       ("在创建张量的那次调用中传入 dtype=torch.float32:这样整数和调用者的默认 dtype 都不会改变它,"
                       "也不需要 torch.set_default_dtype(它会改变之后创建的所有张量)。")))


@settings(max_examples=8)
@given(value_lists, default_dtypes)
def test_make_leaf_is_leaf_with_grad(compare, values_: list, dtype: torch.dtype) -> None:
    def scenario(impl):
        with default_dtype(dtype):
            leaf = impl.make_leaf(list(values_))
            seen = {
                ("requires_grad of make_leaf(values)", "make_leaf(values) 的 requires_grad"): getattr(leaf, "requires_grad", leaf),
                ("is make_leaf(values) a leaf (is_leaf)?", "make_leaf(values) 是否为叶子张量(is_leaf)"): getattr(leaf, "is_leaf", leaf),
            }
            if torch.is_tensor(leaf) and leaf.requires_grad:
                (leaf**2).sum().backward()
                seen[("its .grad after sum(x**2).backward()", "sum(x**2).backward() 之后它的 .grad")] = numbers(leaf.grad) if leaf.is_leaf else None
            again = impl.make_leaf(list(values_))
            seen[("a second make_leaf(values): its .grad", "再次调用 make_leaf(values):它的 .grad")] = (
                (again.grad if again.is_leaf else None) if torch.is_tensor(again) else again)
            return seen

    en, zh = _given(values_, dtype)
    compare.same(scenario, given=en, given_zh=zh, where="make_leaf", state_hint=STATE_HINT,
                 hint=(("Create the tensor with its dtype and requires_grad=True in one call (or call .requires_grad_() on the "
                       "finished float32 tensor): any operation after requires_grad=True, even .to() or .float(), makes a non-leaf. "
                       "Return a new tensor on every call."),
                       ("在一次调用中同时指定 dtype 和 requires_grad=True(或对已经是 float32 的张量调用 .requires_grad_()):"
                       "在 requires_grad=True 之后的任何运算(哪怕是 .to() 或 .float())都会得到非叶子张量。每次调用都返回新的张量。")))


@settings(max_examples=8)
@given(several_values, default_dtypes)
def test_square_sum_grad_values(compare, values_: list, dtype: torch.dtype) -> None:
    other = [-2 * float(v) + 0.5 for v in values_]

    def scenario(impl):
        with default_dtype(dtype):
            first = snapshot(impl.square_sum_grad(list(values_)))
            again = snapshot(impl.square_sum_grad(list(values_)))
            changed = impl.square_sum_grad(other)
            return {
                "the result": first,
                ("the result of a second call with the same values", "用相同数值第二次调用的返回值"): again,
                (f"the result for values = {other!r}", f"values = {other!r} 时的返回值"): changed,
            }

    en, zh = _given(values_, dtype)
    compare.same(scenario, given=en, given_zh=zh, where="square_sum_grad", state_hint=STATE_HINT,
                 hint=(("The gradient of sum(x**2) is 2 * x for each element, a float32 tensor like the leaf, "
                       "computed afresh on every call."),
                       "sum(x**2) 的梯度对每个元素都是 2 * x,是与叶子张量一样的 float32 张量,并且每次调用都重新计算。"))


def _leaves_reached(tensors) -> list[torch.Tensor]:
    """The leaves a backward() from `tensors` accumulates into (walking grad_fn.next_functions)."""
    roots = [tensors] if torch.is_tensor(tensors) else list(tensors)
    found, seen = [], set()
    stack: list[Node | None] = [t.grad_fn for t in roots if torch.is_tensor(t) and t.grad_fn is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None:
            found.append(variable)
        stack.extend(next_node for next_node, _ in node.next_functions)
    return found


@settings(max_examples=4)
@given(several_values)
def test_square_sum_grad_uses_autograd(compare, values_: list) -> None:
    def scenario(impl):
        real_backward = torch.autograd.backward
        reached: list[torch.Tensor] = []

        def backward(tensors, *args, **kwargs):
            reached.extend(_leaves_reached(tensors))
            return real_backward(tensors, *args, **kwargs)

        torch.autograd.backward = backward
        try:
            result = impl.square_sum_grad(list(values_))
        finally:
            torch.autograd.backward = real_backward
        from_backward = torch.is_tensor(result) and any(
            leaf.grad is not None and leaf.grad.shape == result.shape and bool(torch.equal(leaf.grad, result)) for leaf in reached)
        return {("the result is the .grad that backward() gave a leaf", "返回值是 backward() 写入叶子张量的 .grad"): from_backward}

    compare.same(scenario, given=f"values = {values_!r}", where="square_sum_grad", state_hint=STATE_HINT,
                 hint=(("Let autograd do the work with .backward() (as the exercise asks): build the leaf with make_leaf, "
                       "compute sum(x**2), call .backward() on it and return the leaf's .grad. A formula written by hand, "
                       "or torch.autograd.grad, never fills in .grad."),
                       ("按练习要求用 .backward() 让自动求导完成计算:用 make_leaf 创建叶子张量,计算 sum(x**2),"
                       "对它调用 .backward(),返回叶子张量的 .grad。手写公式或 torch.autograd.grad 都不会写入 .grad。")))

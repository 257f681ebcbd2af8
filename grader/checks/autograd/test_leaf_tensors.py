"""Checks for autograd/leaf_tensors: a float32 leaf, and a gradient that really comes from autograd."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.checks.support import CallSpy, expect, expect_close, tensor_result

VALUES = st.lists(st.floats(-100, 100, allow_nan=False, width=32), min_size=1, max_size=8)


def test_make_leaf_values(learner) -> None:
    for values in ([1.0, 2.0, 3.0], [-0.5], [0.0, 1e-3, 7.25, -4.0]):
        x = tensor_result(learner.make_leaf(values), "make_leaf", learner.make_leaf)
        expect_close(x, torch.tensor(values), f"make_leaf({values})", f"make_leaf({values})", learner.make_leaf)


def test_make_leaf_dtype(learner) -> None:
    x = tensor_result(learner.make_leaf([1.0, 2.0]), "make_leaf", learner.make_leaf)
    expect(
        x.dtype == torch.float32,
        f"make_leaf should return dtype torch.float32, got {x.dtype}.",
        f"make_leaf 应返回 dtype 为 torch.float32 的张量,实际为 {x.dtype}。",
        learner.make_leaf,
    )


def test_make_leaf_is_leaf_with_grad(learner) -> None:
    x = tensor_result(learner.make_leaf([1.0, 2.0]), "make_leaf", learner.make_leaf)
    expect(
        x.requires_grad,
        "make_leaf's tensor does not require grad. Pass requires_grad=True.",
        "make_leaf 返回的张量不需要梯度。请传入 requires_grad=True。",
        learner.make_leaf,
    )
    expect(
        x.is_leaf and x.grad_fn is None,
        f"make_leaf's tensor is not a leaf (it has grad_fn={type(x.grad_fn).__name__}): an operation such as "
        ".to(), .float() or * 1 ran after requires_grad=True. Create it with the right dtype and requires_grad in one call.",
        f"make_leaf 返回的张量不是叶子节点(grad_fn={type(x.grad_fn).__name__}):在 requires_grad=True 之后又做了"
        " .to()、.float() 或 * 1 之类的运算。请在一次调用中同时指定 dtype 和 requires_grad。",
        learner.make_leaf,
    )


@given(VALUES)
def test_square_sum_grad_values(learner, values: list[float]) -> None:
    grad = tensor_result(learner.square_sum_grad(values), "square_sum_grad", learner.square_sum_grad)
    expect_close(
        grad, 2 * torch.tensor(values), f"square_sum_grad({values})", f"square_sum_grad({values})", learner.square_sum_grad
    )


def test_square_sum_grad_uses_autograd(learner, monkeypatch) -> None:
    backward = CallSpy(torch.autograd.backward)
    grad_fn = CallSpy(torch.autograd.grad)
    monkeypatch.setattr(torch.autograd, "backward", backward)
    monkeypatch.setattr(torch.autograd, "grad", grad_fn)
    grad = tensor_result(learner.square_sum_grad([1.0, -2.0, 3.0]), "square_sum_grad", learner.square_sum_grad)
    expect(
        backward.calls + grad_fn.calls > 0,
        "square_sum_grad never ran autograd: it must build sum(x**2) and call .backward(), not compute 2 * x by hand.",
        "square_sum_grad 没有调用 autograd:应该构建 sum(x**2) 并调用 .backward(),而不是手动计算 2 * x。",
        learner.square_sum_grad,
    )
    expect(
        grad.grad_fn is None and not grad.requires_grad,
        "square_sum_grad's result is still part of a graph. Return the leaf's .grad, which is a plain tensor.",
        "square_sum_grad 的返回值仍然连接着计算图。请返回叶子张量的 .grad,它是普通张量。",
        learner.square_sum_grad,
    )

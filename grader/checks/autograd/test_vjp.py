"""Checks for autograd/vjp: v^T J for shape-changing functions, with no stale gradient."""

import torch
from torch.autograd.functional import vjp as reference_vjp

from grader.checks.support import expect, expect_close, tensor_result

A = torch.tensor([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]], dtype=torch.float64)
B = torch.tensor([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]], dtype=torch.float64)
C = torch.arange(12, dtype=torch.float64).reshape(3, 4) / 6

# (description, f, shape of x): outputs of a different shape than inputs on purpose.
CASES = [
    ("sin(x), x of shape (3,)", lambda x: torch.sin(x), (3,)),
    ("A @ x, (3,) -> (2,)", lambda x: A @ x, (3,)),
    ("x.sum(dim=0) * x[0], (2, 3) -> (3,)", lambda x: x.sum(dim=0) * x[0], (2, 3)),
    ("x @ B, (2, 3) -> (2, 2)", lambda x: x @ B, (2, 3)),
    ("(x ** 2) @ C, (2, 3) -> (2, 4)", lambda x: (x**2) @ C, (2, 3)),
]


def _case(index: int, seed: int) -> tuple[str, object, torch.Tensor, torch.Tensor, torch.Tensor]:
    name, f, shape = CASES[index]
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=generator, dtype=torch.float64)
    v = torch.randn(f(x).shape, generator=generator, dtype=torch.float64)
    expected = reference_vjp(f, x, v)[1]
    return name, f, x, v, expected


def test_matches_jacobian(learner) -> None:
    for index in range(len(CASES)):
        for seed in (0, 1):
            name, f, x, v, expected = _case(index, seed)
            got = tensor_result(learner.vector_jacobian_product(f, x.clone(), v.clone()), "vector_jacobian_product", learner.vector_jacobian_product)
            expect_close(got, expected, f"v^T J for {name}", f"{name} 的 v^T J", learner.vector_jacobian_product)


def test_result_shape(learner) -> None:
    name, f, x, v, _ = _case(3, 0)
    got = tensor_result(learner.vector_jacobian_product(f, x, v), "vector_jacobian_product", learner.vector_jacobian_product)
    expect(
        got.shape == x.shape,
        f"For {name} the result should have x's shape {tuple(x.shape)}, got {tuple(got.shape)}. v has the shape of f(x); the result has the shape of x.",
        f"对于 {name},结果应与 x 形状相同 {tuple(x.shape)},实际为 {tuple(got.shape)}。v 与 f(x) 形状相同;结果与 x 形状相同。",
        learner.vector_jacobian_product,
    )


def test_fresh_gradient_each_call(learner) -> None:
    name, f, x, v, expected = _case(1, 3)
    x.requires_grad_(True)
    x.grad = torch.ones_like(x)  # a stale gradient from some earlier work
    for scale in (1.0, -2.0):
        got = tensor_result(learner.vector_jacobian_product(f, x, v * scale), "vector_jacobian_product", learner.vector_jacobian_product)
        expect_close(
            got,
            expected * scale,
            f"v^T J on a tensor that already had a .grad (call with v * {scale})",
            f"在已带有 .grad 的张量上计算 v^T J(v * {scale})",
            learner.vector_jacobian_product,
        )

"""Checks for autograd/gradient_of: right values, no side effects, clear errors, a plain result."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from grader.checks.support import expect, expect_close, fail, show, tensor_result

SHAPES = st.sampled_from([(), (1,), (4,), (2, 3), (2, 1, 3)])

FUNCTIONS = [
    ("sum(x**3)", "sum(x**3)", lambda x: (x**3).sum(), lambda x: 3 * x**2),
    ("sum(sin(x) * x)", "sum(sin(x) * x)", lambda x: (torch.sin(x) * x).sum(), lambda x: torch.sin(x) + x * torch.cos(x)),
    ("mean(x)", "mean(x)", lambda x: x.mean(), lambda x: torch.full_like(x, 1.0 / max(x.numel(), 1))),
    ("sum(exp(x/4))", "sum(exp(x/4))", lambda x: torch.exp(x / 4).sum(), lambda x: torch.exp(x / 4) / 4),
]


@given(SHAPES, st.integers(0, 2**16))
def test_correct_gradient(learner, shape: tuple[int, ...], seed: int) -> None:
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(shape, generator=generator, dtype=torch.float64)
    for name, _, f, df in FUNCTIONS:
        grad = tensor_result(learner.gradient_of(f, x.clone()), "gradient_of", learner.gradient_of)
        expect_close(grad, df(x), f"gradient of {name} at {show(x)}", f"{name} 在 {show(x)} 处的梯度", learner.gradient_of)


def test_caller_tensor_untouched(learner) -> None:
    x = torch.tensor([1.0, -2.0, 3.0])
    before = x.clone()
    learner.gradient_of(lambda t: (t**2).sum(), x)
    expect(
        not x.requires_grad,
        "gradient_of switched on requires_grad of the caller's tensor. Work on x.detach().clone() instead.",
        "gradient_of 打开了调用者张量的 requires_grad。请在 x.detach().clone() 上计算。",
        learner.gradient_of,
    )
    expect(
        torch.equal(x, before),
        "gradient_of changed the values of the caller's tensor.",
        "gradient_of 改变了调用者张量的数值。",
        learner.gradient_of,
    )
    leaf = torch.tensor([0.5, 1.5], requires_grad=True)
    learner.gradient_of(lambda t: (t**2).sum(), leaf)
    expect(
        leaf.grad is None,
        f"gradient_of left a .grad on the caller's tensor ({show(leaf.grad)}). "
        "Use a detached copy or torch.autograd.grad so nothing is left behind.",
        f"gradient_of 在调用者的张量上留下了 .grad({show(leaf.grad)})。"
        "请使用 detach 后的副本或 torch.autograd.grad,不要留下任何东西。",
        learner.gradient_of,
    )


def test_non_scalar_raises_value_error(learner) -> None:
    for shape in ((3,), (2, 2)):
        x = torch.ones(shape)
        try:
            learner.gradient_of(lambda t: t * 2, x)
        except ValueError:
            continue
        except NotImplementedError:
            raise
        except Exception as error:  # noqa: BLE001 - the learner raised the wrong kind
            fail(
                f"For a non-scalar f(x) gradient_of raised {type(error).__name__}; raise ValueError with a clear message.",
                f"当 f(x) 不是标量时,gradient_of 抛出了 {type(error).__name__};请抛出带有清晰说明的 ValueError。",
                learner.gradient_of,
            )
        fail(
            f"gradient_of returned normally for f(x) of shape {shape}; a non-scalar output must raise ValueError.",
            f"f(x) 的形状为 {shape} 时 gradient_of 正常返回了;非标量输出必须抛出 ValueError。",
            learner.gradient_of,
        )


def test_result_is_plain_tensor(learner) -> None:
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    grad = tensor_result(learner.gradient_of(lambda t: (t**3).sum(), x), "gradient_of", learner.gradient_of)
    expect(
        grad.grad_fn is None and not grad.requires_grad,
        "gradient_of's result is still attached to a graph (requires_grad=True). "
        "Do not use create_graph=True; return a plain tensor.",
        "gradient_of 的返回值仍然连接着计算图(requires_grad=True)。不要使用 create_graph=True;请返回普通张量。",
        learner.gradient_of,
    )
    expect(
        grad.shape == x.shape and grad.dtype == x.dtype,
        f"gradient_of should return shape {tuple(x.shape)} and dtype {x.dtype}, got {tuple(grad.shape)} and {grad.dtype}.",
        f"gradient_of 应返回形状 {tuple(x.shape)}、dtype {x.dtype},实际为 {tuple(grad.shape)} 和 {grad.dtype}。",
        learner.gradient_of,
    )

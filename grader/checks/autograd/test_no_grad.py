"""Checks for autograd/no_grad: inference without a graph, and a gradient through a detached factor."""

import torch
from torch import nn

from grader.checks.support import close, expect, expect_close, tensor_result


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))


def test_predict_values(learner) -> None:
    model, x = _model(), torch.randn(3, 4)
    out = tensor_result(learner.predict_no_grad(model, x), "predict_no_grad", learner.predict_no_grad)
    expect_close(out, model(x), "predict_no_grad(model, x)", "predict_no_grad(model, x)", learner.predict_no_grad)


def test_predict_builds_no_graph(learner) -> None:
    model, x = _model(), torch.randn(3, 4)
    grad_mode_seen: list[bool] = []
    model.register_forward_hook(lambda module, inputs, output: grad_mode_seen.append(torch.is_grad_enabled()))
    out = tensor_result(learner.predict_no_grad(model, x), "predict_no_grad", learner.predict_no_grad)
    expect(
        bool(grad_mode_seen) and not any(grad_mode_seen),
        "The forward pass ran with gradients enabled, so a graph was built (and thrown away). "
        "Run model(x) inside `with torch.no_grad():`; .detach() afterwards is too late.",
        "前向传播时梯度是开启的,所以构建了计算图(随后又被丢弃)。请在 `with torch.no_grad():` 中运行 model(x);"
        "之后再 .detach() 已经太晚了。",
        learner.predict_no_grad,
    )
    expect(
        not out.requires_grad,
        "predict_no_grad's result requires grad.",
        "predict_no_grad 的返回值需要梯度。",
        learner.predict_no_grad,
    )


def test_detached_product_values(learner) -> None:
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = tensor_result(learner.detached_product(x), "detached_product", learner.detached_product)
    expect_close(y, x.detach() ** 2, "detached_product(x)", "detached_product(x)", learner.detached_product)


def test_detached_product_gradient(learner) -> None:
    x = torch.tensor([1.0, -2.0, 3.0, 0.5], requires_grad=True)
    y = tensor_result(learner.detached_product(x), "detached_product", learner.detached_product)
    expect(
        y.requires_grad,
        "detached_product's result does not require grad: both factors were detached. Detach only one.",
        "detached_product 的返回值不需要梯度:两个因子都被 detach 了。只 detach 其中一个。",
        learner.detached_product,
    )
    y.sum().backward()
    expect(
        x.grad is not None,
        "The gradient did not reach x.",
        "梯度没有传到 x。",
        learner.detached_product,
    )
    if close(x.grad, 2 * x.detach()):
        expect(
            False,
            "The gradient of sum(detached_product(x)) is 2 * x: nothing was detached. Use x * x.detach().",
            "sum(detached_product(x)) 的梯度是 2 * x:没有 detach 任何因子。请使用 x * x.detach()。",
            learner.detached_product,
        )
    expect_close(x.grad, x.detach(), "gradient of sum(detached_product(x))", "sum(detached_product(x)) 的梯度", learner.detached_product)

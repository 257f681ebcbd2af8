"""Checks for autograd/accumulation: a hand-written SGD step that behaves like optimizer.step()."""

import torch
from torch import nn

from grader.checks.support import close, expect, expect_close


def _params_with_grads() -> tuple[list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = torch.tensor([[0.5, -0.5], [1.5, -1.5]], requires_grad=True)
    a.grad = torch.tensor([0.1, -0.2, 0.3])
    b.grad = torch.tensor([[1.0, 2.0], [-1.0, 0.0]])
    return [a, b], [a.detach().clone(), b.detach().clone()], [a.grad.clone(), b.grad.clone()]


def test_updates_values(learner) -> None:
    params, before, grads = _params_with_grads()
    learner.sgd_step(params, 0.5)
    for p, p0, g in zip(params, before, grads, strict=True):
        expect_close(p, p0 - 0.5 * g, "parameter after sgd_step(lr=0.5)", "sgd_step(lr=0.5) 之后的参数", learner.sgd_step)


def test_clears_gradients(learner) -> None:
    torch.manual_seed(0)
    model = nn.Linear(3, 2)
    reference = nn.Linear(3, 2)
    reference.load_state_dict(model.state_dict())
    x = torch.randn(5, 3)
    for _ in range(2):
        model(x).pow(2).sum().backward()
        learner.sgd_step(list(model.parameters()), 0.1)
        reference(x).pow(2).sum().backward()
        with torch.no_grad():
            for p in reference.parameters():
                p -= 0.1 * p.grad
                p.grad = None
    for p in model.parameters():
        expect(
            p.grad is None or not bool(p.grad.abs().sum()),
            "sgd_step left the gradients in place. backward() adds into .grad, so the next step would use "
            "old + new gradients. Set p.grad = None (or p.grad.zero_()) after the update.",
            "sgd_step 没有清空梯度。backward() 会累加到 .grad 上,下一步就会使用旧梯度加新梯度。"
            "更新后请设置 p.grad = None(或 p.grad.zero_())。",
            learner.sgd_step,
        )
    for p, q in zip(model.parameters(), reference.parameters(), strict=True):
        expect_close(p, q, "parameters after two steps", "两步之后的参数", learner.sgd_step)


def test_skips_missing_gradients(learner) -> None:
    with_grad = torch.tensor([1.0, 1.0], requires_grad=True)
    with_grad.grad = torch.tensor([1.0, 1.0])
    without_grad = torch.tensor([5.0, 6.0], requires_grad=True)
    learner.sgd_step([without_grad, with_grad], 0.5)
    expect(
        close(without_grad, torch.tensor([5.0, 6.0])) and without_grad.grad is None,
        "sgd_step changed a parameter whose .grad is None. Skip those parameters.",
        "sgd_step 修改了 .grad 为 None 的参数。请跳过这些参数。",
        learner.sgd_step,
    )
    expect_close(with_grad, torch.tensor([0.5, 0.5]), "the parameter that has a gradient", "有梯度的参数", learner.sgd_step)


def test_updates_in_place(learner) -> None:
    torch.manual_seed(1)
    model = nn.Linear(4, 3)
    model(torch.randn(2, 4)).sum().backward()
    weight, storage = model.weight, model.weight.data_ptr()
    expected = (model.weight - 0.1 * model.weight.grad).detach()
    learner.sgd_step(model.parameters(), 0.1)
    expect(
        model.weight is weight and model.weight.data_ptr() == storage and close(model.weight, expected),
        "The model's own weights did not change. Update each tensor in place (p -= lr * p.grad or p.sub_(...)); "
        "`p = p - lr * p.grad` only rebinds a local name.",
        "模型自身的权重没有改变。请原地更新每个张量(p -= lr * p.grad 或 p.sub_(...));"
        "`p = p - lr * p.grad` 只是重新绑定了一个局部变量。",
        learner.sgd_step,
    )


def test_update_not_recorded(learner) -> None:
    params, _, _ = _params_with_grads()
    learner.sgd_step(params, 0.1)
    for p in params:
        expect(
            p.is_leaf and p.grad_fn is None,
            "After sgd_step a parameter has a grad_fn: the update was recorded by autograd. Update inside torch.no_grad().",
            "sgd_step 之后参数带有 grad_fn:更新被 autograd 记录了。请在 torch.no_grad() 中更新。",
            learner.sgd_step,
        )
        expect(
            p.requires_grad,
            "After sgd_step a parameter no longer requires grad, so training would stop learning it.",
            "sgd_step 之后参数不再需要梯度,训练将无法继续更新它。",
            learner.sgd_step,
        )

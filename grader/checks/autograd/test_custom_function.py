"""Checks for autograd/custom_function: Cube's forward, its backward (gradcheck), and ctx usage."""

import torch

from grader.checks.support import expect, expect_close, fail, tensor_result


def _cube(learner, x: torch.Tensor) -> torch.Tensor:
    return tensor_result(learner.Cube.apply(x), "Cube.apply", learner.Cube)


def test_forward_values(learner) -> None:
    for x in (torch.tensor([1.0, -2.0, 0.5]), torch.linspace(-3, 3, 12).reshape(3, 4)):
        expect_close(_cube(learner, x), x**3, "Cube.apply(x)", "Cube.apply(x)", learner.Cube.forward)


def test_backward_formula(learner) -> None:
    x = torch.tensor([1.0, -2.0, 0.5, 3.0], requires_grad=True)
    _cube(learner, x).sum().backward()
    expect(x.grad is not None, "No gradient reached x.", "梯度没有传到 x。", learner.Cube.backward)
    expect_close(x.grad, 3 * x.detach() ** 2, "d/dx sum(Cube(x))", "d/dx sum(Cube(x))", learner.Cube.backward)


def test_uses_grad_output(learner) -> None:
    x = torch.tensor([1.0, -2.0, 0.5, 3.0], requires_grad=True)
    v = torch.tensor([2.0, -1.0, 0.0, 0.5])
    _cube(learner, x).backward(v)
    expect(x.grad is not None, "No gradient reached x.", "梯度没有传到 x。", learner.Cube.backward)
    expect_close(
        x.grad,
        v * 3 * x.detach() ** 2,
        "gradient for Cube(x).backward(v): backward must multiply by grad_output",
        "Cube(x).backward(v) 的梯度:backward 必须乘以 grad_output",
        learner.Cube.backward,
    )


def test_gradcheck(learner) -> None:
    x = torch.randn(2, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0), requires_grad=True)
    try:
        ok = torch.autograd.gradcheck(learner.Cube.apply, (x,), eps=1e-6, atol=1e-5, raise_exception=True)
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - gradcheck reports a mismatch as an exception
        summary = str(error).strip().splitlines()[0][:200]
        fail(
            f"torch.autograd.gradcheck (float64) found backward inconsistent with forward: {summary}",
            f"torch.autograd.gradcheck(float64)发现 backward 与 forward 不一致:{summary}",
            learner.Cube.backward,
        )
    expect(bool(ok), "gradcheck failed.", "gradcheck 未通过。", learner.Cube.backward)


def test_saves_for_backward(learner) -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = _cube(learner, x)
    saved = getattr(y.grad_fn, "saved_tensors", ())
    expect(
        len(saved) > 0,
        "forward did not call ctx.save_for_backward(...). Store tensors with it (not as ctx attributes): "
        "it checks they were not modified in place before backward.",
        "forward 没有调用 ctx.save_for_backward(...)。请用它保存张量(不要存成 ctx 的属性):"
        "它会检查张量在 backward 之前没有被原地修改。",
        learner.Cube.forward,
    )

"""The optimization references are what the checks compare learners with: each must match PyTorch itself.

The checks compare a submission with the reference solution, not with torch, so a reference that
drifted from torch.optim.SGD (or from F.cross_entropy, clip_grad_norm_, one big batch...) would
grade every learner against a wrong answer. These tests hold each reference to PyTorch's own code.
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path
from types import ModuleType

import pytest
import torch
import torch.nn.functional as F
from torch import nn

SOLUTIONS = Path(__file__).resolve().parent.parent / "solutions" / "05_optimization"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"reference_{name}", SOLUTIONS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _params(seed: int, dtype: torch.dtype = torch.float64) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(3, 2, generator=g, dtype=dtype).requires_grad_(), torch.randn((), generator=g, dtype=dtype).requires_grad_()]


def _give(a: list[torch.Tensor], b: list[torch.Tensor], g: torch.Generator) -> None:
    for p, q in zip(a, b, strict=True):
        grad = torch.randn(p.shape, generator=g, dtype=p.dtype)
        p.grad, q.grad = grad.clone(), grad.clone()


@pytest.mark.parametrize("shape", [(5, 4), (4,), (0, 3)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("weighted", "smoothing"), [(False, 0.0), (True, 0.0), (False, 0.3), (True, 0.3)])
def test_cross_entropy_matches_torch(shape: tuple[int, ...], reduction: str, weighted: bool, smoothing: float) -> None:
    losses = _load("01_losses")
    g = torch.Generator().manual_seed(3)
    logits = torch.randn(shape, generator=g, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, shape[-1], shape[:-1], generator=g)
    weight = torch.rand(shape[-1], generator=g, dtype=torch.float64) + 0.1 if weighted else None
    ours = losses.cross_entropy(logits, target, weight=weight, reduction=reduction, label_smoothing=smoothing)
    theirs = F.cross_entropy(logits, target, weight=weight, reduction=reduction, label_smoothing=smoothing)
    assert torch.allclose(ours, theirs, rtol=1e-12, atol=1e-12, equal_nan=True)
    with pytest.raises(ValueError, match="reduction"):
        losses.cross_entropy(logits, target, reduction="avg")


@pytest.mark.parametrize(
    ("momentum", "dampening", "nesterov", "weight_decay"),
    [(m, d, n, w) for m, d, n, w in itertools.product([0.9, 0.37], [0.0, 0.3], [False, True], [0.0, 0.1]) if not (n and d)],
)
def test_sgd_momentum_matches_torch(momentum: float, dampening: float, nesterov: bool, weight_decay: float) -> None:
    sgd = _load("02_sgd_momentum")
    ours = _params(1)
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    optimizer = torch.optim.SGD(theirs, lr=0.1, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
    buffers: list[torch.Tensor | None] = [None, None]
    g = torch.Generator().manual_seed(2)
    for _ in range(4):
        _give(ours, theirs, g)
        sgd.sgd_momentum_step(ours, buffers, 0.1, momentum, dampening, nesterov, weight_decay)
        optimizer.step()
    for p, q, buffer in zip(ours, theirs, buffers, strict=True):
        assert torch.allclose(p, q, rtol=1e-12, atol=1e-14)
        assert torch.allclose(buffer, optimizer.state[q]["momentum_buffer"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("betas", "eps", "weight_decay"), list(itertools.product([(0.9, 0.999), (0.5, 0.7)], [1e-8, 0.3], [0.0, 0.1])))
def test_adam_matches_torch(betas: tuple[float, float], eps: float, weight_decay: float) -> None:
    adam = _load("03_adam")
    ours = _params(4)
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    optimizer = torch.optim.Adam(theirs, lr=0.2, betas=betas, eps=eps, weight_decay=weight_decay)
    exp_avgs, exp_avg_sqs = [torch.zeros_like(p) for p in ours], [torch.zeros_like(p) for p in ours]
    g = torch.Generator().manual_seed(5)
    for step in range(1, 5):
        _give(ours, theirs, g)
        adam.adam_step(ours, exp_avgs, exp_avg_sqs, step, 0.2, betas, eps, weight_decay)
        optimizer.step()
    for p, q, m in zip(ours, theirs, exp_avgs, strict=True):
        assert torch.allclose(p, q, rtol=1e-10, atol=1e-12)
        assert torch.allclose(m, optimizer.state[q]["exp_avg"], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("norm_type", "max_norm", "scale"), list(itertools.product([2.0, 1.0, math.inf, 3.0], [0.1, 100.0], [1.0, 1e-6])))
def test_clipping_matches_torch(norm_type: float, max_norm: float, scale: float) -> None:
    clipping = _load("06_clipping")
    ours = _params(6)
    theirs = [p.detach().clone().requires_grad_() for p in ours]
    _give(ours, theirs, torch.Generator().manual_seed(7))
    for p, q in zip(ours, theirs, strict=True):
        p.grad.mul_(scale)
        q.grad.mul_(scale)
    total = clipping.clip_grad_norm(iter(ours), max_norm * scale, norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm * scale, norm_type)
    assert total.dtype == expected.dtype and torch.allclose(total, expected, rtol=1e-12)
    for p, q in zip(ours, theirs, strict=True):
        assert torch.allclose(p.grad, q.grad, rtol=1e-12, atol=0.0)
    assert clipping.clip_grad_norm([torch.zeros(2, requires_grad=True)], 1.0).item() == 0.0


def test_micro_batches_equal_one_big_batch() -> None:
    accumulation = _load("07_micro_batches")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    big = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    big.load_state_dict(model.state_dict())
    X, y = torch.randn(9, 4), torch.randint(0, 3, (9,))
    sizes = [1, 5, 3]
    pieces = list(zip(X.split(sizes), y.split(sizes), strict=True))
    for p in model.parameters():
        p.grad = torch.ones_like(p)  # stale: must not leak in
    loss = accumulation.accumulated_step(model, iter(pieces), nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.1))
    whole = nn.CrossEntropyLoss()(big(X), y)
    whole.backward()
    torch.optim.SGD(big.parameters(), lr=0.1).step()
    assert math.isclose(loss, whole.item(), rel_tol=1e-6)
    for p, q in zip(model.parameters(), big.parameters(), strict=True):
        assert torch.allclose(p, q, atol=1e-6)


def test_param_groups_work_with_torch_optim() -> None:
    groups_module = _load("04_param_groups")
    model = nn.Module()
    model.body = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Linear(6, 5))
    model.head = nn.Linear(5, 2)
    model.body[0].weight.requires_grad_(False)
    groups = groups_module.param_groups(model, 0.01, 0.1, 0.05)
    optimizer = torch.optim.AdamW(groups, lr=123.0, weight_decay=123.0)  # the defaults must never be used
    found = {id(p): (g["lr"], g["weight_decay"]) for g in optimizer.param_groups for p in g["params"]}
    assert found == {
        id(model.body[0].bias): (0.01, 0.0),
        id(model.body[1].weight): (0.01, 0.0),
        id(model.body[1].bias): (0.01, 0.0),
        id(model.body[2].weight): (0.01, 0.05),
        id(model.body[2].bias): (0.01, 0.0),
        id(model.head.weight): (0.1, 0.05),
        id(model.head.bias): (0.1, 0.0),
    }


def test_early_stopping_sequence() -> None:
    stopping = _load("09_early_stopping")
    stopper = stopping.EarlyStopping(patience=2, min_delta=0.125)
    decisions = [stopper.step(v) for v in [1.0, 0.875, 0.75, 0.75, 0.5, 0.5, 0.5]]
    # 0.875 is not better than 1.0 by more than 0.125; 0.75 is; 0.5 is.
    assert decisions == [False, False, False, False, False, False, True]
    assert (stopper.best, stopper.best_epoch, stopper.bad_epochs) == (0.5, 4, 2)
    with pytest.raises(ValueError):
        stopping.EarlyStopping(mode="maximum")

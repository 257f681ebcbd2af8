"""What the autograd checks observe, written once: values, outcomes, cleared gradients, tolerances."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch

from torchdojo.checks.harness import Tolerance
from torchdojo.checks.support import show

_is_tensor = torch.is_tensor

# float64 results are compared tightly: a computation done in float32 and cast back shows.
PRECISE = Tolerance(rtol64=1e-9, atol64=1e-10)


def values(value: Any) -> Any:
    """A tensor's values and dtype (a copy, no graph, no .grad); anything else as it is, so a wrong type is reported as such."""
    if _is_tensor(value):
        return value.detach().clone()
    return value


def snapshot(value: Any) -> Any:
    """A tensor as it is now (values copied; requires_grad and graph attachment kept), so that a later call that
    changes a returned tensor in place is reported as such, not as a wrong first result."""
    if not _is_tensor(value):
        return value
    if value.grad_fn is not None:
        with torch.enable_grad():
            return value.clone()
    copy = value.detach().clone()
    return copy.requires_grad_(True) if value.requires_grad else copy


def numbers(value: Any) -> Any:
    """A tensor's numbers whatever its dtype (a float64 copy); for checks where the dtype is another check's business."""
    if _is_tensor(value):
        return value.detach().to(torch.float64, copy=True)
    return value


def cleared(grad: torch.Tensor | None) -> str:
    """A gradient after a step, in words: cleared (None or all zeros, both are right) or not."""
    if grad is None or not bool(grad.detach().abs().sum()):
        return "cleared (None or zeros)"
    return f"not cleared: {show(grad)}"


def outcome(action: Callable[[], Any]) -> str:
    """How a follow-up action of the scenario ended: "runs" or "raises <Type>"."""
    try:
        action()
    except Exception as error:  # noqa: BLE001 - the type is the observation
        return f"raises {type(error).__name__}"
    return "runs"


def raises(action: Callable[[], Any]) -> str:
    """Whether a call with an input outside the contract fails loudly: any exception type is right, returning is not."""
    try:
        result = action()
    except Exception:  # noqa: BLE001 - any loud failure is right
        return "raises an error"
    return f"returns {show(result)}"


def ends(action: Callable[[], Any]) -> Any:
    """The value of a call of learner code, or the exception it raised (compared by type)."""
    try:
        return action()
    except Exception as error:  # noqa: BLE001 - the exception is the observation
        return error


@contextmanager
def default_dtype(dtype: torch.dtype) -> Iterator[list[torch.dtype]]:
    """Run with `dtype` as the caller's default dtype; yields a list that gets the default dtype found after the body."""
    found: list[torch.dtype] = []
    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        yield found
    finally:
        found.append(torch.get_default_dtype())
        torch.set_default_dtype(previous)


# For a difference in global state: the check's own hint (about values) would point at the wrong cause.
STATE_HINT = (
    (
        "Leave the caller's global state as it was: switch grad mode with a context manager (`with torch.no_grad():`, "
        "`with torch.enable_grad():`), which restores it when the block ends; plain torch.set_grad_enabled(...) calls do "
        "not, and torch.set_default_dtype(...) changes every tensor created later."
    ),
    (
        "请保持调用者的全局状态不变:用上下文管理器(`with torch.no_grad():`、`with torch.enable_grad():`)切换梯度模式,"
        "代码块结束时它会恢复原来的设置;直接调用 torch.set_grad_enabled(...) 不会恢复,torch.set_default_dtype(...) "
        "会改变之后创建的所有张量。"
    ),
)

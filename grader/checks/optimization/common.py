"""What the optimization checks share: tolerances, copies of values, and hints about global state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from torchdojo.checks.harness import Tolerance
from torchdojo.checks.support import show

# The checks' tensors are tiny: more intra-op threads only spin against each other on a busy machine.
torch.set_num_threads(1)

# float64 against float64 is compared tightly: a computation done in float32 and cast back shows.
PRECISE = Tolerance(rtol64=1e-9, atol64=1e-11)


def values(value: Any) -> Any:
    """A tensor's values and dtype (a copy, no graph, no .grad); anything else as it is, so a wrong type is reported as such."""
    if torch.is_tensor(value):
        return value.detach().clone()
    if isinstance(value, list | tuple):
        return type(value)(values(v) for v in value)
    return value


def raises(action: Callable[[], Any]) -> str:
    """Whether a call with an input outside the contract fails loudly: any exception type is right, returning is not."""
    try:
        result = action()
    except NotImplementedError:  # a stub is unfinished, not right
        raise
    except Exception:  # noqa: BLE001 - any loud failure is right
        return "raises an error"
    return f"returns {show(result)}"


STATE_HINT = (
    (
        "Leave the caller's grad mode as it was: turn gradients off with a `with torch.no_grad():` block (it restores the mode "
        "on exit), not with torch.set_grad_enabled(...) as a statement."
    ),
    "请保持调用者的梯度模式:用 `with torch.no_grad():` 代码块关闭梯度(退出时会恢复),不要把 torch.set_grad_enabled(...) 当作单独的语句使用。",
)

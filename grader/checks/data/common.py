"""What the data checks share: copies of observed values, and how a call ended."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from torchdojo.checks.support import show

# The checks' tensors are tiny: more intra-op threads only spin against each other on a busy machine.
torch.set_num_threads(1)


def values(value: Any) -> Any:
    """Tensors as copies (values, dtype, shape; no graph), containers item by item, anything else as it is."""
    if torch.is_tensor(value):
        return value.detach().clone()
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return type(value)(values(v) for v in value)
    if isinstance(value, dict):
        return {k: values(v) for k, v in value.items()}
    return value


def outcome(action: Callable[[], Any]) -> str:
    """How a call ended, in words: 'raises <ErrorType>' or 'returns <value>' (the error's type is part of the contract).

    An error without a message is told apart: the learner's caller is owed the cause.
    """
    try:
        result = action()
    except NotImplementedError:  # a stub is unfinished, not right
        raise
    except Exception as error:  # noqa: BLE001 - the type is compared with the reference's
        if str(error).strip() in ("", "None"):
            return f"raises {type(error).__name__} with no message"
        return f"raises {type(error).__name__}"
    return f"returns {show(result, limit=60)}"

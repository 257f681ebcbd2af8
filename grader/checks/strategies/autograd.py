"""Strategies for the autograd checks: scalar functions with known, distinct gradients."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from hypothesis import strategies as st


@dataclass(frozen=True)
class Function:
    name: str
    f: Callable[[torch.Tensor], torch.Tensor]


# No function here has a gradient that equals x, 2x or 1 everywhere: a hand-written
# formula or a stale gradient cannot coincide with the right answer.
FUNCTIONS = [
    Function("sum(x**3)", lambda x: (x**3).sum()),
    Function("sum(sin(x) * x)", lambda x: (torch.sin(x) * x).sum()),
    Function("mean(x)", lambda x: x.mean()),
    Function("sum(exp(x / 4))", lambda x: torch.exp(x / 4).sum()),
]
functions = st.sampled_from(FUNCTIONS)

"""Hypothesis strategies for the checks, in one place: one module per topic, common ones here.

Why generated inputs: a fixed input is where a wrong formula can coincide with the
right one (a scale of exactly 1, all-positive values, equal sizes, full batches).
Each strategy draws the awkward legal cases on purpose: float64 next to float32,
0-d and single-element tensors, negative values, unequal sizes.
Draws are derandomized (see `torchdojo.checks.support`): a file always gets the same grade.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from hypothesis import strategies as st

from torchdojo.checks.support import show

SHAPES = st.sampled_from([(), (1,), (4,), (2, 3), (3, 1, 2)])
DTYPES = st.sampled_from([torch.float32, torch.float64])


@st.composite
def random_tensors(
    draw: st.DrawFn, shapes: st.SearchStrategy[tuple[int, ...]] = SHAPES, dtypes: st.SearchStrategy[torch.dtype] = DTYPES, scale: float = 2.0
) -> torch.Tensor:
    """A random tensor (seeded from the draw) with negative and positive values."""
    shape = draw(shapes)
    dtype = draw(dtypes)
    seed = draw(st.integers(0, 2**16))
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) * scale


CallerState = Literal["plain", "leaf_with_grad", "non_leaf", "requires_grad"]


@dataclass(frozen=True)
class CallerTensor:
    """A tensor as a caller might hold it: plain, a leaf that requires grad (maybe with a .grad), or a non-leaf.

    `make()` builds a fresh, independent copy for each implementation under comparison.
    """

    values: torch.Tensor
    state: CallerState = "plain"

    def make(self) -> torch.Tensor:
        base = self.values.detach().clone()
        if self.state == "requires_grad":
            return base.requires_grad_(True)
        if self.state == "leaf_with_grad":
            base.requires_grad_(True)
            base.grad = torch.full_like(base, 0.5)
            return base
        if self.state == "non_leaf":
            return base.requires_grad_(True) * 1.0
        return base

    def describe(self) -> tuple[str, str]:
        words = {
            "plain": ("", ""),
            "requires_grad": (" (a leaf that requires grad)", "(需要梯度的叶子张量)"),
            "leaf_with_grad": (" (a leaf that requires grad and already has a .grad)", "(需要梯度且已有 .grad 的叶子张量)"),
            "non_leaf": (" (a non-leaf tensor)", "(非叶子张量)"),
        }[self.state]
        return show(self.values) + words[0], show(self.values) + words[1]


def caller_tensors(
    shapes: st.SearchStrategy[tuple[int, ...]] = SHAPES, states: tuple[CallerState, ...] = ("plain", "requires_grad", "leaf_with_grad", "non_leaf")
) -> st.SearchStrategy[CallerTensor]:
    return st.builds(CallerTensor, random_tensors(shapes), st.sampled_from(states))

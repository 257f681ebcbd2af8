"""Strategies for the modules checks: layer sizes, batches, momenta.

The awkward legal cases are drawn on purpose (and pinned with `@example` in the checks):
sizes where widths repeat (the last width equal to the one before it, all widths equal),
size lists of length 2 (one Linear layer, no ReLU at all) and of length 5 and 6, an
output width of 1 and batches of one sample (where a stray `.squeeze()` changes the
shape), batches of unequal sizes, momenta other than 0.5 (where `m * x` and
`(1 - m) * x` coincide) and the default momentum.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from hypothesis import strategies as st

WIDTHS = st.integers(1, 7)
BATCH_SIZES = st.integers(1, 6)
SEEDS = st.integers(0, 2**16)


def randn(shape: tuple[int, ...], seed: int, scale: float = 2.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A seeded tensor with negative and positive values (the global RNG is left alone)."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) * scale


two_layer_sizes = st.tuples(WIDTHS, WIDTHS, WIDTHS)
"""(in_features, hidden, out_features), equal widths included."""


@st.composite
def mlp_sizes(draw: st.DrawFn, min_size: int = 2, max_size: int = 6) -> list[int]:
    """A size list for MLP; often its last width repeats the one before it."""
    sizes = draw(st.lists(WIDTHS, min_size=min_size, max_size=max_size))
    if len(sizes) >= 3 and draw(st.booleans()):
        sizes[-1] = sizes[-2]
    return sizes


@dataclass(frozen=True)
class Momentum:
    """How Standardize is built: `value` None means the default (the argument left out)."""

    value: float | None
    positional: bool = False

    @property
    def effective(self) -> float:
        return 0.1 if self.value is None else self.value

    def build(self, cls: type, num_features: int) -> torch.nn.Module:
        if self.value is None:
            return cls(num_features)
        if self.positional:
            return cls(num_features, self.value)
        return cls(num_features, momentum=self.value)

    def describe(self, num_features: int) -> str:
        if self.value is None:
            return f"Standardize({num_features})"
        if self.positional:
            return f"Standardize({num_features}, {self.value})"
        return f"Standardize({num_features}, momentum={self.value})"


# Never only 0.5: there `m * x + (1 - m) * r` and `(1 - m) * x + m * r` are the same number.
momenta = st.builds(Momentum, st.sampled_from([None, 0.1, 0.25, 0.7, 0.9, 1.0, 0.5]), st.booleans())

batch_size_lists = st.lists(BATCH_SIZES, min_size=2, max_size=3)

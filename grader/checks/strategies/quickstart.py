"""Strategies for the quickstart checks: data sizes, batch sizes, optimizers and losses.

Drawn on purpose where wrong formulas part from the right one: a last batch smaller than
the others (mean of batch losses vs per-sample mean, correct / samples vs correct / batches),
learning rates other than the tutorial's 1e-3, optimizers with state (momentum, Adam) where a
hand-written update cannot pass for `optimizer.step()`, and losses whose reduction is not a
plain mean.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch
from hypothesis import strategies as st
from torch import nn


@dataclass(frozen=True)
class Batches:
    """`samples` samples in batches of `batch_size`; `seed` picks the data."""

    samples: int
    batch_size: int
    seed: int = 0

    @property
    def count(self) -> int:
        return -(-self.samples // self.batch_size)

    @property
    def last(self) -> int:
        return self.samples - (self.count - 1) * self.batch_size

    def describe(self) -> tuple[str, str]:
        sizes = f"{self.count - 1} × {self.batch_size} + {self.last}" if self.last != self.batch_size else f"{self.count} × {self.batch_size}"
        return (f"{self.samples} samples, batch_size={self.batch_size} (batches {sizes})", f"{self.samples} 个样本,batch_size={self.batch_size}(批次 {sizes})")


@st.composite
def batches(draw: st.DrawFn, min_batches: int = 2, max_batches: int = 4, unequal: bool | None = None) -> Batches:
    """Mostly an unequal last batch (never a last batch of one: batch norm cannot train on it)."""
    batch_size = draw(st.integers(3, 9))
    full = draw(st.integers(min_batches - 1, max_batches - 1))
    uneven = draw(st.sampled_from([True, True, True, False])) if unequal is None else unequal
    last = draw(st.integers(2, batch_size - 1)) if uneven else batch_size
    return Batches(full * batch_size + last, batch_size, draw(st.integers(0, 2**16)))


@dataclass(frozen=True)
class OptimizerSpec:
    kind: str
    lr: float

    def make(self, parameters: Iterator[nn.Parameter]) -> torch.optim.Optimizer:
        if self.kind == "SGD":
            return torch.optim.SGD(parameters, lr=self.lr)
        if self.kind == "SGD(momentum=0.9)":
            return torch.optim.SGD(parameters, lr=self.lr, momentum=0.9)
        return torch.optim.Adam(parameters, lr=self.lr)

    def describe(self) -> str:
        name, _, rest = self.kind.partition("(")
        extra = f", {rest[:-1]}" if rest else ""
        return f"torch.optim.{name}(model.parameters(), lr={self.lr}{extra})"


LEARNING_RATES = st.sampled_from([0.05, 0.3, 0.013, 0.7])
optimizers = st.builds(OptimizerSpec, st.sampled_from(["SGD", "SGD(momentum=0.9)", "Adam"]), LEARNING_RATES)


@dataclass(frozen=True)
class LossSpec:
    name: str
    make: Callable[[], nn.Module]


LOSSES = [
    LossSpec("nn.CrossEntropyLoss()", nn.CrossEntropyLoss),
    LossSpec("nn.CrossEntropyLoss(label_smoothing=0.2)", lambda: nn.CrossEntropyLoss(label_smoothing=0.2)),
    LossSpec("nn.CrossEntropyLoss(reduction='sum')", lambda: nn.CrossEntropyLoss(reduction="sum")),
]
losses = st.sampled_from(LOSSES)

IMAGE_SHAPES = st.sampled_from([(1, 28, 28), (1, 1, 28, 28)])


@st.composite
def class_names(draw: st.DrawFn, count: int = 10) -> list[str] | tuple[str, ...]:
    """`count` distinct class names, as a list or a tuple."""
    words = ["cat", "dog", "boot", "bag", "coat", "shirt", "sandal", "dress", "sneaker", "trouser", "hat", "sock"]
    names = draw(st.permutations(words))[:count]
    return tuple(names) if draw(st.booleans()) else list(names)

"""Strategies for the optimization checks: inputs where a wrong formula cannot pass for the right one.

Drawn on purpose: class weights that are not all equal (dividing a weighted sum by N
instead of by the sum of the weights shows), label smoothing other than 0, batches of one
and of none, large logits, logits that are not contiguous (a transposed view), float64 next to float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from hypothesis import strategies as st

from grader.checks.support import show


def _short(t: torch.Tensor) -> str:
    """A tensor in a few characters: its values when there are few, else its shape; always its dtype."""
    dtype = str(t.dtype).removeprefix("torch.")
    if t.numel() <= 4:
        return f"tensor({[round(v, 4) if isinstance(v, float) else v for v in t.reshape(-1).tolist()]}, shape={tuple(t.shape)}, {dtype})"
    return f"tensor of shape {tuple(t.shape)}, {dtype}"


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# -- losses -------------------------------------------------------------------------------------------

REDUCTIONS = ("mean", "sum", "none")


@dataclass(frozen=True)
class LossCase:
    """Logits, targets and (maybe) class weights. `samples` = -1: one sample, logits (C,) and a 0-d target."""

    samples: int
    classes: int
    dtype: torch.dtype
    seed: int
    weighted: bool = False
    reduction: str = "mean"
    smoothing: float = 0.0
    transposed: bool = False
    large: bool = False  # logits in the hundreds: log(softmax(x)) overflows in float32

    def make(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        g = _generator(self.seed)
        if self.samples < 0:
            logits = torch.randn(self.classes, generator=g, dtype=self.dtype) * 3
            target = torch.randint(0, self.classes, (), generator=g)
        elif self.transposed:  # a (N, C) view of a (C, N) tensor: not contiguous
            logits = (torch.randn(self.classes, self.samples, generator=g, dtype=self.dtype) * 3).t()
            target = torch.randint(0, self.classes, (self.samples,), generator=g)
        else:
            logits = torch.randn(self.samples, self.classes, generator=g, dtype=self.dtype) * 3
            target = torch.randint(0, self.classes, (self.samples,), generator=g)
        weight = torch.rand(self.classes, generator=g, dtype=self.dtype) * 2 + 0.2 if self.weighted else None
        return (logits * 40 if self.large else logits), target, weight

    def with_leaf(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(the leaf the gradient reaches, the logits passed: that leaf or a transposed view of it, target, weight)."""
        logits, target, weight = self.make()
        if self.transposed:
            leaf = logits.t().clone().requires_grad_(True)
            return leaf, leaf.t(), target, weight
        leaf = logits.clone().requires_grad_(True)
        return leaf, leaf, target, weight

    def kwargs(self, weight: torch.Tensor | None) -> dict[str, object]:
        """Only the arguments that differ from the defaults: the defaults are tried as such."""
        given: dict[str, object] = {}
        if weight is not None:
            given["weight"] = weight
        if self.reduction != "mean":
            given["reduction"] = self.reduction
        if self.smoothing:
            given["label_smoothing"] = self.smoothing
        return given

    def describe(self) -> str:
        logits, target, weight = self.make()
        note = " (not contiguous: a transposed view)" if self.transposed else " (large values)" if self.large else ""
        words = [f"logits = {_short(logits)}{note}",
                 f"target = {show(target, 60)}"]
        words += [f"{key} = {show(value, 60) if torch.is_tensor(value) else repr(value)}" for key, value in self.kwargs(weight).items()]
        return ", ".join(words)


@st.composite
def loss_cases(draw: st.DrawFn, weighted: bool | None = None, smoothing: bool | None = None,
               reductions: tuple[str, ...] = REDUCTIONS, odd: bool = False) -> LossCase:
    """Mostly ordinary batches; with `odd`, one sample (C,), an empty batch, or a transposed view."""
    layout = draw(st.sampled_from(["single", "empty", "transposed", "large"])) if odd else draw(st.sampled_from(["batch", "batch", "transposed"]))
    samples = {"single": -1, "empty": 0}.get(layout, draw(st.integers(2, 7)))
    classes = draw(st.integers(2, 6))
    use_weights = draw(st.booleans()) if weighted is None else weighted
    smooth = (draw(st.sampled_from([0.0, 0.1, 0.35, 0.8])) if smoothing is None
              else draw(st.sampled_from([0.1, 0.35, 0.8, 0.05])) if smoothing else 0.0)
    return LossCase(samples, classes, draw(st.sampled_from([torch.float32, torch.float64])), draw(st.integers(0, 2**16)),
                    use_weights, draw(st.sampled_from(reductions)), smooth, layout == "transposed", layout == "large")

"""Strategies for the tensors checks: tensors as a caller may hold them.

Why these draws: a tensor op that is right for one contiguous float32 CPU tensor can be
wrong for the others. So every draw can be float64 or an integer dtype (a hard-coded
dtype or a float-only formula shows), non-contiguous (a transposed or strided view:
`.view()` on it fails, code that assumes strides shows), empty or 0-d where the
exercise allows it, a leaf that requires grad (the result must stay attached to the
graph), or on the `meta` device (a tensor made without `device=` lands on the CPU and
the mix fails, as it would on CUDA). Values are small integers stored in the dtype, so
sums and products are exact and a comparison never depends on rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from hypothesis import strategies as st

from torchdojo.checks.support import show

Layout = Literal["contiguous", "transposed", "strided"]
FLOATS = (torch.float32, torch.float64)
NUMBERS = (torch.float32, torch.float64, torch.int64)


@dataclass(frozen=True)
class Case:
    """One input tensor: its values (a contiguous CPU master copy) and how the caller holds it.

    `make()` builds a fresh, independent tensor for each implementation under comparison.
    """

    values: torch.Tensor
    layout: Layout = "contiguous"
    device: str = "cpu"
    requires_grad: bool = False

    def make(self) -> torch.Tensor:
        tensor = self.values.clone()
        if self.layout == "transposed" and tensor.dim() >= 2:
            tensor = tensor.transpose(-1, -2).contiguous().transpose(-1, -2)  # same values, column-major strides
        elif self.layout == "strided" and tensor.dim() >= 1:
            wide = torch.zeros(*tensor.shape[:-1], tensor.shape[-1] * 2 + 1, dtype=tensor.dtype)
            wide[..., 1::2] = tensor  # every other element of a wider tensor: a view with stride 2
            tensor = wide[..., 1::2]
        if self.device != "cpu":
            tensor = tensor.to(self.device)
        if self.requires_grad:
            tensor.requires_grad_(True)
        return tensor

    def describe(self) -> tuple[str, str]:
        if self.device == "meta":
            text = f"tensor(shape={tuple(self.values.shape)}, dtype={str(self.values.dtype).removeprefix('torch.')}, device=meta)"
        else:
            text = show(self.values)
        en, zh = {
            "contiguous": ("", ""),
            "transposed": (" (non-contiguous: a transposed view)", "(非连续:转置后的视图)"),
            "strided": (" (non-contiguous: every other element of a wider tensor)", "(非连续:取自更宽张量的隔一个元素)"),
        }[self.layout if self.values.dim() >= 1 else "contiguous"]
        if self.requires_grad:
            en, zh = en + " (requires grad)", zh + "(需要梯度)"
        return text + en, text + zh


def values(shape: tuple[int, ...], dtype: torch.dtype, seed: int, low: int = -9, high: int = 10) -> torch.Tensor:
    """Small integers in [low, high) stored as `dtype`: exact in every dtype."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(low, high, shape, generator=generator).to(dtype)


@st.composite
def cases(
    draw: st.DrawFn,
    shapes: st.SearchStrategy[tuple[int, ...]],
    dtypes: tuple[torch.dtype, ...] = NUMBERS,
    layouts: tuple[Layout, ...] = ("contiguous", "transposed", "strided"),
    grad: bool = True,
    low: int = -9,
    high: int = 10,
) -> Case:
    """A `Case` of a drawn shape and dtype; float cases may require grad."""
    shape = draw(shapes)
    dtype = draw(st.sampled_from(dtypes))
    seed = draw(st.integers(0, 2**16))
    layout = draw(st.sampled_from(layouts))
    requires_grad = grad and dtype.is_floating_point and draw(st.booleans())
    return Case(values(shape, dtype, seed, low, high), layout, "cpu", requires_grad)


def sizes(low: int = 1, high: int = 6) -> st.SearchStrategy[int]:
    return st.integers(low, high)


# -- broadcasting ----------------------------------------------------------------------------------


@st.composite
def broadcastable_shapes(draw: st.DrawFn, max_dims: int = 4) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast: a drawn result shape, each side keeping a size or putting 1 there, and one side
    dropping leading dimensions. Sizes include 0 (1 with 0 broadcasts to 0, not 1) and sizes that differ between
    dimensions (code that lines shapes up from the left gets another result)."""
    result = draw(st.lists(st.integers(0, 4), min_size=0, max_size=max_dims))
    a = [size if draw(st.booleans()) else 1 for size in result]
    b = [size if draw(st.booleans()) else 1 for size in result]
    drop = draw(st.integers(0, len(result)))
    if draw(st.booleans()):
        a = a[drop:]
    else:
        b = b[drop:]
    return tuple(a), tuple(b)


@st.composite
def clashing_shapes(draw: st.DrawFn, max_dims: int = 4) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that do not broadcast: broadcastable ones with one aligned pair of sizes set to two different sizes,
    neither of them 1 (0 against 2 clashes too)."""
    a, b = draw(broadcastable_shapes(max_dims))
    if not a and not b:
        a, b = (2,), (3,)
    short, long_ = (list(a), list(b)) if len(a) <= len(b) else (list(b), list(a))
    if not short:
        short = [1]
    position = draw(st.integers(1, len(short)))  # counted from the right: a pair both shapes have
    if len(long_) < len(short):
        long_ = [1] * (len(short) - len(long_)) + long_
    first, second = draw(st.sampled_from([(2, 3), (3, 2), (0, 2), (4, 0), (2, 4)]))
    short[-position], long_[-position] = first, second
    return (tuple(short), tuple(long_)) if draw(st.booleans()) else (tuple(long_), tuple(short))


# -- boolean masks ---------------------------------------------------------------------------------


@st.composite
def masks_for(draw: st.DrawFn, shape: tuple[int, ...]) -> torch.Tensor:
    """A boolean mask of `shape`, or of a shape that broadcasts to it (sizes set to 1, leading dimensions dropped):
    a mask the caller gives as a row or a column. Its values come from a drawn seed (all True and all False included)."""
    mask_shape = [size if draw(st.booleans()) else 1 for size in shape]
    mask_shape = mask_shape[draw(st.integers(0, len(mask_shape))) :] if draw(st.booleans()) else mask_shape
    kind = draw(st.sampled_from(["mixed", "mixed", "mixed", "all", "none"]))
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2**16)))
    if kind == "all":
        return torch.ones(mask_shape, dtype=torch.bool)
    if kind == "none":
        return torch.zeros(mask_shape, dtype=torch.bool)
    return torch.rand(mask_shape, generator=generator) < 0.5


# -- cat and stack ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Many:
    """Several input tensors and a `dim`, as a caller joins them."""

    cases: tuple[Case, ...]
    dim: int

    def make(self) -> list[torch.Tensor]:
        return [case.make() for case in self.cases]

    def describe(self) -> tuple[str, str]:
        parts = [case.describe() for case in self.cases]
        return (f"tensors = [{', '.join(en for en, _ in parts)}], dim = {self.dim}", f"tensors = [{','.join(zh for _, zh in parts)}],dim = {self.dim}")


def _joined(draw: st.DrawFn, shapes: list[tuple[int, ...]], dim: int) -> Many:
    dtype = draw(st.sampled_from(NUMBERS))
    grad = dtype.is_floating_point and draw(st.booleans())
    made = []
    for shape in shapes:
        layout: Layout = draw(st.sampled_from(("contiguous", "contiguous", "transposed", "strided")))
        made.append(Case(values(shape, dtype, draw(st.integers(0, 2**16))), layout, "cpu", grad and draw(st.booleans())))
    return Many(tuple(made), dim)


@st.composite
def stack_inputs(draw: st.DrawFn, max_tensors: int = 4) -> Many:
    """1 to `max_tensors` tensors of one shape (0 to 3 dimensions, sizes 0 to 3, sizes that differ between dimensions
    more often than not) and a `dim` from -(ndim + 1) to ndim: negative dims count from the end of the result."""
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=3)))
    count = draw(st.integers(1, max_tensors))
    dim = draw(st.integers(-(len(shape) + 1), len(shape)))
    return _joined(draw, [shape] * count, dim)


@st.composite
def cat_inputs(draw: st.DrawFn, max_tensors: int = 4) -> Many:
    """1 to `max_tensors` tensors of 1 to 3 dimensions whose sizes differ along a drawn `dim` only (0 included), and that
    `dim`, from -ndim to ndim - 1."""
    shape = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    count = draw(st.integers(1, max_tensors))
    shapes = []
    for _ in range(count):
        own = list(shape)
        own[dim] = draw(st.integers(0, 3))
        shapes.append(tuple(own))
    return _joined(draw, shapes, dim)

"""Checks for tensors/broadcasting: the rules worked out by hand, and broadcasting used to compare rows.

broadcast_shape gets pairs of shapes that broadcast (drawn from a result shape: sizes 0 to 4, each
side keeping a size or 1 in it, one side shorter) and pairs that do not (one aligned pair of
different sizes, neither 1). Fixed examples hold the cases where wrong rules agree with the right
ones least: 1 against 0 gives 0 (max() gives 1), shapes of different lengths whose sizes differ
(lining up from the left gives another shape), a clash in a leading dimension. A torch.Size is a
tuple and is accepted. pairwise_differences gets (n, d) and (m, d) tensors with n != m and n == m
(a transposed result has the right shape then), empty ones, float32, float64 and int64, views, and
leaves that require grad (the gradient must reach both).
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import (
    Case,
    broadcastable_shapes,
    cases,
    clashing_shapes,
    values,
)
from torchdojo.checks.tensors.common import given as words

SHAPE_HINT = (("Line the shapes up from the right and pad the shorter one with 1s on the left; each pair of sizes must be "
               "equal or one of them 1, and the result takes the other size (1 with 0 gives 0). Any other pair raises "
               "ValueError."),
              ("把两个形状从右边对齐,在较短形状的左边补 1;每一对大小必须相等或其中一个为 1,结果取另一个大小"
               "(1 和 0 得到 0)。其他情况抛出 ValueError。"))
PAIRS_HINT = (("a[:, None, :] has shape (n, 1, d) and b[None, :, :] has shape (1, m, d): their difference broadcasts to "
               "(n, m, d) with out[i, j] = a[i] - b[j]. Keep it in the graph (no detach, no torch.tensor(...))."),
              ("a[:, None, :] 的形状是 (n, 1, d),b[None, :, :] 的形状是 (1, m, d):二者相减广播成 (n, m, d),"
               "out[i, j] = a[i] - b[j]。结果要留在计算图中(不要 detach,不要 torch.tensor(...))。"))


def _as_shape(result: object) -> object:
    """A torch.Size is a tuple: compared as one (the spec asks for the shape, not for a class)."""
    return tuple(result) if isinstance(result, tuple) else result


def _shapes(a: tuple[int, ...], b: tuple[int, ...], c: tuple[int, ...], d: tuple[int, ...]):
    def scenario(impl):
        return {
            ("broadcast_shape(a, b)", "broadcast_shape(a, b)"): _as_shape(impl.broadcast_shape(a, b)),
            ("a second call, broadcast_shape(c, d)", "第二次调用 broadcast_shape(c, d)"): _as_shape(impl.broadcast_shape(c, d)),
        }

    return scenario


@settings(max_examples=25)
@example(pair=((1, 3), (0, 1)), other=((2, 1, 4), (3, 1)))
@example(pair=((2, 3, 4), (4,)), other=((5, 1), (1,)))
@example(pair=((), (2, 0)), other=((3, 1, 2), (1, 1)))
@example(pair=((4, 1), (2, 1, 3)), other=((1,), (0,)))
@given(pair=broadcastable_shapes(), other=broadcastable_shapes())
def test_shape_values(compare, pair: tuple[tuple[int, ...], tuple[int, ...]], other: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    (a, b), (c, d) = pair, other
    compare.same(_shapes(a, b, c, d), **words(a=a, b=b, c=c, d=d), where="broadcast_shape", hint=SHAPE_HINT)


def _clash(a: tuple[int, ...], b: tuple[int, ...]):
    def scenario(impl):
        return impl.broadcast_shape(a, b)

    return scenario


@settings(max_examples=15)
@example(pair=((2, 3), (3, 3)))
@example(pair=((3, 2), (0,)))
@example(pair=((4, 2, 1), (2, 3, 1)))
@given(pair=clashing_shapes())
def test_shape_errors(compare, pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = pair
    compare.same(_clash(a, b), **words(a=a, b=b), where="broadcast_shape", hint=SHAPE_HINT)


def _gradient(result: object, x: torch.Tensor) -> object:
    """What reaches x from (result * w).sum().backward() with distinct weights w: a swapped or negated result shows."""
    if not torch.is_tensor(result) or not x.requires_grad:
        return "x does not require grad"
    if not result.requires_grad:
        return "the result does not require grad"
    weights = torch.arange(1.0, result.numel() + 1, dtype=result.dtype).reshape(result.shape)
    grad = torch.autograd.grad((result * weights).sum(), x, allow_unused=True, retain_graph=True)[0]
    return "no gradient reaches it" if grad is None else grad


def _pairs(a: Case, b: Case, c: Case, d: Case):
    def scenario(impl):
        x, y, u, v = a.make(), b.make(), c.make(), d.make()
        out = impl.pairwise_differences(x, y)
        seen = {
            ("pairwise_differences(a, b)", "pairwise_differences(a, b)"): out,
            ("the gradient reaching a", "传到 a 的梯度"): _gradient(out, x),
            ("the gradient reaching b", "传到 b 的梯度"): _gradient(out, y),
            ("a after the call", "调用后的 a"): x,
            ("b after the call", "调用后的 b"): y,
            ("a second call, pairwise_differences(c, d)", "第二次调用 pairwise_differences(c, d)"): impl.pairwise_differences(u, v),
        }
        return seen

    return scenario


@st.composite
def _rows(draw: st.DrawFn) -> tuple[Case, Case]:
    n, m, dim = draw(st.integers(0, 4)), draw(st.integers(0, 4)), draw(st.integers(1, 3))
    if draw(st.booleans()):
        m = n
    dtype = draw(st.sampled_from([torch.float32, torch.float64, torch.int64]))
    first = draw(cases(st.just((n, dim)), dtypes=(dtype,)))
    second = draw(cases(st.just((m, dim)), dtypes=(dtype,)))
    return first, second


@settings(max_examples=15)
@example(first=(Case(values((3, 2), torch.float32, 1), requires_grad=True), Case(values((3, 2), torch.float32, 2), requires_grad=True)),
         second=(Case(values((2, 3), torch.int64, 3)), Case(values((4, 3), torch.int64, 4), "transposed")))
@example(first=(Case(values((2, 1), torch.float64, 5), requires_grad=True), Case(values((4, 1), torch.float64, 6))),
         second=(Case(values((0, 2), torch.float32, 7)), Case(values((3, 2), torch.float32, 8))))
@given(first=_rows(), second=_rows())
def test_pairwise_values(compare, first: tuple[Case, Case], second: tuple[Case, Case]) -> None:
    (a, b), (c, d) = first, second
    compare.same(_pairs(a, b, c, d), **words(a=a, b=b, c=c, d=d), where="pairwise_differences", hint=PAIRS_HINT)

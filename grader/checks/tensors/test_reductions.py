"""Checks for tensors/reductions: `dim` and `keepdim`, compared with the reference on generated tensors.

Inputs: float32 and float64 tensors of 0 to 3 dimensions, every legal `dim` (negative ones
too), square shapes where a mean without keepdim=True broadcasts silently along the wrong
dimension, non-square ones where it fails, empty slices, transposed and strided views,
leaves that require grad (the result stays attached to the graph); for count_positive,
int64 and float tensors with zeros (which do not count); a second call; x afterwards; a dim
out of range (PyTorch's IndexError must reach the caller, not be swallowed).
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import FLOATS, Case, cases, values
from torchdojo.checks.tensors.common import ends
from torchdojo.checks.tensors.common import given as words

SHAPES = st.sampled_from([(), (4,), (3, 3), (2, 3), (3, 1), (2, 2, 2), (2, 3, 4), (0, 3)])
CENTER_HINT = (("x - x.mean(dim=dim, keepdim=True): keepdim=True leaves the reduced dimension with size 1, so the mean "
                "broadcasts back along that dimension only. Leave x as it was."),
               ("x - x.mean(dim=dim, keepdim=True):keepdim=True 会把被归约的维度保留为大小 1,所以均值只沿这个维度广播回去。"
                "不要修改 x。"))
COUNT_HINT = (("(x > 0).sum(dim=dim): the comparison gives booleans, their sum along dim counts the True ones as int64, and "
               "the reduced dimension goes away (keepdim=False). Zeros are not positive."),
              ("(x > 0).sum(dim=dim):比较得到布尔值,沿 dim 求和就数出 True 的个数(int64),被归约的维度会去掉"
               "(keepdim=False)。0 不是正数。"))


@st.composite
def with_dim(draw: st.DrawFn, dtypes: tuple[torch.dtype, ...] = FLOATS, grad: bool = True) -> tuple[Case, int]:
    case = draw(cases(SHAPES, dtypes=dtypes, grad=grad))
    rank = max(case.values.dim(), 1)
    return case, draw(st.integers(-rank, rank - 1))


def _center(a: tuple[Case, int], b: tuple[Case, int]):
    def scenario(impl):
        x, y = a[0].make(), b[0].make()
        return {
            ("center(x, dim)", "center(x, dim)"): impl.center(x, a[1]),
            ("x after the call", "调用后的 x"): x,
            ("a second call, center(y, dim2)", "第二次调用 center(y, dim2)"): impl.center(y, b[1]),
            ("center(x, dim) for a dim out of range", "dim 超出范围时的 center(x, dim)"):
                ends(lambda: impl.center(a[0].make(), max(a[0].values.dim(), 1) + 1)),
        }

    return scenario


def _count(a: tuple[Case, int], b: tuple[Case, int]):
    def scenario(impl):
        x, y = a[0].make(), b[0].make()
        return {
            ("count_positive(x, dim)", "count_positive(x, dim)"): impl.count_positive(x, a[1]),
            ("x after the call", "调用后的 x"): x,
            ("a second call, count_positive(y, dim2)", "第二次调用 count_positive(y, dim2)"): impl.count_positive(y, b[1]),
            ("count_positive(x, dim) for a dim out of range", "dim 超出范围时的 count_positive(x, dim)"):
                ends(lambda: impl.count_positive(a[0].make(), -max(a[0].values.dim(), 1) - 2)),
        }

    return scenario


def _words(a: tuple[Case, int], b: tuple[Case, int]) -> dict[str, str]:
    return words(x=a[0], dim=a[1], y=b[0], dim2=b[1])


@settings(max_examples=12)
@example((Case(values((2, 3), torch.float32, 1)), 1), (Case(values((4,), torch.float64, 2)), -1))
@given(with_dim(), with_dim())
def test_center_values(compare, a: tuple[Case, int], b: tuple[Case, int]) -> None:
    compare.same(_center(a, b), **_words(a, b), where="center", hint=CENTER_HINT)


SQUARES = [
    ((Case(values((3, 3), torch.float32, 3)), 1), (Case(values((3, 3), torch.float64, 4), "transposed"), 0)),
    ((Case(values((2, 2, 2), torch.float32, 5)), -1), (Case(values((2, 2, 2), torch.float32, 6), requires_grad=True), 1)),
]


def test_center_keeps_the_dimension(compare) -> None:
    for a, b in SQUARES:
        compare.same(_center(a, b), **_words(a, b), where="center", hint=CENTER_HINT)


@settings(max_examples=12)
@example((Case(values((2, 3), torch.int64, 7)), 1), (Case(values((3, 3), torch.float32, 8)), 0))
@example((Case(values((), torch.int64, 9)), 0), (Case(values((2, 3, 4), torch.float64, 10), "strided"), -2))
@given(with_dim(dtypes=(torch.float32, torch.float64, torch.int64), grad=False), with_dim(dtypes=(torch.int64,), grad=False))
def test_count_values(compare, a: tuple[Case, int], b: tuple[Case, int]) -> None:
    compare.same(_count(a, b), **_words(a, b), where="count_positive", hint=COUNT_HINT)


def test_count_zeros_and_empty(compare) -> None:
    for a, b in (((Case(torch.tensor([[0, 1, -1], [0, 0, 2]])), 1), (Case(torch.zeros(0, 3)), 0)),
                 ((Case(torch.tensor([0.0, 0.5, -0.5])), 0), (Case(torch.zeros(2, 0, dtype=torch.int64)), -1))):
        compare.same(_count(a, b), **_words(a, b), where="count_positive", hint=COUNT_HINT)

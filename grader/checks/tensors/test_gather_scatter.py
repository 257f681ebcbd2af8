"""Checks for tensors/gather_scatter: reading by index (gather) and adding up by index (index_add / scatter_add).

Inputs: scores (B, C) with B from 0 to 4 and C from 1 to 5 (a column index used as a row
index shows), float32, float64 and int64, transposed and strided views, leaves that require
grad (the result stays attached to the graph); segment sums with repeated indices (where
`out[index] += values` keeps only one of the additions), empty inputs, bins nobody falls in;
a second call; the inputs afterwards; an index out of range (the error must reach the caller,
any type: gather and indexing word it differently). The device check calls segment_sum inside the caller's
`with torch.device("meta"):`, with the values on the CPU: zeros made without `device=` land
elsewhere.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import DEVICE_HINT, ELSEWHERE, device_of, raises
from torchdojo.checks.tensors.common import given as words

PICK_HINT = (("scores.gather(1, index[:, None]) reads scores[b, index[b]] into shape (B, 1); [:, 0] (or .squeeze(1)) "
              "makes it (B,). scores[torch.arange(B), index] is the same. Leave the inputs as they were."),
             ("scores.gather(1, index[:, None]) 读取 scores[b, index[b]],形状为 (B, 1);[:, 0](或 .squeeze(1))把它变成 (B,)。"
              "scores[torch.arange(B), index] 也一样。不要修改输入。"))
SUM_HINT = (("Start from torch.zeros(n, dtype=values.dtype, device=values.device) and add with index_add(0, index, values) "
             "(or scatter_add): repeated indices add up. out[index] += values keeps only one addition per repeated index."),
            ("从 torch.zeros(n, dtype=values.dtype, device=values.device) 开始,用 index_add(0, index, values)"
             "(或 scatter_add)相加:重复的索引会累加。out[index] += values 对重复的索引只保留一次加法。"))


@st.composite
def picks(draw: st.DrawFn) -> tuple[Case, Case]:
    rows, columns = draw(st.integers(0, 4)), draw(st.integers(1, 5))
    scores = draw(cases(st.just((rows, columns))))
    index = Case(values((rows,), torch.int64, draw(st.integers(0, 2**16)), 0, columns))
    return scores, index


def _pick(a: tuple[Case, Case], b: tuple[Case, Case]):
    def scenario(impl):
        scores, index = a[0].make(), a[1].make()
        again = impl.pick(b[0].make(), b[1].make())
        return {
            ("pick(scores, index)", "pick(scores, index)"): impl.pick(scores, index),
            ("scores after the call", "调用后的 scores"): scores,
            ("index after the call", "调用后的 index"): index,
            ("a second call with other scores", "用其他 scores 第二次调用"): again,
            ("pick with an index of C (out of range)", "索引为 C(超出范围)时的 pick"):
                raises(lambda: impl.pick(torch.ones(max(a[0].values.shape[0], 1), a[0].values.shape[1], dtype=a[0].values.dtype),
                                         torch.full((max(a[0].values.shape[0], 1),), a[0].values.shape[1]))),
        }

    return scenario


@settings(max_examples=12)
@example((Case(values((3, 4), torch.float32, 1)), Case(torch.tensor([3, 0, 2]))),
         (Case(values((2, 5), torch.float64, 2), "transposed", requires_grad=True), Case(torch.tensor([4, 1]))))
@example((Case(values((4, 2), torch.int64, 3), "strided"), Case(torch.tensor([1, 1, 0, 1]))),
         (Case(values((0, 3), torch.float32, 4)), Case(torch.zeros(0, dtype=torch.int64))))
@given(picks(), picks())
def test_pick_values(compare, a: tuple[Case, Case], b: tuple[Case, Case]) -> None:
    compare.same(_pick(a, b), **words(scores=a[0], index=a[1]), where="pick", hint=PICK_HINT)


@st.composite
def segments(draw: st.DrawFn) -> tuple[Case, Case, int]:
    n, count = draw(st.integers(1, 5)), draw(st.integers(0, 8))
    vals = draw(cases(st.just((count,)), layouts=("contiguous", "strided")))
    index = Case(values((count,), torch.int64, draw(st.integers(0, 2**16)), 0, n))
    return vals, index, n


def _segment(a: tuple[Case, Case, int], b: tuple[Case, Case, int]):
    def scenario(impl):
        vals, index = a[0].make(), a[1].make()
        again = impl.segment_sum(b[0].make(), b[1].make(), b[2])
        return {
            ("segment_sum(values, index, n)", "segment_sum(values, index, n)"): impl.segment_sum(vals, index, a[2]),
            ("values after the call", "调用后的 values"): vals,
            ("index after the call", "调用后的 index"): index,
            ("a second call with other values", "用其他 values 第二次调用"): again,
            ("segment_sum with an index of n (out of range)", "索引为 n(超出范围)时的 segment_sum"):
                raises(lambda: impl.segment_sum(a[0].make()[:1] if a[0].values.numel() else torch.ones(1, dtype=a[0].values.dtype),
                                                torch.tensor([a[2]]), a[2])),
        }

    return scenario


def _segment_words(a: tuple[Case, Case, int]) -> dict[str, str]:
    return words(values=a[0], index=a[1], n=a[2])


@settings(max_examples=12)
@example((Case(torch.tensor([1.0, 2.0, 3.0, 4.0])), Case(torch.tensor([0, 2, 0, 2])), 4),
         (Case(values((3,), torch.int64, 5)), Case(torch.tensor([1, 1, 1])), 2))
@given(segments(), segments())
def test_segment_sum_values(compare, a: tuple[Case, Case, int], b: tuple[Case, Case, int]) -> None:
    compare.same(_segment(a, b), **_segment_words(a), where="segment_sum", hint=SUM_HINT)


REPEATS = [
    ((Case(torch.tensor([1.5, -2.0, 4.0, 0.5]), requires_grad=True), Case(torch.tensor([3, 3, 3, 3])), 4),
     (Case(torch.zeros(0)), Case(torch.zeros(0, dtype=torch.int64)), 3)),
    ((Case(values((6,), torch.int64, 6), "strided"), Case(torch.tensor([0, 1, 0, 1, 0, 1])), 3),
     (Case(values((5,), torch.float64, 7)), Case(torch.tensor([4, 0, 4, 0, 4])), 5)),
]


def test_segment_sum_repeated_indices(compare) -> None:
    for a, b in REPEATS:
        compare.same(_segment(a, b), **_segment_words(a), where="segment_sum", hint=SUM_HINT)


def test_segment_sum_device(compare) -> None:
    for a in ((Case(torch.tensor([1.0, 2.0, 3.0])), Case(torch.tensor([0, 2, 0])), 3),
              (Case(values((5,), torch.int64, 8)), Case(torch.tensor([1, 1, 0, 3, 1])), 4)):
        def scenario(impl, a=a):
            vals, index = a[0].make(), a[1].make()
            return {("segment_sum(values, index, n) in the block, against the same call outside it",
                     "代码块中的 segment_sum(values, index, n) 与块外同样的调用相比"): device_of(lambda: impl.segment_sum(vals, index, a[2]))}

        given_en, given_zh = _segment_words(a).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="segment_sum",
                     hint=DEVICE_HINT)

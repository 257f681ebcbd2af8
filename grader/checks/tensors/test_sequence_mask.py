"""Checks for tensors/sequence_mask: positions compared with lengths, and the puzzle's rules.

Inputs: int64 lengths for 0 to 5 sequences, max_len from 0 to 6, lengths from 0 up to
max_len + 2 (zero-length sequences and lengths beyond max_len are legal), strided views;
a second call with other lengths and another max_len; the lengths afterwards. The device
check calls it inside the caller's `with torch.device("meta"):`, with the lengths on the CPU.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import DEVICE_HINT, ELSEWHERE, device_of, puzzle_rules
from torchdojo.checks.tensors.common import given as words

RULES = Rules(functions=frozenset({"arange"}))
HINT = (("mask[b, t] is True when t < lengths[b]: a row of positions torch.arange(max_len) compared with a column of lengths "
         "(lengths[:, None]) broadcasts to (B, max_len), dtype bool. Leave the lengths as they were."),
        ("t < lengths[b] 时 mask[b, t] 为 True:一行位置 torch.arange(max_len) 与一列长度(lengths[:, None])比较,"
         "广播成 (B, max_len),数据类型为 bool。不要修改长度。"))


@st.composite
def batches(draw: st.DrawFn) -> tuple[Case, int]:
    max_len = draw(st.integers(0, 6))
    case = draw(cases(st.tuples(st.integers(0, 5)), dtypes=(torch.int64,), layouts=("contiguous", "strided"), low=0, high=max_len + 3))
    return case, max_len


def _scenario(a: tuple[Case, int], b: tuple[Case, int]):
    def scenario(impl):
        x, y = a[0].make(), b[0].make()
        return {
            ("sequence_mask(lengths, max_len)", "sequence_mask(lengths, max_len)"): impl.sequence_mask(x, a[1]),
            ("the lengths after the call", "调用后的长度"): x,
            ("a second call, with other lengths and max_len", "第二次调用(其他长度和 max_len)"): impl.sequence_mask(y, b[1]),
        }

    return scenario


def _words(a: tuple[Case, int], b: tuple[Case, int]) -> dict[str, str]:
    return words(lengths=a[0], max_len=a[1], then_lengths=b[0], then_max_len=b[1])


@settings(max_examples=10)
@example((Case(torch.tensor([3, 1, 4])), 4), (Case(torch.tensor([0, 6, 2, 5])), 5))
@given(batches(), batches())
def test_values(compare, a: tuple[Case, int], b: tuple[Case, int]) -> None:
    compare.same(_scenario(a, b), **_words(a, b), where="sequence_mask", hint=HINT)


EDGES = [
    ((Case(torch.tensor([], dtype=torch.int64)), 3), (Case(torch.tensor([2, 0])), 0)),
    ((Case(torch.tensor([0, 0, 0])), 2), (Case(torch.tensor([7, 9, 1]), "strided"), 4)),
    ((Case(torch.tensor([1])), 1), (Case(torch.tensor([5, 2])), 6)),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **_words(a, b), where="sequence_mask", hint=HINT)


def test_device(compare) -> None:
    for lengths, max_len in ((Case(torch.tensor([3, 1, 4])), 5), (Case(values((4,), torch.int64, 9, 0, 6), "strided"), 6)):
        def scenario(impl, lengths=lengths, max_len=max_len):
            x = lengths.make()
            return {("sequence_mask(lengths, max_len) in the block, against the same call outside it",
                     "代码块中的 sequence_mask(lengths, max_len) 与块外同样的调用相比"): device_of(lambda: impl.sequence_mask(x, max_len))}

        given_en, given_zh = words(lengths=lengths, max_len=max_len).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="sequence_mask",
                     hint=DEVICE_HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "sequence_mask", RULES, torch.tensor([2, 0, 3]), 3)

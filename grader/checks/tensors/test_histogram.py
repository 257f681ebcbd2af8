"""Checks for tensors/histogram: a comparison matrix summed over the values, and the puzzle's rules.

Inputs: 1-D int64 values, 0 to 8 of them, drawn below bins (1 to 6 bins, so the last bins are
often empty: the length must come from bins, not from the values), strided views; a second
call with other values and another number of bins; the values afterwards. The device check
calls it inside the caller's `with torch.device("meta"):`, with the values on the CPU.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import DEVICE_HINT, ELSEWHERE, device_of, puzzle_rules
from torchdojo.checks.tensors.common import given as words

RULES = Rules(functions=frozenset({"arange"}), methods=frozenset({"sum"}))
HINT = (("values[:, None] == torch.arange(bins) is an (n, bins) boolean matrix with one True per value; summing it over the "
         "values (.sum(0)) counts each bin, as int64. Leave the values as they were."),
        ("values[:, None] == torch.arange(bins) 是 (n, bins) 的布尔矩阵,每个值对应一个 True;沿值的方向求和(.sum(0))"
         "就数出了每个区间,结果为 int64。不要修改 values。"))


@st.composite
def samples(draw: st.DrawFn) -> tuple[Case, int]:
    bins = draw(st.integers(1, 6))
    case = draw(cases(st.tuples(st.integers(0, 8)), dtypes=(torch.int64,), layouts=("contiguous", "strided"), low=0, high=bins))
    return case, bins


def _scenario(a: tuple[Case, int], b: tuple[Case, int]):
    def scenario(impl):
        x, y = a[0].make(), b[0].make()
        return {
            ("histogram(values, bins)", "histogram(values, bins)"): impl.histogram(x, a[1]),
            ("the values after the call", "调用后的 values"): x,
            ("a second call, with other values and bins", "第二次调用(其他 values 和 bins)"): impl.histogram(y, b[1]),
        }

    return scenario


def _words(a: tuple[Case, int], b: tuple[Case, int]) -> dict[str, str]:
    return words(values=a[0], bins=a[1], then_values=b[0], then_bins=b[1])


@settings(max_examples=10)
@example((Case(torch.tensor([0, 2, 2, 1, 2])), 4), (Case(torch.tensor([1, 1, 0]), "strided"), 2))
@given(samples(), samples())
def test_values(compare, a: tuple[Case, int], b: tuple[Case, int]) -> None:
    compare.same(_scenario(a, b), **_words(a, b), where="histogram", hint=HINT)


EDGES = [
    ((Case(torch.tensor([], dtype=torch.int64)), 3), (Case(torch.tensor([0])), 1)),
    ((Case(torch.tensor([4, 4, 4])), 5), (Case(values((7,), torch.int64, 3, 0, 6), "strided"), 6)),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **_words(a, b), where="histogram", hint=HINT)


def test_device(compare) -> None:
    for sample, bins in ((Case(torch.tensor([0, 2, 2, 1])), 3), (Case(values((6,), torch.int64, 9, 0, 4), "strided"), 5)):
        def scenario(impl, sample=sample, bins=bins):
            x = sample.make()
            return {("histogram(values, bins) in the block, against the same call outside it",
                     "代码块中的 histogram(values, bins) 与块外同样的调用相比"): device_of(lambda: impl.histogram(x, bins))}

        given_en, given_zh = words(values=sample, bins=bins).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="histogram",
                     hint=DEVICE_HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "histogram", RULES, torch.tensor([0, 1, 1]), 3)

"""Checks for tensors/triu: a mask from two `arange` counters, `torch.where`, and the puzzle's rules.

Inputs: matrices from 0x0 to 5x5, square, wide and tall (a counter built from the wrong
size shows), float32, float64 and int64 (the result keeps `a`'s dtype), transposed and
strided views, leaves that require grad (the result stays attached to the graph); a second
call on another matrix; `a` afterwards. The device check calls it inside the caller's
`with torch.device("meta"):`, with `a` on the CPU: counters made without `device=a.device`
land on the wrong device.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import (
    DEVICE_HINT,
    ELSEWHERE,
    device_of,
    puzzle_rules,
)
from torchdojo.checks.tensors.common import given as words

RULES = Rules(functions=frozenset({"arange", "where"}))
MATRICES = cases(st.tuples(st.integers(0, 5), st.integers(0, 5)))
HINT = (("Keep a[i, j] where i <= j (on and above the diagonal) and put 0 below it: torch.where(rows[:, None] <= cols, a, 0) "
         "with rows = arange(number of rows) and cols = arange(number of columns). Leave a as it was."),
        ("在 i <= j(对角线及其上方)处保留 a[i, j],下方填 0:torch.where(rows[:, None] <= cols, a, 0),"
         "其中 rows = arange(行数),cols = arange(列数)。不要修改 a。"))


def _scenario(a: Case, b: Case):
    def scenario(impl):
        x, y = a.make(), b.make()
        return {
            ("triu(a)", "triu(a)"): impl.triu(x),
            ("a after the call", "调用后的 a"): x,
            ("triu(b), a second call", "第二次调用 triu(b)"): impl.triu(y),
        }

    return scenario


@settings(max_examples=10)
@example(Case(values((3, 3), torch.float32, 1)), Case(values((2, 4), torch.int64, 2)))
@example(Case(values((4, 2), torch.float64, 3), "transposed", requires_grad=True), Case(values((3, 5), torch.float32, 4), "strided"))
@given(MATRICES, MATRICES)
def test_values(compare, a: Case, b: Case) -> None:
    compare.same(_scenario(a, b), **words(a=a, b=b), where="triu", hint=HINT)


EDGES = [
    (Case(values((0, 0), torch.float32, 5)), Case(values((1, 1), torch.float32, 6))),
    (Case(values((0, 3), torch.int64, 7)), Case(values((3, 0), torch.int64, 8))),
    (Case(values((1, 4), torch.float64, 9), requires_grad=True), Case(values((5, 1), torch.float64, 10), requires_grad=True)),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **words(a=a, b=b), where="triu", hint=HINT)


def test_device(compare) -> None:
    for a in (Case(values((3, 3), torch.float32, 11)), Case(values((4, 4), torch.int64, 12))):
        def scenario(impl, a=a):
            x = a.make()
            return {("triu(a) in the block, against the same call outside it", "代码块中的 triu(a) 与块外同样的调用相比"):
                    device_of(lambda: impl.triu(x))}

        given_en, given_zh = words(a=a).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="triu", hint=DEVICE_HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "triu", RULES, torch.ones(2, 3))

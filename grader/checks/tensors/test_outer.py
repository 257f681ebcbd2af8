"""Checks for tensors/outer: broadcasting instead of a loop, and the puzzle's rules.

Inputs: 1-D tensors of 0 to 5 elements, float32, float64 and int64 (mixed: the result
promotes as `a * b` does), contiguous or strided views, leaves that require grad (the
result must stay attached to the graph), a second call with
the arguments swapped (a cached or transposed answer shows); the inputs afterwards.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import given as words
from torchdojo.checks.tensors.common import puzzle_rules

RULES = Rules()
VECTORS = cases(st.tuples(st.integers(0, 5)), layouts=("contiguous", "strided"))
HINT = (("out[i, j] = a[i] * b[j]: a[:, None] has shape (n, 1), b[None, :] has shape (1, m), and their product broadcasts "
         "to (n, m). Leave a and b as they were."),
        ("out[i, j] = a[i] * b[j]:a[:, None] 的形状是 (n, 1),b[None, :] 的形状是 (1, m),二者相乘会广播成 (n, m)。"
         "不要修改 a 和 b。"))


def _scenario(a: Case, b: Case):
    def scenario(impl):
        x, y = a.make(), b.make()
        return {
            ("outer(a, b)", "outer(a, b)"): impl.outer(x, y),
            ("a after the call", "调用后的 a"): x,
            ("b after the call", "调用后的 b"): y,
            ("outer(b, a), a second call", "第二次调用 outer(b, a)"): impl.outer(y, x),
        }

    return scenario


@settings(max_examples=10)
@example(Case(values((3,), torch.float32, 1)), Case(values((2,), torch.float32, 2)))
@example(Case(values((4,), torch.int64, 3)), Case(values((3,), torch.float64, 4), "strided", requires_grad=True))
@given(VECTORS, VECTORS)
def test_values(compare, a: Case, b: Case) -> None:
    compare.same(_scenario(a, b), **words(a=a, b=b), where="outer", hint=HINT)


EDGES = [
    (Case(values((0,), torch.float32, 5)), Case(values((3,), torch.float32, 6))),
    (Case(values((1,), torch.float64, 7), requires_grad=True), Case(values((1,), torch.float64, 8))),
    (Case(values((2,), torch.int64, 11)), Case(values((0,), torch.int64, 12))),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **words(a=a, b=b), where="outer", hint=HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "outer", RULES, torch.ones(2), torch.ones(3))

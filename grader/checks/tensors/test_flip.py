"""Checks for tensors/flip: indexing with computed positions, and the puzzle's rules.

Inputs: tensors of 1 to 3 dimensions with 0 to 5 rows (the first dimension is reversed, the
others kept: flipping the last dimension instead shows on 2-D and 3-D inputs), float32,
float64 and int64, transposed and strided views, leaves that require grad (the result stays
attached to the graph); a second call on a tensor of another length; `a` afterwards. No
device check: PyTorch accepts CPU index tensors for a tensor on any device, so a counter made
without `device=` is slower on a GPU but not wrong.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import given as words
from torchdojo.checks.tensors.common import puzzle_rules

RULES = Rules(functions=frozenset({"arange"}))
SHAPES = st.sampled_from([(0,), (1,), (4,), (5, 2), (3, 4), (2, 3, 2), (0, 3)])
HINT = (("The positions n-1, n-2, ..., 0 are n - 1 - torch.arange(n) with n = a.shape[0]; a[positions] reverses the first "
         "dimension and keeps the others. Leave a as it was."),
        ("位置 n-1, n-2, ..., 0 就是 n - 1 - torch.arange(n),其中 n = a.shape[0];a[positions] 会倒转第一个维度,"
         "其余维度保持不变。不要修改 a。"))


def _scenario(a: Case, b: Case):
    def scenario(impl):
        x, y = a.make(), b.make()
        return {
            ("flip(a)", "flip(a)"): impl.flip(x),
            ("a after the call", "调用后的 a"): x,
            ("flip(b), a second call", "第二次调用 flip(b)"): impl.flip(y),
        }

    return scenario


@settings(max_examples=10)
@example(Case(values((4,), torch.float32, 1)), Case(values((3, 2), torch.int64, 2)))
@example(Case(values((5, 3), torch.float64, 3), "transposed", requires_grad=True), Case(values((2, 3, 2), torch.float32, 4), "strided"))
@given(cases(SHAPES), cases(SHAPES))
def test_values(compare, a: Case, b: Case) -> None:
    compare.same(_scenario(a, b), **words(a=a, b=b), where="flip", hint=HINT)


EDGES = [
    (Case(values((0,), torch.float32, 5)), Case(values((1,), torch.float32, 6))),
    (Case(values((1, 4), torch.int64, 7)), Case(values((0, 2), torch.int64, 8))),
    (Case(values((2,), torch.float64, 9), requires_grad=True), Case(values((4, 3), torch.float64, 10), "strided", requires_grad=True)),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **words(a=a, b=b), where="flip", hint=HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "flip", RULES, torch.arange(3))

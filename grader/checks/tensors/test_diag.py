"""Checks for tensors/diag: integer-array indexing with one counter, and the puzzle's rules.

Inputs: square matrices from 0x0 to 6x6, float32, float64 and int64, transposed and strided
views (the diagonal of a view is read through its strides), leaves that require grad (the
result stays attached to the graph); a second call on a matrix of another size (a counter of
the wrong length or a cached answer shows); `a` afterwards, and the result is a new tensor:
writing into it must not change `a` (torch.diagonal would return a view). No device check:
PyTorch accepts CPU index tensors for a tensor on any device, so a counter made without
`device=` is slower on a GPU but not wrong.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import given as words
from torchdojo.checks.tensors.common import puzzle_rules

RULES = Rules(functions=frozenset({"arange"}))
SQUARES = cases(st.integers(0, 6).map(lambda n: (n, n)))
HINT = (("The diagonal is a[k, k] for k = 0 .. n-1: index the rows and the columns with the same counter, "
         "a[torch.arange(n), torch.arange(n)] (a new tensor, not a view). Leave a as it was."),
        ("对角线是 k = 0 .. n-1 时的 a[k, k]:行和列用同一个计数器索引,a[torch.arange(n), torch.arange(n)]"
         "(得到新的张量,不是视图)。不要修改 a。"))


def _scenario(a: Case, b: Case):
    def scenario(impl):
        x, y = a.make(), b.make()
        first = impl.diag(x)
        copy = first.detach().clone() if torch.is_tensor(first) else first
        if torch.is_tensor(first) and first.numel():
            first.detach().fill_(100)  # the caller writes into the result: a stays as it was
        return {
            ("diag(a)", "diag(a)"): copy,
            ("attached to a graph", "是否连接计算图"): (getattr(first, "requires_grad", None), getattr(first, "grad_fn", None) is not None),
            ("a after the call and a write into the result", "调用并写入返回值之后的 a"): x,
            ("diag(b), a second call", "第二次调用 diag(b)"): impl.diag(y),
        }

    return scenario


@settings(max_examples=10)
@example(Case(values((3, 3), torch.float32, 1)), Case(values((5, 5), torch.int64, 2)))
@example(Case(values((4, 4), torch.float64, 3), "transposed", requires_grad=True), Case(values((2, 2), torch.float32, 4), "strided"))
@given(SQUARES, SQUARES)
def test_values(compare, a: Case, b: Case) -> None:
    compare.same(_scenario(a, b), **words(a=a, b=b), where="diag", hint=HINT)


EDGES = [
    (Case(values((0, 0), torch.float32, 5)), Case(values((1, 1), torch.float32, 6))),
    (Case(values((1, 1), torch.int64, 7)), Case(values((0, 0), torch.int64, 8))),
    (Case(values((3, 3), torch.float64, 9), "strided", requires_grad=True), Case(values((6, 6), torch.float64, 10), "transposed")),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **words(a=a, b=b), where="diag", hint=HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "diag", RULES, torch.ones(3, 3))

"""Checks for tensors/cumsum: a cumulative sum as one matrix product, and the puzzle's rules.

Inputs: 1-D tensors of 0 to 7 elements, float32, float64 and int64 (the mask must be
converted to `a`'s dtype: `@` refuses mixed dtypes, and a float mask would turn int64 sums
into floats), strided views, leaves that require grad (the result stays attached to the
graph); a second call on a vector of another length; `a` afterwards. The device check calls
it inside the caller's `with torch.device("meta"):`, with `a` on the CPU.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import DEVICE_HINT, ELSEWHERE, device_of, puzzle_rules
from torchdojo.checks.tensors.common import given as words

RULES = Rules(functions=frozenset({"arange"}), methods=frozenset({"to"}), matmul=True)
VECTORS = cases(st.tuples(st.integers(0, 7)), layouts=("contiguous", "strided"))
HINT = (("out[j] sums a[i] for every i <= j: out = a @ M with M[i, j] = 1 where i <= j and 0 elsewhere (an upper-triangular "
         "mask of the counters arange(n)[:, None] <= arange(n), converted with .to(a.dtype)). Leave a as it was."),
        ("out[j] 是所有 i <= j 的 a[i] 之和:out = a @ M,其中 i <= j 时 M[i, j] = 1,否则为 0(由计数器比较 "
         "arange(n)[:, None] <= arange(n) 得到的上三角掩码,再用 .to(a.dtype) 转换)。不要修改 a。"))


def _scenario(a: Case, b: Case):
    def scenario(impl):
        x, y = a.make(), b.make()
        return {
            ("cumsum(a)", "cumsum(a)"): impl.cumsum(x),
            ("a after the call", "调用后的 a"): x,
            ("cumsum(b), a second call", "第二次调用 cumsum(b)"): impl.cumsum(y),
        }

    return scenario


@settings(max_examples=10)
@example(Case(values((4,), torch.float32, 1)), Case(values((3,), torch.int64, 2)))
@example(Case(values((5,), torch.float64, 3), "strided", requires_grad=True), Case(values((2,), torch.float32, 4)))
@given(VECTORS, VECTORS)
def test_values(compare, a: Case, b: Case) -> None:
    compare.same(_scenario(a, b), **words(a=a, b=b), where="cumsum", hint=HINT)


EDGES = [
    (Case(values((0,), torch.float32, 5)), Case(values((1,), torch.float32, 6))),
    (Case(values((1,), torch.int64, 7)), Case(values((0,), torch.int64, 8))),
    (Case(values((2,), torch.float64, 9), requires_grad=True), Case(values((6,), torch.int64, 10), "strided")),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **words(a=a, b=b), where="cumsum", hint=HINT)


def test_device(compare) -> None:
    for a in (Case(values((4,), torch.float32, 11)), Case(values((3,), torch.float32, 12), "strided")):
        def scenario(impl, a=a):
            x = a.make()
            return {("cumsum(a) in the block, against the same call outside it", "代码块中的 cumsum(a) 与块外同样的调用相比"):
                    device_of(lambda: impl.cumsum(x))}

        given_en, given_zh = words(a=a).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="cumsum", hint=DEVICE_HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "cumsum", RULES, torch.ones(3))

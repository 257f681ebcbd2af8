"""Checks for tensors/creation: new tensors that take their dtype and device from another tensor.

Inputs: float32, float64 and int64 tensors of 0 to 3 dimensions, empty ones, transposed views,
leaves that require grad (the new tensor must not), values that are not whole numbers (cast
to an int64 `x`'s dtype); counters of 0 to 6 elements like float32, float64 and int64
tensors, and a negative n (the error must reach the caller). The device checks call them
inside the caller's `with torch.device("meta"):`, with `x` on the CPU: a tensor made without
x's device lands elsewhere.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import DEVICE_HINT, ELSEWHERE, device_of, raises
from torchdojo.checks.tensors.common import given as words

SHAPES = st.sampled_from([(), (0,), (3,), (2, 3), (3, 1), (2, 2, 2)])
FILL_HINT = (("torch.full_like(x, value) copies x's shape, dtype and device and does not require grad. torch.full(x.shape, value) "
              "takes the default dtype and device; x.clone().fill_(value) keeps x's graph."),
             ("torch.full_like(x, value) 复制 x 的形状、数据类型和设备,并且不需要梯度。torch.full(x.shape, value) 使用默认的"
              "数据类型和设备;x.clone().fill_(value) 会保留 x 的计算图。"))
COUNT_HINT = (("torch.arange(n, dtype=like.dtype, device=like.device): without dtype= the counter is int64, without device= it "
               "is on the default device. A negative n must raise, as torch.arange does."),
              ("torch.arange(n, dtype=like.dtype, device=like.device):不写 dtype= 计数器是 int64,不写 device= 它在默认设备上。"
               "n 为负数时必须报错,就像 torch.arange 那样。"))


def _filled(a: Case, value: float, b: Case, second: float):
    def scenario(impl):
        x, y = a.make(), b.make()
        return {
            ("filled_like(x, value)", "filled_like(x, value)"): impl.filled_like(x, value),
            ("x after the call", "调用后的 x"): x,
            ("a second call, filled_like(y, value2)", "第二次调用 filled_like(y, value2)"): impl.filled_like(y, second),
        }

    return scenario


@settings(max_examples=12)
@example(Case(values((2, 3), torch.float64, 1)), 2.5, Case(values((3,), torch.int64, 2)), -1.75)
@example(Case(values((3,), torch.float32, 3), requires_grad=True), 0.5, Case(values((2, 3), torch.int64, 4), "transposed"), 7.0)
@given(cases(SHAPES, layouts=("contiguous", "transposed")), st.sampled_from([2.5, -1.75, 0.0, 3.0]),
       cases(SHAPES, layouts=("contiguous",)), st.sampled_from([1.5, -4.0]))
def test_filled_values(compare, a: Case, value: float, b: Case, second: float) -> None:
    compare.same(_filled(a, value, b, second), **words(x=a, value=value, y=b, value2=second), where="filled_like", hint=FILL_HINT)


def test_filled_device(compare) -> None:
    for a in (Case(values((2, 3), torch.float32, 5)), Case(values((4,), torch.int64, 6))):
        def scenario(impl, a=a):
            x = a.make()
            return {("filled_like(x, 2.5) in the block, against the same call outside it",
                     "代码块中的 filled_like(x, 2.5) 与块外同样的调用相比"): device_of(lambda: impl.filled_like(x, 2.5))}

        given_en, given_zh = words(x=a).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="filled_like",
                     hint=DEVICE_HINT)


def _counter(n: int, a: Case, m: int, b: Case):
    def scenario(impl):
        like, other = a.make(), b.make()
        return {
            ("counter_like(n, like)", "counter_like(n, like)"): impl.counter_like(n, like),
            ("a second call, counter_like(m, other)", "第二次调用 counter_like(m, other)"): impl.counter_like(m, other),
            ("counter_like(-1, like)", "counter_like(-1, like)"): raises(lambda: impl.counter_like(-1, like)),
        }

    return scenario


@settings(max_examples=12)
@example(4, Case(values((2,), torch.float64, 7)), 3, Case(values((), torch.float32, 8)))
@given(st.integers(0, 6), cases(SHAPES, grad=False), st.integers(0, 6), cases(SHAPES, grad=False))
def test_counter_values(compare, n: int, a: Case, m: int, b: Case) -> None:
    compare.same(_counter(n, a, m, b), **words(n=n, like=a, m=m, other=b), where="counter_like", hint=COUNT_HINT)


def test_counter_device(compare) -> None:
    for n, a in ((5, Case(values((3,), torch.float32, 9))), (3, Case(values((2, 2), torch.int64, 10)))):
        def scenario(impl, n=n, a=a):
            like = a.make()
            return {("counter_like(n, like) in the block, against the same call outside it",
                     "代码块中的 counter_like(n, like) 与块外同样的调用相比"): device_of(lambda: impl.counter_like(n, like))}

        given_en, given_zh = words(n=n, like=a).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="counter_like",
                     hint=DEVICE_HINT)

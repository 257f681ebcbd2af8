"""Checks for tensors/in_place: the caller's own tensor changes, the same object comes back, autograd sees it.

Observed: whether the result is `x` itself, x's values afterwards, a second call, the gradient
through a non-leaf changed in place (a change through `.data` is invisible to autograd), and
the errors PyTorch raises — a leaf that requires grad, a `y` that does not broadcast to x's
shape, a float result for an int64 `x` — which must reach the caller. Inputs: float32,
float64 and int64, 0-d to 3-D, transposed and strided views (an in-place change writes
through the view into its base), `y` of a smaller, broadcastable shape, alpha other than 1.
Gradient inputs have no exact zeros (relu's and clamp's gradients differ there, and both are right).
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import ends
from torchdojo.checks.tensors.common import given as words

SHAPES = st.sampled_from([(), (1,), (5,), (2, 3), (3, 3), (2, 2, 3), (0, 2)])
RELU_HINT = (("Change x itself with an in-place method and return it: x.clamp_(min=0) (or torch.relu_(x)). torch.relu(x), "
              "x.clamp(min=0) and x = ... make a new tensor and leave the caller's x as it was; x.data.clamp_ hides the change "
              "from autograd."),
             ("用原地方法修改 x 本身并返回它:x.clamp_(min=0)(或 torch.relu_(x))。torch.relu(x)、x.clamp(min=0) 和 x = ... "
              "都会创建新张量,调用者的 x 不变;x.data.clamp_ 会让自动求导看不到这次修改。"))
ADD_HINT = (("x.add_(y, alpha=alpha) (or x += alpha * y) changes x in place and returns it; x + alpha * y is a new tensor. "
             "Let PyTorch's errors reach the caller: y that does not broadcast to x, a float result for an int64 x."),
            ("x.add_(y, alpha=alpha)(或 x += alpha * y)原地修改 x 并返回它;x + alpha * y 是新张量。"
             "让 PyTorch 的错误传给调用者:y 不能广播成 x 的形状,或 int64 的 x 得到浮点结果。"))


def _relu(a: Case, b: Case):
    def scenario(impl):
        x, y = a.make(), b.make()
        out = impl.relu_(x)
        same = out is x
        again = impl.relu_(y)
        return {
            ("is relu_(x) x itself", "relu_(x) 是否就是 x 本身"): same,
            ("x after relu_(x)", "relu_(x) 之后的 x"): x,
            ("y after a second call relu_(y)", "第二次调用 relu_(y) 之后的 y"): y,
            ("is relu_(y) y itself", "relu_(y) 是否就是 y 本身"): again is y,
        }

    return scenario


@settings(max_examples=12)
@example(Case(values((2, 3), torch.float32, 1)), Case(values((4,), torch.int64, 2)))
@example(Case(values((3, 3), torch.float64, 3), "transposed"), Case(values((2, 3), torch.float32, 4), "strided"))
@given(cases(SHAPES, grad=False), cases(SHAPES, grad=False))
def test_relu_values(compare, a: Case, b: Case) -> None:
    compare.same(_relu(a, b), **words(x=a, y=b), where="relu_", hint=RELU_HINT)


def _no_zeros(shape: tuple[int, ...], dtype: torch.dtype, seed: int) -> torch.Tensor:
    return values(shape, dtype, seed) + 0.5


def test_relu_autograd(compare) -> None:
    for start in (_no_zeros((5,), torch.float32, 5), _no_zeros((2, 3), torch.float64, 6)):
        def scenario(impl, start=start):
            base = start.clone().requires_grad_(True)
            x = base * 1.0  # a non-leaf: in-place changes are allowed and recorded
            out = impl.relu_(x)
            weights = torch.arange(1.0, x.numel() + 1, dtype=x.dtype).reshape(x.shape)
            (x * weights).sum().backward()
            leaf = start.clone().requires_grad_(True)
            return {
                ("is relu_(x) x itself", "relu_(x) 是否就是 x 本身"): out is x,
                ("the gradient reaching the leaf behind x", "传到 x 背后的叶子张量的梯度"): base.grad,
                ("relu_ on a leaf that requires grad", "对需要梯度的叶子张量调用 relu_"): ends(lambda: impl.relu_(leaf)),
            }

        compare.same(scenario, given=f"x = {start.tolist()} (a non-leaf that requires grad)",
                     given_zh=f"x = {start.tolist()}(需要梯度的非叶子张量)", where="relu_", hint=RELU_HINT)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[Case, Case, float]:
    dtype = draw(st.sampled_from([torch.float32, torch.float64, torch.int64]))
    shape = draw(st.sampled_from([(3,), (2, 3), (3, 3), (2, 2, 3)]))
    y_shape = draw(st.sampled_from([shape, shape[1:], shape[-1:], (1,) * len(shape), ()]))
    x = draw(cases(st.just(shape), dtypes=(dtype,), grad=False))
    y = draw(cases(st.just(y_shape), dtypes=(dtype,), grad=False, layouts=("contiguous",)))
    alpha = draw(st.sampled_from([2, -3, 1]) if dtype == torch.int64 else st.sampled_from([0.5, -2.0, 3.0]))
    return x, y, alpha


def _add(x: Case, y: Case, alpha: float):
    def scenario(impl):
        a, b = x.make(), y.make()
        out = ends(lambda: impl.add_scaled_(a, b, alpha))
        return {
            ("add_scaled_(x, y, alpha)", "add_scaled_(x, y, alpha)"): out if isinstance(out, Exception) else out.detach().clone(),
            ("is the result x itself", "返回值是否就是 x 本身"): out is a,
            ("x after the call", "调用后的 x"): a,
            ("y after the call", "调用后的 y"): b,
        }

    return scenario


@settings(max_examples=12)
@example((Case(values((2, 3), torch.float32, 7)), Case(values((3,), torch.float32, 8)), 0.5))
@example((Case(values((3, 3), torch.int64, 9), "transposed"), Case(values((3, 3), torch.int64, 10)), -3))
@given(pairs())
def test_add_scaled_values(compare, case: tuple[Case, Case, float]) -> None:
    x, y, alpha = case
    compare.same(_add(x, y, alpha), **words(x=x, y=y, alpha=alpha), where="add_scaled_", hint=ADD_HINT)


ERRORS = [
    (Case(values((3,), torch.float32, 11)), Case(values((2, 3), torch.float32, 12)), 1.5),  # y larger than x
    (Case(values((2, 2), torch.int64, 13)), Case(values((2, 2), torch.float32, 14)), 1.0),  # float result for int64 x
]


def test_add_scaled_errors(compare) -> None:
    for x, y, alpha in ERRORS:
        compare.same(_add(x, y, alpha), **words(x=x, y=y, alpha=alpha), where="add_scaled_", hint=ADD_HINT)

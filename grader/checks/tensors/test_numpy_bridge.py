"""Checks for tensors/numpy_bridge: memory shared between a CPU tensor and a NumPy array, both ways.

Sharing is what is compared: after the call the caller writes into what came back, and the
other side must show the write (`np.array(x)`, `x.clone().numpy()`, `torch.tensor(a)` copy;
`.float()` copies and changes the dtype). Inputs: float32, float64 and int64 tensors of 0 to
3 dimensions, empty ones, transposed and strided views, leaves that require grad (`x.numpy()`
refuses them); float64 (NumPy's default), float32, int64 and int32 arrays, strided ones.
"""

from dataclasses import dataclass

import numpy as np
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import given as words

SHAPES = st.sampled_from([(), (0,), (1,), (4,), (2, 3), (3, 1), (2, 2, 3)])
TO_HINT = (("x.detach().numpy(): detach() shares x's memory without the graph, and numpy() shares it again, keeping the dtype. "
            "np.array(x), x.tolist() and x.clone().numpy() copy; x.numpy() alone refuses a tensor that requires grad."),
           ("x.detach().numpy():detach() 在不带计算图的情况下共享 x 的内存,numpy() 再次共享它,并保持数据类型。"
            "np.array(x)、x.tolist() 和 x.clone().numpy() 会复制;单独的 x.numpy() 不接受需要梯度的张量。"))
FROM_HINT = (("torch.from_numpy(a) (or torch.as_tensor(a)) wraps a's memory and keeps its dtype (float64 stays float64). "
              "torch.tensor(a) copies, and so does .float() or any other dtype change."),
             ("torch.from_numpy(a)(或 torch.as_tensor(a))包装 a 的内存,并保持它的数据类型(float64 仍是 float64)。"
              "torch.tensor(a) 会复制,.float() 或其他改变数据类型的操作也会复制。"))


def _array_words(value: object) -> object:
    """What came back, comparable by the harness: an ndarray as a tensor of its values and dtype, anything else as it is."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.array(value, copy=True))
    return value


def _to(a: Case):
    def scenario(impl):
        x = a.make()
        out = impl.to_numpy(x)
        seen = {
            ("the type of to_numpy(x)", "to_numpy(x) 的类型"): type(out).__name__,
            ("to_numpy(x)", "to_numpy(x)"): _array_words(out),
        }
        if isinstance(out, np.ndarray) and out.size and out.flags.writeable:
            out[...] = 42
        seen[("x after a write into the array", "写入数组之后的 x")] = x.detach().clone()
        return seen

    return scenario


@settings(max_examples=10)
@example(Case(values((2, 3), torch.float32, 1)))
@given(cases(SHAPES, grad=False))
def test_to_numpy_values(compare, a: Case) -> None:
    compare.same(_to(a), **words(x=a), where="to_numpy", hint=TO_HINT)


def test_to_numpy_shares_memory(compare) -> None:
    for a in (Case(values((3, 4), torch.float64, 2)), Case(values((2, 3), torch.int64, 3), "transposed"),
              Case(values((5,), torch.float32, 4), "strided"), Case(values((), torch.float32, 5))):
        compare.same(_to(a), **words(x=a), where="to_numpy", hint=TO_HINT)


def test_to_numpy_requires_grad(compare) -> None:
    for a in (Case(values((3,), torch.float32, 6), requires_grad=True), Case(values((2, 2), torch.float64, 7), "transposed", requires_grad=True)):
        compare.same(_to(a), **words(x=a), where="to_numpy", hint=TO_HINT)


@dataclass(frozen=True)
class Array:
    """A NumPy array as a caller may hold it; `make()` builds a fresh one for each implementation."""

    values: torch.Tensor
    dtype: str
    strided: bool = False

    def make(self) -> np.ndarray:
        array = self.values.numpy().astype(self.dtype)
        if self.strided and array.ndim:
            wide = np.zeros((*array.shape[:-1], array.shape[-1] * 2), dtype=array.dtype)
            wide[..., ::2] = array
            return wide[..., ::2]
        return array.copy()

    def describe(self) -> tuple[str, str]:
        text = f"np.array({self.values.tolist()}, dtype={self.dtype})" + (" (strided)" if self.strided else "")
        return text, text.replace(" (strided)", "(跨步)")


@st.composite
def arrays(draw: st.DrawFn) -> Array:
    shape = draw(SHAPES)
    dtype = draw(st.sampled_from(["float64", "float32", "int64", "int32"]))
    return Array(values(shape, torch.float64, draw(st.integers(0, 2**16))), dtype, draw(st.booleans()))


def _from(a: Array):
    def scenario(impl):
        array = a.make()
        out = impl.from_numpy(array)
        seen = {("from_numpy(a)", "from_numpy(a)"): out.clone() if torch.is_tensor(out) else type(out).__name__}
        if torch.is_tensor(out) and out.numel():
            out.fill_(42)
        seen[("a after a write into the tensor", "写入张量之后的 a")] = _array_words(array)
        return seen

    return scenario


def _array_given(a: Array) -> dict[str, str]:
    en, zh = a.describe()
    return {"given": f"a = {en}", "given_zh": f"a = {zh}"}


@settings(max_examples=10)
@example(Array(torch.tensor([1.0, 2.0, 3.0]), "float64"))
@given(arrays())
def test_from_numpy_values(compare, a: Array) -> None:
    compare.same(_from(a), **_array_given(a), where="from_numpy", hint=FROM_HINT)


def test_from_numpy_shares_memory(compare) -> None:
    for a in (Array(torch.tensor([[1.0, -2.0], [3.0, 4.0]]), "float64"), Array(torch.tensor([5.0, 6.0, 7.0]), "int32", True),
              Array(torch.tensor(2.0), "float32"), Array(torch.tensor([[1.0, 2.0, 3.0]]), "int64", True)):
        compare.same(_from(a), **_array_given(a), where="from_numpy", hint=FROM_HINT)

"""Checks for tensors/boolean_masks: selecting, counting, assigning in place and filling through a mask.

Inputs: float32, float64 and int64 tensors of 0 to 3 dimensions (small whole numbers, so that a
threshold equal to an element is common: `>` against `>=` shows), empty ones, transposed and
strided views, and tensors in a graph (leaves for the out-of-place functions, non-leaves for the
in-place one, whose zeroed elements must pass no gradient back). Thresholds are whole numbers
and halves. Values to fill are not whole numbers (cast to an int64 x's dtype). Masks have x's
shape or broadcast to it (a row, a column); a mask that does not broadcast and an in-place change of a
leaf that requires grad must raise. What is observed: the results with dtype, shape and
graph, the gradient reaching x, whether the selection is a copy (a write into it must leave x
alone), whether zero_below_ returned the caller's own tensor, and the inputs afterwards.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import Case, cases, masks_for, values
from torchdojo.checks.tensors.common import given as words
from torchdojo.checks.tensors.common import raises

SHAPES = st.sampled_from([(), (0,), (1,), (5,), (2, 3), (3, 1), (0, 2), (2, 2, 3)])
THRESHOLDS = st.sampled_from([0, 2, -3, 5, 0.5, -2.5])
SELECT_HINT = (("mask = x > threshold; x[mask] picks the elements where the mask is True, in row-major order, as a new tensor "
                "that stays in the graph. The count is int(mask.sum()) (a Python int, not a tensor)."),
               ("mask = x > threshold;x[mask] 按行优先顺序取出掩码为 True 的元素,得到一个留在计算图中的新张量。"
                "个数是 int(mask.sum())(Python 整数,不是张量)。"))
ZERO_HINT = (("x[x < threshold] = 0 (or x.masked_fill_(x < threshold, 0)) changes x itself and autograd records it. x[mask] on the "
              "right-hand side is a copy: changing it leaves x alone; torch.where makes a new tensor; torch.no_grad() or .data hide "
              "the change from autograd."),
             ("x[x < threshold] = 0(或 x.masked_fill_(x < threshold, 0))会修改 x 本身,并被自动求导记录。写在等号右边的 "
              "x[mask] 是副本:修改它不会改变 x;torch.where 会生成新张量;torch.no_grad() 或 .data 会让自动求导看不到这次修改。"))
FILL_HINT = (("x.masked_fill(mask, value) makes a new tensor in x's dtype and accepts a mask that broadcasts. torch.where(mask, value, "
              "x) turns an int64 x into float32; x.clone() with y[mask] = value needs a mask of x's full shape; masked_fill_ changes x."),
             ("x.masked_fill(mask, value) 生成数据类型与 x 相同的新张量,并接受能广播的掩码。torch.where(mask, value, x) 会把 "
              "int64 的 x 变成 float32;x.clone() 再 y[mask] = value 需要与 x 形状完全相同的掩码;masked_fill_ 会修改 x。"))


def _gradient(result: object, x: torch.Tensor) -> object:
    """What reaches x from (result * w).sum().backward() with distinct weights w."""
    if not torch.is_tensor(result) or not x.requires_grad:
        return "x does not require grad"
    if not result.requires_grad:
        return "the result does not require grad"
    weights = torch.arange(1.0, result.numel() + 1, dtype=result.dtype).reshape(result.shape)
    grad = torch.autograd.grad((result * weights).sum(), x, allow_unused=True, retain_graph=True)[0]
    return "no gradient reaches x" if grad is None else grad


def _select(a: Case, threshold: float, b: Case, second: float):
    def scenario(impl):
        x, y = a.make(), b.make()
        picked = impl.select_above(x, threshold)
        chosen, count = picked if isinstance(picked, tuple) and len(picked) == 2 else (picked, None)
        seen = {
            ("select_above(x, threshold)[0], the elements", "select_above(x, threshold)[0],即选出的元素"):
                chosen.detach().clone() if torch.is_tensor(chosen) else chosen,
            ("the gradient reaching x through the elements", "通过选出的元素传到 x 的梯度"): _gradient(chosen, x),
            ("select_above(x, threshold)[1], the count", "select_above(x, threshold)[1],即个数"): count,
        }
        if torch.is_tensor(chosen) and chosen.numel():
            with torch.no_grad():
                chosen.detach().fill_(42)
        seen[("x after a write into the elements (a copy leaves x alone)", "写入选出的元素之后的 x(副本不会改变 x)")] = x
        seen[("a second call, select_above(y, threshold2)", "第二次调用 select_above(y, threshold2)")] = impl.select_above(y, second)
        return seen

    return scenario


@settings(max_examples=15)
@example(a=Case(values((2, 3), torch.float32, 1), requires_grad=True), threshold=2, b=Case(values((4,), torch.int64, 2)), second=0.5)
@example(a=Case(values((3, 4), torch.int64, 3), "transposed"), threshold=-3, b=Case(values((0, 2), torch.float64, 4)), second=5)
@given(a=cases(SHAPES), threshold=THRESHOLDS, b=cases(SHAPES, layouts=("contiguous",), grad=False), second=THRESHOLDS)
def test_select_values(compare, a: Case, threshold: float, b: Case, second: float) -> None:
    compare.same(_select(a, threshold, b, second), **words(x=a, threshold=threshold, y=b, threshold2=second),
                 where="select_above", hint=SELECT_HINT)


def _zero(a: Case, threshold: float, b: Case, second: float):
    def scenario(impl):
        leaf, y = a.make(), b.make()
        x = leaf * 1 if leaf.requires_grad else leaf  # a tensor in the graph: in place is allowed on a non-leaf
        result = impl.zero_below_(x, threshold)
        return {
            ("does zero_below_(x, threshold) return x itself", "zero_below_(x, threshold) 是否返回 x 本身"): result is x,
            ("x after the call", "调用后的 x"): x.detach().clone(),
            ("the gradient reaching x's leaf through x", "通过 x 传到 x 的叶子张量的梯度"): _gradient(x, leaf),
            ("y after a second call, zero_below_(y, threshold2)", "第二次调用 zero_below_(y, threshold2) 之后的 y"):
                (impl.zero_below_(y, second), y)[1],
            ("zero_below_(leaf, threshold) for a leaf that requires grad", "对需要梯度的叶子张量调用 zero_below_(leaf, threshold)"):
                raises(lambda: impl.zero_below_(torch.tensor([-4.0, 1.0, 6.0], requires_grad=True), threshold)),
        }

    return scenario


@settings(max_examples=15)
@example(a=Case(values((2, 3), torch.float32, 5), requires_grad=True), threshold=2, b=Case(values((5,), torch.int64, 6), "strided"),
         second=-2.5)
@example(a=Case(values((3, 3), torch.int64, 7), "transposed"), threshold=0, b=Case(values((2, 2), torch.float64, 8)), second=5)
@given(a=cases(SHAPES), threshold=THRESHOLDS, b=cases(SHAPES, grad=False), second=THRESHOLDS)
def test_zero_in_place(compare, a: Case, threshold: float, b: Case, second: float) -> None:
    given_words = words(x=a, threshold=threshold, y=b, threshold2=second)
    if a.requires_grad:
        given_words = {key: text.replace(" (requires grad)", " * 1 (a non-leaf in the graph)").replace("(需要梯度)", " * 1(计算图中的非叶子张量)")
                       for key, text in given_words.items()}
    compare.same(_zero(a, threshold, b, second), **given_words, where="zero_below_", hint=ZERO_HINT)


def _fill(a: Case, mask: torch.Tensor, value: float, b: Case, mask2: torch.Tensor):
    def scenario(impl):
        x, y, m, m2 = a.make(), b.make(), mask.clone(), mask2.clone()
        result = impl.fill_where(x, m, value)
        return {
            ("fill_where(x, mask, value)", "fill_where(x, mask, value)"): result,
            ("the gradient reaching x", "传到 x 的梯度"): _gradient(result, x),
            ("x after the call", "调用后的 x"): x,
            ("mask after the call", "调用后的 mask"): m,
            ("a second call, fill_where(y, mask2, value)", "第二次调用 fill_where(y, mask2, value)"): impl.fill_where(y, m2, value),
            ("fill_where(torch.zeros(2, 3), a mask of shape (4,), value)", "fill_where(torch.zeros(2, 3), 形状为 (4,) 的掩码, value)"):
                raises(lambda: impl.fill_where(torch.zeros(2, 3), torch.ones(4, dtype=torch.bool), value)),
        }

    return scenario


@st.composite
def _fills(draw: st.DrawFn) -> tuple[Case, torch.Tensor]:
    a = draw(cases(SHAPES))
    return a, draw(masks_for(tuple(a.values.shape)))


def _mask_words(mask: torch.Tensor) -> str:
    return f"tensor({mask.tolist()})" if mask.numel() <= 12 else f"a mask of shape {tuple(mask.shape)}"


@settings(max_examples=15)
@example(first=(Case(values((2, 3), torch.int64, 9)), torch.tensor([[True], [False]])), value=2.5,
         second=(Case(values((2, 2), torch.float32, 10), requires_grad=True), torch.tensor([True, False])))
@example(first=(Case(values((3, 2), torch.float64, 11), "transposed", requires_grad=True), torch.tensor([[True, False]] * 3)),
         value=-1.75, second=(Case(values((4,), torch.int64, 12)), torch.tensor([False, True, True, False])))
@given(first=_fills(), value=st.sampled_from([2.5, -1.75, 7.0]), second=_fills())
def test_fill_values(compare, first: tuple[Case, torch.Tensor], value: float, second: tuple[Case, torch.Tensor]) -> None:
    (a, mask), (b, mask2) = first, second
    texts = words(x=a, value=value, y=b)
    en, zh = texts["given"], texts["given_zh"]
    extra = f", mask = {_mask_words(mask)}, mask2 = {_mask_words(mask2)}"
    compare.same(_fill(a, mask, value, b, mask2), given=en + extra, given_zh=zh + extra.replace(", ", ","), where="fill_where",
                 hint=FILL_HINT)

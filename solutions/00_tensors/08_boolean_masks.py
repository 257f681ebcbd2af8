"""Boolean masks: choosing elements by a condition.

EN: A comparison such as `x > 0` gives a boolean mask of x's shape. Indexing with it,
`x[mask]`, picks the elements where the mask is True into a new 1-D tensor, in row-major
order. That tensor is always a copy: writing into it does not change `x`. To change `x`
itself, assign through the mask (`x[mask] = 0`, or `x.masked_fill_(mask, 0)`); to make a new
tensor instead, use `torch.where(mask, a, b)` or `x.masked_fill(mask, value)`. Counting is
summing the mask (`mask.sum()`, a tensor; `.item()` makes it a Python int).

中文: 像 `x > 0` 这样的比较会得到与 x 形状相同的布尔掩码。用它索引,`x[mask]`,会按行优先顺序把掩码为 True
的元素取出来,放进一个新的一维张量。这个张量总是副本:写入它不会改变 `x`。要修改 `x` 本身,就通过掩码赋值
(`x[mask] = 0`,或 `x.masked_fill_(mask, 0)`);要得到新的张量,就用 `torch.where(mask, a, b)` 或
`x.masked_fill(mask, value)`。计数就是对掩码求和(`mask.sum()` 是张量;`.item()` 把它变成 Python 整数)。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def select_above(x: Tensor, threshold: float) -> tuple[Tensor, int]:
    """Return the elements of x greater than `threshold`, and how many there are.

    The elements come as a 1-D tensor in x's row-major order; it is a copy (writing into it leaves
    x unchanged) and stays in the autograd graph. The count is a Python int. x is not changed.
    返回 x 中大于 `threshold` 的元素,以及它们的个数。
    元素按 x 的行优先顺序组成一维张量;它是副本(写入它不会改变 x),并且留在自动求导的计算图中。
    个数是 Python 整数。不修改 x。
    """
    mask = x > threshold
    return x[mask], int(mask.sum().item())


def zero_below_(x: Tensor, threshold: float) -> Tensor:
    """In place: set every element of x that is less than `threshold` to 0, and return x itself.

    Elements equal to `threshold` stay. x may be a view (the tensor it views changes with it) or a
    non-leaf tensor in a graph: the zeroed elements then pass no gradient back. A leaf that requires
    grad raises (PyTorch refuses to change it in place; its error reaches the caller).
    原地操作:把 x 中小于 `threshold` 的每个元素设为 0,并返回 x 本身。
    等于 `threshold` 的元素保持不变。x 可以是视图(它所查看的张量也随之改变),也可以是计算图中的非叶子张量:
    被置零的元素不再向后传梯度。需要梯度的叶子张量会报错(PyTorch 不允许原地修改它;它的错误传给调用者)。
    """
    x[x < threshold] = 0
    return x


def fill_where(x: Tensor, mask: Tensor, value: float) -> Tensor:
    """Return a new tensor that is `value` where `mask` is True and x elsewhere.

    It has x's shape and dtype (`value` is cast to it, as assigning it into x would). `mask` is a
    boolean tensor of x's shape or one that broadcasts to it (a row or a column); a mask that does
    not broadcast with x raises (PyTorch's error reaches the caller). The result stays in the
    autograd graph; x and mask are not changed.
    返回一个新张量:`mask` 为 True 的位置是 `value`,其他位置是 x。
    它的形状和数据类型与 x 相同(`value` 会被转换成 x 的数据类型,就像把它赋值进 x 一样)。`mask` 是与 x
    形状相同的布尔张量,或能广播成 x 形状的布尔张量(一行或一列);不能与 x 广播的掩码会报错(PyTorch 的错误传给
    调用者)。结果留在自动求导的计算图中;不修改 x 和 mask。
    """
    return x.masked_fill(mask, value)

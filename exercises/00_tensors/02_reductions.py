"""Reductions along a dimension: `dim` and `keepdim`.

EN: `x.sum(dim=d)`, `x.mean(dim=d)`, `x.max(dim=d)` reduce one dimension away: a (2, 3)
tensor summed over `dim=1` has shape (2,). With `keepdim=True` the reduced dimension stays
with size 1, shape (2, 1), and the result broadcasts back against `x` — which is what
"subtract each row's mean" needs. Without it, (2, 3) - (2,) fails, and for a square (3, 3)
tensor it silently subtracts along the wrong dimension. Negative dims count from the end:
`dim=-1` is the last one.

中文: `x.sum(dim=d)`、`x.mean(dim=d)`、`x.max(dim=d)` 会把一个维度归约掉:形状为 (2, 3) 的张量沿
`dim=1` 求和后形状为 (2,)。加上 `keepdim=True` 时,被归约的维度保留为大小 1,形状为 (2, 1),结果能与
`x` 广播——"每行减去该行的均值"正需要这样。不加的话,(2, 3) - (2,) 会报错;而对方阵 (3, 3),它会悄悄
沿错误的维度相减。负数维度从末尾数起:`dim=-1` 是最后一个维度。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def center(x: Tensor, dim: int) -> Tensor:
    """Return `x` minus its mean along `dim`: every slice along `dim` then has mean 0.

    Same shape and dtype as the floating-point `x`; `dim` may be negative; `x` is not changed.
    A `dim` out of range raises (PyTorch's own error reaches the caller).
    返回 `x` 减去它沿 `dim` 的均值:之后沿 `dim` 的每个切片均值都为 0。
    形状和数据类型与浮点张量 `x` 相同;`dim` 可以是负数;不修改 `x`。
    `dim` 超出范围时报错(PyTorch 自己的错误传给调用者)。
    """
    # TODO: subtract a mean that keeps its dimension, so that it broadcasts against x.
    # TODO: 减去保留维度的均值,使它能与 x 广播。
    raise NotImplementedError("center is not written yet / center 还没有完成")


def count_positive(x: Tensor, dim: int) -> Tensor:
    """Return how many elements of `x` are greater than 0 along `dim`, as int64, with `dim` reduced away.

    For `x` of shape (2, 3) and `dim=1` the result has shape (2,); zeros do not count.
    A `dim` out of range raises (PyTorch's own error reaches the caller).
    返回 `x` 沿 `dim` 大于 0 的元素个数,数据类型为 int64,并去掉 `dim` 这个维度。
    对形状为 (2, 3) 的 `x` 和 `dim=1`,结果的形状为 (2,);0 不计入。
    `dim` 超出范围时报错(PyTorch 自己的错误传给调用者)。
    """
    # TODO: compare, then sum the booleans along dim.
    # TODO: 先比较,再沿 dim 对布尔值求和。
    raise NotImplementedError("count_positive is not written yet / count_positive 还没有完成")

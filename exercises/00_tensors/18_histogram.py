"""Puzzle: counting values without `bincount`.

EN: How many times does each value 0, 1, ..., bins - 1 occur? Compare every value (a
column) with every bin (a row from `arange`): the (n, bins) boolean matrix has one True
per value. Summing it over the values (`.sum(0)`) counts each bin; True counts as 1 and
the sum of booleans is int64.

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, `.sum()`, indexing, arithmetic and comparison operators,
`.shape` and `.device`.

中文: 0, 1, ..., bins - 1 每个值出现了几次?把每个值(一列)与每个区间(`arange` 得到的一行)比较:
得到的 (n, bins) 布尔矩阵中每个值对应一个 True。沿值的方向求和(`.sum(0)`)就数出了每个区间;
True 按 1 计数,布尔值求和的结果是 int64。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、`.sum()`、索引、算术和比较运算符、`.shape` 和 `.device`。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def histogram(values: Tensor, bins: int) -> Tensor:
    """Return how often each of 0, 1, ..., bins - 1 occurs in the 1-D int64 `values`: an int64 (bins,).

    The same as torch.bincount(values, minlength=bins) when every value is below bins.
    返回 0, 1, ..., bins - 1 在一维 int64 张量 `values` 中各出现几次:形状为 (bins,) 的 int64。
    所有值都小于 bins 时,与 torch.bincount(values, minlength=bins) 相同。
    """
    # TODO: compare values[:, None] with a counter of the bins and sum over the values.
    # TODO: 把 values[:, None] 与区间计数器比较,再沿值的方向求和。
    raise NotImplementedError("histogram is not written yet / histogram 还没有完成")

"""Puzzle: reverse a tensor with computed indices.

EN: Python's `x[::-1]` does not work on tensors (negative steps are refused). Index with
the positions in reverse instead: n - 1, n - 2, ..., 0 is `n - 1 - arange(n)`. Indexing
the first dimension with an integer tensor keeps the other dimensions as they are.

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, indexing, arithmetic and comparison operators, `.shape` and
`.device`.

中文: Python 的 `x[::-1]` 不能用于张量(不支持负步长)。改用倒序的位置来索引:n - 1, n - 2, ..., 0
就是 `n - 1 - arange(n)`。用整数张量索引第一个维度时,其余维度保持不变。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、索引、算术和比较运算符、`.shape` 和 `.device`。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def flip(a: Tensor) -> Tensor:
    """Return `a` (at least 1-D) reversed along its first dimension.

    The same as torch.flip(a, dims=[0]): same shape, dtype and device; `a` is not changed.
    返回沿第一个维度倒序的 `a`(至少一维)。
    与 torch.flip(a, dims=[0]) 相同:形状、数据类型和设备不变;不修改 `a`。
    """
    # TODO: index a with the positions n-1, ..., 0 computed from a counter.
    # TODO: 用计数器算出的位置 n-1, ..., 0 来索引 a。
    raise NotImplementedError("flip is not written yet / flip 还没有完成")

"""Puzzle: the diagonal, with integer-array indexing.

EN: Indexing with tensors of integers picks elements: `a[rows, cols]` is the tensor of
`a[rows[k], cols[k]]` for every k. With `rows` and `cols` both 0, 1, ..., n - 1 that is
the diagonal. (Unlike slicing, integer-array indexing returns a copy, not a view.)

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, indexing, arithmetic and comparison operators, `.shape` and
`.device`.

中文: 用整数张量做索引会挑出元素:`a[rows, cols]` 是由每个 k 对应的 `a[rows[k], cols[k]]` 组成的张量。
`rows` 和 `cols` 都是 0, 1, ..., n - 1 时,得到的就是对角线。(与切片不同,整数数组索引返回副本,
不是视图。)

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、索引、算术和比较运算符、`.shape` 和 `.device`。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def diag(a: Tensor) -> Tensor:
    """Return the main diagonal of the square matrix `a` (n, n): a 1-D tensor of n elements.

    The same values, dtype and device as torch.diagonal(a) (as a new tensor, not a view).
    返回方阵 `a`(形状为 (n, n))的主对角线:含 n 个元素的一维张量。
    数值、数据类型和设备与 torch.diagonal(a) 相同(作为新的张量,不是视图)。
    """
    # TODO: index `a` with the same counter 0..n-1 for the rows and the columns.
    # TODO: 行和列都用同一个计数器 0..n-1 来索引 `a`。
    raise NotImplementedError("diag is not written yet / diag 还没有完成")

"""Puzzle: a cumulative sum as one matrix product.

EN: out[j] = a[0] + ... + a[j] is a weighted sum of `a` with weight 1 where i <= j and 0
elsewhere: `a @ M` for the upper-triangular matrix M of ones. Build M from a comparison
of two `arange` counters (a boolean mask) and convert it to `a`'s dtype with `.to(...)`:
`@` needs both sides in the same dtype.

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, `@`, `.to()`, indexing, arithmetic and comparison operators,
`.shape`, `.dtype` and `.device`.

中文: out[j] = a[0] + ... + a[j] 是 `a` 的加权和:i <= j 处权重为 1,其余为 0,也就是 `a @ M`,M 是全 1
的上三角矩阵。用两个 `arange` 计数器的比较构造 M(布尔掩码),再用 `.to(...)` 转成 `a` 的数据类型:
`@` 要求两边数据类型相同。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、`@`、`.to()`、索引、算术和比较运算符、`.shape`、`.dtype` 和 `.device`。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def cumsum(a: Tensor) -> Tensor:
    """Return the cumulative sums of the 1-D tensor `a`: out[j] = a[0] + a[1] + ... + a[j].

    The same values, shape, dtype and device as torch.cumsum(a, dim=0), computed as `a @ mask`.
    返回一维张量 `a` 的累加和:out[j] = a[0] + a[1] + ... + a[j]。
    数值、形状、数据类型和设备与 torch.cumsum(a, dim=0) 相同,用 `a @ mask` 计算。
    """
    # TODO: a @ (upper-triangular mask of ones, in a's dtype).
    # TODO: a @(全 1 的上三角掩码,转成 a 的数据类型)。
    raise NotImplementedError("cumsum is not written yet / cumsum 还没有完成")

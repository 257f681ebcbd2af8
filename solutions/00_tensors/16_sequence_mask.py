"""Puzzle: a padding mask from sequence lengths.

EN: A batch of variable-length sequences is padded to one length `max_len`; the mask says
which positions are real: mask[b, t] is True when t < lengths[b]. A row of positions
`arange(max_len)` compared with a column of lengths broadcasts to (B, max_len).

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, indexing, arithmetic and comparison operators, `.shape` and
`.device`.

中文: 一批变长序列被填充到同一长度 `max_len`;掩码标出哪些位置是真实数据:t < lengths[b] 时
mask[b, t] 为 True。一行位置 `arange(max_len)` 与一列长度比较,会广播成 (B, max_len)。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、索引、算术和比较运算符、`.shape` 和 `.device`。
"""

import torch
from torch import Tensor


def sequence_mask(lengths: Tensor, max_len: int) -> Tensor:
    """Return the boolean mask (B, max_len) with mask[b, t] = t < lengths[b], for int64 `lengths` (B,).

    dtype torch.bool, on lengths' device; lengths may be 0 or larger than max_len.
    返回形状为 (B, max_len) 的布尔掩码,mask[b, t] = t < lengths[b];`lengths` 是形状为 (B,) 的 int64。
    数据类型为 torch.bool,在 lengths 所在的设备上;长度可以是 0,也可以大于 max_len。
    """
    return torch.arange(max_len, device=lengths.device) < lengths[:, None]

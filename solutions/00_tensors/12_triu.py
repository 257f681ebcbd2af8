"""Puzzle: an upper-triangular matrix from `arange` and a comparison.

EN: `torch.arange(n)` counts 0, 1, ..., n - 1. A column of row numbers compared with a
row of column numbers broadcasts to an (n, m) boolean mask: `i[:, None] <= j` is True
on and above the diagonal. `torch.where(mask, a, 0)` keeps `a` where the mask is True
and puts 0 elsewhere. Make the counters on `a`'s device (`device=a.device`): a tensor
made without it is on the CPU, and mixing devices fails.

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, `torch.where`, indexing, arithmetic and comparison
operators, `.shape` and `.device`.

中文: `torch.arange(n)` 依次给出 0, 1, ..., n - 1。一列行号与一行列号比较,会广播成 (n, m) 的布尔
掩码:`i[:, None] <= j` 在对角线及其上方为 True。`torch.where(mask, a, 0)` 在掩码为 True 处保留
`a`,其余位置填 0。计数器要创建在 `a` 所在的设备上(`device=a.device`):不指定就在 CPU 上,
混用设备会出错。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、`torch.where`、索引、算术和比较运算符、`.shape` 和 `.device`。
"""

import torch
from torch import Tensor


def triu(a: Tensor) -> Tensor:
    """Return `a` (a 2-D tensor (n, m)) with every element below the main diagonal set to 0.

    The same as torch.triu(a): same shape, dtype and device as `a`.
    返回把主对角线以下的元素都置为 0 的 `a`(形状为 (n, m) 的二维张量)。
    与 torch.triu(a) 相同:形状、数据类型和设备都与 `a` 一样。
    """
    return torch.where(torch.arange(a.shape[0], device=a.device)[:, None] <= torch.arange(a.shape[1], device=a.device), a, 0)

"""Joining tensors: `torch.cat` and `torch.stack`.

EN: `torch.cat(tensors, dim)` joins tensors along a dimension they already have: three (2, 5)
tensors joined on dim 0 give (6, 5), and only the sizes along `dim` may differ. `torch.stack(tensors,
dim)` first gives each tensor a new dimension of size 1 at `dim` and then joins them there: three
(2, 5) tensors stacked on dim 0 give (3, 2, 5), and all shapes must be equal. A negative `dim`
counts from the end — of the inputs' dimensions for `cat`, of the result's (one more) for `stack`,
so `stack(..., dim=-1)` adds a new last dimension. Both always make a new tensor (a copy) and stay
in the autograd graph. Neither accepts an empty list.

中文: `torch.cat(tensors, dim)` 沿张量已有的一个维度把它们连接起来:三个 (2, 5) 的张量沿 dim 0 连接得到
(6, 5),只有 `dim` 方向上的大小可以不同。`torch.stack(tensors, dim)` 先给每个张量在 `dim` 处加一个大小为 1
的新维度,再在那里连接:三个 (2, 5) 的张量沿 dim 0 堆叠得到 (3, 2, 5),所有形状必须相同。负的 `dim` 从末尾
数起——对 `cat` 是输入的维度,对 `stack` 是结果的维度(多一个),所以 `stack(..., dim=-1)` 会加一个新的最后
维度。两者总是生成新张量(副本),并且留在自动求导的计算图中。两者都不接受空列表。
"""

from collections.abc import Sequence

import torch
from torch import Tensor


def stack_along(tensors: Sequence[Tensor], dim: int) -> Tensor:
    """Join tensors of one shape along a new dimension at position `dim` of the result.

    `tensors` is a list or a tuple. A negative `dim` counts from the end of the result (-1 puts the
    new dimension last). An empty sequence raises ValueError; tensors of different shapes or a
    `dim` out of range raise (PyTorch's error reaches the caller). The result is always a new
    tensor, even for one input, and stays in the autograd graph; the inputs are not changed.
    沿结果的第 `dim` 个位置上的新维度,把形状相同的张量连接起来。
    `tensors` 是列表或元组。负的 `dim` 从结果的末尾数起(-1 把新维度放在最后)。空序列抛出 ValueError;
    形状不同的张量或超出范围的 `dim` 会报错(PyTorch 的错误传给调用者)。结果总是新张量,即使只有一个输入,
    并且留在自动求导的计算图中;不修改输入。
    """
    if len(tensors) == 0:
        raise ValueError("stack_along needs at least one tensor / stack_along 至少需要一个张量")
    return torch.stack(list(tensors), dim=dim)


def cat_along(tensors: Sequence[Tensor], dim: int) -> Tensor:
    """Join tensors along their existing dimension `dim`; their sizes along `dim` may differ (0 too).

    `tensors` is a list or a tuple of tensors with at least one dimension and equal sizes in every
    other dimension. A negative `dim` counts from the end of the inputs' dimensions. An empty
    sequence raises ValueError; other sizes that differ or a `dim` out of range raise (PyTorch's
    error reaches the caller). The result is always a new tensor, even for one input, and stays in
    the autograd graph; the inputs are not changed.
    沿已有的第 `dim` 个维度把张量连接起来;它们在 `dim` 方向上的大小可以不同(也可以为 0)。
    `tensors` 是列表或元组,其中的张量至少有一个维度,其他维度的大小都相同。负的 `dim` 从输入维度的末尾数起。
    空序列抛出 ValueError;其他维度大小不同或超出范围的 `dim` 会报错(PyTorch 的错误传给调用者)。结果总是
    新张量,即使只有一个输入,并且留在自动求导的计算图中;不修改输入。
    """
    if len(tensors) == 0:
        raise ValueError("cat_along needs at least one tensor / cat_along 至少需要一个张量")
    return torch.cat(list(tensors), dim=dim)

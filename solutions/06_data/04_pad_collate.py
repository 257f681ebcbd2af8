"""A collate_fn that pads sequences of different lengths and returns their lengths.

EN: A DataLoader turns a list of samples into one batch with its `collate_fn`. The
default one stacks tensors, so it fails when samples have different lengths
(sentences, audio clips, time series). A padding collate makes them one tensor:
each sequence is followed by zeros up to the longest one in the batch, and the true
lengths travel along, so that the model (or `pack_padded_sequence`) can ignore the
padding. Pass it as `DataLoader(dataset, batch_size=..., collate_fn=pad_collate)`.

中文: DataLoader 用它的 `collate_fn` 把一组样本变成一个批次。默认的 collate 会把张量堆叠起来,
所以当样本长度不同时(句子、音频片段、时间序列)就会失败。填充式的 collate 把它们变成一个张量:
每个序列后面补零,补到这个批次中最长序列的长度,并把真实长度一起返回,这样模型(或
`pack_padded_sequence`)就能忽略填充部分。用法:`DataLoader(dataset, batch_size=..., collate_fn=pad_collate)`。
"""

import torch
from torch import Tensor
from torch.nn.utils.rnn import pad_sequence


def pad_collate(batch: list[tuple[Tensor, int | Tensor]]) -> tuple[Tensor, Tensor, Tensor]:
    """Collate `(sequence, label)` samples of different lengths into `(padded, lengths, labels)`.

    Each sequence has shape `(L_i, *features)`: the same features and dtype for all, `L_i` may be 0.
    `padded` has shape `(B, L_max, *features)` and the sequences' dtype: sequence i in `padded[i, :L_i]`,
    zeros after it. `lengths` is int64 `(B,)`: the `L_i` (the padding cannot tell them: a sequence may
    hold zeros itself). `labels` is int64 `(B,)`, from Python ints or 0-d tensors. The samples keep their
    order and are not changed. Autograd records the padding (when the sequences require grad, gradients
    flow back to them). An empty batch raises an error.

    把长度不同的 `(sequence, label)` 样本组合成 `(padded, lengths, labels)`。
    每个序列的形状为 `(L_i, *features)`:所有序列的特征形状和 dtype 相同,`L_i` 可以为 0。
    `padded` 的形状为 `(B, L_max, *features)`,dtype 与序列相同:序列 i 位于 `padded[i, :L_i]`,其后补零。
    `lengths` 是形状为 `(B,)` 的 int64:各个 `L_i`(无法从填充推断:序列本身也可能含有 0)。
    `labels` 是形状为 `(B,)` 的 int64,来自 Python 整数或 0 维张量。样本保持原来的顺序,且不被修改。
    自动求导会记录填充(序列需要梯度时,梯度会传回序列)。空批次抛出错误。
    """
    sequences = [sequence for sequence, _ in batch]
    padded = pad_sequence(sequences, batch_first=True)
    lengths = torch.tensor([len(sequence) for sequence in sequences], dtype=torch.int64)
    labels = torch.tensor([int(label) for _, label in batch], dtype=torch.int64)
    return padded, lengths, labels

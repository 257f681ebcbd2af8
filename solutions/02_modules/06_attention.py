"""Scaled dot-product attention, with a mask.

EN: Attention lets each query look at every key and take a weighted average
of the values. For queries `q` (..., L, E), keys `k` (..., S, E) and values
`v` (..., S, Ev): scores = q @ kᵀ / sqrt(E) (transpose the last two dims of k),
one row of S scores per query; softmax over the keys (the last dim) turns each
row into weights that sum to 1; the output is weights @ v, of shape (..., L, Ev).
A boolean `mask` (broadcastable to (..., L, S)) says which keys a query may
attend to: True = allowed, as in `torch.nn.functional.scaled_dot_product_attention`.
Set the scores of disallowed keys to -inf before the softmax, so their weight
is exactly 0. A causal mask lets query i see keys 0..i only. The inputs are
never changed; the result keeps their dtype and carries gradients to q, k, v.
Shapes that do not fit (k's E is not q's E, v's S is not k's S) raise an error.

中文: 注意力让每个查询(query)查看所有键(key),并对值(value)做加权平均。
查询 `q` 形状为 (..., L, E),键 `k` 为 (..., S, E),值 `v` 为 (..., S, Ev):
scores = q @ kᵀ / sqrt(E)(转置 k 的最后两个维度),每个查询一行 S 个分数;
在键的维度(最后一维)上做 softmax,把每行变成和为 1 的权重;输出为 `weights @ v`,
形状为 (..., L, Ev)。布尔 `mask`(可广播到 (..., L, S))表示查询可以关注哪些键:
True = 允许,与 `torch.nn.functional.scaled_dot_product_attention` 相同。
在 softmax 之前把不允许的键的分数设为 -inf,它们的权重就恰好为 0。
因果掩码(causal mask)只让第 i 个查询看到第 0..i 个键。不要修改输入;
结果保持输入的 dtype,梯度能传到 q、k、v。
形状不匹配(k 的 E 与 q 的不同,v 的 S 与 k 的不同)时抛出错误。
"""

import math

import torch
from torch import Tensor


def causal_mask(size: int) -> Tensor:
    """A (size, size) bool tensor: True on and below the diagonal (query i may see keys 0..i)."""
    return torch.tril(torch.ones(size, size, dtype=torch.bool))


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None = None) -> Tensor:
    """softmax(q @ kᵀ / sqrt(E), over the keys) @ v; where mask is False a key gets weight 0."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v

"""Multi-head attention, matching `nn.MultiheadAttention`.

EN: Multi-head attention projects the inputs with three Linear layers
(queries, keys, values, each embed_dim -> embed_dim), splits the embedding
into `num_heads` heads of size d = embed_dim / num_heads, runs scaled
dot-product attention in every head separately (scores divided by sqrt(d)),
joins the heads back and applies an output Linear layer. Inputs and output are
batch first: (N, L, E) queries, (N, S, E) keys and values, (N, L, E) output.
`attn_mask` is used the way `nn.MultiheadAttention` uses a bool mask: shape
(L, S), **True = not allowed** (the opposite of
`F.scaled_dot_product_attention`). PyTorch keeps the three input projections in
one (3E, E) `in_proj_weight` (queries, keys, values, in that order, as are the
3E values of `in_proj_bias`) and the output layer in `out_proj`;
`from_torch(mha)` builds your module with copies of those weights (in mha's
dtype), so that it gives the same output as `mha(q, k, v,
attn_mask=mask, need_weights=False)[0]` for `nn.MultiheadAttention(E, heads,
batch_first=True)`. Changing `mha` afterwards does not change your module.

中文: 多头注意力用三个 Linear 层(查询、键、值,各为 embed_dim -> embed_dim)投影输入,
把嵌入分成 `num_heads` 个头,每个头的大小 d = embed_dim / num_heads,在每个头中分别做
缩放点积注意力(分数除以 sqrt(d)),再把各头拼接回来,经过输出 Linear 层。
输入和输出都是批次在前:查询 (N, L, E),键和值 (N, S, E),输出 (N, L, E)。
`attn_mask` 的用法与 `nn.MultiheadAttention` 使用布尔掩码的方式相同:形状 (L, S),
**True = 不允许**(与 `F.scaled_dot_product_attention` 相反)。PyTorch 把三个输入投影存放在
一个 (3E, E) 的 `in_proj_weight` 中(依次为查询、键、值,`in_proj_bias` 的 3E 个值也是如此),
输出层在 `out_proj` 中;`from_torch(mha)` 用这些权重的副本(dtype 与 mha 相同)构建你的模块,
使它对 `nn.MultiheadAttention(E, heads, batch_first=True)` 给出与
`mha(q, k, v, attn_mask=mask, need_weights=False)[0]` 相同的输出。之后修改 `mha` 不会改变你的模块。
"""

import math  # noqa: F401 - yours to use

import torch  # noqa: F401 - yours to use
from torch import Tensor, nn


class MultiHeadAttention(nn.Module):
    """Batch-first multi-head attention with separate q/k/v projections and an output projection."""

    def __init__(self, embed_dim: int, num_heads: int) -> None:
        super().__init__()
        # TODO: remember num_heads; four nn.Linear(embed_dim, embed_dim): q_proj, k_proj, v_proj, out_proj.
        # TODO: 记住 num_heads;四个 nn.Linear(embed_dim, embed_dim):q_proj、k_proj、v_proj、out_proj。
        raise NotImplementedError("MultiHeadAttention.__init__ is not written yet / MultiHeadAttention.__init__ 还没有完成")

    def forward(self, query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None) -> Tensor:
        # TODO: project; view as (N, L, heads, d) and transpose to (N, heads, L, d); scores / sqrt(d);
        # masked_fill(attn_mask, -inf); softmax over the keys; @ v; transpose back, reshape to (N, L, E); out_proj.
        # TODO: 投影;`view` 成 (N, L, heads, d) 再转置为 (N, heads, L, d);分数除以 sqrt(d);
        # masked_fill(attn_mask, -inf);在键上做 softmax;@ v;转置回来,reshape 为 (N, L, E);out_proj。
        raise NotImplementedError("MultiHeadAttention.forward is not written yet / MultiHeadAttention.forward 还没有完成")


def from_torch(mha: nn.MultiheadAttention) -> MultiHeadAttention:
    """A MultiHeadAttention holding copies of mha's weights (in_proj_weight / in_proj_bias split in three, out_proj)."""
    # TODO: build MultiHeadAttention(mha.embed_dim, mha.num_heads) in mha's dtype; under torch.no_grad(), copy_
    # the chunks of mha.in_proj_weight.chunk(3) and mha.in_proj_bias.chunk(3), and out_proj's weight and bias.
    # TODO: 用 mha 的 dtype 构建 MultiHeadAttention(mha.embed_dim, mha.num_heads);在 torch.no_grad() 中用 copy_
    # 复制 mha.in_proj_weight.chunk(3) 和 mha.in_proj_bias.chunk(3) 的各块,以及 out_proj 的权重和偏置。
    raise NotImplementedError("from_torch is not written yet / from_torch 还没有完成")

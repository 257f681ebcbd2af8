"""Picking and collecting by index: `gather`, `scatter_add_` and `index_add_`.

EN: `scores.gather(1, idx)` reads, for every row b, the elements at the column numbers
in `idx[b]`; `idx` has as many dimensions as `scores`, so one column per row is
`idx[:, None]`, and the result has `idx`'s shape. The other way round,
`out.index_add_(0, index, values)` (or `out.scatter_add_(0, index, values)`) adds each
`values[i]` into `out[index[i]]`, adding up repeated indices. Beware `out[index] += values`:
with a repeated index only one of the additions survives.

中文: `scores.gather(1, idx)` 对每一行 b 读取 `idx[b]` 中列号对应的元素;`idx` 的维度数与
`scores` 相同,所以每行取一列时写 `idx[:, None]`,结果的形状与 `idx` 相同。反过来,
`out.index_add_(0, index, values)`(或 `out.scatter_add_(0, index, values)`)会把每个 `values[i]`
加到 `out[index[i]]` 上,重复的索引会累加。注意 `out[index] += values`:索引重复时只有一次加法
会保留下来。
"""

import torch
from torch import Tensor


def pick(scores: Tensor, index: Tensor) -> Tensor:
    """Return out[b] = scores[b, index[b]] for `scores` (B, C) and int64 `index` (B,): a tensor (B,).

    Same dtype as `scores`; stays attached to the graph when `scores` is; inputs not changed.
    An index of C or more raises (PyTorch's error reaches the caller).
    对形状为 (B, C) 的 `scores` 和形状为 (B,) 的 int64 `index`,返回 out[b] = scores[b, index[b]]:
    形状为 (B,) 的张量。数据类型与 `scores` 相同;`scores` 在计算图中时结果也连接计算图;不修改输入。
    索引大于等于 C 时报错(PyTorch 的错误传给调用者)。
    """
    return scores.gather(1, index[:, None])[:, 0]


def segment_sum(values: Tensor, index: Tensor, n: int) -> Tensor:
    """Return out (n,) with out[k] = the sum of values[i] over every i where index[i] == k (0 when none).

    `values` (N,) and int64 `index` (N,) with entries in [0, n); repeated indices add up. Same
    dtype and device as `values`; stays attached to the graph when `values` is. An index of n or
    more raises (PyTorch's error reaches the caller).
    返回形状为 (n,) 的 out,out[k] = 所有满足 index[i] == k 的 values[i] 之和(没有时为 0)。
    `values` 的形状为 (N,),int64 的 `index` 形状为 (N,),取值在 [0, n) 内;重复的索引会累加。
    数据类型和设备与 `values` 相同;`values` 在计算图中时结果也连接计算图。索引大于等于 n 时报错
    (PyTorch 的错误传给调用者)。
    """
    return torch.zeros(n, dtype=values.dtype, device=values.device).index_add(0, index, values)

"""Gradient clipping by the total norm, by hand, as `torch.nn.utils.clip_grad_norm_` does it.

EN: One bad batch can give a huge gradient and throw the parameters far away.
Clipping bounds the step: compute the *total* norm of all the gradients together
(the norm of the vector of each gradient's norm, `norm_type` 2 by default, or the
largest absolute value for `inf`), and when it is larger than `max_norm`, scale
every gradient in place by the same factor `max_norm / (total_norm + 1e-6)`
(only when that factor is below 1).
The direction of the whole update stays the same; small gradients are never
scaled up. In a training loop it goes between `loss.backward()` and
`optimizer.step()`.

中文: 一个糟糕的批次可能产生巨大的梯度,把参数推得很远。梯度裁剪限制了步长:先计算所有梯度合在一起的
*总*范数(各个梯度范数组成的向量的范数,默认 `norm_type` 为 2;`inf` 时取最大绝对值),
当它大于 `max_norm` 时,把每个梯度原地乘以同一个系数 `max_norm / (total_norm + 1e-6)`(仅当该系数小于 1 时)。
整体更新的方向保持不变;较小的梯度永远不会被放大。在训练循环中,它位于 `loss.backward()` 与
`optimizer.step()` 之间。
"""

from collections.abc import Iterable

import torch
from torch import Tensor


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0) -> Tensor:
    """Clip the gradients of `parameters` in place so that their total norm is at most `max_norm`; return the total norm.

    `parameters` is one tensor or any iterable of tensors (a list, or a generator such as
    `model.parameters()`, which can be read only once); anything else (a number, None) raises TypeError.
    Tensors whose `.grad` is None are skipped.
    The total norm is measured before clipping and returned as a 0-d tensor of the gradients' dtype
    (`torch.tensor(0.0)` when no tensor has a gradient). Each `.grad` is multiplied in place (the same
    tensor object) by `max_norm / (total_norm + 1e-6)` when that factor is below 1; the parameters
    themselves do not change.  Nothing is recorded by autograd (even for gradients made with
    `create_graph=True`): the returned norm is not attached to a graph.

    原地裁剪 `parameters` 的梯度,使它们的总范数不超过 `max_norm`;返回总范数。
    `parameters` 是一个张量,或任意张量可迭代对象(列表,或 `model.parameters()` 这样只能读取一次的
    生成器);其他任何东西(数字、None)抛出 TypeError。`.grad` 为 None 的张量跳过。
    总范数在裁剪之前测量,以梯度 dtype 的 0 维张量返回
    (没有任何梯度时返回 `torch.tensor(0.0)`)。当系数 `max_norm / (total_norm + 1e-6)` 小于 1 时,
    把每个 `.grad` 原地乘以它(仍是同一个张量对象);参数本身不变。自动求导不记录任何操作(即使梯度是用
    `create_graph=True` 得到的):返回的范数不连接计算图。
    """
    # TODO: read the gradients once (a generator cannot be read twice), compute the total norm,
    #       and scale every gradient in place when it is larger than max_norm.
    # TODO: 只读取一次梯度(生成器不能读两次),计算总范数,当它大于 max_norm 时原地缩放每个梯度。
    raise NotImplementedError("clip_grad_norm is not written yet / clip_grad_norm 还没有完成")

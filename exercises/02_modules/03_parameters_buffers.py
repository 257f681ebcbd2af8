"""Parameters and buffers: what learns, and what is only remembered.

EN: `nn.Parameter` is a tensor the optimizer trains. A *buffer*
(`self.register_buffer("name", tensor)`) is state that is saved in
`state_dict()` and moved by `.to(device)` but gets no gradient — like
BatchNorm's running statistics. `Standardize` keeps a running mean of its
inputs: in training mode it uses the batch mean and moves `running_mean` by
`momentum` toward it; in eval mode it uses `running_mean` and leaves it alone.
Output: `(x - mean) * scale + shift`. Gradients flow through the batch mean too
(as in BatchNorm); only the update of `running_mean` is kept out of autograd.

中文: `nn.Parameter` 是优化器会训练的张量。*缓冲区*(`self.register_buffer("name", tensor)`)
是会保存到 `state_dict()`、会随 `.to(device)` 移动、但没有梯度的状态 —— 比如 BatchNorm
的 running 统计量。`Standardize` 记录输入的滑动平均:训练模式下使用当前批次的均值,并让
`running_mean` 按 `momentum` 向它靠近;评估模式下使用 `running_mean`,且不修改它。
输出:`(x - mean) * scale + shift`。梯度也会经过批次均值(与批归一化一样);只有
`running_mean` 的更新不记录在自动求导中。
"""

import torch
from torch import Tensor, nn


class Standardize(nn.Module):
    """Subtract a (running) mean over dim 0, then an affine map with learned scale and shift."""

    def __init__(self, num_features: int, momentum: float = 0.1) -> None:
        super().__init__()
        # TODO: parameters scale (ones) and shift (zeros); buffer running_mean (zeros); keep momentum.
        # TODO: 参数 scale(全 1)和 shift(全 0);缓冲区 running_mean(全 0);保存 momentum。
        raise NotImplementedError("Standardize.__init__ is not written yet / Standardize.__init__ 还没有完成")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: if self.training: mean = x.mean(dim=0); update running_mean without autograd
        #       (running_mean = (1 - momentum) * running_mean + momentum * mean); else mean = running_mean.
        # TODO: 训练模式:mean = x.mean(dim=0);在不记录梯度的情况下更新 running_mean;评估模式:mean = running_mean。
        raise NotImplementedError("Standardize.forward is not written yet / Standardize.forward 还没有完成")

"""Your first nn.Module: Linear -> ReLU -> Linear.

EN: A module declares its layers in `__init__` as attributes (`self.fc1 = ...`);
assigning a module to an attribute *registers* it, so its parameters appear in
`.parameters()`, move with `.to(device)` and are saved in `state_dict()`.
`forward` says how data flows. Without a non-linearity between them, two Linear
layers collapse into one. Like `nn.Linear`, the network takes inputs of shape
`(*, in_features)`: one sample, a batch, or more leading dimensions.

中文: 模块在 `__init__` 中把层声明为属性(`self.fc1 = ...`);把模块赋值给属性就会 *注册*
它,于是它的参数会出现在 `.parameters()` 中,随 `.to(device)` 移动,并保存在 `state_dict()`
里。`forward` 描述数据如何流动。两个 Linear 层之间如果没有非线性激活,就会退化成一个。
与 `nn.Linear` 一样,网络接受形状为 `(*, in_features)` 的输入:单个样本、一个批次,或有更多前导维度。
"""

import torch
from torch import Tensor, nn


class TwoLayerNet(nn.Module):
    """in_features -> hidden (ReLU) -> out_features."""

    def __init__(self, in_features: int, hidden: int, out_features: int) -> None:
        super().__init__()
        # TODO: two nn.Linear layers (and an activation), assigned to attributes.
        # TODO: 两个 nn.Linear 层(以及激活函数),赋值给属性。
        raise NotImplementedError("TwoLayerNet.__init__ is not written yet / TwoLayerNet.__init__ 还没有完成")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: Linear -> ReLU -> Linear.
        # TODO: Linear -> ReLU -> Linear。
        raise NotImplementedError("TwoLayerNet.forward is not written yet / TwoLayerNet.forward 还没有完成")

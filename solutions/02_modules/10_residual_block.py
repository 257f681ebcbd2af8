"""A residual block, as in ResNet.

EN: A residual block adds its input back to what its layers computed:
`out = relu(F(x) + x)`, the "skip connection". The layers only have to learn
the difference F(x) from the identity, which is what lets very deep networks
train. Here F is conv -> batch norm -> ReLU -> conv -> batch norm, with
`nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)` (padding
1 keeps the height and width, so F(x) and x have the same shape and can be
added; the batch norm that follows makes a conv bias useless) and
`nn.BatchNorm2d(channels)`. The last ReLU comes after the addition. Input and
output have shape (N, channels, H, W), for any H and W.

中文: 残差块把输入加回到各层计算的结果上:`out = relu(F(x) + x)`,这就是"跳跃连接"。
各层只需要学习相对于恒等映射的差 F(x),这正是很深的网络能够训练的原因。
这里 F 是 卷积 -> 批归一化 -> ReLU -> 卷积 -> 批归一化,使用
`nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)`(padding 1 保持高和宽不变,
所以 F(x) 与 x 形状相同、可以相加;后面的批归一化使卷积的偏置变得多余)和 `nn.BatchNorm2d(channels)`。
最后一个 ReLU 在相加之后。输入和输出的形状都是 (N, channels, H, W),H 和 W 任意。
"""

import torch
from torch import Tensor, nn


class ResidualBlock(nn.Module):
    """relu(bn2(conv2(relu(bn1(conv1(x))))) + x), with 3x3 convolutions (padding 1, no bias)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x: Tensor) -> Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return torch.relu(out + x)

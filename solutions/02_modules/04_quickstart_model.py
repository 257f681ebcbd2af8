"""The quickstart's model, exactly.

EN: The official quickstart defines `NeuralNetwork`: `self.flatten = nn.Flatten()`
and `self.linear_relu_stack = nn.Sequential(Linear(28*28, 512), ReLU(),
Linear(512, 512), ReLU(), Linear(512, 10))`; `forward` returns the logits (no
softmax: `nn.CrossEntropyLoss` applies log-softmax itself). The attribute names
and layer order decide the `state_dict` keys (`linear_relu_stack.0.weight`, ...),
so a checkpoint saved from the tutorial loads into your model only if they match.

中文: 官方快速入门定义了 `NeuralNetwork`:`self.flatten = nn.Flatten()`,以及
`self.linear_relu_stack = nn.Sequential(Linear(28*28, 512), ReLU(), Linear(512, 512),
ReLU(), Linear(512, 10))`;`forward` 返回 logits(不要 softmax:`nn.CrossEntropyLoss`
会自己做 log-softmax)。属性名和层的顺序决定了 `state_dict` 的键
(`linear_relu_stack.0.weight` 等),只有一致时,教程保存的权重才能加载到你的模型中。
"""

import torch
from torch import Tensor, nn


class NeuralNetwork(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x: Tensor) -> Tensor:
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits

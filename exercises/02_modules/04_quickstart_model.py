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
        # TODO: self.flatten and self.linear_relu_stack, exactly as in the quickstart.
        # TODO: self.flatten 和 self.linear_relu_stack,与快速入门完全一致。
        raise NotImplementedError("NeuralNetwork.__init__ is not written yet / NeuralNetwork.__init__ 还没有完成")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: flatten, then the stack; return the logits.
        # TODO: 先 flatten,再经过 stack;返回 logits。
        raise NotImplementedError("NeuralNetwork.forward is not written yet / NeuralNetwork.forward 还没有完成")

"""Save and load weights the safe way.

EN: Save only the `state_dict()` (a dict of tensors), not the whole model:
pickling the model ties the file to your source code. Load with
`torch.load(path, weights_only=True)`, written out (it is the default since
PyTorch 2.6, but older versions and some settings default to False), which
refuses to run code hidden in a file you got from someone else, then
`model.load_state_dict(...)`. A file that does not hold this model's weights
(other keys or shapes) raises an error: `load_state_dict` is strict by default.

中文: 只保存 `state_dict()`(一个张量字典),不要保存整个模型:pickle 整个模型会让文件
依赖你的源代码。加载时使用 `torch.load(path, weights_only=True)`,并显式写出 weights_only=True(PyTorch 2.6 起这是默认值,
但旧版本和某些设置下默认为 False),
它会拒绝执行别人给你的文件中隐藏的代码,然后调用 `model.load_state_dict(...)`。
文件中不是这个模型的权重(键或形状不同)时会报错:`load_state_dict` 默认是严格模式。
"""

from pathlib import Path

import torch
from torch import Tensor, nn


class NeuralNetwork(nn.Module):
    """The quickstart's model (given; you wrote it in 04_quickstart_model)."""

    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10)
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.linear_relu_stack(self.flatten(x))


def save_weights(model: nn.Module, path: str | Path) -> None:
    """Save the model's state_dict to path.

    把模型的 state_dict 保存到 path。
    """
    # TODO: torch.save(<the state_dict>, path)
    # TODO: torch.save(<state_dict>, path)
    raise NotImplementedError("save_weights is not written yet / save_weights 还没有完成")


def load_weights(path: str | Path) -> NeuralNetwork:
    """A new NeuralNetwork with the weights from path, loaded with weights_only=True.

    新建一个 NeuralNetwork,并用 weights_only=True 从 path 加载权重。
    """
    # TODO: model = NeuralNetwork(); model.load_state_dict(torch.load(path, weights_only=True)); return model
    # TODO: 新建模型,用 weights_only=True 加载 state_dict,然后返回模型。
    raise NotImplementedError("load_weights is not written yet / load_weights 还没有完成")

"""Dropout and batch norm: training mode vs evaluation mode.

EN: Some layers behave differently while training. `nn.Dropout` zeroes random
elements in training mode and does nothing in eval mode; `nn.BatchNorm1d`
normalizes with the batch's own statistics (and updates its running mean and
variance) in training mode, and with the stored running statistics in eval
mode. `model.eval()` / `model.train()` set the mode of the model and every
module inside it (`module.training`). `evaluate(model, x)` returns the model's
output in eval mode, computed without a graph (`torch.no_grad()`), so that
predictions are deterministic and the running statistics do not move. Then it
puts every module back in the mode it was in before, even when the forward
raises (the error reaches the caller): a caller in the middle of training
must go on training, and a caller who froze one BatchNorm (kept it in eval
mode while the rest trains) must find it frozen still.

中文: 有些层在训练时的行为不同。`nn.Dropout` 在训练模式下随机把元素置零,在评估模式下什么也不做;
`nn.BatchNorm1d` 在训练模式下用当前批次自己的统计量做归一化(并更新 running mean 和 running var),
在评估模式下使用保存的 running 统计量。`model.eval()` / `model.train()` 设置模型及其内部每个模块的模式
(`module.training`)。`evaluate(model, x)` 在评估模式下、不构建计算图(`torch.no_grad()`)地返回模型的输出,
这样预测是确定的,running 统计量也不会改变。之后把每个模块恢复到调用之前的模式,即使前向传播抛出错误
(错误照常传给调用者):正在训练的调用者要能继续训练,冻结了某个 BatchNorm
(其余部分训练时让它保持评估模式)的调用者,要发现它仍然是冻结的。
"""

import torch
from torch import Tensor, nn


def evaluate(model: nn.Module, x: Tensor) -> Tensor:
    """model(x) in eval mode without a graph; every module's mode restored afterwards."""
    modes = [(module, module.training) for module in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            return model(x)
    finally:
        for module, mode in modes:
            module.train(mode)

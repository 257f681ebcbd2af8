"""Quickstart, step 5: predict one image's class.

EN: For a prediction, switch to evaluation mode and turn gradients off, run the
model, take the index of the largest logit and return the *name* of that class
(the quickstart prints `Predicted: "Ankle boot"`). `x` is one image: shape
(1, 28, 28), or (1, 1, 28, 28) with a batch dimension.

中文: 做预测时,切换到评估模式并关闭梯度,运行模型,取最大 logit 的下标,并返回该类别的
*名称*(快速入门会打印 `Predicted: "Ankle boot"`)。`x` 是一张图片:形状为 (1, 28, 28),
或带批次维度的 (1, 1, 28, 28)。
"""

from collections.abc import Sequence

import torch
from torch import Tensor, nn


def predict_class(model: nn.Module, x: Tensor, classes: Sequence[str]) -> str:
    """The class name the model predicts for the image x.

    返回模型对图片 x 预测的类别名称。
    """
    model.eval()
    with torch.no_grad():
        pred = model(x)
    return classes[pred[0].argmax(0).item()]

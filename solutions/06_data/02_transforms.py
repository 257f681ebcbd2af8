"""Transforms: from image bytes to normalized tensors, and labels to one-hot vectors.

EN: Datasets rarely hold data in the form a model wants. The Transforms tutorial
turns FashionMNIST images into tensors with `ToTensor` (bytes 0..255 of shape
(H, W, C) become floats in [0, 1] of shape (C, H, W)), and labels into one-hot
vectors with `scatter_`. `Normalize` then shifts and scales each channel:
`(x - mean[c]) / std[c]`. Here you write all three by hand. A transform returns a
new tensor: the sample it was given stays as it was.

中文: 数据集里的数据很少正好是模型需要的形式。变换(Transforms)教程用 `ToTensor` 把 FashionMNIST 图像变成
张量(形状为 (H, W, C)、取值 0..255 的字节变成形状为 (C, H, W)、取值在 [0, 1] 的浮点数),用
`scatter_` 把标签变成独热(one-hot)向量。`Normalize` 再对每个通道做平移和缩放:
`(x - mean[c]) / std[c]`。这里你要亲手写出这三个变换。变换返回新的张量:传入的样本保持原样。
"""

from collections.abc import Sequence

import torch
from torch import Tensor


def to_tensor(image: Tensor) -> Tensor:
    """A uint8 image, (H, W) or (H, W, C), as float32 of shape (C, H, W) with values in [0, 1] (byte / 255).

    A grayscale (H, W) image gets one channel: (1, H, W). An image of any other number of dimensions raises an
    error. `image` is not changed.

    把 uint8 图像((H, W) 或 (H, W, C))变成形状为 (C, H, W)、取值在 [0, 1] 的 float32(字节 / 255)。
    灰度图 (H, W) 得到一个通道:(1, H, W)。其他维度数的图像抛出错误。
    `image` 不会被修改。
    """
    if image.dim() == 2:
        image = image.unsqueeze(-1)
    return image.permute(2, 0, 1).to(torch.float32).div(255)


def normalize(x: Tensor, mean: Sequence[float], std: Sequence[float]) -> Tensor:
    """`(x[c] - mean[c]) / std[c]` for each channel c of a (C, H, W) tensor, in x's dtype; `x` is not changed.

    `mean` and `std` hold one number per channel, used at x's precision.
    Autograd records the computation: when x requires grad, gradients flow back to it.

    对形状为 (C, H, W) 的张量的每个通道 c 计算 `(x[c] - mean[c]) / std[c]`,保持 x 的 dtype;`x` 不会被修改。
    `mean` 和 `std` 每个通道一个数,按 x 的精度使用。
    自动求导会记录这次计算:x 需要梯度时,梯度会传回 x。
    """
    mean_t = torch.as_tensor(mean, dtype=x.dtype).view(-1, 1, 1)
    std_t = torch.as_tensor(std, dtype=x.dtype).view(-1, 1, 1)
    return (x - mean_t) / std_t


def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    """float32 one-hot rows, shape (N, num_classes), for int64 `labels` of shape (N,), made with `scatter_`.

    Row i is all zeros except a 1.0 in column `labels[i]`. A label outside `[0, num_classes)` raises an
    error. `labels` is not changed.

    用 `scatter_` 为形状为 (N,) 的 int64 `labels` 生成形状为 (N, num_classes) 的 float32 独热行。
    第 i 行除第 `labels[i]` 列为 1.0 外全为 0。标签不在 `[0, num_classes)` 中时抛出错误。`labels` 不会被修改。
    """
    return torch.zeros(len(labels), num_classes).scatter_(1, labels.unsqueeze(1), 1.0)

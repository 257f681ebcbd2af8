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

from torch import Tensor


def to_tensor(image: Tensor) -> Tensor:
    """A uint8 image, (H, W) or (H, W, C), as float32 of shape (C, H, W) with values in [0, 1] (byte / 255).

    A grayscale (H, W) image gets one channel: (1, H, W). An image of any other number of dimensions raises an
    error. `image` is not changed.

    把 uint8 图像((H, W) 或 (H, W, C))变成形状为 (C, H, W)、取值在 [0, 1] 的 float32(字节 / 255)。
    灰度图 (H, W) 得到一个通道:(1, H, W)。其他维度数的图像抛出错误。
    `image` 不会被修改。
    """
    # TODO: give a grayscale image a channel, move the channels first (permute), then float32 / 255.
    # TODO: 给灰度图加一个通道维,把通道移到最前面(permute),再转成 float32 并除以 255。
    raise NotImplementedError("to_tensor is not written yet / to_tensor 还没有完成")


def normalize(x: Tensor, mean: Sequence[float], std: Sequence[float]) -> Tensor:
    """`(x[c] - mean[c]) / std[c]` for each channel c of a (C, H, W) tensor, in x's dtype; `x` is not changed.

    `mean` and `std` hold one number per channel, used at x's precision.
    Autograd records the computation: when x requires grad, gradients flow back to it.

    对形状为 (C, H, W) 的张量的每个通道 c 计算 `(x[c] - mean[c]) / std[c]`,保持 x 的 dtype;`x` 不会被修改。
    `mean` 和 `std` 每个通道一个数,按 x 的精度使用。
    自动求导会记录这次计算:x 需要梯度时,梯度会传回 x。
    """
    # TODO: shape mean and std as (C, 1, 1) tensors of x dtype, so that they broadcast over each channel.
    # TODO: 把 mean 和 std 变成 x 的 dtype、形状为 (C, 1, 1) 的张量,使它们按通道广播。
    raise NotImplementedError("normalize is not written yet / normalize 还没有完成")


def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    """float32 one-hot rows, shape (N, num_classes), for int64 `labels` of shape (N,), made with `scatter_`.

    Row i is all zeros except a 1.0 in column `labels[i]`. A label outside `[0, num_classes)` raises an
    error. `labels` is not changed.

    用 `scatter_` 为形状为 (N,) 的 int64 `labels` 生成形状为 (N, num_classes) 的 float32 独热行。
    第 i 行除第 `labels[i]` 列为 1.0 外全为 0。标签不在 `[0, num_classes)` 中时抛出错误。`labels` 不会被修改。
    """
    # TODO: start from zeros (N, num_classes) and scatter_ 1.0 into column labels[i] of each row i.
    # TODO: 从形状为 (N, num_classes) 的全零张量开始,用 scatter_ 在每行 i 的第 labels[i] 列写入 1.0。
    raise NotImplementedError("one_hot is not written yet / one_hot 还没有完成")

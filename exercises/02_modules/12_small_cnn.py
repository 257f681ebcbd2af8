"""A small convolutional network for the quickstart's 28x28 images.

EN: The quickstart classifies FashionMNIST images, shape (N, 1, 28, 28), with
Linear layers only. A convolutional network keeps the 2-d layout: each
`nn.Conv2d` slides small filters over the image, `nn.MaxPool2d(2)` halves
height and width, and `nn.Flatten()` turns the last feature maps into one
vector per image for a final Linear layer. Build, in this order:
Conv2d(1, 8, kernel_size=3, padding=1) -> ReLU -> MaxPool2d(2)
-> Conv2d(8, 16, kernel_size=3, padding=1) -> ReLU -> MaxPool2d(2)
-> Flatten -> Linear(16 * 7 * 7, num_classes). Shapes: (N, 1, 28, 28) ->
(N, 8, 14, 14) -> (N, 16, 7, 7) -> (N, 784) -> (N, num_classes). `forward`
returns the logits (no softmax: `nn.CrossEntropyLoss` applies log-softmax
itself). `feature_shape(model, height, width)` returns the shape of the
feature maps that reach Flatten for one (1, 1, height, width) image, as a
tuple, computed by running the two convolution stages (no gradients, the
model's mode and parameters unchanged).

中文: 快速入门只用 Linear 层对 FashionMNIST 图像(形状 (N, 1, 28, 28))分类。卷积网络保留二维布局:
每个 `nn.Conv2d` 在图像上滑动小的卷积核,`nn.MaxPool2d(2)` 把高和宽减半,`nn.Flatten()` 把最后的特征图
变成每张图像一个向量,交给最后的 Linear 层。按此顺序构建:
Conv2d(1, 8, kernel_size=3, padding=1) -> ReLU -> MaxPool2d(2)
-> Conv2d(8, 16, kernel_size=3, padding=1) -> ReLU -> MaxPool2d(2)
-> Flatten -> Linear(16 * 7 * 7, num_classes)。形状:(N, 1, 28, 28) ->
(N, 8, 14, 14) -> (N, 16, 7, 7) -> (N, 784) -> (N, num_classes)。`forward`
返回 logits(不要 softmax:`nn.CrossEntropyLoss` 自己会做 log-softmax)。
`feature_shape(model, height, width)` 返回一张 (1, 1, height, width) 图像到达 Flatten 时特征图的形状(元组),
通过运行两个卷积阶段计算(不计算梯度,不改变模型的模式和参数)。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor, nn


class SmallCNN(nn.Module):
    """Two conv -> ReLU -> max-pool stages, then Flatten and a Linear layer to num_classes logits."""

    def __init__(self, num_classes: int = 10) -> None:
        super().__init__()
        # TODO: self.features = nn.Sequential(conv, ReLU, MaxPool2d(2), conv, ReLU, MaxPool2d(2));
        # self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 7 * 7, num_classes)).
        # TODO: self.features = nn.Sequential(卷积, ReLU, MaxPool2d(2), 卷积, ReLU, MaxPool2d(2));
        # self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(16 * 7 * 7, num_classes))。
        raise NotImplementedError("SmallCNN.__init__ is not written yet / SmallCNN.__init__ 还没有完成")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: return self.classifier(self.features(x))
        # TODO: return self.classifier(self.features(x))
        raise NotImplementedError("SmallCNN.forward is not written yet / SmallCNN.forward 还没有完成")


def feature_shape(model: SmallCNN, height: int, width: int) -> tuple[int, ...]:
    """The shape of the feature maps reaching Flatten for one (1, 1, height, width) image."""
    # TODO: with torch.no_grad(): run the two conv stages on torch.zeros(1, 1, height, width); return tuple(out.shape).
    # TODO: 在 torch.no_grad() 中对 torch.zeros(1, 1, height, width) 运行两个卷积阶段;返回 tuple(out.shape)。
    raise NotImplementedError("feature_shape is not written yet / feature_shape 还没有完成")

"""Memory format: channels_last for convolutions.

EN: A 4-D batch has the shape (N, C, H, W) whatever its *memory format*: the
format only says in which order the numbers sit in memory, which you see in
`x.stride()`. The default (`torch.contiguous_format`) stores each channel's
image row by row; `torch.channels_last` stores, for each pixel, all its
channels side by side (like NHWC), which convolution kernels on many CPUs and
GPUs run faster on. The shape does not change, only the strides:
`x.contiguous(memory_format=torch.channels_last)` (or `x.to(memory_format=...)`)
gives such a copy, and `model.to(memory_format=torch.channels_last)` converts a
model's 4-D weights in place. A convolution given channels_last keeps it: its
output is channels_last too.

中文: 4 维批次的形状总是 (N, C, H, W),与它的 *内存格式* 无关:格式只说明数字在内存中的
排列顺序,可以从 `x.stride()` 看出来。默认格式(`torch.contiguous_format`)逐行存放每个
通道的图像;`torch.channels_last` 则把每个像素的所有通道放在一起(类似 NHWC),许多 CPU
和 GPU 上的卷积在这种格式下更快。形状不变,只有步幅改变:
`x.contiguous(memory_format=torch.channels_last)`(或 `x.to(memory_format=...)`)得到这样的
副本,`model.to(memory_format=torch.channels_last)` 原地转换模型的 4 维权重。卷积的输入是
channels_last 时,输出也保持 channels_last。

- Not `x.permute(0, 2, 3, 1)`: that changes the shape to (N, H, W, C).
- 不要用 `x.permute(0, 2, 3, 1)`:那会把形状变成 (N, H, W, C)。
"""

import torch  # noqa: F401 (you will use it / 你会用到它)
from torch import Tensor, nn


def to_channels_last(model: nn.Module, x: Tensor) -> tuple[nn.Module, Tensor]:
    """The model and the batch x (N, C, H, W), both in channels_last memory format.

    The model is converted in place and returned (the same object). The batch comes back with
    x's shape, values and dtype, channels_last-contiguous, still attached to x's graph; x itself
    is left as it was. channels_last needs a 4-D x: for any other rank, let torch's error reach
    the caller.

    返回 channels_last 内存格式的模型和批次 x(N, C, H, W)。
    模型原地转换后返回(同一个对象)。返回的批次与 x 形状、数值和 dtype 相同,按 channels_last
    连续存放,仍连接在 x 的计算图上;x 本身保持原样。channels_last 需要 4 维的 x:
    其他维度数时,让 torch 的错误传给调用者。
    """
    # TODO: model.to(memory_format=torch.channels_last) converts the model in place and returns it.
    # TODO: x.contiguous(memory_format=torch.channels_last) gives the batch; return both.
    # TODO: model.to(memory_format=torch.channels_last) 原地转换模型并返回它。
    # TODO: x.contiguous(memory_format=torch.channels_last) 得到批次;两者一起返回。
    raise NotImplementedError("to_channels_last is not written yet / to_channels_last 还没有完成")

"""Run a model wherever it lives.

EN: Why devices matter: a tensor lives on one device (the CPU, or an
accelerator such as a CUDA GPU). Operations need all their tensors on the same
device, and the GPU is only fast when the data is already there, so good code
moves each batch once and keeps the model where it is. `torch.accelerator`
(PyTorch >= 2.6) asks about *whatever* accelerator this machine has (CUDA, MPS,
XPU...); `torch.cuda` asks about NVIDIA GPUs only.

中文: 为什么设备很重要:张量存放在某个设备上(CPU,或 CUDA GPU 等加速器)。一次运算
要求所有张量在同一设备上;而且只有数据已经在 GPU 上时 GPU 才快,所以好的代码每个批次只
搬运一次,模型保持不动。`torch.accelerator`(PyTorch >= 2.6)询问本机拥有的 *任何*
加速器(CUDA、MPS、XPU……);`torch.cuda` 只针对 NVIDIA GPU。

No GPU? The checks still grade this file: the `meta` device stands in for an
accelerator. 没有 GPU?评分照常进行:检查会用 `meta` 设备代替加速器。

"Expected all tensors to be on the same device" is the most common device
error: the model's weights are on the GPU and the input is still on the CPU.
Task: `predict(model, x)` moves `x` to the model's device (read it from the
model's parameters — don't guess), runs the model without building a graph, and
returns the result on the CPU.
"Expected all tensors to be on the same device" 是最常见的设备错误:模型权重在 GPU 上,输入
却还在 CPU 上。任务:`predict(model, x)` 把 `x` 移到模型所在的设备(从模型参数读取,不要
猜),在不构建计算图的情况下运行模型,并把结果放回 CPU 返回。
"""

import torch
from torch import Tensor, nn


def predict(model: nn.Module, x: Tensor) -> Tensor:
    """model(x) computed on the model's device, returned on the CPU.

    在模型所在设备上计算 model(x),结果返回到 CPU。
    """
    # TODO: device = next(model.parameters()).device; move x; run under torch.no_grad(); return .cpu().
    # TODO: device = next(model.parameters()).device;移动 x;在 torch.no_grad() 中运行;返回 .cpu()。
    raise NotImplementedError("predict is not written yet / predict 还没有完成")

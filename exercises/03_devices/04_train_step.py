"""One training step on a device.

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

Task: `train_step(model, batch, loss_fn, optimizer, device)` moves both the
inputs `X` and the targets `y` of `batch = (X, y)` to `device`, runs the
forward pass, the loss, `backward()`, `optimizer.step()` and
`optimizer.zero_grad()`, and returns the loss as a Python float
(`loss.item()`), which is what you log.
任务:`train_step` 把 `batch = (X, y)` 中的输入 `X` 和目标 `y` 都移到 `device`,
执行前向传播、计算损失、`backward()`、`optimizer.step()` 和 `optimizer.zero_grad()`,
并以 Python float(`loss.item()`)返回损失,方便记录日志。
"""

import torch
from torch import Tensor, nn


def train_step(
    model: nn.Module,
    batch: tuple[Tensor, Tensor],
    loss_fn: nn.Module,
    optimizer: torch.optim.Optimizer,
    device: torch.device | str,
) -> float:
    """One optimisation step on one batch; returns the batch loss as a float.

    对一个批次做一步优化;以 float 返回该批次的损失。
    """
    # TODO: X, y = batch; move both; pred = model(X); loss = loss_fn(pred, y); backward; step; zero_grad.
    # TODO: X, y = batch;两者都要移动;pred = model(X);loss = loss_fn(pred, y);backward;step;zero_grad。
    raise NotImplementedError("train_step is not written yet / train_step 还没有完成")

"""Pick the device to train on.

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

Task: return the current accelerator as a `torch.device` when
`torch.accelerator.is_available()`, else `torch.device("cpu")` — like the
quickstart's `torch.accelerator.current_accelerator().type if ... else "cpu"`.
任务:若 `torch.accelerator.is_available()`,返回当前加速器(`torch.device`),否则返回 CPU。
"""

import torch


def pick_device() -> torch.device:
    """The device to use: the current accelerator if there is one, else the CPU.

    要使用的设备:有加速器就用当前加速器,否则用 CPU。
    """
    # TODO: ask torch.accelerator; never hard-code "cuda"; return a torch.device, not a string.
    # TODO: 询问 torch.accelerator;不要写死 "cuda";返回 torch.device,而不是字符串。
    raise NotImplementedError("pick_device is not written yet / pick_device 还没有完成")

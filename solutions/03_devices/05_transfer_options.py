"""Cheaper transfers: one `.to` call, pinned memory, non_blocking copies.

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

- `x.to(device, dtype)` converts and moves in a single copy; `x.to(device).to(dtype)`
  makes two.
- Copies from *pinned* (page-locked) host memory to a CUDA GPU can run
  asynchronously with `non_blocking=True`. Pinning needs an accelerator: on a
  machine without one, `pin_memory()` raises, so only pin when the target is CUDA.
- `x.to(device, dtype)` 一次拷贝就完成转换和搬运;`x.to(device).to(dtype)` 会拷贝两次。
- 从 *锁页*(pinned)内存拷贝到 CUDA GPU 时,可以用 `non_blocking=True` 异步进行。
  锁页需要加速器:没有加速器时 `pin_memory()` 会报错,所以只在目标是 CUDA 时才锁页。
"""

import torch
from torch import Tensor


def to_device_as(x: Tensor, device: torch.device | str, dtype: torch.dtype) -> Tensor:
    """x on device with dtype, in a single copy.

    一次拷贝得到位于 `device`、类型为 `dtype` 的 x。
    """
    return x.to(device, dtype)


def pinned_to(x: Tensor, device: torch.device | str) -> Tensor:
    """Copy x to device; for a CUDA target, from pinned memory with non_blocking=True.

    把 x 拷贝到 `device`;目标是 CUDA 时,先锁页,再用 non_blocking=True 拷贝。
    """
    if torch.device(device).type == "cuda":
        return x.pin_memory().to(device, non_blocking=True)
    return x.to(device)

"""Move a whole batch, however it is nested.

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

Task: `to_device(obj, device)` returns a copy of `obj` in which every tensor,
at any depth inside dicts, lists, tuples and namedtuples, is on `device`.
Containers keep their type (a namedtuple stays that namedtuple, an OrderedDict
stays an OrderedDict), other values (a module too) are kept as they are, and the
input is not modified.
任务:`to_device(obj, device)` 返回 `obj` 的副本,其中任意深度的 dict、list、tuple、
namedtuple 里的张量都在 `device` 上。容器保持原类型(namedtuple 仍是那个 namedtuple,OrderedDict
仍是 OrderedDict),其他值(包括模块)保持不变,输入不被修改。
"""

from typing import Any

import torch


def to_device(obj: Any, device: torch.device | str) -> Any:
    """Return obj with every tensor inside it moved to device.

    返回 obj,其中的每个张量都移动到 `device`。
    """
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, dict):
        return type(obj)((key, to_device(value, device)) for key, value in obj.items())
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # a namedtuple
        return type(obj)(*(to_device(value, device) for value in obj))
    if isinstance(obj, tuple | list):
        return type(obj)(to_device(value, device) for value in obj)
    return obj

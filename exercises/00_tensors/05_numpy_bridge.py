"""The NumPy bridge: shared memory between tensors and arrays.

EN: On the CPU a tensor and a NumPy array can share one block of memory. `x.numpy()`
returns an array that is x's memory — write into it and `x` changes — and keeps x's
dtype; it refuses a tensor that requires grad, so call `x.detach().numpy()` (detach shares
memory too). `torch.from_numpy(a)` (or `torch.as_tensor(a)`) is the way back, again
without a copy and with a's dtype: NumPy's default float64 stays float64. `torch.tensor(a)`
and `np.array(x)` copy, and so does any dtype change such as `.float()`.

中文: 在 CPU 上,张量和 NumPy 数组可以共享同一块内存。`x.numpy()` 返回的数组就是 x 的内存——写入它,
`x` 也会改变——并保持 x 的数据类型;它不接受需要梯度的张量,所以要写 `x.detach().numpy()`(detach
也共享内存)。反方向用 `torch.from_numpy(a)`(或 `torch.as_tensor(a)`),同样不复制,并保持 a 的数据类型:
NumPy 默认的 float64 仍是 float64。`torch.tensor(a)` 和 `np.array(x)` 会复制,`.float()` 这类改变数据类型的
操作也会复制。
"""

import numpy as np
import torch  # noqa: F401 - yours to use
from torch import Tensor


def to_numpy(x: Tensor) -> np.ndarray:
    """Return a NumPy array that shares the CPU tensor x's memory: same shape, dtype and values.

    Works when `x` requires grad, and for any shape, 0-d, empty and transposed included.
    返回与 CPU 张量 `x` 共享内存的 NumPy 数组:形状、数据类型和数值都相同。
    `x` 需要梯度时也要能处理,任何形状都可以,包括 0 维、空张量和转置后的张量。
    """
    # TODO: cut x from the graph (without copying), then take its NumPy view.
    # TODO: 先(不复制地)把 x 从计算图中分离,再取它的 NumPy 视图。
    raise NotImplementedError("to_numpy is not written yet / to_numpy 还没有完成")


def from_numpy(a: np.ndarray) -> Tensor:
    """Return a tensor that shares the NumPy array a's memory: same shape, dtype and values.

    `a` may be float64 (NumPy's default), float32, int64 or int32, and strided (every other element).
    返回与 NumPy 数组 `a` 共享内存的张量:形状、数据类型和数值都相同。
    `a` 可以是 float64(NumPy 的默认类型)、float32、int64 或 int32,也可以是跨步的(隔一个元素取一个)。
    """
    # TODO: one call that wraps a's memory in a tensor.
    # TODO: 用一个调用把 a 的内存包装成张量。
    raise NotImplementedError("from_numpy is not written yet / from_numpy 还没有完成")

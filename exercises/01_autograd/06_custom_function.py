"""Your own autograd operation: `torch.autograd.Function`.

EN: A custom Function has a `forward` that computes the result and a
`backward` that receives `grad_output` (dLoss/dOutput) and returns
dLoss/dInput = grad_output * dOutput/dInput. Tensors needed by `backward` are
stored with `ctx.save_for_backward(...)` and read back from `ctx.saved_tensors`.
Call it as `Cube.apply(x)`.

中文: 自定义 Function 有两个静态方法:`forward` 计算结果;`backward` 接收 `grad_output`
(损失对输出的梯度),返回损失对输入的梯度 = grad_output * 输出对输入的导数。
`backward` 需要的张量用 `ctx.save_for_backward(...)` 保存,再从 `ctx.saved_tensors` 取回。
用 `Cube.apply(x)` 调用它。
"""

import torch
from torch import Tensor


class Cube(torch.autograd.Function):
    """y = x**3, with dy/dx = 3 * x**2."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        # TODO: save what backward needs with ctx.save_for_backward, return x**3.
        # TODO: 用 ctx.save_for_backward 保存 backward 需要的张量,返回 x**3。
        raise NotImplementedError("Cube.forward is not written yet / Cube.forward 还没有完成")

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tensor:
        # TODO: read ctx.saved_tensors and return grad_output * 3 * x**2.
        # TODO: 读取 ctx.saved_tensors,返回 grad_output * 3 * x**2。
        raise NotImplementedError("Cube.backward is not written yet / Cube.backward 还没有完成")

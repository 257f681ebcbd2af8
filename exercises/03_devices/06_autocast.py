"""Mixed precision with autocast: bfloat16 inside the region, float32 outside.

EN: `torch.autocast(device_type, dtype=...)` opens a *region* in which some
operations run in a lower precision: on the CPU, `dtype=torch.bfloat16`.
Inside it, layers such as `nn.Linear` and `nn.Conv2d` (matrix multiplies,
convolutions) give bfloat16 tensors; operations that need range and
precision (`mse_loss`, `cross_entropy`, `layer_norm`) keep float32. Autocast casts *copies*: the model's parameters stay float32, and
the gradients that `backward()` writes into them are float32 too. Leave the
region with the `with` block once the forward pass is done.

中文: `torch.autocast(device_type, dtype=...)` 打开一个 *区域*,区域里的部分运算以
较低的精度执行:在 CPU 上用 `dtype=torch.bfloat16`。在区域内,`nn.Linear`、`nn.Conv2d`
这类层(矩阵乘法、卷积)得到 bfloat16 张量;需要数值范围和精度的运算(`mse_loss`、
`cross_entropy`、`layer_norm`)仍用 float32。autocast 转换的是 *副本*:模型的参数仍是 float32,
`backward()` 写入的梯度也是 float32。前向传播结束后,用 `with` 块离开这个区域。

- `with torch.autocast("cpu", dtype=torch.bfloat16): out = model(x)`
- The loss is float32: compute it from `out.float()` (or let `mse_loss` do it).
- Don't call `model.bfloat16()` / `model.to(torch.bfloat16)`: that changes the weights themselves.
- 损失是 float32:用 `out.float()` 计算(或让 `mse_loss` 自己处理)。
- 不要调用 `model.bfloat16()` / `model.to(torch.bfloat16)`:那会改变权重本身。
"""

import torch  # noqa: F401 (you will use it / 你会用到它)
from torch import Tensor, nn


def autocast_loss(model: nn.Module, x: Tensor, y: Tensor) -> Tensor:
    """The mean squared error of model(x) against y, the forward pass under CPU autocast (bfloat16).

    Returns a float32 0-d tensor attached to the graph, so that loss.backward() fills the
    float32 parameters' .grad. The model's parameters, x and y are left as they were, and
    autocast is off again after the call.

    返回 model(x) 与 y 的均方误差,前向传播在 CPU autocast(bfloat16)区域内进行。
    返回连接在计算图上的 float32 0 维张量,这样 loss.backward() 会填好 float32 参数的 .grad。
    模型参数、x 和 y 保持原样,调用结束后 autocast 重新关闭。
    """
    # TODO: with torch.autocast("cpu", dtype=torch.bfloat16): run the model on x.
    # TODO: outside the region, return nn.functional.mse_loss(out.float(), y).
    # TODO: 在 with torch.autocast("cpu", dtype=torch.bfloat16): 中对 x 运行模型。
    # TODO: 在区域外返回 nn.functional.mse_loss(out.float(), y)。
    raise NotImplementedError("autocast_loss is not written yet / autocast_loss 还没有完成")

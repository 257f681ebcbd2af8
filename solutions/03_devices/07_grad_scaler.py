"""Loss scaling with GradScaler: scale, backward, unscale, clip, step, update.

EN: In float16, small gradients *underflow* to zero. A `GradScaler` multiplies
the loss by a large *scale* before `backward()`, so the gradients are large
enough to survive, and divides them back before the optimizer uses them. When
the scaled gradients overflow (inf or NaN), `scaler.step(optimizer)` skips the
step, and `scaler.update()` lowers the scale (it raises it again after
`growth_interval` good steps). The order matters:

    scaler.scale(loss).backward()     # gradients are scaled
    scaler.unscale_(optimizer)        # now they are the true gradients: clip them here
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    scaler.step(optimizer)            # skipped if a gradient is inf/NaN
    scaler.update()                   # a new scale for the next step

On a machine without a GPU the same API works with `torch.amp.GradScaler("cpu")`.

中文: 在 float16 中,很小的梯度会 *下溢* 为零。`GradScaler` 在 `backward()` 之前把损失
乘以一个很大的 *缩放因子*,让梯度大到能保留下来,再在优化器使用前把它们除回去。缩放后的
梯度溢出(inf 或 NaN)时,`scaler.step(optimizer)` 跳过这一步,`scaler.update()` 降低
缩放因子(连续 `growth_interval` 次正常后又会提高它)。顺序很重要:先 scale 再 backward,
然后 unscale_(此时梯度是真实值,在这里裁剪),再 step,最后 update。没有 GPU 的机器上,
同样的 API 可以通过 `torch.amp.GradScaler("cpu")` 使用。
"""

import torch
from torch import Tensor, nn


def scaled_step(model: nn.Module, optimizer: torch.optim.Optimizer, scaler: torch.amp.GradScaler,
                x: Tensor, y: Tensor, max_norm: float) -> float:
    """One training step with loss scaling, the gradients clipped to max_norm; returns the loss as a float.

    Clear the old gradients first; the loss is nn.functional.mse_loss(model(x), y) (float32). The
    gradients are clipped *unscaled* (their true values), and the scaler decides whether to step
    and updates its scale. Returns loss.item() of the unscaled loss.

    带损失缩放的一步训练,梯度裁剪到 max_norm;以 float 返回损失。
    先清空旧梯度;损失为 nn.functional.mse_loss(model(x), y)(float32)。在 *反缩放* 之后
    (真实梯度上)裁剪,由 scaler 决定是否执行这一步并更新缩放因子。返回未缩放损失的 loss.item()。
    """
    optimizer.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)
    nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    scaler.step(optimizer)
    scaler.update()
    return loss.item()

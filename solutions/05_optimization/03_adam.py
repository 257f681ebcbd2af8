"""Adam, by hand, exactly as `torch.optim.Adam` does it.

EN: Adam keeps two running averages per parameter: of the gradient
(`exp_avg`, the first moment) and of its square (`exp_avg_sq`, the second
moment). At step `t` (1, 2, 3, ...), with `g = p.grad` (plus `weight_decay * p`):
- `exp_avg = beta1 * exp_avg + (1 - beta1) * g`;
- `exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g`;
- both start at zero, so early averages are too small: divide them by
  `1 - beta1 ** t` and `1 - beta2 ** t` (bias correction);
- `p -= lr * m_hat / (sqrt(v_hat) + eps)`, with `eps` added after the square root.
Weight decay here is Adam's (L2 added to the gradient), not AdamW's (decoupled).

中文: Adam 为每个参数保存两个滑动平均:梯度的平均(`exp_avg`,一阶矩)和梯度平方的平均
(`exp_avg_sq`,二阶矩)。在第 `t` 步(1、2、3……),令 `g = p.grad`(再加上 `weight_decay * p`):
- `exp_avg = beta1 * exp_avg + (1 - beta1) * g`;
- `exp_avg_sq = beta2 * exp_avg_sq + (1 - beta2) * g * g`;
- 两者都从零开始,所以前几步的平均值偏小:分别除以 `1 - beta1 ** t` 和 `1 - beta2 ** t`(偏差修正);
- `p -= lr * m_hat / (sqrt(v_hat) + eps)`,`eps` 加在开平方之后。
这里的权重衰减是 Adam 的(L2 加到梯度上),不是 AdamW 的(解耦的)。
"""

import torch
from torch import Tensor


def adam_step(params: list[Tensor], exp_avgs: list[Tensor], exp_avg_sqs: list[Tensor], step: int, lr: float = 1e-3,
              betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0) -> None:
    """Step number `step` (counted from 1) of Adam over `params`.

    `exp_avgs[i]` and `exp_avg_sqs[i]` are the moments of `params[i]`, tensors of its shape that start
    as zeros; update them in place. Parameters whose `.grad` is None are skipped (their moments stay as
    they were). The parameters are updated in place, not recorded by autograd; their `.grad` is left as it was.

    对 `params` 执行 Adam 的第 `step` 步(从 1 开始计数)。
    `exp_avgs[i]` 和 `exp_avg_sqs[i]` 是 `params[i]` 的两个矩,形状与参数相同,初始为零;请原地更新它们。
    `.grad` 为 None 的参数跳过(它们的矩保持不变)。参数原地更新,不被自动求导记录;参数的 `.grad` 保持不变。
    """
    beta1, beta2 = betas
    with torch.no_grad():
        for p, exp_avg, exp_avg_sq in zip(params, exp_avgs, exp_avg_sqs):
            if p.grad is None:
                continue
            grad = p.grad
            if weight_decay:
                grad = grad + weight_decay * p
            exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
            exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            m_hat = exp_avg / (1 - beta1**step)
            v_hat = exp_avg_sq / (1 - beta2**step)
            p.sub_(lr * m_hat / (v_hat.sqrt() + eps))

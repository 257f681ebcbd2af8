"""SGD with momentum, by hand, exactly as `torch.optim.SGD` does it.

EN: Plain SGD moves each parameter by `-lr * grad`. With momentum, each parameter
keeps a velocity (the "momentum buffer") that remembers past gradients:
- the gradient is `g = p.grad` (plus `weight_decay * p` when weight decay is on);
- on the first step the buffer is a copy of `g`; after that
  `buf = momentum * buf + (1 - dampening) * g`;
- the step uses `buf`, or with Nesterov momentum `g + momentum * buf`;
- `p -= lr * step`, in place, without recording it in the computation graph.
`torch.optim.SGD(params, lr, momentum, dampening, nesterov=..., weight_decay=...)`
does exactly this; here you keep the buffers yourself, in a list.

中文: 普通 SGD 把每个参数移动 `-lr * grad`。加上动量后,每个参数都有一个记住过去梯度的
速度(动量缓冲区):
- 梯度为 `g = p.grad`(使用权重衰减时再加上 `weight_decay * p`);
- 第一步时缓冲区是 `g` 的副本;之后 `buf = momentum * buf + (1 - dampening) * g`;
- 更新量是 `buf`,使用 Nesterov 动量时是 `g + momentum * buf`;
- 原地执行 `p -= lr * step`,并且不记录到计算图中。
`torch.optim.SGD(params, lr, momentum, dampening, nesterov=..., weight_decay=...)` 正是这样做的;
这里由你自己在一个列表中保存缓冲区。
"""

import torch
from torch import Tensor


def sgd_momentum_step(params: list[Tensor], buffers: list[Tensor | None], lr: float, momentum: float,
                      dampening: float = 0.0, nesterov: bool = False, weight_decay: float = 0.0) -> None:
    """One step of SGD with momentum over `params`; `buffers[i]` is the momentum buffer of `params[i]`.

    `buffers[i]` is None before the first step of `params[i]`: store a new tensor there (a copy, never
    `p.grad` itself, which the caller may clear in place). Later steps update `buffers[i]`. Parameters
    whose `.grad` is None are skipped (their buffer stays as it was). The parameters are updated in
    place, not recorded by autograd; their `.grad` is left as it was. `nesterov=True` with a
    `dampening` other than 0 raises ValueError (as torch.optim.SGD does) and changes nothing.

    对 `params` 执行一步带动量的 SGD;`buffers[i]` 是 `params[i]` 的动量缓冲区。
    `params[i]` 第一次更新之前 `buffers[i]` 为 None:在那里存一个新张量(副本,不能是 `p.grad` 本身,
    调用者可能会原地清零它)。之后的步骤更新 `buffers[i]`。`.grad` 为 None 的参数跳过(其缓冲区保持不变)。
    参数原地更新,不被自动求导记录;参数的 `.grad` 保持不变。`nesterov=True` 且 `dampening` 不为 0 时
    抛出 ValueError(与 torch.optim.SGD 一样),并且不做任何修改。
    """
    if nesterov and dampening != 0:
        raise ValueError("nesterov momentum needs dampening=0")
    with torch.no_grad():
        for i, p in enumerate(params):
            if p.grad is None:
                continue
            d_p = p.grad
            if weight_decay:
                d_p = d_p + weight_decay * p
            if buffers[i] is None:
                buffers[i] = d_p.clone()
            else:
                buffers[i].mul_(momentum).add_(d_p, alpha=1 - dampening)
            if nesterov:
                d_p = d_p + momentum * buffers[i]
            else:
                d_p = buffers[i]
            p.sub_(lr * d_p)

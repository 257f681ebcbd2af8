"""Parameter groups: a different learning rate and weight decay for different parameters.

EN: An optimizer takes a list of *parameter groups*, each a dict with its own
"params" and its own settings: `torch.optim.AdamW([{"params": a, "lr": 1e-3},
{"params": b, "lr": 1e-2}])`. Two common uses:
- a new head trained faster than a pretrained body (fine-tuning);
- no weight decay for biases and normalization weights (the parameters with
  one dimension): decaying them toward zero only hurts.
Every trainable parameter must be in exactly one group; frozen parameters
(`requires_grad=False`) are left out.

中文: 优化器接受一个*参数组*列表,每个参数组是一个 dict,带有自己的 "params" 和自己的设置:
`torch.optim.AdamW([{"params": a, "lr": 1e-3}, {"params": b, "lr": 1e-2}])`。两种常见用法:
- 新加的输出头比预训练模型的主体学得更快(微调);
- 偏置和归一化层的权重(只有一个维度的参数)不做权重衰减:把它们衰减到零只有坏处。
每个可训练的参数必须恰好属于一个参数组;冻结的参数(`requires_grad=False`)不放进去。
"""

from torch import nn


def param_groups(model: nn.Module, lr: float, head_lr: float, weight_decay: float) -> list[dict]:
    """Parameter groups for `torch.optim` built from `model`, which has a submodule `model.head`.

    Each group is a dict with "params" (a list of parameters), "lr" and "weight_decay", all three set.
    Parameters of `model.head` get `head_lr`, all others `lr`. Parameters with two or more dimensions
    (weights) get `weight_decay`; those with fewer (biases, normalization weights) get 0.0. Every
    parameter that requires grad is in exactly one group (a parameter shared by two modules, once);
    frozen parameters are in none. Leave out empty groups. The model is left as it was. A model without
    `model.head` raises AttributeError (a silent fallback would never use `head_lr`).

    从 `model` 构造 `torch.optim` 使用的参数组;`model` 有一个子模块 `model.head`。
    每个参数组是一个 dict,包含 "params"(参数列表)、"lr" 和 "weight_decay",三者都要设置。
    `model.head` 的参数使用 `head_lr`,其余参数使用 `lr`。两个及以上维度的参数(权重)使用
    `weight_decay`;更少维度的参数(偏置、归一化层的权重)使用 0.0。每个需要梯度的参数恰好属于一个参数组
    (被两个模块共享的参数也只出现一次);冻结的参数不属于任何参数组。不要返回空的参数组。模型保持不变。没有 `model.head` 的模型抛出 AttributeError
    (默默地退而求其次就永远用不上 `head_lr`)。
    """
    head = {id(p) for p in model.head.parameters()}
    groups: dict[tuple[float, float], list[nn.Parameter]] = {}
    for p in model.parameters():
        if not p.requires_grad:
            continue
        settings = (head_lr if id(p) in head else lr, weight_decay if p.dim() >= 2 else 0.0)
        groups.setdefault(settings, []).append(p)
    return [{"params": params, "lr": group_lr, "weight_decay": decay} for (group_lr, decay), params in groups.items()]

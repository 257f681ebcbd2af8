"""Cross-entropy from log_softmax: reduction, class weights, label smoothing.

EN: `nn.CrossEntropyLoss` is `log_softmax` followed by the negative log-likelihood
of the right class (`nll_loss`): never apply `softmax` and then `log` yourself
(it overflows), and never give it probabilities. Write it from `log_softmax`:
- per sample, the loss is `-log_probs[target]`;
- `weight[c]` scales the loss of samples whose target is class `c`; with
  `reduction="mean"` the sum is then divided by the sum of the weights of the
  targets, not by the number of samples;
- `label_smoothing=s` mixes the target with a uniform distribution:
  `(1 - s) * nll + s * smooth`, where `smooth` is minus the mean of the log
  probabilities over the classes (each class weighted by `weight[c]` when given).

中文: `nn.CrossEntropyLoss` 就是 `log_softmax` 加上正确类别的负对数似然(`nll_loss`):
不要自己先 `softmax` 再取 `log`(会溢出),也不要把概率传给它。请从 `log_softmax` 写起:
- 每个样本的损失是 `-log_probs[target]`;
- `weight[c]` 放大或缩小目标为类别 `c` 的样本的损失;`reduction="mean"` 时,总和要除以
  各样本目标类别的权重之和,而不是样本数;
- `label_smoothing=s` 把目标与均匀分布混合:`(1 - s) * nll + s * smooth`,其中 `smooth`
  是各类别对数概率的平均值的相反数(给了 `weight` 时每个类别乘以 `weight[c]`)。
"""

import torch
from torch import Tensor


def cross_entropy(logits: Tensor, target: Tensor, weight: Tensor | None = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """The same as `torch.nn.functional.cross_entropy` for class-index targets, written from log_softmax.

    `logits` has shape (N, C) (or (C,) for one sample with a 0-d `target`); `target` holds class
    indices (int64); `weight`, when given, has shape (C,). `reduction` is "mean", "sum" or "none"
    (per-sample losses); any other value raises ValueError. The inputs are left as they were, and
    the loss is differentiable with respect to `logits`.

    与 `torch.nn.functional.cross_entropy`(目标为类别下标时)相同,但从 log_softmax 写起。
    `logits` 的形状为 (N, C)(单个样本时为 (C,),`target` 为 0 维);`target` 是类别下标(int64);
    给出 `weight` 时其形状为 (C,)。`reduction` 取 "mean"、"sum" 或 "none"(每个样本的损失),
    其他取值抛出 ValueError。输入保持不变,损失对 `logits` 可求导。
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
    log_probs = logits.log_softmax(dim=-1)
    nll = -log_probs.gather(-1, target.unsqueeze(-1)).squeeze(-1)
    if weight is None:
        weights = torch.ones_like(nll)
        smooth = -log_probs.mean(dim=-1)
    else:
        weights = weight[target]
        nll = nll * weights
        smooth = -(log_probs * weight).sum(dim=-1) / logits.shape[-1]
    loss = (1 - label_smoothing) * nll + label_smoothing * smooth
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.sum() / weights.sum()

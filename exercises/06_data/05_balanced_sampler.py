"""A class-balanced WeightedRandomSampler: rare classes drawn as often as common ones.

EN: When one class has 900 samples and another 100, a model can score 90 % by
always answering the first. A `WeightedRandomSampler` fixes the batches instead
of the loss: it draws sample indices with probabilities proportional to their
weights. Give each sample the weight `1 / (number of samples of its class)`:
every class then has the same total weight, so on average each class fills the
same share of every batch. Drawing *with replacement* lets the rare samples come
back more than once per epoch. Pass it as `DataLoader(dataset, sampler=...)`
(instead of `shuffle=True`).

中文: 当一个类别有 900 个样本、另一个只有 100 个时,模型总是回答第一个类别就能得到 90% 的准确率。
`WeightedRandomSampler` 从批次入手而不是从损失入手:它按与权重成正比的概率抽取样本下标。
给每个样本的权重设为 `1 / (它所属类别的样本数)`:每个类别的总权重就相同,于是平均而言,每个类别在
每个批次中所占的份额相同。*有放回*地抽样让稀有样本在一轮中可以出现不止一次。用法:
`DataLoader(dataset, sampler=...)`(代替 `shuffle=True`)。
"""

import torch
from torch import Tensor
from torch.utils.data import WeightedRandomSampler


def balanced_sampler(labels: Tensor, num_samples: int, generator: torch.Generator | None = None) -> WeightedRandomSampler:
    """A WeightedRandomSampler that draws `num_samples` indices, every class equally likely.

    `labels` is an int64 tensor (N,) of class ids >= 0; some ids may never occur. Sample i's weight is
    `1 / (number of samples whose label is labels[i])`, so the weights of each class add up to 1. It
    draws with replacement, its random numbers come from `generator`, and `labels` is not changed.

    返回一个抽取 `num_samples` 个下标、每个类别概率相同的 WeightedRandomSampler。
    `labels` 是形状为 (N,)、类别编号 >= 0 的 int64 张量;有些编号可能从未出现。样本 i 的权重是
    `1 / (标签等于 labels[i] 的样本数)`,于是每个类别的权重之和为 1。它有放回地抽样,随机数来自
    `generator`,且不修改 `labels`。
    """
    # TODO: count the samples of each class, give each sample 1 / (its class count), and build the sampler with replacement and the generator.
    # TODO: 统计每个类别的样本数,给每个样本 1 / (它所属类别的样本数) 的权重,再用有放回抽样和 `generator` 创建采样器。
    raise NotImplementedError("balanced_sampler is not written yet / balanced_sampler 还没有完成")

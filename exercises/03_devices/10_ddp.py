"""Distributed data parallel: one model, several processes, each training on its share of the data.

EN: Distributed training with `DistributedDataParallel` (DDP) runs the same
training loop in several processes at once, one per *rank* (0, 1, ...,
world_size - 1), joined in a *process group* (`torch.distributed`; the `gloo`
backend works on CPU). Each rank keeps a full copy of the model and trains on
its own share of the dataset: `DistributedSampler(dataset,
num_replicas=world_size, rank=rank, shuffle=True, seed=seed)` gives rank r
every world_size-th sample of one shuffled order (padding with repeated
samples so every rank gets as many), and `sampler.set_epoch(epoch)` before each
epoch makes a new order (the same on every rank). `DistributedDataParallel(model)`
copies rank 0's parameters to every rank when it wraps the model, and during
`loss.backward()` it *all-reduces* the gradients: every rank ends up with the
average over the ranks, so every optimizer step is the same everywhere and the
copies never drift apart.

中文: 使用 `DistributedDataParallel`(DDP)的分布式训练在几个进程中同时运行同一个训练循环,
每个进程有一个编号 *rank*(0, 1, ..., world_size - 1),它们组成一个 *进程组*
(`torch.distributed`;`gloo` 后端可以在 CPU 上使用)。每个进程都有一份完整的模型,只用数据集中
属于自己的那一份训练:`DistributedSampler(dataset, num_replicas=world_size, rank=rank,
shuffle=True, seed=seed)` 从同一个打乱后的顺序中,把每隔 world_size 个的样本分给编号为 r 的进程
(不够时重复一些样本补齐,使每个进程分到的一样多);每轮开始前调用 `sampler.set_epoch(epoch)`
得到新的顺序(所有进程相同)。`DistributedDataParallel(model)` 包装模型时把 0 号进程的参数复制到
所有进程,并在 `loss.backward()` 中对梯度做 *all-reduce*:每个进程都得到所有进程梯度的平均值,
所以每一步优化在各处都相同,各份模型不会分开。

- The process group is set up by the caller: don't call init_process_group or destroy_process_group here.
- 进程组由调用者建立:这里不要调用 init_process_group 或 destroy_process_group。
"""

import torch  # noqa: F401 (you will use it / 你会用到它)
import torch.nn.functional as F  # noqa: F401
from torch import nn
from torch.nn.parallel import DistributedDataParallel  # noqa: F401
from torch.utils.data import DataLoader, Dataset, DistributedSampler  # noqa: F401


def train_on_rank(model: nn.Module, dataset: Dataset, rank: int, world_size: int, *,
                  epochs: int, batch_size: int, lr: float, seed: int) -> list[float]:
    """Train model with DDP on this rank's share of dataset for `epochs` epochs; return this rank's losses.

    Every rank calls it at the same time with the same arguments except `rank`; the gloo process
    group is already initialized and stays so. The sampler is
    DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed) with its
    other defaults, with sampler.set_epoch(epoch) before each epoch (0, 1, ...); batches come from
    DataLoader(dataset, batch_size=batch_size, sampler=sampler), the last smaller batch kept. Each batch
    (x, y): loss = F.mse_loss(output, y) on the DDP-wrapped model's output, the gradients averaged over
    the ranks, one torch.optim.SGD step with lr (no momentum), gradients cleared between batches.
    Returns this rank's loss of each batch as a float (loss.item()), all epochs in order. `model` itself
    ends up trained, on every rank the same: DDP shares its parameters and starts every rank from rank 0's.

    在本进程分到的那份数据集上用 DDP 训练 model `epochs` 轮,返回本进程的损失。
    所有进程同时调用它,除 `rank` 外参数都相同;gloo 进程组已经初始化,并且保持初始化状态。采样器是
    DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed),其余用默认值,
    每轮(0, 1, ...)开始前调用 sampler.set_epoch(epoch);批次来自
    DataLoader(dataset, batch_size=batch_size, sampler=sampler),保留最后一个较小的批次。每个批次 (x, y):
    对 DDP 包装后模型的输出计算 loss = F.mse_loss(output, y),梯度在各进程间取平均,用 lr 做一步
    torch.optim.SGD(没有动量),批次之间清空梯度。按顺序返回本进程所有轮中每个批次的损失(loss.item(),
    float)。训练的是 `model` 本身,并且在每个进程上都相同:DDP 共享它的参数,并让所有进程从 0 号进程的参数开始。
    """
    # TODO: sampler = DistributedSampler(...); loader = DataLoader(dataset, batch_size=..., sampler=sampler).
    # TODO: 创建采样器 sampler = DistributedSampler(...),以及 loader = DataLoader(dataset, batch_size=..., sampler=sampler)。
    # TODO: wrap the model in DistributedDataParallel, make an SGD optimizer, then for each epoch:
    #       sampler.set_epoch(epoch) and one training step per batch; collect loss.item().
    # TODO: 用 DistributedDataParallel 包装模型,创建 SGD 优化器,然后每一轮:
    #       调用 sampler.set_epoch(epoch),每个批次做一步训练;收集 loss.item()。
    raise NotImplementedError("train_on_rank is not written yet / train_on_rank 还没有完成")

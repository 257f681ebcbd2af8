"""Checkpoint and resume: continue training exactly where it stopped.

EN: A long training run must survive a crash or a time limit. A checkpoint holds everything
the next epoch depends on: the model's `state_dict()`, the optimizer's `state_dict()` (SGD's
momentum buffers, Adam's moments and step counts — without them the first steps after resuming
are different ones), the learning-rate scheduler's `state_dict()` (where it is in its schedule),
the epoch just finished, and the random number generators' states (`torch.get_rng_state()` for
dropout and shuffling, `random.getstate()` for Python's `random`), so that the resumed run draws
the same random numbers the uninterrupted one would have. `state_dict()` returns the live tensors,
not copies: a checkpoint kept in memory must copy them (`copy.deepcopy`), or further training
changes it. Save with `torch.save`, load with `torch.load(path, weights_only=True)` (only
tensors, numbers, strings and containers: a file cannot run code), then `load_state_dict` into
freshly made objects.

中文: 长时间的训练必须能挺过崩溃或时间限制。检查点保存下一轮所依赖的一切:模型的 `state_dict()`、
优化器的 `state_dict()`(SGD 的动量缓冲区、Adam 的矩估计和步数——没有它们,恢复后的头几步就不一样了)、
学习率调度器的 `state_dict()`(它在计划中的位置)、刚刚完成的轮次(epoch),以及随机数生成器的状态
(dropout 和打乱顺序用的 `torch.get_rng_state()`,Python `random` 用的 `random.getstate()`),这样恢复后的
训练抽到的随机数与不中断的训练完全相同。`state_dict()` 返回的是正在使用的张量本身,不是副本:保存在内存中的
检查点必须复制它们(`copy.deepcopy`),否则继续训练会改变它。用 `torch.save` 保存,用
`torch.load(path, weights_only=True)` 加载(只允许张量、数字、字符串和容器:文件无法执行代码),
然后用 `load_state_dict` 载入新建的对象。
"""

import copy
import random
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler


def snapshot(model: nn.Module, optimizer: Optimizer, scheduler: LRScheduler, epoch: int) -> dict[str, Any]:
    """Return a checkpoint of training after `epoch` (the epoch just finished), in memory.

    It holds the states of the model, the optimizer, the scheduler, the epoch and the RNG states
    (torch's default CPU generator and Python's `random`), as copies: training further after the
    call does not change it. How the dict is laid out is yours. Nothing is changed, the RNG states
    included.
    返回 `epoch`(刚刚完成的轮次)之后训练状态的检查点,保存在内存中。
    它包含模型、优化器、调度器的状态,轮次,以及随机数生成器的状态(torch 默认的 CPU 生成器和 Python 的
    `random`),都是副本:调用之后继续训练不会改变它。字典的结构由你决定。不改变任何东西,随机数状态也不变。
    """
    return {
        "model": copy.deepcopy(model.state_dict()),
        "optimizer": copy.deepcopy(optimizer.state_dict()),
        "scheduler": copy.deepcopy(scheduler.state_dict()),
        "epoch": epoch,
        "torch_rng": torch.get_rng_state(),
        "python_rng": random.getstate(),
    }


def restore(checkpoint: dict[str, Any], model: nn.Module, optimizer: Optimizer, scheduler: LRScheduler) -> int:
    """Load a checkpoint made by `snapshot` into the given objects and the RNGs; return the epoch to run next.

    The objects are made by the caller the same way as the saved ones (their own values do not
    matter). After the call, training from the returned epoch (the saved epoch + 1) goes on exactly
    as the saved run did. Training the restored objects does not change the checkpoint: it can be
    restored again (`optimizer.load_state_dict` keeps the very tensors it is given, so give it copies).
    A checkpoint of another model (other parameter names or shapes) raises: `load_state_dict` is strict.
    把 `snapshot` 生成的检查点载入给定的对象和随机数生成器;返回接下来要运行的轮次。
    这些对象由调用者按与保存时相同的方式创建(它们自己的数值无关紧要)。调用之后,从返回的轮次(保存的轮次 + 1)
    开始训练,会与保存时的训练完全一样地继续。训练恢复后的对象不会改变检查点:它可以再次恢复
    (`optimizer.load_state_dict` 会直接使用传给它的张量,所以要传副本)。
    另一个模型的检查点(参数名或形状不同)会报错:`load_state_dict` 是严格的。
    """
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(copy.deepcopy(checkpoint["optimizer"]))
    scheduler.load_state_dict(checkpoint["scheduler"])
    torch.set_rng_state(checkpoint["torch_rng"])
    random.setstate(checkpoint["python_rng"])
    return checkpoint["epoch"] + 1


def save_checkpoint(path: str | Path, model: nn.Module, optimizer: Optimizer, scheduler: LRScheduler, epoch: int) -> None:
    """Write the checkpoint of `snapshot` to `path` (a str or a Path the caller chose).

    The file must open with `torch.load(path, weights_only=True)`: tensors, numbers, strings and
    containers only, no pickled objects. A path in a folder that does not exist raises (torch.save's
    error reaches the caller).
    把 `snapshot` 的检查点写入 `path`(调用者选定的 str 或 Path)。
    这个文件必须能用 `torch.load(path, weights_only=True)` 打开:只有张量、数字、字符串和容器,没有 pickle 的对象。
    路径所在的文件夹不存在时报错(torch.save 的错误传给调用者)。
    """
    torch.save(snapshot(model, optimizer, scheduler, epoch), path)


def load_checkpoint(path: str | Path, model: nn.Module, optimizer: Optimizer, scheduler: LRScheduler) -> int:
    """Read a file written by `save_checkpoint` and `restore` it; return the epoch to run next.

    Read it with `torch.load(path, weights_only=True)`, written out: a file that needs more than
    that (a pickled object, which could run code) raises, and no code in it runs. A missing file
    raises too: training must not silently start over.
    读取 `save_checkpoint` 写入的文件并 `restore`;返回接下来要运行的轮次。
    用 `torch.load(path, weights_only=True)` 读取,并显式写出 weights_only=True:需要更多权限的文件(pickle 的对象,
    可能执行代码)会报错,其中的代码不会运行。文件不存在时也要报错:训练不能悄悄地从头开始。
    """
    return restore(torch.load(path, weights_only=True), model, optimizer, scheduler)

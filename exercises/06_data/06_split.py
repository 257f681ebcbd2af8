"""A reproducible train / validation split with random_split and a generator.

EN: Before training, keep part of the data aside to measure the model on samples
it has never seen. `torch.utils.data.random_split` shuffles the indices and cuts
them into subsets of the lengths you give; each `Subset` refers to the original
dataset (nothing is copied). With a `torch.Generator` seeded by you, the split is
the same on every run, so validation scores are comparable from one experiment
to the next, and the global random number generator is left alone.

中文: 训练之前,先留出一部分数据,用来在模型从未见过的样本上衡量它。
`torch.utils.data.random_split` 打乱下标并按给定的长度切成若干子集;每个 `Subset` 都引用原始数据集
(不复制任何东西)。使用你自己设定种子的 `torch.Generator`,每次运行的划分都相同,于是不同实验之间的
验证分数可以相互比较,而全局随机数生成器不受影响。
"""

from torch.utils.data import Dataset, Subset


def split_dataset(dataset: Dataset, train_fraction: float, seed: int) -> tuple[Subset, Subset]:
    """Split `dataset` at random into `(train, validation)` Subsets that refer to it.

    `train` gets `int(len(dataset) * train_fraction)` samples (rounded down), `validation` the rest;
    every sample is in exactly one of them. The order comes from `random_split` with a
    `torch.Generator` seeded with `seed`: the same seed always gives the same split, and the global
    RNG is neither reseeded nor used. A `train_fraction` outside [0, 1] raises ValueError.

    把 `dataset` 随机划分为引用它的两个 Subset `(train, validation)`。
    `train` 得到 `int(len(dataset) * train_fraction)` 个样本(向下取整),`validation` 得到其余样本;
    每个样本恰好属于其中一个。顺序来自 `random_split`,使用以 `seed` 设定种子的 `torch.Generator`:
    同一个种子总是给出同样的划分,全局随机数生成器既不被重设种子也不被使用。
    `train_fraction` 不在 [0, 1] 之内时抛出 ValueError。
    """
    # TODO: check the fraction, count the training samples (rounded down), and call random_split with your own seeded generator.
    # TODO: 检查比例,计算训练样本数(向下取整),再用你自己设定了种子的生成器调用 random_split。
    raise NotImplementedError("split_dataset is not written yet / split_dataset 还没有完成")

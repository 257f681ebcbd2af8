"""Reproducible shuffling: a DataLoader with its own random number generator.

EN: `shuffle=True` gives a new order of the samples every epoch, drawn from a random
number generator. By default that is the global one, so the order depends on
everything else that used `torch`'s RNG before (model initialization, dropout...).
Give the loader its own `torch.Generator`, seeded once: the same seed then gives
the same sequence of orders on every run, each epoch still different from the
last, and the global RNG is left alone.

中文: `shuffle=True` 每一轮都会从随机数生成器中抽取一个新的样本顺序。默认用的是全局生成器,
所以顺序取决于之前所有使用过 `torch` 随机数的代码(模型初始化、dropout……)。给加载器一个自己的
`torch.Generator` 并只设一次种子:同一个种子每次运行都给出同样的顺序序列,每一轮的顺序仍与上一轮不同,
而全局随机数生成器不受影响。
"""

from torch.utils.data import DataLoader, Dataset


def make_loader(dataset: Dataset, batch_size: int, seed: int) -> DataLoader:
    """A shuffling DataLoader with batches of `batch_size` whose order comes from its own generator seeded with `seed`.

    Two loaders made with the same seed give the same orders, epoch after epoch, even when used
    in turn; within one loader each epoch has a new order. Every sample comes once per epoch (the
    last batch may be smaller). The global RNG (`torch.manual_seed`, `torch.rand`) is neither
    reseeded nor used.

    返回一个打乱顺序、每批 `batch_size` 个样本的 DataLoader,顺序来自它自己的、用 `seed` 设定种子的生成器。
    用同一个种子创建的两个加载器,即使交替使用,每一轮的顺序也都相同;同一个加载器的每一轮都有新的顺序。
    每一轮每个样本恰好出现一次(最后一批可以更小)。全局随机数生成器(`torch.manual_seed`、`torch.rand`)
    既不被重新设定种子,也不被使用。
    """
    # TODO: make a torch.Generator, seed it with seed, and pass it to a shuffling DataLoader.
    # TODO: 创建一个 torch.Generator,用 seed 设定种子,再把它传给一个打乱顺序的 DataLoader。
    raise NotImplementedError("make_loader is not written yet / make_loader 还没有完成")

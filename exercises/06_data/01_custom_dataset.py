"""A custom Dataset: samples by index, as the Datasets & DataLoaders tutorial writes one.

EN: A map-style `Dataset` answers two questions: how many samples there are
(`__len__`) and what sample number `i` is (`__getitem__`). A `DataLoader` asks
exactly these to build batches, and a plain `for` loop over the dataset calls
`__getitem__(0)`, `__getitem__(1)`, ... until an `IndexError`. Like the tutorial's
`CustomImageDataset`, it takes an optional `transform` for the features and a
`target_transform` for the labels, applied to one sample at a time when it is read.

中文: 映射式 `Dataset` 回答两个问题:共有多少个样本(`__len__`),以及第 `i` 个样本是什么
(`__getitem__`)。`DataLoader` 正是通过这两个方法组成批次;对数据集直接用 `for` 循环时,会依次调用
`__getitem__(0)`、`__getitem__(1)`……直到出现 `IndexError`。和教程中的 `CustomImageDataset` 一样,
它接受可选的 `transform`(作用于特征)和 `target_transform`(作用于标签),在读取时逐个样本地应用。
"""

from collections.abc import Callable

from torch import Tensor
from torch.utils.data import Dataset


class PairDataset(Dataset):
    """Sample `i` is the pair `(features[i], labels[i])`.

    `features` and `labels` are tensors whose first dimension counts the samples; when the counts
    differ, `__init__` raises ValueError. The tensors are kept as they are: reading samples never
    changes them. `transform` (features) and `target_transform` (labels) are optional callables
    applied to one sample each time it is read (never to the whole tensor at once).

    样本 `i` 是一对 `(features[i], labels[i])`。
    `features` 和 `labels` 是第一个维度为样本数的张量;两者的样本数不同时,`__init__` 抛出 ValueError。
    张量保持原样:读取样本永远不会修改它们。`transform`(特征)和 `target_transform`(标签)是可选的
    可调用对象,每次读取时作用于单个样本(而不是一次作用于整个张量)。
    """

    def __init__(self, features: Tensor, labels: Tensor, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        """Keep the data and the transforms; raise ValueError when the sample counts differ.

        保存数据和变换;样本数不同时抛出 ValueError。
        """
        # TODO: check that the sample counts agree (ValueError otherwise), then keep the tensors and transforms.
        # TODO: 检查样本数是否一致(否则抛出 ValueError),然后保存张量和变换。
        raise NotImplementedError("__init__ is not written yet / __init__ 还没有完成")

    def __len__(self) -> int:
        """The number of samples (not the number of features in a sample).

        样本数(不是单个样本的特征数)。
        """
        # TODO: return the number of samples.
        # TODO: 返回样本数。
        raise NotImplementedError("__len__ is not written yet / __len__ 还没有完成")

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        """`(features[index], labels[index])`, each through its transform when there is one.

        Negative indices count from the end, as for a list; an index outside `[-len, len)`
        raises IndexError.

        `(features[index], labels[index])`,有变换时各自经过变换。负下标像列表一样从末尾数起;
        `[-len, len)` 之外的下标抛出 IndexError。
        """
        # TODO: return sample index of each tensor, each through its transform when there is one.
        # TODO: 返回两个张量的第 index 个样本,有变换时各自经过变换。
        raise NotImplementedError("__getitem__ is not written yet / __getitem__ 还没有完成")

"""An IterableDataset that splits its stream across DataLoader workers.

EN: An `IterableDataset` has no `__getitem__`: it is a stream (lines of a file, rows
of a database, samples made on the fly) read with `__iter__`. With
`num_workers > 0`, the DataLoader gives *every* worker process its own copy of the
dataset, so without care each worker yields the whole stream and every sample
comes `num_workers` times. Inside `__iter__`, `torch.utils.data.get_worker_info()`
tells a worker who it is (`id`) and how many there are (`num_workers`); it is
`None` in the main process. As in the `IterableDataset` documentation, each worker
takes its own contiguous chunk of the range.

中文: `IterableDataset` 没有 `__getitem__`:它是一个数据流(文件的各行、数据库的记录、即时生成的样本),
通过 `__iter__` 读取。当 `num_workers > 0` 时,DataLoader 会给*每个*工作进程一份数据集的副本,
所以如果不加处理,每个工作进程都会产出整个数据流,每个样本都会出现 `num_workers` 次。在 `__iter__` 中,
`torch.utils.data.get_worker_info()` 告诉工作进程它是谁(`id`)以及共有多少个(`num_workers`);
在主进程中它是 `None`。和 `IterableDataset` 文档中的例子一样,每个工作进程取范围中属于自己的一段连续区间。
"""

import math
from collections.abc import Iterator

from torch.utils.data import IterableDataset, get_worker_info


class RangeStream(IterableDataset):
    """The numbers `start, start + 1, ..., end - 1` as a stream, split between DataLoader workers.

    数字 `start, start + 1, ..., end - 1` 组成的数据流,在 DataLoader 的工作进程之间划分。
    """

    def __init__(self, start: int, end: int) -> None:
        """Keep the range; `end < start` raises ValueError (an empty range, `end == start`, is fine).

        保存范围;`end < start` 时抛出 ValueError(空范围 `end == start` 是允许的)。
        """
        if end < start:
            raise ValueError(f"end ({end}) must not be below start ({start})")
        self.start = start
        self.end = end

    def __iter__(self) -> Iterator[int]:
        """Yield this process's share of the numbers, as Python ints, in increasing order.

        Outside a worker (`get_worker_info()` is None): all of them. In worker `id` of `num_workers`:
        the chunk `[start + id * per_worker, start + (id + 1) * per_worker)`, cut at `end`, where
        `per_worker = ceil((end - start) / num_workers)`; the last chunks may be short or empty. Every
        call starts over (the dataset can be read again, epoch after epoch).

        按从小到大的顺序产出本进程应得的数字(Python 整数)。
        在工作进程之外(`get_worker_info()` 为 None):全部数字。在 `num_workers` 个工作进程中的第 `id` 个里:
        区间 `[start + id * per_worker, start + (id + 1) * per_worker)`,在 `end` 处截断,其中
        `per_worker = ceil((end - start) / num_workers)`;最后几段可能较短或为空。每次调用都从头开始
        (数据集可以一轮又一轮地重复读取)。
        """
        info = get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = math.ceil((self.end - self.start) / info.num_workers)
        first = self.start + info.id * per_worker
        return iter(range(first, min(first + per_worker, self.end)))

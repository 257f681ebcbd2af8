"""Quickstart, step 1: DataLoaders.

EN: A `Dataset` gives one sample at a time; a `DataLoader` wraps it to give
batches. The quickstart uses `batch_size = 64`. Shuffle the *training* data
(every epoch in a new order, as the "Datasets & DataLoaders" tutorial does) so
the model does not learn the order; never shuffle the *test* data, so results
are reproducible.

中文: `Dataset` 每次给出一个样本;`DataLoader` 把它包装成批次。快速入门使用
`batch_size = 64`。*训练* 数据要打乱(每一轮顺序都不同,就像 "Datasets & DataLoaders"
教程那样),避免模型学到顺序;*测试* 数据不要打乱,这样结果可以复现。
"""

from torch.utils.data import DataLoader, Dataset


def make_dataloaders(training_data: Dataset, test_data: Dataset, batch_size: int = 64) -> tuple[DataLoader, DataLoader]:
    """(train_dataloader, test_dataloader): the training one shuffles, the test one does not.

    返回 (训练 DataLoader, 测试 DataLoader):训练集打乱,测试集不打乱。
    """
    train_dataloader = DataLoader(training_data, batch_size=batch_size, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=batch_size)
    return train_dataloader, test_dataloader

"""Checks for quickstart/dataloaders: batch size, a shuffled training set, an ordered test set."""

import torch
from torch.utils.data import DataLoader

from grader.checks.quickstart.common import IndexDataset
from grader.checks.support import expect, fail


def _loaders(learner, *args, **kwargs) -> tuple[DataLoader, DataLoader]:
    result = learner.make_dataloaders(*args, **kwargs)
    if not (isinstance(result, tuple | list) and len(result) == 2 and all(isinstance(d, DataLoader) for d in result)):
        fail("make_dataloaders should return a pair of DataLoaders (train, test).",
             "make_dataloaders 应返回一对 DataLoader(训练, 测试)。", learner.make_dataloaders)
    return result[0], result[1]


def _order(loader: DataLoader) -> list[int]:
    return [int(i) for _, labels in loader for i in labels]


def test_batch_size(learner) -> None:
    for kwargs, size in (({}, 64), ({"batch_size": 32}, 32)):
        train, test = _loaders(learner, IndexDataset(200), IndexDataset(100), **kwargs)
        sizes = {len(next(iter(train))[1]), len(next(iter(test))[1])}
        expect(sizes == {size}, f"With {kwargs or 'the default batch size'} the first batches have sizes {sorted(sizes)}; expected {size}.",
               f"使用 {kwargs or '默认批次大小'} 时,第一个批次大小为 {sorted(sizes)};应为 {size}。", learner.make_dataloaders)


def test_train_shuffles(learner) -> None:
    torch.manual_seed(0)
    train, _ = _loaders(learner, IndexDataset(300), IndexDataset(10))
    first, second = _order(train), _order(train)
    expect(sorted(first) == list(range(300)), "The training loader must visit every sample exactly once per epoch.",
           "训练 DataLoader 每个 epoch 必须恰好访问每个样本一次。", learner.make_dataloaders)
    expect(first != list(range(300)) and first != second,
           "The training data comes in the same fixed order every epoch. Pass shuffle=True for the training set.",
           "训练数据每个 epoch 都以相同的固定顺序出现。请为训练集传入 shuffle=True。", learner.make_dataloaders)


def test_test_in_order(learner) -> None:
    _, test = _loaders(learner, IndexDataset(10), IndexDataset(300))
    expect(_order(test) == list(range(300)), "The test loader shuffles (or drops) samples; evaluate in a fixed order: no shuffle for the test set.",
           "测试 DataLoader 打乱(或丢弃)了样本;评估应按固定顺序进行:测试集不要 shuffle。", learner.make_dataloaders)


def test_uses_given_datasets(learner) -> None:
    train_data, test_data = IndexDataset(130), IndexDataset(70)
    train, test = _loaders(learner, train_data, test_data)
    expect(train.dataset is train_data and test.dataset is test_data,
           "The loaders should wrap the datasets they were given, training first, then test.",
           "DataLoader 应包装传入的数据集:先训练集,后测试集。", learner.make_dataloaders)

"""Checks for data/custom_dataset, by comparison with the reference on generated feature and label tensors.

Drawn: 0 to 6 samples, feature rows of shape (), (3,), (2, 4) and (7,) (never as long as the number
of samples, so len() of the wrong dimension shows), float32 and float64, label counts that differ.
Observed: len(), every sample by positive and negative index, the batches a DataLoader makes, how
reading past either end ends, a for loop over the dataset (bounded: an index that wraps around would
loop forever), the transforms' calls (which shapes they saw: one sample, never the whole tensor) and
results, and the caller's tensors afterwards.
"""

import itertools

import torch
from hypothesis import example, given, settings
from torch.utils.data import DataLoader

from torchdojo.checks.data.common import outcome, values
from torchdojo.checks.strategies.data import PairsCase, pairs_cases

AFTER = ("the features and labels afterwards", "之后的 `features` 和 `labels`")


def _same(compare, case: PairsCase, scenario, where: str, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where=where, hint=hint)


@settings(max_examples=8)
@given(pairs_cases())
def test_length(compare, case: PairsCase) -> None:
    def scenario(impl):
        features, labels = case.make()
        return {("len(dataset)", "len(dataset)"): len(impl.PairDataset(features, labels))}

    _same(compare, case, scenario, "PairDataset.__len__",
          ("len(dataset) is the number of samples: the size of the first dimension, len(features), whatever the shape of one sample.",
           "len(dataset) 是样本数:第一个维度的大小,即 len(features),与单个样本的形状无关。"))


@settings(max_examples=8)
@given(pairs_cases(min_samples=1))
def test_items(compare, case: PairsCase) -> None:
    def scenario(impl):
        features, labels = case.make()
        dataset = impl.PairDataset(features, labels)
        n = case.samples
        return {
            ("dataset[i] for i = 0 .. len-1", "dataset[i](i = 0 .. len-1)"): [values(dataset[i]) for i in range(n)],
            ("dataset[-i] for i = 1 .. len", "dataset[-i](i = 1 .. len)"): [values(dataset[-i]) for i in range(1, n + 1)],
            ("the batches of DataLoader(dataset, batch_size=2)", "DataLoader(dataset, batch_size=2) 的批次"):
                [values(batch) for batch in DataLoader(dataset, batch_size=2)],
            AFTER: values((features, labels)),
        }

    _same(compare, case, scenario, "PairDataset.__getitem__",
          (("dataset[i] is the pair (features[i], labels[i]), as a tuple; a negative index counts from the end, and reading never "
           "changes the caller's tensors."),
           "dataset[i] 是元组 (features[i], labels[i]);负下标从末尾数起;读取永远不会修改调用者的张量。"))


@settings(max_examples=6)
@example(PairsCase(3, (2,), torch.float32, 1))  # first a non-empty dataset: the message then shows the index, not an empty corner
@given(pairs_cases())
def test_index_errors(compare, case: PairsCase) -> None:
    def scenario(impl):
        features, labels = case.make()
        dataset = impl.PairDataset(features, labels)
        n = case.samples
        loop = [values(pair) for pair in itertools.islice(iter(dataset), n + 3)]  # a wrapping index would never stop
        return {
            (f"dataset[{n}] (one past the end)", f"dataset[{n}](越过末尾一个)"): outcome(lambda: dataset[n]),
            (f"dataset[{-n - 1}] (one before the start)", f"dataset[{-n - 1}](越过开头一个)"): outcome(lambda: dataset[-n - 1]),
            ("the samples of `for pair in dataset` (at most len + 3)", "`for pair in dataset` 得到的样本(最多 len + 3 个)"): loop,
        }

    _same(compare, case, scenario, "PairDataset.__getitem__",
          (("An index outside [-len, len) raises IndexError (tensor indexing already does): that is how a for loop over the "
           "dataset knows where to stop. Do not wrap the index around (index % len) or return None."),
           ("[-len, len) 之外的下标抛出 IndexError(张量索引本身就会这样做):for 循环正是靠它知道在哪里停止。"
           "不要把下标取模(index % len),也不要返回 None。")))


@settings(max_examples=8)
@given(pairs_cases(min_samples=1))
def test_transforms(compare, case: PairsCase) -> None:
    def scenario(impl):
        features, labels = case.make()
        seen: dict[str, list[tuple[int, ...]]] = {"transform": [], "target_transform": []}

        def transform(x):
            seen["transform"].append(tuple(x.shape))
            return x * 2 - x.mean()

        def target_transform(y):
            seen["target_transform"].append(tuple(y.shape))
            return (y + 1) * 10

        dataset = impl.PairDataset(features, labels, transform=transform, target_transform=target_transform)
        made = dict(seen)
        seen["transform"], seen["target_transform"] = [], []
        samples = [values(dataset[i]) for i in range(case.samples)] + [values(dataset[-1])]
        only_features = impl.PairDataset(features, labels, transform=lambda x: x + 1)
        return {
            ("the shapes the transforms were called with while the dataset was made", "创建数据集时变换被调用时的形状"): made,
            ("dataset[i] for every i, then dataset[-1]", "依次读取每个 dataset[i],再读取 dataset[-1]"): samples,
            ("the shapes the transforms were called with while reading", "读取时变换被调用时的形状"): seen,
            ("dataset[0] with transform=lambda x: x + 1 only", "只有 transform=lambda x: x + 1 时的 dataset[0]"): values(only_features[0]),
            AFTER: values((features, labels)),
        }

    _same(compare, case, scenario, "PairDataset.__getitem__",
          (("Call transform on the features of one sample and target_transform on its label, each time a sample is read (not once "
           "on the whole tensors in __init__); when one is None, leave that part as it is."),
           ("每次读取样本时,对这个样本的特征调用 `transform`,对它的标签调用 `target_transform`(而不是在 `__init__` 中对整个张量调用一次);"
           "某个变换为 None 时,那一部分保持原样。")))


@settings(max_examples=4)
@given(pairs_cases(extra=True))
def test_mismatch(compare, case: PairsCase) -> None:
    def scenario(impl):
        features, labels = case.make()
        return {("PairDataset(features, labels)", "PairDataset(features, labels)"): outcome(lambda: type(impl.PairDataset(features, labels)).__name__),
                ("PairDataset(features, labels[:len(features)])", "PairDataset(features, labels[:len(features)])"):
                    outcome(lambda: type(impl.PairDataset(features, labels[:len(features)])).__name__)}

    _same(compare, case, scenario, "PairDataset.__init__",
          (("When len(features) != len(labels), raise ValueError in __init__: a mismatch found there names the real cause; found "
           "later, it is an IndexError in the middle of an epoch."),
           ("当 len(features) != len(labels) 时,在 __init__ 中抛出 ValueError:在这里发现不一致能指出真正的原因;"
           "拖到后面,就会变成训练中途的 IndexError。")))

"""Checks for data/split, by comparison with the reference on numbered datasets.

Drawn: sample counts and fractions (multiples of 1/8, so len * fraction is exact) where
len * fraction is not a whole number and not a half (rounding down, rounding to nearest and
random_split's own fractions all differ), fractions 0 and 1, seeds. Observed: the sizes, the samples
of each subset, whether they are Subsets of the dataset itself, a second call with the same seed,
the global RNG afterwards, the error for a fraction outside [0, 1].
"""

import torch
from hypothesis import given, settings
from torch.utils.data import Subset

from torchdojo.checks.data.common import outcome, values
from torchdojo.checks.strategies.data import SplitCase, split_cases

SIZES = ("(len(train), len(validation))", "(len(train), len(validation))")


def _same(compare, case: SplitCase, scenario, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where="split_dataset", hint=hint)


def _items(subset) -> list:
    return [values(subset[i]) for i in range(len(subset))]


@settings(max_examples=8)
@given(split_cases())
def test_sizes(compare, case: SplitCase) -> None:
    def scenario(impl):
        train, validation = impl.split_dataset(case.make(), case.fraction, case.seed)
        return {SIZES: (len(train), len(validation))}

    _same(compare, case, scenario, (
        ("len(train) = int(len(dataset) * train_fraction), rounded down, and validation gets the rest: pass the two lengths "
         "to random_split (its own fractions round differently)."),
        ("len(train) = int(len(dataset) * train_fraction),向下取整,validation 得到其余样本:把这两个长度传给 random_split"
        "(它自己的比例形式取整方式不同)。")))


@settings(max_examples=6)
@given(split_cases())
def test_same_seed_same_split(compare, case: SplitCase) -> None:
    def scenario(impl):
        dataset = case.make()
        train, validation = impl.split_dataset(dataset, case.fraction, case.seed)
        again = impl.split_dataset(dataset, case.fraction, case.seed)
        return {("the samples of train, then of validation", "train 的样本,然后是 validation 的样本"): [_items(train), _items(validation)],
                ("both are Subsets of the dataset itself (nothing copied)", "两者都是数据集本身的 Subset(没有复制)"):
                    [isinstance(s, Subset) and s.dataset is dataset for s in (train, validation)],
                ("the samples of a second call with the same seed", "用同一个种子第二次调用得到的样本"): [_items(s) for s in again]}

    _same(compare, case, scenario, (
        ("random_split(dataset, [n_train, n - n_train], generator=torch.Generator().manual_seed(seed)): a new generator per call, "
         "so the same seed always gives the same split."),
        ("random_split(dataset, [n_train, n - n_train], generator=torch.Generator().manual_seed(seed)):每次调用都新建生成器,"
        "这样同一个种子总是给出同样的划分。")))


@settings(max_examples=4)
@given(split_cases())
def test_global_rng_untouched(compare, case: SplitCase) -> None:
    def scenario(impl):
        impl.split_dataset(case.make(), case.fraction, case.seed)
        return {("torch.rand(2) after the call (the global RNG)", "调用之后的 torch.rand(2)(全局随机数生成器)"): values(torch.rand(2))}

    _same(compare, case, scenario, (
        "Use your own generator: torch.manual_seed(seed) would reset everyone's randomness, and random_split without a generator draws from the global RNG.",
        "请使用自己的生成器:torch.manual_seed(seed) 会重置所有人的随机性,而不带生成器的 random_split 会从全局随机数生成器中抽取。"))


@settings(max_examples=4)
@given(split_cases(whole=True))
def test_edge_fractions(compare, case: SplitCase) -> None:
    def scenario(impl):
        train, validation = impl.split_dataset(case.make(), case.fraction, case.seed)
        return {SIZES: (len(train), len(validation)),
                ("split_dataset(dataset, -0.25, seed)", "split_dataset(dataset, -0.25, seed)"):
                    outcome(lambda: len(impl.split_dataset(case.make(), -0.25, case.seed))),
                ("split_dataset(dataset, 1.5, seed)", "split_dataset(dataset, 1.5, seed)"):
                    outcome(lambda: len(impl.split_dataset(case.make(), 1.5, case.seed)))}

    _same(compare, case, scenario, (
        "Fractions 0 and 1 are fine (one subset is empty); a fraction below 0 or above 1 raises ValueError before anything is split.",
        "比例 0 和 1 是允许的(其中一个子集为空);小于 0 或大于 1 的比例在划分之前就抛出 ValueError。"))

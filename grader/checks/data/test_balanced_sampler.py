"""Checks for data/balanced_sampler, by comparison with the reference on generated labels.

Drawn: unequal class counts (equal counts would make every weight the same), class ids that never
occur (counts taken by position instead of by id show), more draws than samples (drawing without
replacement cannot). Observed: the weights, the indices drawn in two passes with a seeded generator
(the generator must be the one used), len(sampler), whether it draws with replacement, and the
labels afterwards.
"""

import torch
from hypothesis import given, settings

from torchdojo.checks.data.common import values
from torchdojo.checks.strategies.data import LabelsCase, labels_cases

LABELS = ("the labels afterwards", "调用后的 `labels`")


def _same(compare, case: LabelsCase, scenario, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where="balanced_sampler", hint=hint)


def _draws(case: LabelsCase, weights: bool = False):
    def scenario(impl):
        labels = case.make()
        sampler = impl.balanced_sampler(labels, case.num_samples, torch.Generator().manual_seed(case.seed + 1))
        if weights:  # the weights alone: a mistake in drawing is the draws check's
            return {("sampler.weights", "sampler.weights"): values(torch.as_tensor(sampler.weights, dtype=torch.float64)), LABELS: labels}
        return {("the indices of two passes over the sampler", "两次遍历采样器得到的下标"): [list(sampler), list(sampler)],
                ("len(sampler)", "len(sampler)"): len(sampler), LABELS: labels}

    return scenario


WEIGHTS = (("Sample i's weight is 1 / (the number of samples with label labels[i]): counts = torch.bincount(labels), "
            "weights = 1.0 / counts[labels]; one weight per sample (not per class), so that every class adds up to 1."),
           ("样本 i 的权重是 1 / (标签为 labels[i] 的样本数):counts = torch.bincount(labels),weights = 1.0 / counts[labels];"
           "每个样本一个权重(而不是每个类别一个),使每个类别的权重之和为 1。"))


@settings(max_examples=8)
@given(labels_cases())
def test_weights(compare, case: LabelsCase) -> None:
    _same(compare, case, _draws(case, weights=True), WEIGHTS)


@settings(max_examples=6)
@given(labels_cases(missing=True))
def test_missing_classes(compare, case: LabelsCase) -> None:
    _same(compare, case, _draws(case, weights=True), (
        ("Count by class id, not by position: torch.bincount(labels)[c] is the count of class c even when a smaller id never "
         "occurs (torch.unique's counts skip it, so indexing them with labels picks the wrong class)."),
        ("按类别编号计数,而不是按位置:即使较小的编号从未出现,torch.bincount(labels)[c] 仍是类别 c 的样本数"
        "(torch.unique 的计数会跳过它,用 `labels` 去索引就会取到错误的类别)。")))


@settings(max_examples=6)
@given(labels_cases())
def test_draws(compare, case: LabelsCase) -> None:
    _same(compare, case, _draws(case), (
        ("WeightedRandomSampler(weights, num_samples, replacement=True, generator=generator): the draws come from the "
         "generator given (not the global RNG), and each pass over the sampler draws anew."),
        ("WeightedRandomSampler(weights, num_samples, replacement=True, generator=generator):抽样的随机数来自传入的生成器"
        "(而不是全局随机数生成器),每次遍历采样器都重新抽取。")))


@settings(max_examples=4)
@given(labels_cases(many=True))
def test_replacement(compare, case: LabelsCase) -> None:
    def scenario(impl):
        sampler = impl.balanced_sampler(case.make(), case.num_samples, torch.Generator().manual_seed(case.seed))
        return {("sampler.replacement", "sampler.replacement"): bool(sampler.replacement),
                ("the indices drawn (more than there are samples)", "抽取的下标(比样本数多)"): list(sampler)}

    _same(compare, case, scenario, (
        ("Draw with replacement (replacement=True): a rare class has few samples, so they must come back several times; "
         "without replacement num_samples cannot exceed the number of samples."),
        "有放回地抽样(replacement=True):稀有类别的样本很少,必须能多次出现;无放回时 num_samples 不能超过样本数。"))

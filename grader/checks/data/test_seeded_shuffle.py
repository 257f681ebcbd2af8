"""Checks for data/seeded_shuffle, by comparison with the reference on numbered datasets.

Drawn: sample counts that the batch size does not divide, seeds. Observed: the batches of three
epochs (every sample once per epoch, a new order each epoch), a second loader with the same seed used
in turn with the first (a generator shared between loaders shows), the batch size, and the global
RNG afterwards (reseeding it or drawing from it shows in the next `torch.rand`).
"""

import torch
from hypothesis import given, settings

from grader.checks.data.common import values
from grader.checks.strategies.data import ShuffleCase, shuffle_cases

GLOBAL = ("torch.rand(2) after the epochs (the global RNG)", "各轮之后的 torch.rand(2)(全局随机数生成器)")


def _epochs(loader, count: int) -> list[list[list[int]]]:
    return [[batch[0].tolist() for batch in loader] for _ in range(count)]


def _same(compare, case: ShuffleCase, scenario, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where="make_loader", hint=hint)


@settings(max_examples=6)
@given(shuffle_cases())
def test_same_seed_same_order(compare, case: ShuffleCase) -> None:
    def scenario(impl):
        first = impl.make_loader(case.make(), case.batch_size, case.seed)
        second = impl.make_loader(case.make(), case.batch_size, case.seed)
        return {("the sample numbers of the first loader's first epoch", "第一个加载器第一轮的样本编号"): _epochs(first, 1),
                ("then the second loader's first epoch (same seed)", "接着第二个加载器的第一轮(同一个种子)"): _epochs(second, 1),
                ("then each loader's second epoch", "接着每个加载器的第二轮"): [_epochs(first, 1), _epochs(second, 1)]}

    _same(compare, case, scenario,
          (("Give each loader its own generator: g = torch.Generator(); g.manual_seed(seed); DataLoader(..., shuffle=True, "
           "generator=g). A generator shared between loaders (made once, at module level) makes the second loader continue "
           "the first one's random stream."),
           ("给每个加载器一个自己的生成器:g = torch.Generator();g.manual_seed(seed);DataLoader(..., shuffle=True, generator=g)。"
           "在加载器之间共享的生成器(在模块级只创建一次)会让第二个加载器接着第一个的随机序列继续。")))


@settings(max_examples=6)
@given(shuffle_cases())
def test_new_order_each_epoch(compare, case: ShuffleCase) -> None:
    def scenario(impl):
        loader = impl.make_loader(case.make(), case.batch_size, case.seed)
        return {("the sample numbers of three epochs, batch by batch", "三轮的样本编号,逐批"): _epochs(loader, 3),
                ("loader.batch_size", "loader.batch_size"): loader.batch_size}

    _same(compare, case, scenario,
          (("shuffle=True with the seeded generator draws a new permutation each epoch, and every sample comes once per epoch "
           "in batches of batch_size (the last one smaller). A permutation made once in advance repeats every epoch."),
           ("带有设定了种子的生成器的 shuffle=True 每一轮都抽取新的排列,每一轮每个样本恰好出现一次,按 batch_size 分批"
           "(最后一批更小)。事先只做一次的排列会在每一轮重复。")))


@settings(max_examples=4)
@given(shuffle_cases())
def test_global_rng_untouched(compare, case: ShuffleCase) -> None:
    def scenario(impl):
        loader = impl.make_loader(case.make(), case.batch_size, case.seed)
        _epochs(loader, 2)
        return {GLOBAL: values(torch.rand(2))}

    _same(compare, case, scenario,
          (("Leave the global RNG alone: no torch.manual_seed(seed) (it resets everyone's randomness: model init, dropout), and "
           "pass your own generator to the DataLoader itself (generator=g; a sampler's generator alone is not enough: the loader "
           "still draws its worker seed from the global RNG each epoch)."),
           ("不要动全局随机数生成器:不要调用 torch.manual_seed(seed)(它会重置所有人的随机性:模型初始化、dropout),"
           "并把自己的生成器传给 DataLoader 本身(generator=g;只给采样器生成器还不够:加载器每一轮仍会从全局生成器中抽取工作进程的种子)。")))

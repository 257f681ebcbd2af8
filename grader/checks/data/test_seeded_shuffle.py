"""Checks for data/seeded_shuffle, by comparison with the reference on numbered datasets.

Drawn: sample counts that the batch size does not divide, seeds. Observed, as properties (the spec leaves the
permutations themselves to the learner's generator use): every sample once per epoch in batches of batch_size, a new
order each epoch, a second loader with the same seed used in turn with the first giving the same orders (a generator
shared between loaders shows), another seed giving other orders, the batch size, and the global RNG afterwards
(reseeding it or drawing from it shows in the next `torch.rand`).
"""

import torch
from hypothesis import given, settings

from torchdojo.checks.data.common import values
from torchdojo.checks.strategies.data import ShuffleCase, shuffle_cases

GLOBAL = ("torch.rand(2) after the epochs (the global RNG)", "各轮之后的 torch.rand(2)(全局随机数生成器)")


def _epochs(loader, count: int) -> list[list[list[int]]]:
    return [[batch[0].tolist() for batch in loader] for _ in range(count)]


def _same(compare, case: ShuffleCase, scenario, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where="make_loader", hint=hint)


def _order(epoch: list[list[int]]) -> list[int]:
    return [sample for batch in epoch for sample in batch]


def _epoch_shape(epoch: list[list[int]], case: ShuffleCase) -> str:
    """Whether an epoch holds every sample once, in batches of batch_size (the last one smaller), in words."""
    sizes = [len(batch) for batch in epoch]
    full, rest = divmod(case.samples, case.batch_size)
    if sorted(_order(epoch)) != list(range(case.samples)):
        return f"samples {sorted(_order(epoch))}, not each of 0..{case.samples - 1} once"
    if sizes != [case.batch_size] * full + ([rest] if rest else []):
        return f"batches of sizes {sizes}"
    return "every sample once, in batches of batch_size"


# The orders themselves are left to the learner's generator use (any reproducible permutation from the seeded
# generator is right): what is compared are their properties, each against the reference's.


@settings(max_examples=6)
@given(shuffle_cases())
def test_same_seed_same_order(compare, case: ShuffleCase) -> None:
    def scenario(impl):
        first = impl.make_loader(case.make(), case.batch_size, case.seed)
        second = impl.make_loader(case.make(), case.batch_size, case.seed)
        turns = [(_epochs(first, 1)[0], _epochs(second, 1)[0]) for _ in range(2)]  # used in turn, epoch after epoch
        other = impl.make_loader(case.make(), case.batch_size, case.seed + 1)
        return {("each epoch", "每一轮"): sorted({_epoch_shape(epoch, case) for pair in turns for epoch in pair}),
                ("the two loaders with the same seed, used in turn, give the same orders epoch after epoch",
                 "同一个种子的两个加载器交替使用时,每一轮的顺序都相同"): all(_order(a) == _order(b) for a, b in turns),
                (f"a loader made with seed {case.seed + 1} gives other orders", f"用种子 {case.seed + 1} 创建的加载器给出不同的顺序"):
                    [_order(e) for e in _epochs(other, 2)] != [_order(a) for a, _ in turns]}

    _same(compare, case, scenario,
          (("Give each loader its own generator, seeded with seed: g = torch.Generator(); g.manual_seed(seed); "
           "DataLoader(..., shuffle=True, generator=g). A generator shared between loaders (made once, at module level) makes "
           "the second loader continue the first one's random stream."),
           ("给每个加载器一个自己的、用 seed 设定种子的生成器:g = torch.Generator();g.manual_seed(seed);"
           "DataLoader(..., shuffle=True, generator=g)。在加载器之间共享的生成器(在模块级只创建一次)会让第二个加载器接着第一个的随机序列继续。")))


@settings(max_examples=6)
@given(shuffle_cases())
def test_new_order_each_epoch(compare, case: ShuffleCase) -> None:
    def scenario(impl):
        loader = impl.make_loader(case.make(), case.batch_size, case.seed)
        epochs = _epochs(loader, 3)
        return {("each of three epochs", "三轮中的每一轮"): [_epoch_shape(epoch, case) for epoch in epochs],
                ("the three epochs' orders are not all the same", "三轮的顺序并非完全相同"): len({tuple(_order(e)) for e in epochs}) > 1,
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

"""Checks for data/worker_seeding, by comparison with the reference.

seed_worker is called in-process, as a worker would call it: torch seeded first (seeds below 2**32,
and 64-bit seeds as real workers have, where NumPy needs the modulo). Observed: the next numbers of
Python's `random` and of NumPy's global RNG, torch's seed and next number afterwards (left alone).
make_loader runs for real with two workers on a dataset whose samples draw from `random` and NumPy:
the batches of two epochs, and those of a second loader with the same seed.
"""

import random

import numpy
import torch
from hypothesis import given, settings
from torch.utils.data import Dataset

from torchdojo.checks.data.common import values
from torchdojo.checks.strategies.data import WorkerSeedCase, worker_seed_cases
from torchdojo.checks.support import manual_seed

TORCH_AFTER = ("torch.initial_seed() and torch.rand(1) afterwards", "之后的 torch.initial_seed() 和 torch.rand(1)")


def _seeded(case: WorkerSeedCase, what: str):
    def scenario(impl):
        manual_seed(case.torch_seed)
        random.seed(12345)  # the parent's state every forked worker inherits
        numpy.random.seed(12345)
        impl.seed_worker(case.worker_id)
        seen = {TORCH_AFTER: (torch.initial_seed(), values(torch.rand(1)))}
        if what in ("random", "both"):
            seen[("random.random(), three times", "三次 random.random()")] = [random.random() for _ in range(3)]
        if what in ("numpy", "both"):
            seen[("numpy.random.rand(3)", "numpy.random.rand(3)")] = numpy.random.rand(3).tolist()
        return seen

    return scenario


def _same(compare, case: WorkerSeedCase, scenario, where: str, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where=where, hint=hint)


SEED = (("worker_seed = torch.initial_seed() % 2**32, then random.seed(worker_seed) and numpy.random.seed(worker_seed): the "
        "worker's torch seed differs per worker and per epoch, the worker id alone does not."),
        ("worker_seed = torch.initial_seed() % 2**32,然后 random.seed(worker_seed) 和 numpy.random.seed(worker_seed):"
        "工作进程的 torch 种子在每个工作进程、每一轮都不同,仅用工作进程编号则不然。"))


@settings(max_examples=5)
@given(worker_seed_cases())
def test_seeds_random(compare, case: WorkerSeedCase) -> None:
    _same(compare, case, _seeded(case, "random"), "seed_worker", SEED)


@settings(max_examples=5)
@given(worker_seed_cases())
def test_seeds_numpy(compare, case: WorkerSeedCase) -> None:
    _same(compare, case, _seeded(case, "numpy"), "seed_worker", SEED)


@settings(max_examples=4)
@given(worker_seed_cases(large=True))
def test_large_seeds(compare, case: WorkerSeedCase) -> None:
    _same(compare, case, _seeded(case, "both"), "seed_worker", (
        ("In a real worker torch.initial_seed() is a 64-bit number and numpy.random.seed accepts only seeds below 2**32: take "
         "torch.initial_seed() % 2**32, and seed random with the same number."),
        ("在真实的工作进程中 torch.initial_seed() 是 64 位的数,而 numpy.random.seed 只接受小于 2**32 的种子:"
        "取 torch.initial_seed() % 2**32,并用同一个数为 random 设定种子。")))


class Augmented(Dataset):
    """Samples that draw from Python's random and NumPy, as augmentations do."""

    def __len__(self) -> int:
        return 6

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor([index, random.random(), float(numpy.random.rand())], dtype=torch.float64)


@settings(max_examples=1)
@given(worker_seed_cases())
def test_loader(compare, case: WorkerSeedCase) -> None:
    def scenario(impl):
        random.seed(12345)
        numpy.random.seed(12345)
        loader = impl.make_loader(Augmented(), 2, case.torch_seed, 2)
        epochs = [[values(batch) for batch in loader] for _ in range(2)]
        again = [values(batch) for batch in impl.make_loader(Augmented(), 2, case.torch_seed, 2)]
        return {("loader.num_workers", "loader.num_workers"): loader.num_workers,
                ("the batches of two epochs (sample number, random.random(), numpy.random.rand())",
                 "两轮的批次(样本编号、random.random()、numpy.random.rand())"): epochs,
                ("the first epoch of a second loader with the same seed", "同一个种子的第二个加载器的第一轮"): again}

    en = f"make_loader(dataset, 2, {case.torch_seed}, 2) on samples that draw from random and NumPy"
    zh = f"在从 random 和 NumPy 抽取随机数的样本上调用 make_loader(dataset, 2, {case.torch_seed}, 2)"
    compare.same(scenario, given=en, given_zh=zh, where="make_loader", hint=(
        ("DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers, worker_init_fn=seed_worker, "
         "generator=g) with g = torch.Generator() seeded with seed: the generator fixes the order and the workers' seeds, "
         "seed_worker passes them on to random and NumPy."),
        ("DataLoader(dataset, batch_size=batch_size, shuffle=True, num_workers=num_workers, worker_init_fn=seed_worker, "
        "generator=g),其中 g = torch.Generator() 用 seed 设定种子:生成器决定顺序和工作进程的种子,seed_worker 再把种子传给 random 和 NumPy。")))

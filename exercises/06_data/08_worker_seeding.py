"""Reproducible randomness in DataLoader workers: worker_init_fn.

EN: Data augmentation often draws random numbers inside `__getitem__` (a random
crop, noise, a flip), sometimes from Python's `random` or from NumPy. With
`num_workers > 0`, each worker process seeds its own torch RNG from the loader's
seed (`base_seed + worker_id`), but not Python's `random` or NumPy: NumPy's state
is copied from the parent into every forked worker, so all workers make the *same*
"random" choices, and runs cannot be repeated. PyTorch's reproducibility notes fix
it with a `worker_init_fn` that seeds both from `torch.initial_seed()`, together
with a seeded `generator` for the loader.

中文: 数据增强经常在 `__getitem__` 中抽取随机数(随机裁剪、噪声、翻转),有时用的是 Python 的 `random`
或 NumPy。当 `num_workers > 0` 时,每个工作进程会用加载器的种子(`base_seed + worker_id`)为自己的 torch
随机数生成器设定种子,但不会处理 Python 的 `random` 或 NumPy:NumPy 的状态会从父进程复制到每个派生出的
工作进程里,于是所有工作进程做出*相同*的“随机”选择,运行结果也无法复现。PyTorch 的可复现性说明用一个
`worker_init_fn` 解决这个问题:它用 `torch.initial_seed()` 为两者设定种子,同时给加载器一个设定了种子的
`generator`。
"""


from torch.utils.data import DataLoader, Dataset


def seed_worker(worker_id: int) -> None:
    """A `worker_init_fn`: seed Python's `random` and NumPy's global RNG from this worker's torch seed.

    Both get `torch.initial_seed() % 2**32` (in a worker, torch's seed is `base_seed + worker_id`, a
    64-bit number; NumPy accepts seeds below 2**32 only). torch's own RNG is left as it is.

    一个 `worker_init_fn`:用本工作进程的 torch 种子为 Python 的 `random` 和 NumPy 的全局随机数生成器设定种子。
    两者都用 `torch.initial_seed() % 2**32`(在工作进程中,torch 的种子是 `base_seed + worker_id`,
    一个 64 位的数;NumPy 只接受小于 2**32 的种子)。torch 自己的随机数生成器保持不变。
    """
    # TODO: take torch.initial_seed() % 2**32 and seed numpy.random and random with it.
    # TODO: 取 torch.initial_seed() % 2**32,用它为 numpy.random 和 random 设定种子。
    raise NotImplementedError("seed_worker is not written yet / seed_worker 还没有完成")


def make_loader(dataset: Dataset, batch_size: int, seed: int, num_workers: int) -> DataLoader:
    """A shuffling DataLoader with `num_workers` workers whose every random number is reproducible.

    `shuffle=True` with its own `torch.Generator` seeded with `seed` (the workers' torch seeds come
    from it too) and `worker_init_fn=seed_worker`: the same seed gives the same batches, augmentations
    included, run after run.

    一个有 `num_workers` 个工作进程、所有随机数都可复现的打乱顺序的 DataLoader。
    `shuffle=True`,使用它自己的、以 `seed` 设定种子的 `torch.Generator`(工作进程的 torch 种子也来自它),
    以及 `worker_init_fn=seed_worker`:同一个种子一次又一次地给出相同的批次,包括数据增强在内。
    """
    # TODO: a seeded generator, shuffle=True, num_workers and worker_init_fn=seed_worker.
    # TODO: 设定了种子的生成器、shuffle=True、num_workers 以及 worker_init_fn=seed_worker。
    raise NotImplementedError("make_loader is not written yet / make_loader 还没有完成")

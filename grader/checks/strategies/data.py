"""Strategies for the data checks: datasets, batches and labels where a wrong loader cannot pass for the right one.

Drawn on purpose: sample counts that do not divide by the batch size (an unequal last batch),
features of one, two and three dimensions (the number of samples is not the number of
features), float64 next to float32, labels that skip a class, sequences of length 0 and 1
and of equal lengths, fractions whose split does not fall on a whole number, worker counts
that do not divide the stream's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from hypothesis import strategies as st


def generator(seed: int) -> torch.Generator:
    """A fresh CPU generator: inputs never come from (or disturb) the global RNG."""
    return torch.Generator().manual_seed(seed)


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


# -- custom_dataset -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairsCase:
    """`samples` feature rows of shape `row` with integer labels; `extra` more labels than features when not 0."""

    samples: int
    row: tuple[int, ...]
    dtype: torch.dtype
    seed: int
    extra: int = 0

    def make(self) -> tuple[torch.Tensor, torch.Tensor]:
        g = generator(self.seed)
        features = torch.randn((self.samples, *self.row), generator=g, dtype=self.dtype)
        labels = torch.randint(0, 5, (self.samples + self.extra,), generator=g)
        return features, labels

    def describe(self) -> tuple[str, str]:
        shape, dtype, labels = (self.samples, *self.row), dtype_name(self.dtype), self.samples + self.extra
        return (f"features of shape {shape} ({dtype}) and {labels} labels", f"形状为 {shape} 的特征({dtype})和 {labels} 个标签")


def pairs_cases(extra: bool = False, min_samples: int = 0) -> st.SearchStrategy[PairsCase]:
    # rows never as long as the sample count: len() of the wrong dimension shows
    rows = st.sampled_from([(), (3,), (2, 4), (7,)])
    samples = st.integers(min_samples, 6)
    return st.builds(
        PairsCase, samples, rows, st.sampled_from([torch.float32, torch.float64]), st.integers(0, 2**16), st.sampled_from([-1, 1, 2]) if extra else st.just(0)
    ).filter(lambda c: not c.row or c.row[0] != c.samples)


# -- transforms --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageCase:
    """A uint8 image of `height` x `width`, grayscale when `channels` is 0; the bytes cover 0 and 255."""

    height: int
    width: int
    channels: int
    seed: int

    def make(self) -> torch.Tensor:
        shape = (self.height, self.width) if self.channels == 0 else (self.height, self.width, self.channels)
        image = torch.randint(0, 256, shape, generator=generator(self.seed), dtype=torch.uint8)
        image.view(-1)[0], image.view(-1)[-1] = 255, 0
        return image

    def describe(self) -> tuple[str, str]:
        shape = tuple(self.make().shape)
        return f"a uint8 image of shape {shape}", f"形状为 {shape} 的 uint8 图像"


def image_cases(color: bool) -> st.SearchStrategy[ImageCase]:
    # height, width and channels all different: a reshape or a wrong permutation cannot keep the right shape
    return st.builds(ImageCase, st.sampled_from([2, 5]), st.sampled_from([3, 4]), st.sampled_from([1, 3, 6] if color else [0]), st.integers(0, 2**16)).filter(
        lambda c: len({c.height, c.width, c.channels}) == 3
    )


@dataclass(frozen=True)
class NormalizeCase:
    """A (C, H, W) tensor and per-channel mean and std: all different, std never 1, none exact in binary."""

    channels: int
    height: int
    width: int
    dtype: torch.dtype
    seed: int
    means: tuple[float, ...]
    stds: tuple[float, ...]

    def make(self) -> torch.Tensor:
        return torch.rand((self.channels, self.height, self.width), generator=generator(self.seed), dtype=self.dtype)

    def describe(self) -> tuple[str, str]:
        shape, dtype = (self.channels, self.height, self.width), dtype_name(self.dtype)
        return (
            f"x of shape {shape} ({dtype}), mean={list(self.means)}, std={list(self.stds)}",
            f"形状为 {shape} 的 x({dtype}),mean={list(self.means)},std={list(self.stds)}",
        )


@st.composite
def normalize_cases(draw: st.DrawFn) -> NormalizeCase:
    channels = draw(st.sampled_from([1, 2, 3]))
    height, width = draw(st.sampled_from([(4, 5), (5, 4), (2, 6)]))  # never the channel count: a mean along W shows
    # ImageNet's and MNIST's numbers: not exact in float32, so a mean rounded to float32 shows in a float64 result
    means = tuple(draw(st.lists(st.sampled_from([0.485, 0.456, 0.406, 0.1307, -0.3]), min_size=channels, max_size=channels, unique=True)))
    stds = tuple(draw(st.lists(st.sampled_from([0.229, 0.224, 0.225, 0.3081, 2.7]), min_size=channels, max_size=channels, unique=True)))
    return NormalizeCase(channels, height, width, draw(st.sampled_from([torch.float32, torch.float64])), draw(st.integers(0, 2**16)), means, stds)


@dataclass(frozen=True)
class OneHotCase:
    """`samples` int64 labels in [0, classes - extra): the highest classes may never occur."""

    samples: int
    classes: int
    unused: int
    seed: int

    def make(self) -> torch.Tensor:
        return torch.randint(0, self.classes - self.unused, (self.samples,), generator=generator(self.seed))

    def describe(self) -> tuple[str, str]:
        labels = self.make().tolist()
        return f"labels={labels}, num_classes={self.classes}", f"labels={labels},num_classes={self.classes}"


def one_hot_cases() -> st.SearchStrategy[OneHotCase]:
    return st.builds(OneHotCase, st.integers(0, 6), st.integers(2, 7), st.sampled_from([0, 1, 2]), st.integers(0, 2**16)).filter(lambda c: c.unused < c.classes)


# -- seeded_shuffle ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShuffleCase:
    """A dataset of `samples` numbered samples, batches of `batch_size` (never dividing it: the last batch is smaller)."""

    samples: int
    batch_size: int
    seed: int

    def make(self) -> torch.utils.data.TensorDataset:
        return torch.utils.data.TensorDataset(torch.arange(self.samples), torch.arange(self.samples) * 10)

    def describe(self) -> tuple[str, str]:
        return (
            f"a dataset of {self.samples} samples, batch_size={self.batch_size}, seed={self.seed}",
            f"{self.samples} 个样本的数据集,batch_size={self.batch_size},seed={self.seed}",
        )


def shuffle_cases() -> st.SearchStrategy[ShuffleCase]:
    return st.builds(ShuffleCase, st.integers(5, 13), st.integers(2, 4), st.integers(1, 2**31)).filter(lambda c: c.samples % c.batch_size != 0)


# -- pad_collate ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SequenceBatch:
    """Samples (sequence, label): sequences of the given lengths (0 and 1 allowed, never sorted for you), holding zeros themselves."""

    lengths: tuple[int, ...]
    features: tuple[int, ...]
    dtype: torch.dtype
    seed: int
    tensor_labels: bool = False

    def make(self) -> list[tuple[torch.Tensor, int | torch.Tensor]]:
        g = generator(self.seed)
        samples: list[tuple[torch.Tensor, int | torch.Tensor]] = []
        for length in self.lengths:
            shape = (length, *self.features)
            if self.dtype.is_floating_point:
                sequence = torch.randn(shape, generator=g, dtype=self.dtype).round()  # whole numbers: zeros inside
            else:
                sequence = torch.randint(0, 4, shape, generator=g, dtype=self.dtype)  # token ids, 0 among them
            label = int(torch.randint(0, 9, (), generator=g))
            samples.append((sequence, torch.tensor(label) if self.tensor_labels else label))
        return samples

    def describe(self) -> tuple[str, str]:
        kind = "0-d tensor" if self.tensor_labels else "int"
        shapes = [(n, *self.features) for n in self.lengths]
        dtype = dtype_name(self.dtype)
        return (
            f"a batch of sequences of shapes {shapes} ({dtype}) with {kind} labels",
            f"序列形状为 {shapes}({dtype})、标签为 {'0 维张量' if self.tensor_labels else '整数'}的批次",
        )


def sequence_batches(
    features: tuple[tuple[int, ...], ...] = ((),),
    dtypes: tuple[torch.dtype, ...] = (torch.int64,),
    tensor_labels: tuple[bool, ...] = (False,),
    min_size: int = 1,
) -> st.SearchStrategy[SequenceBatch]:
    return st.builds(
        SequenceBatch,
        st.lists(st.integers(0, 5), min_size=min_size, max_size=5).map(tuple),
        st.sampled_from(features),
        st.sampled_from(dtypes),
        st.integers(0, 2**16),
        st.sampled_from(tensor_labels),
    )


# -- balanced_sampler ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelsCase:
    """Labels with `counts[c]` samples of class c (unequal counts; a count of 0 is a class id that never occurs), shuffled."""

    counts: tuple[int, ...]
    num_samples: int
    seed: int

    def make(self) -> torch.Tensor:
        labels = torch.cat([torch.full((n,), c) for c, n in enumerate(self.counts)])
        return labels[torch.randperm(len(labels), generator=generator(self.seed))]

    def describe(self) -> tuple[str, str]:
        labels = self.make().tolist()
        return (
            f"labels={labels}, num_samples={self.num_samples}, a seeded generator",
            f"labels={labels},num_samples={self.num_samples},一个设定了种子的生成器",
        )


def labels_cases(missing: bool = False, many: bool = False) -> st.SearchStrategy[LabelsCase]:
    count = st.integers(0, 6) if missing else st.integers(1, 6)
    counts = st.lists(count, min_size=2, max_size=4).map(tuple).filter(lambda c: len({n for n in c if n}) > 1 and sum(c) > 0 and (not missing or 0 in c[:-1]))
    samples = st.integers(25, 40) if many else st.integers(3, 12)
    return st.builds(LabelsCase, counts, samples, st.integers(0, 2**16))


# -- sharded_stream ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamCase:
    """A range [start, end) read by `workers` workers: lengths the worker count does not divide, more workers than numbers."""

    start: int
    length: int
    workers: int

    @property
    def end(self) -> int:
        return self.start + self.length

    def describe(self) -> tuple[str, str]:
        return (
            f"RangeStream({self.start}, {self.end}) read by {self.workers} workers",
            f"由 {self.workers} 个工作进程读取的 RangeStream({self.start}, {self.end})",
        )


def stream_cases(uneven: bool = False) -> st.SearchStrategy[StreamCase]:
    cases = st.builds(StreamCase, st.integers(-3, 7), st.integers(0, 11), st.integers(2, 5))
    if uneven:  # the share is not a whole number: floor and ceil differ, and the last chunks are short or empty
        return cases.filter(lambda c: c.length % c.workers != 0)
    return cases.filter(lambda c: c.length % c.workers == 0 and c.length > 0)


# -- split ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SplitCase:
    """`samples` numbered samples split at `fraction` (a multiple of 1/8: len * fraction is exact, its floor unambiguous)."""

    samples: int
    eighths: int
    seed: int

    @property
    def fraction(self) -> float:
        return self.eighths / 8

    def make(self) -> torch.utils.data.TensorDataset:
        return torch.utils.data.TensorDataset(torch.arange(self.samples), torch.arange(self.samples) % 3)

    def describe(self) -> tuple[str, str]:
        return (
            f"a dataset of {self.samples} samples, train_fraction={self.fraction}, seed={self.seed}",
            f"{self.samples} 个样本的数据集,train_fraction={self.fraction},seed={self.seed}",
        )


def split_cases(whole: bool = False) -> st.SearchStrategy[SplitCase]:
    eighths = st.sampled_from([0, 8]) if whole else st.integers(1, 7)
    cases = st.builds(SplitCase, st.integers(3, 14), eighths, st.integers(1, 2**31))
    if whole:
        return cases
    # len * fraction not a whole number: rounding down, rounding to nearest and random_split's own fractions differ
    return cases.filter(lambda c: (c.samples * c.eighths) % 8 not in (0, 4))


# -- worker_seeding ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkerSeedCase:
    """A worker's torch seed (`large`: 64-bit, as base_seed + worker_id is in a real worker) and its id."""

    torch_seed: int
    worker_id: int

    def describe(self) -> tuple[str, str]:
        return (
            f"seed_worker({self.worker_id}) in a worker whose torch.initial_seed() is {self.torch_seed}",
            f"在 torch.initial_seed() 为 {self.torch_seed} 的工作进程中调用 seed_worker({self.worker_id})",
        )


def worker_seed_cases(large: bool = False) -> st.SearchStrategy[WorkerSeedCase]:
    seeds = st.integers(2**32, 2**63 - 1) if large else st.integers(1, 2**31)
    return st.builds(WorkerSeedCase, seeds, st.integers(0, 3)).filter(lambda c: c.torch_seed % 2**32 != c.worker_id)

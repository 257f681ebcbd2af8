"""The data checks name the RIGHT cause: a wrong submission gets the message about its own mistake.

Each case grades a fixture with one known mistake and asserts what its failing check says in
English and Chinese (the observation that differs, and the hint about that mistake).
"""

from __future__ import annotations

from functools import cache

import pytest

from tests.conftest import FIXTURES, grade_file
from torchdojo.core.report import Report


@cache
def _graded(exercise: str, fixture: str) -> Report:
    return grade_file(f"data/{exercise}", FIXTURES / "data" / exercise / f"{fixture}.py")


# (exercise, fixture, check, words the English message must contain, Chinese words)
CASES = [
    ("custom_dataset", "wrong_numel", "length", ["len(dataset)", "the number of samples"], ["样本数"]),
    ("custom_dataset", "wrong_wraps_index", "index_errors", ["raises IndexError", "index % len"], ["IndexError"]),
    (
        "custom_dataset",
        "wrong_transform_once",
        "transforms",
        ["the shapes the transforms were called with", "not once on the whole tensors"],
        ["变换被调用时的形状"],
    ),
    ("transforms", "wrong_in_place", "normalize", ["the input afterwards", "x.sub_ would change the caller's x"], ["调用后的输入"]),
    ("transforms", "wrong_reshape", "to_tensor_color", ["permute", "mix the pixels up"], ["permute"]),
    ("seeded_shuffle", "wrong_shared_generator", "same_seed_same_order", ["second loader", "shared between loaders"], ["第二个加载器"]),
    ("seeded_shuffle", "wrong_global_seed", "global_rng_untouched", ["torch.rand(2) after the epochs", "torch.manual_seed(seed)"], ["全局随机数生成器"]),
    ("pad_collate", "wrong_nonzero_lengths", "lengths_and_labels", ["(lengths, labels)", "not from the nonzero entries"], ["非零元素"]),
    ("pad_collate", "wrong_sorted", "pads", ["padded", "keep the samples in the order given"], ["保持给定的顺序"]),
    ("balanced_sampler", "wrong_unique_counts", "missing_classes", ["With labels=[", "IndexError", "out of bounds"], ["IndexError"]),
    ("balanced_sampler", "wrong_global_rng", "draws", ["the indices of two passes", "the generator given"], ["传入的生成器"]),
    ("split", "wrong_fractions", "sizes", ["(len(train), len(validation))", "rounded down"], ["向下取整"]),
    ("sharded_stream", "wrong_info_in_init", "shards", ["what each worker yields", "not __init__"], ["每个工作进程产出的内容"]),
    ("sharded_stream", "wrong_floor_share", "uneven_shards", ["ceil(n / num_workers)", "exactly once"], ["恰好出现一次"]),
    ("worker_seeding", "wrong_no_modulo", "large_seeds", ["Seed must be between 0 and 2**32 - 1"], ["ValueError"]),
    ("worker_seeding", "wrong_worker_id", "seeds_random", ["random.random(), three times", "torch.initial_seed() % 2**32"], ["三次 random.random()"]),
]


@pytest.mark.parametrize(("exercise", "fixture", "check", "words", "words_zh"), CASES, ids=[f"{c[0]}/{c[1]}" for c in CASES])
def test_message_names_the_cause(exercise: str, fixture: str, check: str, words: list[str], words_zh: list[str]) -> None:
    found = {c.name: c for c in _graded(exercise, fixture).checks}
    assert found[check].outcome == "failed", {c.name: c.outcome for c in found.values()}
    message = found[check].message
    assert message is not None
    for word in words:
        assert word in message.en, message.en
    for word in words_zh:
        assert word in message.zh, message.zh

"""Renaming the package never changes a grade: every Hypothesis check keeps the seed it had as `grader.checks`."""

from __future__ import annotations

import importlib

from hypothesis import seed
from hypothesis.internal.reflection import function_digest

from torchdojo.checks.support import keep_examples


def _fresh(name: str):  # type: ignore[no-untyped-def]  # a module object
    module = importlib.import_module(name)
    return importlib.reload(module)


def test_a_check_naming_a_strategy_class_keeps_its_seed_from_before_the_rename() -> None:
    module = _fresh("torchdojo.checks.tensors.test_outer")
    renamed = function_digest(module.test_values.hypothesis.inner_test)  # its signature names torchdojo.checks...Case
    keep_examples(module)
    kept = module.test_values._hypothesis_internal_use_seed.to_bytes(48, "big")
    assert kept.hex()[:16] == "a73f9a6ed17f7f17"  # Hypothesis's digest of this test at 529f307, as grader.checks
    assert kept != renamed


def test_a_check_naming_no_module_keeps_hypothesis_own_seed() -> None:
    module = _fresh("torchdojo.checks.autograd.test_accumulation")
    keep_examples(module)
    test = module.test_training_steps  # (compare, lr: float)
    assert test._hypothesis_internal_use_seed == int.from_bytes(function_digest(test.hypothesis.inner_test), "big")


def test_a_seed_of_its_own_is_kept() -> None:
    module = _fresh("torchdojo.checks.data.test_balanced_sampler")
    seed(1234)(module.test_draws)
    keep_examples(module)
    assert module.test_draws._hypothesis_internal_use_seed == 1234

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


def test_the_database_key_is_hypothesis_own_and_is_not_computed_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Each test's database key is the digest Hypothesis would compute; with it set, a run computes no digest
    (it used to, twice per check run, from the test's source, although the checks keep no database)."""
    import hypothesis.core
    from hypothesis import given, settings
    from hypothesis import strategies as st

    module = _fresh("torchdojo.checks.tensors.test_outer")
    keep_examples(module)
    for test in vars(module).values():
        inner = getattr(getattr(test, "hypothesis", None), "inner_test", None)
        if inner is not None:
            assert test._hypothesis_internal_database_key == function_digest(inner)

    drawn: list[int] = []

    @settings(max_examples=5, database=None, derandomize=True)
    @given(st.integers())
    def probe(x: int) -> None:
        drawn.append(x)

    calls: list[object] = []

    def counting(function: object) -> bytes:
        calls.append(function)
        return function_digest(function)

    monkeypatch.setattr(hypothesis.core, "function_digest", counting)
    probe()
    assert len(calls) == 2  # Hypothesis on its own: the seed and the database key
    first, calls[:] = list(drawn), []
    import types

    holder = types.ModuleType("holder")
    holder.test_probe = probe  # type: ignore[attr-defined]
    keep_examples(holder)
    drawn.clear()
    probe()
    assert calls == [] and drawn == first  # the run computed no digest, and drew the same examples

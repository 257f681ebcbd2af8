"""A check's examples, drawn once per warm worker instead of once per student.

Hypothesis draws a property check's examples from a fixed seed (`derandomize`): every student is
graded on the same sequence. Until one fails, the sequence does not depend on the code under test
either: the engine's next draw depends only on the draws before it and on every one of them
passing. A warm worker (torchdojo.core.warm) rehearses each exercise on the reference, where every
example passes; `torchdojo.checks.memo.KeptExamples` keeps what Hypothesis handed the check in
each call, as it was before the call, and every fork (one per student and exercise) calls the check with copies of
those values instead of running Hypothesis's engine and strategies again: about a fifth of a
fork's time.

It does what Hypothesis does with them, in the same order, under the same settings, seeded
`random` and build context: an explicit example (`@example`) runs once and its failure is the
verdict; a drawn one that fails runs once more, as Hypothesis's final run of a failing example,
and that run's failure is the verdict (or Hypothesis's FlakyFailure when it passes). torch's
random state is put back to what the strategies left, as drawing would have left it.

A check is kept only when its rehearsal passed, every example ran to its end (none rejected by
`assume`) and every value could be copied faithfully; otherwise, and in a cold child, Hypothesis
runs as it always did. The values are copied in the worker before any learner code ran, and the
copying and seeding functions are taken (in memo) before learner code can replace them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from torchdojo.checks.memo import KeptExample, restore_random_states


def replay(wrapped: Any, fixtures: dict[str, Any], examples: tuple[KeptExample, ...]) -> None:
    """Call the check `wrapped` on its kept examples as Hypothesis would (see the module's docstring)."""
    from hypothesis._settings import local_settings
    from hypothesis.control import BuildContext
    from hypothesis.core import failure_exceptions_to_catch, skip_exceptions_to_reraise
    from hypothesis.errors import FlakyFailure, UnsatisfiedAssumption
    from hypothesis.internal.conjecture.data import ConjectureData
    from hypothesis.internal.entropy import deterministic_PRNG
    from hypothesis.internal.reflection import repr_call

    inner = wrapped.hypothesis.inner_test
    settings = wrapped._hypothesis_internal_use_settings

    @contextlib.contextmanager
    def as_hypothesis(example: KeptExample, is_final: bool) -> Iterator[None]:
        with local_settings(settings), deterministic_PRNG(), BuildContext(ConjectureData.for_choices([]), is_final=is_final, wrapped_test=wrapped):
            restore_random_states(example)
            yield

    def call(example: KeptExample, is_final: bool) -> None:
        arguments = example.fresh()
        with as_hypothesis(example, is_final):
            inner(**fixtures, **arguments)

    failures, skips = failure_exceptions_to_catch(), skip_exceptions_to_reraise()
    for example in examples:
        if example.explicit:  # run once, as Hypothesis's explicit phase does
            with contextlib.suppress(UnsatisfiedAssumption):
                call(example, is_final=True)
            continue
        try:
            call(example, is_final=False)
        except UnsatisfiedAssumption:
            continue
        except skips:
            raise
        except failures as first:
            call(example, is_final=True)  # Hypothesis's final run of the failing example: its failure is the verdict
            raise FlakyFailure(
                f"Hypothesis {repr_call(inner, [], {**fixtures, **example.fresh()})} produces unreliable results: "
                "Failed on the first call but did not on a subsequent one",
                [first],
            ) from None

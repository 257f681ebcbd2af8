"""Helpers for writing checks: bilingual failures and comparisons captured early.

This module is imported while the checks are collected, before any learner
code runs, so the comparison functions bound here are the genuine ones even if
a submission later monkeypatches `torch.allclose` or `Tensor.__eq__`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import ModuleType
from typing import Any, NoReturn

import torch
from torch.utils._python_dispatch import TorchDispatchMode

_allclose = torch.allclose
_is_tensor = torch.is_tensor


class CheckFailed(AssertionError):
    """A check's verdict on learner code: what was expected and what came."""

    def __init__(self, en: str, zh: str, where: object | None = None, outcome: str = "failed") -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh
        self.where = where
        self.outcome = outcome  # "error" when the learner's code raised, as the report's `!` marker says


class GraderLimit(Exception):
    """The grader's stand-ins cannot simulate what the learner's code did: not the learner's fault.

    Reported as `not_graded` (no points either way) for checks the catalog marks `stand_in`.
    """

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en = en
        self.zh = zh


class GuardRefusal(PermissionError):
    """What the learner's code asked for is not allowed while grading (raised by torchdojo.core.guard where it asked);
    `en` and `zh` say so in the learner's words, and the check shows them as they are."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"torchdojo: {en}")
        self.en = en
        self.zh = zh


def out_of_memory(error: BaseException) -> bool:
    """Whether learner code stopped because memory ran out: a MemoryError, or what CPython 3.11 raises when
    it cannot make a frame. It calls a Python function without using the C stack, so a recursion allowed to
    go deep (`sys.setrecursionlimit(10**8)`) fills memory with frames, and the call that cannot get one
    fails with `SystemError: error return without exception set`."""
    if isinstance(error, MemoryError):
        return True
    return type(error) is SystemError and "without exception set" in str(error)[:200]


def ran_out(error: BaseException) -> bool:
    """Whether learner code stopped because memory or the stack ran out, not because of what it was given."""
    return isinstance(error, RecursionError) or out_of_memory(error)


def fail(en: str, zh: str, where: object | None = None) -> NoReturn:
    """Fail the check. `where` (a learner function or class) points the learner to a line."""
    raise CheckFailed(en, zh, where)


def expect(condition: bool, en: str, zh: str, where: object | None = None) -> None:
    if not condition:
        fail(en, zh, where)


def learner_line(obj: object) -> int | None:
    """The line a message points at: a line number as given, or the first line of a learner function or class."""
    if isinstance(obj, int):
        return obj
    try:
        return inspect.getsourcelines(inspect.unwrap(obj))[1]  # type: ignore[arg-type]  # unwrap only follows __wrapped__, on any object; getsourcelines raises TypeError for what it cannot place
    except (TypeError, OSError):
        return None


def show(value: Any, limit: int = 120) -> str:
    """A short description of a value for a message."""
    if _is_tensor(value):
        if value.device.type == "meta":
            return f"tensor(shape={tuple(value.shape)}, dtype={str(value.dtype).removeprefix('torch.')}, device=meta)"
        flat = value.detach().flatten()
        shown = [round(v, 4) if isinstance(v, float) else v for v in flat[:6].tolist()]
        more = ", …" if flat.numel() > 6 else ""
        values = ", ".join(map(str, shown)) + more
        text = f"tensor([{values}], shape={tuple(value.shape)}, dtype={str(value.dtype).removeprefix('torch.')})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tensor_result(value: Any, what: str, where: object | None = None) -> torch.Tensor:
    """The learner's return value, which must be a tensor."""
    if not _is_tensor(value):
        fail(
            f"{what} should return a torch.Tensor, but it returned {show(value)}.",
            f"{what} 应该返回 torch.Tensor,但返回了 {show(value)}。",
            where,
        )
    return value


def close(actual: torch.Tensor, expected: torch.Tensor, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Same shape and allclose, using the genuine `torch.allclose` captured at import."""
    actual = actual.detach()
    expected = expected.detach()
    if actual.shape != expected.shape:
        return False
    return bool(_allclose(actual.to(expected.dtype), expected, rtol=rtol, atol=atol, equal_nan=False))


def expect_close(actual: torch.Tensor, expected: torch.Tensor, what: str, what_zh: str, where: object | None = None, **tol: float) -> None:
    if actual.shape != expected.shape:
        fail(
            f"{what}: expected shape {tuple(expected.shape)}, got {tuple(actual.shape)}.",
            f"{what_zh}:期望形状为 {tuple(expected.shape)},实际为 {tuple(actual.shape)}。",
            where,
        )
    if not close(actual, expected, **tol):
        fail(
            f"{what}: expected {show(expected)}, got {show(actual)}.",
            f"{what_zh}:期望 {show(expected)},实际得到 {show(actual)}。",
            where,
        )


class CallSpy:
    """Counts calls to a function while delegating to it (used with pytest's monkeypatch)."""

    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return self.target(*args, **kwargs)


def manual_seed(seed: int) -> torch.Generator:
    """`torch.manual_seed`, without its cost where no accelerator is running.

    On a machine whose CUDA (or XPU, MTIA) is not started, `torch.manual_seed` queues a seed
    for each of them with `traceback.format_stack()` — about 1 ms a call from inside pytest
    and Hypothesis. The checks seed before every run of every example (hundreds of times per
    exercise), so that was a third of a cold check's own compute. The CPU generator is seeded
    exactly as `torch.manual_seed` seeds it; with an accelerator, it is `torch.manual_seed`.
    """
    seed = int(seed)
    if torch.cuda.is_available() or torch.backends.mps.is_available() or (hasattr(torch, "xpu") and torch.xpu.is_available()):
        return torch.manual_seed(seed)
    return torch.default_generator.manual_seed(seed)


def _hypothesis_profile() -> None:
    """Deterministic, database-free property tests: the same file always gets the same grade."""
    from hypothesis import HealthCheck, Phase, settings

    settings.register_profile(
        "torchdojo",
        database=None,
        deadline=None,
        derandomize=True,
        max_examples=20,
        # No shrinking: the first failing example is reported at once (shrinking re-runs
        # learner code dozens of times, seconds for nothing a learner needs).
        phases=(Phase.explicit, Phase.reuse, Phase.generate),
        print_blob=False,
        report_multiple_bugs=False,
        suppress_health_check=list(HealthCheck),
    )
    settings.load_profile("torchdojo")


_hypothesis_profile()


SEED_NAMESPACE = ("torchdojo.checks.", "grader.checks.")
"""Hypothesis derandomizes a test from its source and signature, and a signature names its annotations' modules.
The checks were `grader.checks` when their examples were drawn, reviewed and measured (fixtures, mutation scores):
seeds are computed under that name, so that renaming the package never changes a grade."""


def hypothesis_test(function: Any) -> Any:
    """The `@given` wrapper Hypothesis made of a check, or None for a plain check."""
    handle = getattr(function, "hypothesis", None)
    return function if handle is not None and getattr(handle, "inner_test", None) is not None else None


def keep_examples(module: ModuleType) -> None:
    """Give each Hypothesis test of a check module the seed it had before the package was renamed.

    The seed is Hypothesis's own digest of the test (`hypothesis.internal.reflection.function_digest`: its
    cleaned source, its signature, nothing else) with the signature read in `SEED_NAMESPACE`'s old name; it is
    set as `@seed(...)` would set it. Tests with a seed of their own keep it.

    Each test's database key (the same digest, read in the package's name) is set here too, as Hypothesis sets
    it for `find()`: Hypothesis otherwise computes it at every run, from the source, although the checks keep
    no database. Done once per module object, so a warm worker's forks inherit both.
    """
    import hashlib
    import inspect

    from hypothesis.internal.reflection import _clean_source, function_digest, get_signature

    for test in list(vars(module).values()):
        if hypothesis_test(test) is None:
            continue
        inner = test.hypothesis.inner_test
        if not hasattr(test, "_hypothesis_internal_database_key"):
            test._hypothesis_internal_database_key = function_digest(inner)
        if getattr(test, "_hypothesis_internal_use_seed", None) is not None:
            continue
        hasher = hashlib.sha384()
        hasher.update(_clean_source(inspect.getsource(inner)))
        hasher.update(repr(get_signature(inner)).replace(*SEED_NAMESPACE).encode())
        test._hypothesis_internal_use_seed = int.from_bytes(hasher.digest(), "big")


def linear_layers(module: torch.nn.Module) -> list[torch.nn.Linear]:
    """The Linear layers of a module, in registration order."""
    return [m for m in module.modules() if isinstance(m, torch.nn.Linear)]


def is_affine(f: Callable[[torch.Tensor], torch.Tensor], dim: int, seed: int = 0) -> bool:
    """Whether f behaves as an affine map on random inputs: f(a) + f(b) - f(0) == f(a + b)."""
    generator = torch.Generator().manual_seed(seed)
    a, b = torch.randn(8, dim, generator=generator), torch.randn(8, dim, generator=generator)
    with torch.no_grad():
        zero = f(torch.zeros(8, dim))
        return bool(_allclose(f(a) + f(b) - zero, f(a + b), atol=1e-4, rtol=1e-4))


class GraderDispatchMode(TorchDispatchMode):
    """A dispatch mode for the grader's own observations (copies made, dtypes produced).

    torch wraps every mode's `__torch_dispatch__` so that its compiler skips it, and that wrapper imports
    torch._dynamo (about 1.5 s of a cold check) on the first operation. No compiler runs inside the grader's
    observers, so they keep the method as written.
    """

    @classmethod
    def _should_skip_dynamo(cls) -> bool:
        return False

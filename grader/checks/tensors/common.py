"""What the tensors checks share: givens in words, and the puzzle-rules check."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import torch

from torchdojo.checks.constraints import Rules, check_rules
from torchdojo.checks.strategies.tensors import Case


def given(**inputs: Case | Any) -> dict[str, str]:
    """`compare.same`'s given / given_zh for named inputs (cases, or plain values such as ints)."""
    en, zh = [], []
    for name, value in inputs.items():
        words = value.describe() if isinstance(value, Case) else (repr(value), repr(value))
        en.append(f"{name} = {words[0]}")
        zh.append(f"{name} = {words[1]}")
    return {"given": ", ".join(en), "given_zh": ",".join(zh)}


def puzzle_rules(learner: ModuleType, name: str, rules: Rules, *probe: Any) -> None:
    """The puzzle's rules, on the AST of the learner's function.

    The function is called once first on a legal input: an untouched stub then says
    "not written yet" (its NotImplementedError), while any other error is left to the
    behaviour checks — this check is about the rules only.
    """
    function = getattr(learner, name)
    try:
        function(*probe)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001, S110 - behaviour is the other checks' business
        pass
    check_rules(learner, name, rules)


_equal = torch.equal  # captured before any learner code runs

# A default device other than the inputs' (as inside a caller's `with torch.device("cuda"):`): a tensor made
# without `device=` lands there and mixing it with the inputs fails, as it would on a GPU. The inputs stay on
# the CPU, so right answers never touch the `meta` device (its first use costs seconds).
ELSEWHERE = (
    "inside the caller's `with torch.device(\"meta\"):` (the default device is not the input's device)",
    '在调用者的 `with torch.device("meta"):` 中(默认设备不是输入所在的设备)',
)


def elsewhere() -> torch.device:
    """The context manager for `ELSEWHERE`."""
    return torch.device("meta")


DEVICE_HINT = (
    (
        "Make every new tensor on the input's device: torch.arange(n, device=a.device). Without device= it is made "
        "on the default device, which is not always the input's (a GPU, or a `with torch.device(...)` block)."
    ),
    (
        "每个新张量都要创建在输入所在的设备上:torch.arange(n, device=a.device)。不写 device= 就会创建在默认设备上,"
        "而默认设备不一定是输入所在的设备(GPU,或 `with torch.device(...)` 代码块)。"
    ),
)


def ends(action: Callable[[], Any]) -> Any:
    """The value of a call of learner code, or the exception it raised (compared by type, with the check's hint).

    NotImplementedError propagates: an untouched stub says "not written yet", never "the same error as the reference".
    """
    try:
        return action()
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the exception is the observation
        return error


def device_of(action: Callable[[], Any]) -> Any:
    """A call inside the caller's other default device (`ELSEWHERE`), in words: the same result as outside it, or how it
    differs (another device, other values), or the exception it raised.

    Only the difference the block makes is observed, so that a wrong value is the other checks' business.
    (The words matter: a CPU tensor multiplied by a meta one can come back on the CPU with garbage in it.)
    """
    outside = ends(action)
    with elsewhere():
        inside = ends(action)
    if isinstance(inside, Exception) and isinstance(outside, Exception) and type(inside) is type(outside):
        return "the same result as outside the block"  # an error either way: the other checks say why
    if not torch.is_tensor(inside) or not torch.is_tensor(outside):
        return inside if isinstance(inside, Exception) else "not a tensor"
    if inside.device != outside.device:
        return f"a tensor on the {inside.device.type} device, not on the input's"
    if inside.dtype != outside.dtype or inside.shape != outside.shape or not _equal(inside.detach(), outside.detach()):
        return "other values than the same call outside the block"
    return "the same result as outside the block"


def raises(action: Callable[[], Any]) -> str:
    """Whether a call outside the contract fails loudly: any exception type is right (indexing and gather word the
    same mistake differently), returning is not. NotImplementedError propagates."""
    try:
        result = action()
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001 - any loud failure is right
        return "raises an error"
    return f"returns {type(result).__name__}"

"""Shared by the device checks: a hint chosen by the cause that the harness found."""

from __future__ import annotations

from typing import Any

from torchdojo.checks.support import CheckFailed

Hint = tuple[str, str]

GRAD_MODE: Hint = (
    "Leave grad mode as the caller had it: use a with-block (`with torch.no_grad():`), which restores it.",
    "请保持调用者的梯度模式:使用 with 块(`with torch.no_grad():`),它会自动恢复。",
)


def same(compare: Any, scenario: Any, hints: dict[str, Hint], otherwise: Hint | None = None, raised: Hint | None = None, **kwargs: Any) -> Any:
    """`compare.same`, then a hint for the part that differed: the first label of `hints` the message names.

    A difference elsewhere gets `otherwise`, an error raised by their code gets `raised` (when given), and a grad-mode
    leak gets `GRAD_MODE`, so a message never blames the wrong cause.
    """
    try:
        return compare.same(scenario, **kwargs)
    except CheckFailed as failure:
        hint = next((h for label, h in hints.items() if label in failure.en), otherwise)
        if "your code raised" in failure.en and raised is not None:  # their error, not a difference: its own hint
            hint = raised
        if "grad mode" in failure.en and "after the call" in failure.en and not any(label in failure.en for label in hints):
            hint = GRAD_MODE
        if hint is None:
            raise
        raise CheckFailed(f"{failure.en} {hint[0]}", f"{failure.zh}{hint[1]}", failure.where) from failure

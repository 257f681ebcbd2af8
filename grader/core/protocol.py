"""What the grading child tells the parent: typed events, one JSON line each, over a private pipe.

Both sides use these classes: the child (`torchdojo.core.child`) builds them and writes `encode(event, nonce)`;
the parent (`torchdojo.core.runner`) reads each line with `decode(line, nonce)`. The child runs learner code, so
the parent trusts nothing it reads: a line that is not valid JSON, carries another nonce, names an unknown
event or holds a field of the wrong type decodes to None, and the run counts as tampered with.

Plain dataclasses, not pydantic: the child imports this before torch, on every cold check.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

ChildOutcome = Literal["passed", "failed", "error", "needs_gpu", "not_graded"]
CHILD_OUTCOMES: frozenset[str] = frozenset({"passed", "failed", "error", "needs_gpu", "not_graded"})


@dataclass(frozen=True)
class ImportStarted:
    """The child is about to import the learner's file (dying now is the file's fault, not a check's)."""

    event: Literal["import_start"] = "import_start"


@dataclass(frozen=True)
class ImportDone:
    event: Literal["import_done"] = "import_done"


@dataclass(frozen=True)
class CheckStarted:
    """A check began: if the child dies before its verdict, this check is the one that was running."""

    check: str
    event: Literal["start"] = "start"


@dataclass(frozen=True)
class CheckVerdict:
    """One check's verdict as the child saw it; the parent adds the points from the catalog."""

    check: str
    outcome: ChildOutcome
    duration: float = 0.0
    en: str = ""
    zh: str = ""
    line: int | None = None
    source: str | None = None
    tampering: bool = False  # the child itself noticed tampering (a replaced function, a call into the reference)
    event: Literal["result"] = "result"


@dataclass(frozen=True)
class RunDone:
    """Every selected check reported: the child is about to exit on its own."""

    event: Literal["done"] = "done"


Event = ImportStarted | ImportDone | CheckStarted | CheckVerdict | RunDone


def encode(event: Event, nonce: str, _dumps: Callable[..., str] = json.dumps, _asdict: Callable[[Any], dict[str, Any]] = asdict) -> str:
    """One line for the pipe (with its newline). json.dumps and asdict are bound when this module is imported,
    before any learner code runs: replacing them later does not change what the child writes."""
    return _dumps({"nonce": nonce, **_asdict(event)}, ensure_ascii=False) + "\n"


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key, "")
    return value if isinstance(value, str) else None


def decode(line: bytes | str, nonce: str) -> Event | None:
    """The event on a line, or None when the line is not one the real child could have written."""
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("nonce") != nonce:
        return None
    kind = data.get("event")
    if kind == "import_start":
        return ImportStarted()
    if kind == "import_done":
        return ImportDone()
    if kind == "done":
        return RunDone()
    check = data.get("check")
    if not isinstance(check, str):
        return None
    if kind == "start":
        return CheckStarted(check)
    if kind != "result":
        return None
    outcome, en, zh = data.get("outcome"), _text(data, "en"), _text(data, "zh")
    line_number, source, duration = data.get("line"), data.get("source"), data.get("duration", 0.0)
    if outcome not in CHILD_OUTCOMES or en is None or zh is None:
        return None
    if not (line_number is None or (isinstance(line_number, int) and not isinstance(line_number, bool))):
        return None
    if not (source is None or isinstance(source, str)) or not isinstance(duration, int | float) or isinstance(duration, bool):
        return None
    tampering = data.get("tampering", False)
    if not isinstance(tampering, bool):
        return None
    return CheckVerdict(check, outcome, float(duration), en, zh, line_number, source, tampering)

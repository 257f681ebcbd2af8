"""The child -> parent protocol: what the child writes, the parent reads back exactly; anything else is forged."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from torchdojo.core.protocol import (
    CHILD_OUTCOMES,
    CheckStarted,
    CheckVerdict,
    Event,
    ImportDone,
    ImportStarted,
    RunDone,
    decode,
    encode,
)

NONCE = "n0nce"
words = st.text(max_size=40)
verdicts = st.builds(
    CheckVerdict,
    check=st.text(min_size=1, max_size=20),
    outcome=st.sampled_from(sorted(CHILD_OUTCOMES)),
    duration=st.floats(min_value=0, max_value=1e4, allow_nan=False),
    en=words,
    zh=words,
    line=st.none() | st.integers(min_value=1, max_value=10**6),
    source=st.none() | words,
    tampering=st.booleans(),
)
events: st.SearchStrategy[Event] = st.one_of(
    st.just(ImportStarted()), st.just(ImportDone()), st.just(RunDone()), st.builds(CheckStarted, st.text(min_size=1, max_size=20)), verdicts
)


@given(events)
def test_what_the_child_writes_the_parent_reads_back(event: Event) -> None:
    line = encode(event, NONCE)
    assert line.endswith("\n") and line.count("\n") == 1  # one event, one line, whatever the text holds
    assert decode(line.encode(), NONCE) == event


@given(events)
def test_another_runs_nonce_is_forged(event: Event) -> None:
    assert decode(encode(event, "other"), NONCE) is None


GOOD = {"nonce": NONCE, "event": "result", "check": "values", "outcome": "passed", "duration": 0.5, "en": "", "zh": "", "line": None, "source": None}


@pytest.mark.parametrize(
    "change",
    [
        {"event": "results"},
        {"outcome": "passed!"},
        {"outcome": None},
        {"check": 3},
        {"line": "12"},
        {"line": True},
        {"line": 1.5},
        {"duration": "1"},
        {"duration": False},
        {"en": None},
        {"zh": 7},
        {"source": 1},
    ],
    ids=str,
)
def test_a_field_of_the_wrong_kind_is_forged(change: dict[str, object]) -> None:
    assert decode(json.dumps(GOOD), NONCE) is not None
    assert decode(json.dumps({**GOOD, **change}), NONCE) is None


@pytest.mark.parametrize("line", [b"", b"not json", b"\xff\xfe", b"[1, 2]", b"null", json.dumps({"event": "done"}).encode()])
def test_not_a_line_of_the_real_child(line: bytes) -> None:
    assert decode(line, NONCE) is None


def test_the_childs_tampering_flag_is_a_bool() -> None:
    assert decode(json.dumps({**GOOD, "tampering": "yes"}), NONCE) is None
    verdict = decode(json.dumps({**GOOD, "tampering": True}), NONCE)
    assert isinstance(verdict, CheckVerdict) and verdict.tampering

"""Every claim of the widely copied Chinese overview maps to questions (quizzes/coverage.toml)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from torchdojo.quizzes.bank import load_shipped

COVERAGE = Path(__file__).resolve().parents[1] / "quizzes" / "coverage.toml"


def test_every_claim_has_questions_that_exist() -> None:
    claims = tomllib.loads(COVERAGE.read_text(encoding="utf-8"))["claims"]
    known = load_shipped().by_id
    for claim in claims:
        assert claim["questions"], claim["claim"]
        assert [q for q in claim["questions"] if q not in known] == [], claim["claim"]
    sections = {c["section"].split()[0] for c in claims}
    assert {"§1", "§2", "§3", "§4"} <= sections


def test_the_claims_issue_17_found_uncovered_are_covered() -> None:
    claims = tomllib.loads(COVERAGE.read_text(encoding="utf-8"))["claims"]
    text = " ".join(c["claim"] + " " + c["verdict"] for c in claims)
    for needle in ("research community", "BERT", "Hugging Face", "GANs", "variable-length"):
        assert needle in text, needle

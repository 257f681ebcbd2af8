"""Can a question be answered without knowing anything? Figures per bank, and limits.

- single choice: how often the right option is the uniquely longest one, in each
  language, by display width (a CJK character counts two);
- multiple choice: the mean credit a learner earns by ticking every box;
- true/false: the share of statements that are true.

`quiz validate` turns figures over the limits into problems. A bank with few
questions of a kind gets the tolerance of rounding (see `limits_broken`).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from torchdojo.i18n import Lang
from torchdojo.quizzes.models import MultipleChoice, Question, SingleChoice, TrueFalse

MAX_LONGEST_RIGHT = 0.30  # right single-choice option uniquely longest, per bank and language
MAX_TICK_ALL = 0.40  # mean credit for ticking every box, per bank
TRUE_SHARE = (0.40, 0.60)  # share of true statements, per bank


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text.strip())


def right_is_uniquely_longest(question: SingleChoice, lang: Lang) -> bool:
    widths = {o.id: display_width(o.text(lang)) for o in question.options}
    right = widths[question.answer]
    return all(right > w for oid, w in widths.items() if oid != question.answer)


def tick_all_credit(question: MultipleChoice) -> float:
    right = len(question.answers)
    wrong = len(question.options) - right
    return max(0.0, (right - wrong) / right)


@dataclass(frozen=True)
class BiasFigures:
    single: int
    longest_en: int
    longest_zh: int
    multiple: int
    tick_all: float  # mean credit, 0..1
    right_counts: tuple[int, ...]  # number of right options, per multiple-choice question
    true_false: int
    true: int

    def longest_share(self, lang: str) -> float:
        count = self.longest_en if lang == "en" else self.longest_zh
        return count / self.single if self.single else 0.0

    @property
    def true_share(self) -> float:
        return self.true / self.true_false if self.true_false else 0.0

    def summary(self) -> str:
        parts = []
        if self.single:
            parts.append(
                f"single: right uniquely longest {self.longest_en}/{self.single} en "
                f"({self.longest_share('en'):.0%}), {self.longest_zh}/{self.single} zh ({self.longest_share('zh'):.0%})"
            )
        if self.multiple:
            parts.append(f"multiple: tick-all earns {self.tick_all:.0%} (right options per question: {sorted(set(self.right_counts))})")
        if self.true_false:
            parts.append(f"true/false: {self.true}/{self.true_false} true ({self.true_share:.0%})")
        return "; ".join(parts) or "no choice questions"


def figures(questions: Iterable[Question]) -> BiasFigures:
    questions = list(questions)
    singles = [q for q in questions if isinstance(q, SingleChoice)]
    multiples = [q for q in questions if isinstance(q, MultipleChoice)]
    statements = [q for q in questions if isinstance(q, TrueFalse)]
    return BiasFigures(
        single=len(singles),
        longest_en=sum(right_is_uniquely_longest(q, "en") for q in singles),
        longest_zh=sum(right_is_uniquely_longest(q, "zh") for q in singles),
        multiple=len(multiples),
        tick_all=round(sum(tick_all_credit(q) for q in multiples) / len(multiples), 4) if multiples else 0.0,
        right_counts=tuple(len(q.answers) for q in multiples),
        true_false=len(statements),
        true=sum(q.answer for q in statements),
    )


def limits_broken(f: BiasFigures) -> list[str]:
    """What a bank must change to be unguessable. Small banks get the tolerance of rounding."""
    problems = []
    allowed = max(1, math.floor(MAX_LONGEST_RIGHT * f.single))
    for lang, count in (("English", f.longest_en), ("Chinese", f.longest_zh)):
        if count > allowed:
            problems.append(
                f"the right option is the uniquely longest in {count} of {f.single} single-choice questions ({lang}); "
                f"at most {allowed} ({MAX_LONGEST_RIGHT:.0%}) may be — lengthen a wrong option"
            )
    if f.multiple and f.tick_all > MAX_TICK_ALL:
        problems.append(
            f"ticking every box earns {f.tick_all:.0%} on average over {f.multiple} multiple-choice questions; "
            f"at most {MAX_TICK_ALL:.0%} — give some questions fewer right options"
        )
    if f.multiple >= 4 and len(set(f.right_counts)) < 2:
        problems.append(f"every multiple-choice question has {f.right_counts[0]} right options; vary the number")
    if f.true_false:
        low, high = math.floor(TRUE_SHARE[0] * f.true_false), math.ceil(TRUE_SHARE[1] * f.true_false)
        if not low <= f.true <= high:
            problems.append(
                f"{f.true} of {f.true_false} true/false statements are true; keep it between {low} and {high} ({TRUE_SHARE[0]:.0%}–{TRUE_SHARE[1]:.0%})"
            )
    return problems

"""The glossary (quizzes/glossary.toml) and a checker for Chinese text.

Chinese learner-facing text must use one rendering per term: no English stand-in
for a glossary term outside code, and no second Chinese rendering. The checker
finds Chinese text in the quiz banks, the catalog, and string literals and
comments of Python files (exercise docstrings, grader messages), and reports
each violation with its file and line.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from torchdojo.quizzes.models import Question

GLOSSARY_PATH = Path(__file__).resolve().parent / "glossary.toml"

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Code and quotations are not prose: `code`, "literals", “quoted English”.
_BACKTICKS = re.compile(r"`[^`]*`")
_ASCII_QUOTED = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|“[\x20-\x7e]*”|‘[\x20-\x7e]*’")
# An English gloss in parentheses right after Chinese: 自动求导(autograd).
_GLOSS = re.compile(r"(?<=[\u3400-\u9fff\uf900-\ufaff])\s?[(（][\x20-\x7e]+[)）]")
# Word boundaries: a name next to `.`, `_`, `(`, `)`, `=`, `[`, `/`, `-` or an ASCII comma is
# code (x.grad, f(device), loss = ..., X, y = batch) or part of a longer word.
_BEFORE = r"(?<![A-Za-z0-9_.\-/\\(\[])(?<!= )(?<!, )(?<![=,])"
_AFTER = r"(?![A-Za-z0-9_(\-=./\[\\)])(?! =)(?!,[\x20-\x7e])"
_CAMEL = re.compile(r"^[A-Za-z][a-z0-9]+[A-Z]")  # DataLoader, BatchNorm: class names are code


@dataclass(frozen=True)
class Term:
    en: str
    zh: str
    english: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Violation:
    where: str  # "path:line" or "path:line (question-id field)"
    term: Term
    found: str
    english: bool  # True: an English word; False: another Chinese rendering

    def __str__(self) -> str:
        if self.english:
            return f"{self.where}: '{self.found}' is English; write {self.term.zh} ({self.term.en}), or mark code with `backticks`"
        return f"{self.where}: '{self.found}' is another rendering of '{self.term.en}'; write {self.term.zh}"


@cache
def load_glossary(path: Path = GLOSSARY_PATH) -> tuple[Term, ...]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Term(
            en=entry["en"],
            zh=entry["zh"],
            english=tuple(entry.get("english", ())),
            avoid=tuple(entry.get("avoid", ())),
            note=entry.get("note", ""),
        )
        for entry in raw["terms"]
    )


@cache
def _patterns(terms: tuple[Term, ...]) -> tuple[tuple[Term, re.Pattern[str]], ...]:
    result = []
    for term in terms:
        if term.english:
            words = sorted(term.english, key=len, reverse=True)
            alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
            result.append((term, re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", re.IGNORECASE)))
    return tuple(result)


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text))


def prose(text: str) -> str:
    """The text with code, quotations and parenthesised English glosses blanked out."""
    for pattern in (_BACKTICKS, _ASCII_QUOTED, _GLOSS):
        text = pattern.sub(lambda m: " " * len(m.group()), text)
    return text


def check_text(text: str, where: str, terms: tuple[Term, ...] | None = None) -> list[Violation]:
    """Violations of the glossary in one piece of Chinese text."""
    terms = terms or load_glossary()
    plain = prose(text)
    found: list[Violation] = []
    for term, pattern in _patterns(terms):
        for match in pattern.finditer(plain):
            if _CAMEL.match(match.group()):
                continue
            found.append(Violation(where, term, match.group(), english=True))
    for term in terms:
        for other in term.avoid:
            if other in plain:
                found.append(Violation(where, term, other, english=False))
    return found


def _chinese_part(line: str) -> str:
    """Of a bilingual line 'English / 中文', the Chinese side."""
    if " / " in line:
        return " / ".join(part for part in line.split(" / ") if has_chinese(part))
    return line


def chinese_lines_of_python(source: str) -> Iterator[tuple[int, str]]:
    """(line number, text) for each line of a string literal or comment that holds Chinese."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return
    for token in tokens:
        if token.type not in (tokenize.STRING, tokenize.COMMENT):
            continue
        text = token.string
        if token.type == tokenize.STRING:
            try:
                text = ast.literal_eval(text)  # escapes resolved: \"quoted\" becomes "quoted"
            except (ValueError, SyntaxError):
                pass  # an f-string: scan its source text
        if not isinstance(text, str):
            continue
        for offset, line in enumerate(text.splitlines()):
            if has_chinese(line):
                yield token.start[0] + offset, _chinese_part(line)


def check_python_file(path: Path, label: str) -> list[Violation]:
    source = path.read_text(encoding="utf-8")
    found: list[Violation] = []
    for number, line in chinese_lines_of_python(source):
        found.extend(check_text(line, f"{label}:{number}"))
    return found


def _line_of(lines: list[str], value: str, start: int = 0) -> int:
    """1-based line in a TOML file where a string value appears (its first 40 characters)."""
    needle = value.replace("\\", "\\\\").replace('"', '\\"')[:40]
    for index in range(start, len(lines)):
        if needle in lines[index]:
            return index + 1
    return start + 1


def _zh_values(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "zh" and isinstance(value, str):
                yield value
            else:
                yield from _zh_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _zh_values(item)


def check_toml_file(path: Path, label: str) -> list[Violation]:
    """Every `zh = "..."` value of a TOML file (the catalog)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found: list[Violation] = []
    for value in _zh_values(tomllib.loads(text)):
        found.extend(check_text(value, f"{label}:{_line_of(lines, value)}"))
    return found


def bank_texts(questions: Iterable[Question]) -> Iterator[tuple[str, str, str]]:
    """(question id, field, Chinese text) for the learner-facing Chinese of each question.

    The options of a code-output question are program output, not prose.
    """
    for q in questions:
        yield q.id, "text", q.text.zh
        yield q.id, "explanation", q.explanation.zh
        if getattr(q, "kind", "") != "code_output":
            for option in getattr(q, "options", []):
                yield q.id, f"option {option.id}", option.text.zh


def check_bank_file(path: Path, label: str) -> list[Violation]:
    from torchdojo.quizzes.bank import load_files

    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Violation] = []
    for qid, field, value in bank_texts(load_files([path]).questions):
        start = next((i for i, line in enumerate(lines) if f'id = "{qid}"' in line), 0)
        found.extend(check_text(value, f"{label}:{_line_of(lines, value, start)} ({qid} {field})"))
    return found

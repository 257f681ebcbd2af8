"""One glossary (quizzes/glossary.toml): Chinese text uses one rendering per term.

Scanned: the quiz banks, the catalog (hints and check titles), and the Chinese
in string literals and comments of exercises/, solutions/, grader/ (check
messages included) and quizzes/. Each file is its own test, so a failure names
the file, and its message lists every violation as `path:line: what to write`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from torchdojo.quizzes.glossary import (
    Violation,
    check_bank_file,
    check_python_file,
    check_text,
    check_toml_file,
    load_glossary,
)

ROOT = Path(__file__).resolve().parents[1]
TERMS = load_glossary()
BANKS = sorted((ROOT / "quizzes" / "banks").glob("*.toml"))
PYTHON = [path for folder in ("exercises", "solutions", "grader", "quizzes") for path in sorted((ROOT / folder).rglob("*.py")) if "_bundle" not in path.parts]


def _label(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _report(violations: list[Violation]) -> str:
    lines = "\n".join(f"  {v}" for v in violations)
    return f"{len(violations)} glossary violation(s) (see quizzes/glossary.toml):\n{lines}"


# --- the glossary itself ---------------------------------------------------------


def test_glossary_has_the_terms_the_course_needs() -> None:
    zh = {term.en: term.zh for term in TERMS}
    expected = {
        "tensor": "张量", "autograd": "自动求导", "computation graph": "计算图", "leaf tensor": "叶子张量",
        "eager execution": "即时执行", "epoch": "轮", "batch": "批次", "token": "词元", "embedding": "嵌入",
        "batch normalization": "批归一化", "session": "会话",
    }  # fmt: skip
    assert {en: zh.get(en) for en in expected} == expected


def test_one_rendering_per_term_and_one_term_per_rendering() -> None:
    assert [en for en, n in Counter(t.en for t in TERMS).items() if n > 1] == []
    assert [zh for zh, n in Counter(t.zh for t in TERMS).items() if n > 1] == []
    renderings = {t.zh for t in TERMS}
    for term in TERMS:
        assert term.english, f"{term.en}: no English words to look for"
        clashing = [a for a in term.avoid if a in renderings or a == term.zh]
        assert clashing == [], f"{term.en}: avoids a rendering the glossary prescribes"
        for other in term.avoid:
            assert other not in term.zh, f"{term.en}: the prescribed {term.zh} contains the avoided {other}"


# --- the checker -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "autograd 会记录运算。",
        "训练 5 个 epoch。",
        "每个 token 对应一行。",
        "在 eager 模式下运行。",
        "dropout、batch norm 等层",
        "不需要 session。",
    ],
)
def test_bare_english_term_in_chinese_is_flagged(text: str) -> None:
    assert check_text(text, "x"), text


@pytest.mark.parametrize("text", ["只有叶子节点会得到 .grad。", "可变长度的序列", "批量归一化层"])
def test_second_chinese_rendering_is_flagged(text: str) -> None:
    assert [v for v in check_text(text, "x") if not v.english], text


@pytest.mark.parametrize(
    "text",
    [
        "用 torch.autograd.grad 求梯度。",
        "`autograd` 记录运算。",
        "自动求导(autograd)会记录运算。",
        "调用 loss.backward() 之后",
        "x.to(device) 移到设备上",
        "X, y = batch;两者都要移动",
        "报错 “Trying to backward through the graph a second time”",
        "用 DataLoader 按批次读取数据",
        "nn.Embedding 把词元映射为向量",
    ],
)
def test_code_quotes_and_glosses_are_not_flagged(text: str) -> None:
    assert check_text(text, "x") == [], text


# --- every file with Chinese learner-facing text ----------------------------------------


@pytest.mark.parametrize("path", BANKS, ids=_label)
def test_bank_follows_the_glossary(path: Path) -> None:
    violations = check_bank_file(path, _label(path))
    assert not violations, _report(violations)


def test_catalog_follows_the_glossary() -> None:
    path = ROOT / "grader" / "catalog.toml"
    violations = check_toml_file(path, _label(path))
    assert not violations, _report(violations)


@pytest.mark.parametrize("path", PYTHON, ids=_label)
def test_python_text_follows_the_glossary(path: Path) -> None:
    """Docstrings, comments and messages (grader/checks/** included)."""
    violations = check_python_file(path, _label(path))
    assert not violations, _report(violations)

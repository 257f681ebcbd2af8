"""The puzzle rules (grader/checks/constraints.py): each forbidden construct is found, named, and placed on its line;
what a puzzle allows passes; the message is in English and 中文."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from torchdojo.checks.constraints import Rules, check_rules, violations
from torchdojo.checks.support import CheckFailed

RULES = Rules(functions=frozenset({"arange", "where"}), methods=frozenset({"long", "sum"}))
HEADER = "import torch\n\n\ndef f(a, n):\n"  # the body starts on line 5


def _found(body: str, rules: Rules = RULES) -> list[tuple[int, str]]:
    return [(v.line, v.en) for v in violations(HEADER + body, "f", rules)]


@pytest.mark.parametrize(
    ("body", "line", "named"),
    [
        ("    for i in range(n):\n        pass\n    return a\n", 5, "a `for` loop"),
        ("    while n:\n        n -= 1\n    return a\n", 5, "a `while` loop"),
        ("    if n:\n        return a\n    return a\n", 5, "an `if` statement"),
        ("    b = a * 2\n    return b\n", 5, "an assignment"),
        ("    import numpy\n    return a\n", 5, "an `import`"),
        ("    try:\n        pass\n    except Exception:\n        pass\n    return a\n", 5, "a `try` statement"),
        ("    with torch.no_grad():\n        pass\n    return a\n", 5, "a `with` block"),
        ('    """Doc."""\n    print(a)\n    return a\n', 6, "a statement other than `return`"),
        ("    return a\n    return a\n", 6, "a second `return`"),
        ("    return torch.stack([a[i] for i in range(n)])\n", 5, "`torch.stack(...)`"),
        ("    return a[[x for x in range(n)]]\n", 5, "a list comprehension"),
        ("    return (lambda x: x)(a)\n", 5, "a lambda"),
        ("    return a if n else a\n", 5, "a conditional expression"),
        ("    return n and a\n", 5, "`and` / `or`"),
        ("    return a[[0, 1]]\n", 5, "a Python list of values"),
        ("    return torch.arange((2, 3))\n", 5, "a Python tuple of values"),
        ("    return a.to('cpu')\n", 5, "the method `.to()`"),
        ("    return len(a)\n", 5, "calling `len(...)`"),
        ("    return a + np\n", 5, "the name `np`"),
        ("    return a.T\n", 5, "the attribute `.T`"),
        ("    return torch.nn.functional.one_hot(a, n)\n", 5, "`torch.nn.functional.one_hot(...)`"),
        ("    return a @ a\n", 5, "`@` (matrix multiplication)"),
        ("    return torch.where(**{'condition': a})\n", 5, "a Python dict"),
        ("    return torch.arange(n,\n        device='cpu')\n", 6, "a string"),
        ("    return torch\n", 5, "`torch` on its own"),
    ],
)
def test_each_forbidden_construct_is_named_with_its_line(body: str, line: int, named: str) -> None:
    found = _found(body)
    assert found, body
    assert (line, named) in [(at, what[: len(named)]) for at, what in found], found


@pytest.mark.parametrize(
    "body",
    [
        "    return a[:, None] * a[None, :]\n",
        '    """Docstring first."""\n    return torch.where(torch.arange(n, device=a.device)[:, None] <= a, a, 0)\n',
        "    return (a[..., None] == torch.arange(n, device=a.device, dtype=torch.long)).long().sum(0)\n",
        "    return a[a.shape[0] - 1 - torch.arange(a.shape[0], device=a.device)] ** 2 // 3 % 5 - -a\n",
        "    return (a > 0) & (a < n) | ~(a == 1)\n",
    ],
)
def test_what_the_rules_allow_passes(body: str) -> None:
    assert _found(body) == []


def test_a_decorator_and_a_missing_def_are_reported() -> None:
    assert [v.en for v in violations("import functools\n\n\n@functools.cache\ndef f(a):\n    return a\n", "f", RULES)] == ["a decorator"]
    assert "no plain `def f(...)`" in violations("f = lambda a: a\n", "f", RULES)[0].en


def test_matmul_is_allowed_when_the_puzzle_says_so() -> None:
    assert _found("    return a @ a\n", Rules(matmul=True)) == []


def test_a_replaced_torch_function_is_not_the_allowed_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch, "arange", lambda *args, **kwargs: None)
    assert _found("    return torch.arange(n)\n") == [(5, "`torch.arange` replaced by other code")]


def _load(tmp_path: Path, source: str, name: str = "learner_under_test"):
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(name, None)
    return module


def test_check_rules_says_what_and_where_in_both_languages(tmp_path: Path) -> None:
    module = _load(tmp_path, HEADER + "    out = a * 0\n    for i in range(n):\n        out = out + a\n    return out\n")
    with pytest.raises(CheckFailed) as failed:
        check_rules(module, "f", RULES)
    assert failed.value.en.startswith("Line 5: an assignment breaks the puzzle's rules (2 more after it)")
    assert "torch.arange" in failed.value.en and "Allowed:" in failed.value.en
    assert failed.value.zh.startswith("第 5 行:赋值语句不符合谜题的规则(之后还有 2 处)")
    assert failed.value.where == 5


def test_check_rules_passes_a_rule_abiding_function(tmp_path: Path) -> None:
    module = _load(tmp_path, HEADER + "    return torch.where(a > n, a, 0)\n")
    check_rules(module, "f", RULES)  # no exception


def test_the_function_that_runs_must_be_the_def_that_was_checked(tmp_path: Path) -> None:
    source = HEADER + "    return a\n\n\ndef _loopy(a, n):\n    for _ in range(n):\n        a = a + 1\n    return a\n\n\nf = _loopy\n"
    module = _load(tmp_path, source)
    with pytest.raises(CheckFailed) as failed:
        check_rules(module, "f", RULES)
    assert "is not the `def f` written at line 4" in failed.value.en


def test_rules_read_the_notebook_cell_the_function_was_written_in(tmp_path: Path) -> None:
    """nbgrader submissions run as cells inside a generated module (torchdojo.teacher.notebook): the rules read the
    cell that defined the function, and the message names the cell and the line inside it."""
    from torchdojo.teacher.notebook import write_module

    good = write_module(["import torch", HEADER + "    return torch.where(a > n, a, 0)\n"], tmp_path, "good")
    check_rules(_load(tmp_path, good.read_text(encoding="utf-8")), "f", RULES)  # no exception
    loopy = write_module(["import torch", "x = 1", HEADER + "    b = a * 2\n    return b\n"], tmp_path, "loopy")
    with pytest.raises(CheckFailed) as failed:
        check_rules(_load(tmp_path, loopy.read_text(encoding="utf-8")), "f", RULES)
    assert failed.value.en.startswith("Cell 3, line 5: an assignment breaks the puzzle's rules")
    assert failed.value.zh.startswith("第 3 个单元格第 5 行:赋值语句")

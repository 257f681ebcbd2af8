"""Every learner-facing message has a real Chinese text: no "bilingual" pair whose Chinese side is the English.

The rule (issue 16, step 5). A pair (en, zh) is wrong when

- its zh side is literal text with no CJK character, unless that zh text is code or a name (is_code_or_name:
  placeholders, numbers and symbols, one code-like word, a listed name, or Python such as "x = {}, y = {}"); or
- both sides are the same expression built from a caught exception (``t(str(error), str(error))``: the Chinese
  reader gets Python's English). The same value on both sides (``(str(value), str(value))``) is fine: a value
  reads the same in both languages.

Sides the scan cannot read (a variable, a call) are not judged. Where bilingual text is written (each form is found):

- calls of functions whose parameters are named ``en`` and ``zh`` (found by reading every ``def`` under grader/ and
  quizzes/: ``t``, ``fail``, ``expect``, ``CheckFailed``, ``GraderLimit``, ``limit``, ``add``), any call with
  ``en=``/``zh=`` keywords (the two ``Text`` classes), and keywords ``x=``/``x_zh=`` (``given``/``given_zh``);
- parameters typed ``tuple[str, str]`` (``hint=``, ``extra=`` ...) given a literal pair; in grader/checks/,
  functions typed ``-> tuple[str, str]`` returning a literal pair (``describe()``);
- dict literals with the keys ``"en"`` and ``"zh"`` (render.py's WORDS, child.py's results) or ``x``/``x_zh``;
- ``X if lang == "zh" else Y`` (and ``== "en"``, ``!=``);
- ``*_WORDS`` / ``*_TITLES`` / ``*_HINTS`` tables and tables annotated ``dict[..., tuple[str, str]]``;
- ``en = ...`` then ``zh = ...`` (and ``x``/``x_zh``) in one function;
- the catalog's titles, hints and check titles; every bank's texts and explanations, and its options except
  a code_output question's (what the code prints) and those that name something ("ResNet", "Geoffrey Hinton").

No offender is left in grader/core/runner.py, child.py, warm.py or early.py (the lead's files this session), so the test
allows none. `python tests/test_bilingual.py` lists the offenders, one a line.
"""

from __future__ import annotations

import ast
import keyword
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from torchdojo.core.catalog import load_catalog
from torchdojo.quizzes.bank import load_shipped
from torchdojo.quizzes.models import CodeOutput

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for folder in ("grader", "quizzes") for p in (ROOT / folder).rglob("*.py"))
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
FIELD = re.compile(r"\{[^{}]*\}")  # a str.format field, or a placeholder left by an f-string value
BACKTICKED = re.compile(r"`[^`]*`")
FULL_WIDTH = str.maketrans(",;:()", ",;:()")
CODE_CHARACTER = re.compile(r"[\d._/()=\[\]<>:-]")
# Single words that are names in every language, written as they are in the Chinese text too: the product, libraries,
# hardware, the language toggle's "English", the language code "en" (`"zh-CN" if lang == "zh" else "en"`).
NAMES = frozenset({"torchdojo", "PyTorch", "TorchScript", "CUDA", "GPU", "CPU", "ONNX", "NumPy", "Python", "TensorFlow", "English", "en"})


@dataclass(frozen=True)
class Pair:
    """One bilingual text found in the tree: where, and each side as it reads (placeholders as `{}`)."""

    where: str
    en: str | None  # None: not text the scan can read (a name, a call); only compared as an expression
    zh: str | None
    same_expression: bool = False

    def problem(self) -> str | None:
        if self.same_expression:
            return "both sides are the same expression: the Chinese reader gets the English"
        if self.en is None or self.zh is None:
            return None
        if CJK.search(self.zh) or is_code_or_name(self.zh):
            return None
        return "the zh side has no Chinese" if self.en != self.zh else "both sides are equal"


def is_code_or_name(text: str) -> bool:
    """True for text that reads the same in Chinese: placeholders, symbols, code, a name.

    Placeholders (`{...}`) and backticked spans count as code. What is left is code when it has no letter, when it is
    one word written like code (a digit or one of `._/()=[]<>:-` in it, a capital after the first letter as in
    `DataLoader`, a Python keyword) or a listed name, or when each of its top-level parts (split at `;` `—`, then at
    `,` where a part does not parse whole) is Python: statements (`return x.clone()`, `x = {}`,
    `with torch.no_grad(): return model(x)`), `expression = ...` (`f(x) = {}`), or `label: statement` where the
    statement is more than a bare value (`flat: return x.reshape(-1)`, but not `Score: {n}`).
    """
    bare = BACKTICKED.sub("_", FIELD.sub("_", text)).strip().translate(FULL_WIDTH)
    if not re.search(r"[^\W\d_]", bare.replace("_", "")):
        return True  # no letter at all: "{path}", "→ {n}", "2.0", "✓", "`and` / `or`"
    if " " not in bare:
        word = bare.strip("'\".,:;()")
        camel = bool(re.fullmatch(r"[A-Za-z]\w*[A-Z]\w*", word))  # DataLoader, ResNet, BERT: a class or a name
        return bool(CODE_CHARACTER.search(bare)) or camel or keyword.iskeyword(word) or keyword.issoftkeyword(word) or word in NAMES
    return all(_is_python(part) or all(_is_python(p) for p in _top_level_parts(part, ",")) for part in _top_level_parts(bare, ";—"))


def _top_level_parts(text: str, separators: str) -> list[str]:
    """`text` split at `separators` outside brackets ("—" and Chinese "——" separate alternatives in a hint)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch in "([{") - (ch in ")]}")
        if depth == 0 and ch in separators:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _statements(text: str) -> list[ast.stmt] | None:
    try:
        return ast.parse(text.strip()).body
    except SyntaxError:
        return None


# An expression of bare names, `and`/`or`/`not`/`in`/`is` is English that happens to parse ("Views and copies").
_WORDS_ONLY = (ast.Module, ast.Expr, ast.Name, ast.Load, ast.BoolOp, ast.And, ast.Or, ast.Compare, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.UnaryOp, ast.Not)


def _is_words(body: list[ast.stmt]) -> bool:
    nodes = [n for stmt in body for n in ast.walk(stmt)]
    return all(isinstance(n, _WORDS_ONLY) for n in nodes) and any(isinstance(n, ast.Name) and n.id != "_" for n in nodes)


def _is_python(part: str) -> bool:
    part = part.strip()
    if not part:
        return True
    body = _statements(part)
    if body and _is_words(body):
        return False
    if body and not (len(body) == 1 and isinstance(body[0], ast.AnnAssign)):
        return True  # `x = {}`, `return x.clone()`, `y.backward(g)` (an annotation is `label: value`, below)
    label = re.match(r"^([^=:]+?)(=|:)(.+)$", part)
    if label is None:
        return False
    left, sign, right = label.groups()
    if sign == "=":  # `f(x) = {}`: an expression, then its value
        return _statements(left) is not None and _statements(right) is not None
    rest = _statements(right)
    bare_value = rest is not None and len(rest) == 1 and isinstance(rest[0], ast.Expr) and isinstance(rest[0].value, ast.Name | ast.Constant)
    if bare_value:  # `train_dl: {}` is code, `Score: {n}` is a word with a value
        return bool(CODE_CHARACTER.search(left))
    return rest is not None and left.strip().isidentifier()


def is_a_proper_noun(text: str) -> bool:
    """A bank option that names something ("ResNet", "Geoffrey Hinton", "Jeff Dean (Google Brain)", "torchvision"):
    every word capitalised, or code. Only options: in messages, single capitalised words ("Next") are words."""
    words = re.findall(r"[^\s()()]+", text)
    return bool(words) and all(w[0].isupper() or is_code_or_name(w) or w[0].islower() and w.isalpha() and len(words) == 1 for w in words)


# -- reading Python ---------------------------------------------------------------------------------


def _text_of(node: ast.AST) -> str | None:
    """A literal string or f-string as a reader sees it (each interpolated value as `{}`); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "..." + "..." across lines
        left, right = _text_of(node.left), _text_of(node.right)
        return None if left is None or right is None else left + right
    return None


def _pair(where: str, en: ast.AST, zh: ast.AST, caught: frozenset[str] = frozenset()) -> Pair:
    """One pair; `caught`: the file's `except ... as name` names, whose text (an error's message) is English."""
    same = _text_of(en) is None and ast.dump(en) == ast.dump(zh)
    same = same and any(isinstance(n, ast.Name) and n.id in caught for n in ast.walk(en))
    return Pair(where, _text_of(en), _text_of(zh), same)


def bilingual_callables(paths: list[Path]) -> dict[str, tuple[int, int]]:
    """Every function or method under grader/ and quizzes/ with parameters `en` and `zh`: its name, their positions.

    A class's `__init__` is called by the class's name; `self`/`cls` are not counted."""
    found: dict[str, tuple[int, int]] = {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        owner = {id(fn): cls.name for cls in ast.walk(tree) if isinstance(cls, ast.ClassDef) for fn in cls.body}
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:  # `class Text(NamedTuple): en: str; zh: str`
            fields = [f.target.id for f in cls.body if isinstance(f, ast.AnnAssign) and isinstance(f.target, ast.Name)]
            if "en" in fields and "zh" in fields:
                found[cls.name] = (fields.index("en"), fields.index("zh"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
            if "en" not in names or "zh" not in names:
                continue
            if id(fn) in owner and names[0] in ("self", "cls"):
                names = names[1:]
            name = owner[id(fn)] if id(fn) in owner and fn.name == "__init__" else fn.name
            found[name] = (names.index("en"), names.index("zh"))
    return found


def _is_lang_test(test: ast.AST) -> str | None:
    """`lang == "zh"` (any name or attribute on the left): which language the *true* branch is in."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq | ast.NotEq)):
        return None
    sides = [test.left, test.comparators[0]]
    lang = next((s.value for s in sides if isinstance(s, ast.Constant) and s.value in ("en", "zh")), None)
    if lang is None:
        return None
    if isinstance(test.ops[0], ast.NotEq):
        lang = "en" if lang == "zh" else "zh"
    return lang


def _is_pair_type(annotation: ast.AST | None) -> bool:
    """`tuple[str, str]` (optionally `| None`): how the checks pass an (en, zh) pair around."""
    if annotation is None:
        return False
    text = ast.unparse(annotation)
    return text.startswith("tuple[str, str]") or text.endswith("tuple[str, str]]") and text.startswith("dict[")


def pair_parameters(paths: list[Path]) -> set[str]:
    """Names of parameters typed `tuple[str, str]` anywhere in the tree (`hint`, `extra` ...): calls pass (en, zh)."""
    return {
        a.arg
        for path in paths
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for a in fn.args.args + fn.args.kwonlyargs
        if _is_pair_type(a.annotation)
    }


def _tuple_pairs(where: str, node: ast.AST, caught: frozenset[str]) -> Iterator[Pair]:
    """(en, zh) tuples in a value: the tuple itself, or each branch of `a if c else b`."""
    if isinstance(node, ast.Tuple) and len(node.elts) == 2:
        yield _pair(where, node.elts[0], node.elts[1], caught)
    elif isinstance(node, ast.IfExp):
        yield from _tuple_pairs(where, node.body, caught)
        yield from _tuple_pairs(where, node.orelse, caught)


def _zh_partner(names: Mapping[str, ast.AST], key: str, plain: bool = False) -> ast.AST | None:
    """For `given_zh`: the English side, named `given` or `given_en`; with `plain` (variables), `en` for `zh`."""
    if key == "zh":
        return names.get("en") if plain else None
    stem = key.removesuffix("_zh")
    return names.get(stem, names.get(f"{stem}_en")) if key.endswith("_zh") and stem else None


def python_pairs(rel: str, source: str, callables: dict[str, tuple[int, int]], pair_params: frozenset[str] = frozenset()) -> Iterator[Pair]:
    """The bilingual pairs in one Python file (`rel`: its path from the repository root, for the report)."""
    tree = ast.parse(source)
    caught = frozenset(h.name for h in ast.walk(tree) if isinstance(h, ast.ExceptHandler) and h.name)
    checks = rel.startswith("grader/checks/")  # where functions typed `-> tuple[str, str]` return (en, zh)
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Call):
            keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else ""
            if "en" in keywords and "zh" in keywords:
                yield _pair(where, keywords["en"], keywords["zh"], caught)
            elif name in callables and not node.keywords:
                i_en, i_zh = callables[name]
                if len(node.args) > max(i_en, i_zh) and not any(isinstance(a, ast.Starred) for a in node.args):
                    yield _pair(where, node.args[i_en], node.args[i_zh], caught)
            for key, value in keywords.items():
                if (en := _zh_partner(keywords, key)) is not None:
                    yield _pair(where, en, value, caught)
                if key in pair_params:
                    yield from _tuple_pairs(where, value, caught)
        elif isinstance(node, ast.Dict):
            keys = {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if {"en", "zh"} <= set(keys):
                yield _pair(where, keys["en"], keys["zh"], caught)
            for key, value in keys.items():
                if (en := _zh_partner(keys, key)) is not None:
                    yield _pair(where, en, value, caught)
        elif isinstance(node, ast.IfExp) and (lang := _is_lang_test(node.test)):
            zh, en = (node.body, node.orelse) if lang == "zh" else (node.orelse, node.body)
            yield _pair(where, en, zh, caught)
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            table = any(isinstance(t, ast.Name) and t.id.endswith(("_WORDS", "_TITLES", "_HINTS")) for t in targets)
            if table or isinstance(node, ast.AnnAssign) and _is_pair_type(node.annotation):
                for value in node.value.values:
                    yield from _tuple_pairs(f"{rel}:{value.lineno}", value, caught)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if checks and _is_pair_type(node.returns):
                for ret in ast.walk(node):
                    if isinstance(ret, ast.Return) and ret.value is not None:
                        yield from _tuple_pairs(f"{rel}:{ret.lineno}", ret.value, caught)
            names: dict[str, ast.AST] = {}  # `zh = ...` after `en = ...`, `x_zh = ...` after `x = ...`, in one function
            assigns = [a for a in ast.walk(node) if isinstance(a, ast.Assign) and len(a.targets) == 1 and isinstance(a.targets[0], ast.Name)]
            for stmt in sorted(assigns, key=lambda a: (a.lineno, a.col_offset)):
                target = stmt.targets[0]
                assert isinstance(target, ast.Name)  # filtered above
                key = target.id
                names[key] = stmt.value
                if (en := _zh_partner(names, key, plain=True)) is not None:
                    yield _pair(f"{rel}:{stmt.lineno}", en, stmt.value, caught)


def all_python_pairs() -> list[Pair]:
    callables, params = bilingual_callables(SOURCES), frozenset(pair_parameters(SOURCES))
    return [pair for path in SOURCES for pair in python_pairs(path.relative_to(ROOT).as_posix(), path.read_text(encoding="utf-8"), callables, params)]


# -- the tests ------------------------------------------------------------------------------------------


def test_the_scan_finds_every_form_of_bilingual_text() -> None:
    """The scan is only as good as what it reads: each form is found in the tree, in the numbers it is used."""
    callables = bilingual_callables(SOURCES)
    assert {"t", "fail", "expect", "CheckFailed", "limit"} <= set(callables), callables
    assert callables["expect"] == (1, 2) and callables["t"] == (0, 1) and callables["Text"] == (0, 1)
    pairs = all_python_pairs()
    files = {p.where.rsplit(":", 1)[0] for p in pairs}
    assert {"grader/learner/render.py", "quizzes/app/words.py", "quizzes/models.py", "grader/checks/harness.py"} <= files
    assert len(pairs) > 750, len(pairs)  # 806 when written: every check message, table and label
    zh = {p.zh for p in pairs}
    assert {
        "评分进程意外停止。",  # t(en, zh) in runner.py
        "需要 GPU,此处不评分",  # {"en": ..., "zh": ...} in render.py's WORDS
        "你的代码抛出了 {}:{}",  # en = ... / zh = ... in child.py
        "梯度模式(torch.is_grad_enabled())",  # a _WORDS table of (en, zh)
        "总览",  # Text(en=..., zh=...) in the app's WORDS
    } <= zh


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ('t("Could not read it", "Could not read it")', "both sides are equal"),
        ("try:\n    x()\nexcept OSError as error:\n    t(str(error), str(error))", "same expression"),
        ('t(f"got {x}", f"got {x}")', "both sides are equal"),
        ('fail("wrong", f"wrong: {x}")', "no Chinese"),
        ('expect(ok, "Next", "Next")', "both sides are equal"),
        ('WORDS = {"k": {"en": "Score", "zh": "Score"}}', "both sides are equal"),
        ('s = "Yes" if lang == "zh" else "Yes"', "both sides are equal"),
        ('s = "Yes" if lang != "en" else "Yes"', "both sides are equal"),
        ('Text(en="Quit", zh="Quit")', "both sides are equal"),
        ('Text("Quit", "Quit")', "both sides are equal"),
        ('try:\n    x()\nexcept OSError as error:\n    notify(str(error) if lang == "zh" else str(error))', "same expression"),
        ('def f():\n    en = "Not written yet"\n    zh = "Not written yet"', "both sides are equal"),
        ('check(x, given="x = {}, then twice", given_zh="x = {}, then twice")', "both sides are equal"),
        ('_X_WORDS = {1: ("on", "on"), 2: ("grad mode", "grad mode")}', "both sides are equal"),
    ],
)
def test_a_bad_pair_is_caught(source: str, problem: str) -> None:
    """Each form, written wrong, is reported: the scan can fail."""
    callables = {"t": (0, 1), "fail": (0, 1), "expect": (1, 2), "Text": (0, 1)}
    found = [p.problem() for p in python_pairs("probe.py", source, callables)]
    assert any(f and problem in f for f in found), found


@pytest.mark.parametrize(
    ("en", "zh"),
    [
        ("torchdojo", "torchdojo"),
        ("{path}", "{path}"),
        ("float32", "float32"),
        ("torch.no_grad()", "torch.no_grad()"),
        ("exercises/01_autograd/01_leaf_tensors.py", "exercises/01_autograd/01_leaf_tensors.py"),
        ("→ {n}", "→ {n}"),
        ("2.0", "2.0"),
        ("PyTorch", "PyTorch"),
        ("[1, 2]", "[1, 2]"),
        ("x * x", "x * x"),
        ("tensor([1., 2.])", "tensor([1., 2.])"),
        ("DataLoader", "DataLoader"),
        ("{}, x = {}, x2 = {}", "{},x = {},x2 = {}"),
        ("flat: return x.reshape(-1)", "flat: return x.reshape(-1)"),
        ("with torch.no_grad(): return model(x)", "with torch.no_grad(): return model(x)"),
        ("train_dl: {}", "train_dl:{}"),
    ],
)
def test_code_and_names_may_read_the_same(en: str, zh: str) -> None:
    assert Pair("x", en, zh).problem() is None


@pytest.mark.parametrize(
    "en", ["Next", "Your code printed", "got {x}", "Score: {n}", "Could not read {path}", "Views and copies", "x is not a leaf", "wrong: {x}", "Reviews due"]
)
def test_words_may_not(en: str) -> None:
    assert Pair("x", en, en).problem() is not None


def test_every_python_message_has_chinese() -> None:
    bad = [f"{p.where}: {p.problem()}: en={p.en!r} zh={p.zh!r}" for p in all_python_pairs() if p.problem()]
    assert bad == [], "\n".join(bad)


# Hints that are Python written on one line, which Python itself cannot parse (`try: ... finally: ...`): read by eye,
# code only. A new entry needs the same: the hint is code, and it does not parse on one line.
ONE_LINE_CODE = frozenset({"modules/activation_hooks hint 3", "modules/train_eval hint 3"})


def test_catalog_titles_hints_and_check_titles_have_chinese() -> None:
    catalog = load_catalog()
    pairs = []
    for exercise in catalog.exercises:
        pairs.append(Pair(f"{exercise.id} title", exercise.title.en, exercise.title.zh))
        pairs += [Pair(f"{exercise.id} hint {i}", h.en, h.zh) for i, h in enumerate(exercise.hints, 1)]
        pairs += [Pair(f"{exercise.id} check {c.name}", c.title.en, c.title.zh) for c in exercise.checks]
    bad = [f"{p.where}: {p.problem()}: {p.en!r}" for p in pairs if p.problem() and p.where not in ONE_LINE_CODE]
    assert len(pairs) > 5 * len(catalog.exercises) and bad == [], "\n".join(bad)
    stale = ONE_LINE_CODE - {p.where for p in pairs if p.problem()}
    assert stale == set(), f"ONE_LINE_CODE names hints that now pass or are gone: remove {sorted(stale)}"


def test_every_bank_text_has_chinese() -> None:
    """Texts and explanations always; options unless they are what code prints (a code_output question's options,
    compared with the printed `output`) or name something ("ResNet", "Geoffrey Hinton", "torchvision")."""
    pairs = []
    for q in load_shipped().questions:
        pairs += [Pair(f"{q.id} text", q.text.en, q.text.zh), Pair(f"{q.id} explanation", q.explanation.en, q.explanation.zh)]
        if not isinstance(q, CodeOutput):
            pairs += [Pair(f"{q.id} option {o.id}", o.text.en, o.text.zh) for o in getattr(q, "options", []) if not is_a_proper_noun(o.text.zh)]
    bad = [f"{p.where}: {p.problem()}: {p.en!r} / {p.zh!r}" for p in pairs if p.problem()]
    assert len(pairs) > 2 * len(load_shipped().questions) and bad == [], "\n".join(bad)


def test_bank_rules_can_fail() -> None:
    """The two bank exemptions are narrow: a sentence is no name, and a plain question's English option is caught."""
    assert is_a_proper_noun("Jeff Dean (Google Brain)") and is_a_proper_noun("torchvision") and is_a_proper_noun("ResNet")
    assert not is_a_proper_noun("The graph is recorded as operations run") and not is_a_proper_noun("it runs eagerly")
    assert Pair("q option a", "Operations run eagerly", "Operations run eagerly").problem() == "both sides are equal"


if __name__ == "__main__":  # python tests/test_bilingual.py: the offenders, one a line
    for pair in all_python_pairs():
        if pair.problem():
            print(pair.where, pair.problem(), repr(pair.en), repr(pair.zh), file=sys.stdout)

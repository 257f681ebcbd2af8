"""Puzzle rules, checked on the AST of the learner's function: "one expression, no loops, only these operations".

Tensor-Puzzles states such rules and trusts the reader; here they are enforced. A
`Rules` object lists what a puzzle allows (torch functions, tensor methods,
attributes); `check_rules` reads the learner's own source file, finds the `def`
that the module really exports under that name, and fails with the first
forbidden construct and its line, in English and 中文:

- the body is one `return <expression>` (a docstring before it is fine): no
  assignments, loops, `if`, `try`, `with`, `import`, nested `def`, decorators;
- inside the expression: no comprehensions, lambdas, conditional expressions,
  `and` / `or`, walrus, strings, Python lists / dicts / sets of values (tuples only
  inside `[...]` indexing), `*args` / `**kwargs` unpacking;
- names: the function's own arguments and `torch` only (no builtins such as `len`
  or `range`, no helpers of the learner's own, no `numpy`);
- calls: `torch.<f>(...)` for an allowed `f`, `<tensor>.<m>(...)` for an allowed `m`;
  plain attributes: the allowed ones (`.shape`, `.dtype`, `.device`, `.ndim`) and
  torch's dtypes (`torch.long`...);
- the torch functions used are the genuine ones (captured when the checks were
  imported, before any learner code): replacing `torch.arange` with a loop at
  module level does not get round the rules.

Why a separate check with its own points: a correct answer written with a loop
keeps the behaviour points and loses only these.
"""

from __future__ import annotations

import ast
import re
from builtins import isinstance as _isinstance  # captured before any learner code runs; imported so that mypy narrows with it
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import torch

from torchdojo.checks.support import CheckFailed

# Captured before any learner code runs.
_GENUINE_TORCH: dict[str, Any] = dict(vars(torch))
_DTYPE_NAMES = frozenset(name for name, value in _GENUINE_TORCH.items() if _isinstance(value, torch.dtype))
PLAIN_ATTRIBUTES = frozenset({"shape", "dtype", "device", "ndim"})


@dataclass(frozen=True)
class Rules:
    """What one puzzle allows. `functions`: torch.<name>; `methods`: tensor.<name>(...)."""

    functions: frozenset[str] = frozenset()
    methods: frozenset[str] = frozenset()
    attributes: frozenset[str] = PLAIN_ATTRIBUTES
    matmul: bool = False
    extra: tuple[str, str] = field(default=("", ""))  # a puzzle's own words, shown after the list

    def allowed(self) -> tuple[str, str]:
        """The rule in a learner's words, for messages (and the same words as the stub's docstring)."""
        parts = [f"torch.{name}" for name in sorted(self.functions)] + [f".{name}()" for name in sorted(self.methods)]
        parts += [f".{name}" for name in sorted(self.attributes)]
        operators = "indexing ([], None, :, ...), arithmetic and comparison operators" + (", @" if self.matmul else "")
        operators_zh = "索引([]、None、:、...)、算术和比较运算符" + ("、@" if self.matmul else "")
        listed = ", ".join(parts)
        return (
            f"Allowed: {operators}, {listed}; the function's arguments and `torch`, nothing else.",
            f"允许使用:{operators_zh}、{listed};只能用函数的参数和 `torch`,不能用别的名字。",
        )


@dataclass(frozen=True)
class Violation:
    line: int
    en: str
    zh: str


_STATEMENTS: dict[type[ast.AST], tuple[str, str]] = {
    ast.For: ("a `for` loop", "`for` 循环"),
    ast.AsyncFor: ("a `for` loop", "`for` 循环"),
    ast.While: ("a `while` loop", "`while` 循环"),
    ast.If: ("an `if` statement", "`if` 语句"),
    ast.Try: ("a `try` statement", "`try` 语句"),
    ast.With: ("a `with` block", "`with` 代码块"),
    ast.AsyncWith: ("a `with` block", "`with` 代码块"),
    ast.Import: ("an `import`", "`import`"),
    ast.ImportFrom: ("an `import`", "`import`"),
    ast.Assign: ("an assignment", "赋值语句"),
    ast.AugAssign: ("an assignment", "赋值语句"),
    ast.AnnAssign: ("an assignment", "赋值语句"),
    ast.FunctionDef: ("a nested `def`", "嵌套的 `def`"),
    ast.AsyncFunctionDef: ("a nested `def`", "嵌套的 `def`"),
    ast.ClassDef: ("a class", "类定义"),
    ast.Global: ("`global`", "`global`"),
    ast.Nonlocal: ("`nonlocal`", "`nonlocal`"),
    ast.Raise: ("a `raise`", "`raise`"),
    ast.Assert: ("an `assert`", "`assert`"),
    ast.Delete: ("a `del`", "`del`"),
    ast.Expr: ("a statement other than `return`", "`return` 以外的语句"),
}

_EXPRESSIONS: dict[type[ast.AST], tuple[str, str]] = {
    ast.ListComp: ("a list comprehension", "列表推导式"),
    ast.SetComp: ("a set comprehension", "集合推导式"),
    ast.DictComp: ("a dict comprehension", "字典推导式"),
    ast.GeneratorExp: ("a generator expression", "生成器表达式"),
    ast.Lambda: ("a lambda", "lambda"),
    ast.IfExp: ("a conditional expression (`x if c else y`)", "条件表达式(`x if c else y`)"),
    ast.BoolOp: ("`and` / `or`", "`and` / `or`"),
    ast.NamedExpr: ("`:=`", "`:=`"),
    ast.List: ("a Python list of values", "Python 列表"),
    ast.Set: ("a Python set", "Python 集合"),
    ast.Dict: ("a Python dict", "Python 字典"),
    ast.Starred: ("`*` unpacking", "`*` 解包"),
    ast.JoinedStr: ("a string", "字符串"),
    ast.Await: ("`await`", "`await`"),
    ast.Yield: ("`yield`", "`yield`"),
    ast.YieldFrom: ("`yield`", "`yield`"),
}


def _dotted(node: ast.AST) -> str | None:
    """`torch.nn.functional.one_hot` for an attribute chain rooted at the name `torch`, else None."""
    parts: list[str] = []
    while _isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if _isinstance(node, ast.Name) and node.id == "torch":
        return ".".join(["torch", *reversed(parts)])
    return None


class _Visitor:
    def __init__(self, rules: Rules, arguments: set[str]) -> None:
        self.rules = rules
        self.arguments = arguments
        self.found: list[Violation] = []

    def add(self, node: ast.AST, en: str, zh: str) -> None:
        self.found.append(Violation(getattr(node, "lineno", 0), en, zh))

    def visit(self, node: ast.AST, in_index: bool = False) -> None:
        kind = type(node)
        if kind in _EXPRESSIONS:
            en, zh = _EXPRESSIONS[kind]
            self.add(node, en, zh)
            return
        if _isinstance(node, ast.Tuple) and not in_index:
            self.add(node, "a Python tuple of values", "Python 元组")
            return
        if _isinstance(node, ast.Constant):
            if _isinstance(node.value, str | bytes):
                self.add(node, "a string", "字符串")
            return
        if _isinstance(node, ast.Name):
            if node.id not in self.arguments and node.id != "torch":
                self.add(node, f"the name `{node.id}`", f"名字 `{node.id}`")
            elif node.id == "torch":
                self.add(node, "`torch` on its own", "单独使用 `torch`")
            return
        if _isinstance(node, ast.BinOp) and _isinstance(node.op, ast.MatMult) and not self.rules.matmul:
            self.add(node, "`@` (matrix multiplication)", "`@`(矩阵乘法)")
        if _isinstance(node, ast.Call):
            self.call(node)
            return
        if _isinstance(node, ast.Attribute):
            self.attribute(node)
            return
        if _isinstance(node, ast.Subscript):
            self.visit(node.value)
            self.visit(node.slice, in_index=True)
            return
        for child in ast.iter_child_nodes(node):
            self.visit(child, in_index=in_index and _isinstance(node, ast.Tuple | ast.Slice))

    def call(self, node: ast.Call) -> None:
        dotted = _dotted(node.func)
        if dotted is not None:
            name = dotted.removeprefix("torch.")
            if name not in self.rules.functions:
                self.add(node, f"`{dotted}(...)`", f"`{dotted}(...)`")
            elif _GENUINE_TORCH.get(name) is not getattr(torch, name, None):
                self.add(node, f"`{dotted}` replaced by other code", f"被替换掉的 `{dotted}`")
        elif _isinstance(node.func, ast.Attribute):
            if node.func.attr not in self.rules.methods:
                self.add(node, f"the method `.{node.func.attr}()`", f"方法 `.{node.func.attr}()`")
            self.visit(node.func.value)
        elif _isinstance(node.func, ast.Name):
            self.add(node, f"calling `{node.func.id}(...)`", f"调用 `{node.func.id}(...)`")
        else:
            self.add(node, "calling the result of an expression", "调用表达式的结果")
            self.visit(node.func)
        for argument in node.args:
            self.visit(argument)
        for keyword in node.keywords:
            if keyword.arg is None:
                self.add(keyword.value, "`**` unpacking", "`**` 解包")
            self.visit(keyword.value)

    def attribute(self, node: ast.Attribute) -> None:
        dotted = _dotted(node)
        if dotted is not None:
            if dotted.removeprefix("torch.") not in _DTYPE_NAMES:
                self.add(node, f"`{dotted}`", f"`{dotted}`")
            return
        if node.attr not in self.rules.attributes:
            self.add(node, f"the attribute `.{node.attr}`", f"属性 `.{node.attr}`")
        self.visit(node.value)


def violations(source: str, name: str, rules: Rules, first_line: int | None = None) -> list[Violation]:
    """Every broken rule in the top-level `def name` of `source`, in order of lines.

    `first_line`: the line the running function's code starts at (`__code__.co_firstlineno`);
    when given, a `def` elsewhere (the module replaced the function after defining it) is a violation.
    """
    tree = ast.parse(source)
    defs = [node for node in tree.body if _isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name]
    if not defs:
        return [Violation(0, f"no plain `def {name}(...)` at the top level of your file", f"你的文件顶层没有普通的 `def {name}(...)`")]
    function = defs[-1]
    found: list[Violation] = []
    if first_line is not None and first_line != function.lineno:
        found.append(
            Violation(
                first_line, f"`{name}` is not the `def {name}` written at line {function.lineno}", f"`{name}` 不是第 {function.lineno} 行写的 `def {name}`"
            )
        )
    for decorator in function.decorator_list:
        found.append(Violation(decorator.lineno, "a decorator", "装饰器"))
    arguments = {a.arg for a in [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]}
    for default in [*function.args.defaults, *(d for d in function.args.kw_defaults if d is not None)]:
        visitor = _Visitor(Rules(), set())
        visitor.visit(default)
        found += visitor.found
    body = list(function.body)
    if body and _isinstance(body[0], ast.Expr) and _isinstance(body[0].value, ast.Constant) and _isinstance(body[0].value.value, str):
        body = body[1:]
    statements = [s for s in body if not _isinstance(s, ast.Return)]
    for statement in statements:
        en, zh = _STATEMENTS.get(type(statement), ("a statement other than `return`", "`return` 以外的语句"))
        found.append(Violation(statement.lineno, en, zh))
    returns = [s for s in body if _isinstance(s, ast.Return)]
    if not returns:
        found.append(Violation(function.lineno, "no `return <expression>`", "没有 `return <表达式>`"))
    elif len(returns) > 1:
        found.append(Violation(returns[1].lineno, "a second `return`", "第二个 `return`"))
    for statement in returns:
        if statement.value is None:
            found.append(Violation(statement.lineno, "a `return` without a value", "没有返回值的 `return`"))
            continue
        visitor = _Visitor(rules, arguments)
        visitor.visit(statement.value)
        found += visitor.found
    return sorted(found, key=lambda v: v.line)


def check_rules(learner: ModuleType, name: str, rules: Rules) -> None:
    """Fail with the first broken rule of the learner's `name`, naming the construct and its line."""
    function = getattr(learner, name)
    code = getattr(function, "__code__", None)
    path = Path(getattr(learner, "__file__", "") or "")
    # A notebook's cells run from a generated module (torchdojo.teacher.notebook): read the cell the function was defined in.
    cells = getattr(learner, "__torchdojo_cells__", None)
    cell = re.fullmatch(r"<cell (\d+)>", code.co_filename) if code is not None else None
    if cell is not None and isinstance(cells, list) and 0 < int(cell[1]) <= len(cells):
        source, in_file = str(cells[int(cell[1]) - 1]), False
        found = violations(source, name, rules, code.co_firstlineno if code is not None else 0)
    else:
        source, in_file = path.read_text(encoding="utf-8"), True
        found = violations(source, name, rules, code.co_firstlineno if code is not None and code.co_filename == str(path) else 0)
    if not found:
        return
    first = found[0]
    allowed_en, allowed_zh = rules.allowed()
    more_en = f" ({len(found) - 1} more after it)" if len(found) > 1 else ""
    more_zh = f"(之后还有 {len(found) - 1} 处)" if len(found) > 1 else ""
    cell_en = f"Cell {cell[1]}, line" if cell is not None and not in_file else "Line"
    cell_zh = f"第 {cell[1]} 个单元格第" if cell is not None and not in_file else "第"
    at_en = f"{cell_en} {first.line}: " if first.line else ""
    at_zh = f"{cell_zh} {first.line} 行:" if first.line else ""
    extra_en, extra_zh = rules.extra
    raise CheckFailed(
        f"{at_en}{first.en} breaks the puzzle's rules{more_en}. Write `{name}` as one `return` expression. {allowed_en}{' ' + extra_en if extra_en else ''}",
        f"{at_zh}{first.zh}不符合谜题的规则{more_zh}。请把 `{name}` 写成一个 `return` 表达式。{allowed_zh}{extra_zh}",
        first.line if first.line and in_file else function,
    )

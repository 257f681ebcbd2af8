"""Copy the docstrings of the exercise stubs into the reference solutions (contributors' tool).

    python scripts/sync_docstrings.py          # rewrite solutions/ where a docstring differs
    python scripts/sync_docstrings.py --check  # exit 1 and list the differences, change nothing

The stub is the learner's specification; its solution must say exactly the same
(tests/test_mirror.py enforces it). Only docstrings are replaced, line for line.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def docstring_nodes(tree: ast.Module) -> Iterator[tuple[str, ast.Constant]]:
    """(qualified name, docstring node) for the module and every function, class and method."""

    def visit(body: list[ast.stmt], prefix: str) -> Iterator[tuple[str, ast.Constant]]:
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            yield prefix or "<module>", body[0].value
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
                yield from visit(node.body, f"{prefix}.{node.name}" if prefix else node.name)

    yield from visit(tree.body, "")


def synced(stub: str, solution: str) -> str:
    """`solution` with each docstring replaced by the stub's docstring of the same name."""
    wanted = {name: node for name, node in docstring_nodes(ast.parse(stub))}
    stub_lines = stub.splitlines(keepends=True)
    lines = solution.splitlines(keepends=True)
    found = sorted(((name, node) for name, node in docstring_nodes(ast.parse(solution)) if name in wanted), key=lambda item: item[1].lineno, reverse=True)
    for name, node in found:
        source = wanted[name]
        text = stub_lines[source.lineno - 1 : source.end_lineno]
        first_indent = len(lines[node.lineno - 1]) - len(lines[node.lineno - 1].lstrip())
        stub_indent = len(text[0]) - len(text[0].lstrip())
        if first_indent != stub_indent:
            continue  # differently nested: leave it for a person
        lines[node.lineno - 1 : node.end_lineno] = text
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="list differences without changing files")
    args = parser.parse_args(argv)
    differing = []
    for stub_path in sorted((ROOT / "exercises").rglob("*.py")):
        solution_path = ROOT / "solutions" / stub_path.relative_to(ROOT / "exercises")
        if not solution_path.is_file():
            continue
        solution = solution_path.read_text(encoding="utf-8")
        new = synced(stub_path.read_text(encoding="utf-8"), solution)
        if new != solution:
            differing.append(solution_path.relative_to(ROOT))
            if not args.check:
                solution_path.write_text(new, encoding="utf-8")
    verb = "differ" if args.check else "updated"
    for path in differing:
        print(f"{verb}: {path}")
    return 1 if (args.check and differing) else 0


if __name__ == "__main__":
    sys.exit(main())

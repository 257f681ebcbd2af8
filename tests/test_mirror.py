"""exercises/ and solutions/ mirror each other: the same files, public names, signatures and docstrings.

The stub is the learner's specification and the solution is graded as the reference:
if their docstrings drifted apart, the checks would test something the learner was never told.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from scripts.sync_docstrings import docstring_nodes
from torchdojo.core.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = load_catalog().exercises


def _public_api(tree: ast.Module) -> dict[str, str]:
    """Public top-level names -> their signature (functions, classes with their public methods)."""
    api = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            api[node.name] = ast.unparse(node.args)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            api[node.name] = ", ".join(ast.unparse(b) for b in node.bases)
            for member in node.body:
                if isinstance(member, ast.FunctionDef) and (not member.name.startswith("_") or member.name in ("__init__", "forward")):
                    api[f"{node.name}.{member.name}"] = ast.unparse(member.args)
    return api


@pytest.mark.parametrize("exercise", EXERCISES, ids=lambda e: e.id)
def test_stub_and_solution_share_api_and_docstrings(exercise) -> None:
    stub = ast.parse((ROOT / "exercises" / exercise.file).read_text(encoding="utf-8"))
    solution = ast.parse((ROOT / "solutions" / exercise.file).read_text(encoding="utf-8"))
    assert _public_api(stub) == _public_api(solution)
    stub_docs = {name: node.value for name, node in docstring_nodes(stub)}
    solution_docs = {name: node.value for name, node in docstring_nodes(solution) if name in stub_docs}
    assert solution_docs == {name: doc for name, doc in stub_docs.items() if name in solution_docs}, "run `python scripts/sync_docstrings.py`"
    assert "<module>" in solution_docs


def test_sync_copies_docstrings_only() -> None:
    from scripts.sync_docstrings import synced

    stub = '"""New words."""\n\ndef f(x):\n    """Say it."""\n    raise NotImplementedError\n'
    solution = '"""Old words\nover two lines."""\n\ndef f(x):\n    """Said."""\n    return x\n'
    assert synced(stub, solution) == '"""New words."""\n\ndef f(x):\n    """Say it."""\n    return x\n'

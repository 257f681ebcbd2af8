"""What a submission did to a notebook's locked cells or to the grader's machinery.

Kept apart from `torchdojo.teacher.autograde` (an nbconvert preprocessor) so that `grade-batch`
and every CLI start do not import the Jupyter stack.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from torchdojo.teacher.notebook import TEST_CELL_MARKER

_CHECK_CALL = re.compile(r'check\(\s*"(?P<exercise>[\w/]+)"\s*,\s*"(?P<check>\w+)"')
# Names a student cell has no reason to touch: the grader, nbgrader, the kernel's machinery.
_FORBIDDEN_MODULES = ("grader", "torchdojo", "nbgrader", "nbclient", "ipykernel", "IPython", "jupyter_client")


def source_of(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def check_call(cell: dict[str, Any]) -> tuple[str, str] | None:
    """(exercise id, check name) of a torchdojo test cell, from its grade_id and its call."""
    match = _CHECK_CALL.search(source_of(cell))
    return (match["exercise"], match["check"]) if match else None


def _released_test_cell(source: str) -> str:
    """A test cell as students receive it (nbgrader strips the hidden-test region), whatever timeout the course chose."""
    released = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", source, flags=re.DOTALL).rstrip("\n")
    return re.sub(r"timeout=[0-9.]+", "timeout=T", released)


def _touches_grader(source: str) -> list[str]:
    """What a learner cell does to the grader or the kernel's machinery (imports, sys.modules, builtins)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in _FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in _FORBIDDEN_MODULES:
            found.append(node.module)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("__import__", "get_ipython"):
            found.append(node.func.id)
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in ("modules", "__builtins__")
            and isinstance(node.value, ast.Name)
            and node.value.id in ("sys", "builtins")
        ):
            found.append(f"{node.value.id}.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ("__builtins__", "In", "Out", "_ih", "_oh"):
            found.append(node.id)
    return sorted(set(found))


def inspect_notebook(path: Path, expected_cells: dict[str, str]) -> list[str]:
    """Reasons to flag a submitted notebook as tampered (empty when there are none).

    `expected_cells` maps each locked test cell's grade_id to its source as generated
    by the course; an edited locked cell is listed even though nbgrader restores it.
    """
    data = json.loads(path.read_text(encoding="utf-8"))
    reasons = []
    code = [cell for cell in data.get("cells", []) if cell.get("cell_type") == "code"]
    present = set()
    for cell in code:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        present.add(grade_id)
        if grade_id in expected_cells and _released_test_cell(source_of(cell)) != _released_test_cell(expected_cells[grade_id]):
            reasons.append(f"edited locked cell {grade_id}")
    reasons += [f"deleted locked cell {grade_id}" for grade_id in expected_cells if grade_id not in present]
    for index, cell in enumerate(code, 1):
        source = source_of(cell)
        touched = [] if TEST_CELL_MARKER in source else _touches_grader(source)
        if touched:
            reasons.append(f"code cell {index} touches {', '.join(touched)}")
    return reasons


def expected_test_cells(exercise: Any) -> dict[str, str]:
    """grade_id -> source of every locked cell of the exercise's notebook, as `course build` writes it."""
    from torchdojo.teacher.course import notebook

    return {
        cell["metadata"]["nbgrader"]["grade_id"]: cell["source"]
        for cell in notebook(exercise, 60.0)["cells"]
        if cell["metadata"].get("nbgrader", {}).get("locked")
    }

"""An nbgrader course generated from the exercises, the solutions and the catalog.

`torchdojo course build DIR` writes `nbgrader_config.py` and
`source/<topic>/<exercise>.ipynb`: a bilingual explanation, one solution cell
(the reference solution with `### BEGIN/END SOLUTION` around each body the
learner writes) and one locked test cell per check that calls the same checks
through `torchdojo.teacher.notebook`. Regenerating gives byte-identical files.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from torchdojo.core.catalog import Catalog, Exercise
from torchdojo.record.workspace import solution_file, stub_file

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

CONFIG_TEMPLATE = '''"""nbgrader configuration written by `torchdojo course build` (safe to edit; rebuilding rewrites it).

Each setting designs around a known nbgrader pitfall (see docs/teachers.md).
"""

c = get_config()  # noqa: F821 - provided by nbgrader

c.CourseDirectory.course_id = "torchdojo"
# Run nbgrader from this folder, or pass --CourseDirectory.root=THIS_FOLDER: elsewhere it
# silently creates an empty gradebook.db in the current directory.

c.Execute.kernel_name = "python3"  # the grading environment's own interpreter, with torchdojo installed
c.Execute.timeout = {cell_timeout}  # seconds per cell; a test cell grades with a {timeout} s limit of its own
c.Execute.raise_on_iopub_timeout = False  # a loop that swallows KeyboardInterrupt must not fail the whole submission
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back and run, never silently 0 or stale
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}

# Integrity: after the kernel has run the notebook, torchdojo regrades its code cells with the
# isolated runner and writes each test cell's verdict itself. Nothing a student cell does in the
# kernel (replacing torchdojo.teacher.notebook.check, print, builtins, sys.modules) can change a score.
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, Execute, IgnorePattern, LimitOutput, SaveAutoGrades,
)

from torchdojo.teacher.autograde import RegradeWithRunner  # noqa: E402

c.Autograde.autograde_preprocessors = [
    Execute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, RegradeWithRunner, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata,
]
c.RegradeWithRunner.timeout = {timeout}

# Feedback pages (`nbgrader generate_feedback` only; formgrader keeps its own templates): torchdojo's
# copy of nbgrader's template names each test cell by its check's title and wraps long lines.
import os  # noqa: E402
import sys  # noqa: E402

if "generate_feedback" in sys.argv[1:2]:
    import nbgrader

    import torchdojo.teacher

    c.HTMLExporter.template_name = "torchdojo_feedback"
    c.HTMLExporter.extra_template_basedirs = [
        os.path.join(os.path.dirname(torchdojo.teacher.__file__), "templates"),
        os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
    ]
'''


def require_nbgrader() -> None:
    """Stop before any work when nbgrader (the `teacher` extra) is missing: the CLI turns this error into the
    message that names the install (exit 2), as it does for any teacher module missing on the way."""
    import importlib.util

    if importlib.util.find_spec("nbgrader") is None:
        raise ModuleNotFoundError("No module named 'nbgrader'", name="nbgrader")


def _md(text: str, cell_id: str) -> dict:
    return {"cell_type": "markdown", "id": cell_id, "metadata": {}, "source": text}


def _code(source: str, cell_id: str, nbgrader: dict | None = None) -> dict:
    metadata = {"nbgrader": {**nbgrader, "schema_version": 3}} if nbgrader else {}
    return {"cell_type": "code", "execution_count": None, "id": cell_id, "metadata": metadata, "outputs": [], "source": source}


def _stub_bodies(stub: str) -> set[str]:
    """Qualified names of functions whose stub body raises NotImplementedError (what learners write)."""
    names: set[str] = set()

    def visit(nodes: list[ast.stmt], prefix: str) -> None:
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef) and "NotImplementedError" in ast.unparse(node):
                names.add(prefix + node.name)

    visit(ast.parse(stub).body, "")
    return names


def mark_solution(stub: str, solution: str) -> str:
    """The solution without its module docstring, with each learner-written body between markers."""
    todo = _stub_bodies(stub)
    tree = ast.parse(solution)
    lines = solution.splitlines()
    inserts: list[tuple[int, int, int]] = []  # (first line, last line, indent), 1-based

    def visit(nodes: list[ast.stmt], prefix: str) -> None:
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.FunctionDef) and prefix + node.name in todo:
                body = node.body
                if isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) and len(body) > 1:
                    body = body[1:]  # keep the docstring visible to students
                if prefix.count(".") == 1 and body and isinstance(body[0], ast.Expr) and "super().__init__" in ast.unparse(body[0]) and len(body) > 1:
                    body = body[1:]  # and keep super().__init__()
                first, last = body[0].lineno, body[-1].end_lineno or body[-1].lineno
                inserts.append((first, last, body[0].col_offset))

    visit(tree.body, "")
    for node in reversed(tree.body):  # a `__main__` block would run inside the notebook's kernel
        if isinstance(node, ast.If) and "__name__" in ast.unparse(node.test):
            del lines[node.lineno - 1 : node.end_lineno]
    for first, last, indent in sorted(inserts, reverse=True):
        pad = " " * indent
        lines[last:last] = [f"{pad}### END SOLUTION"]
        lines[first - 1 : first - 1] = [f"{pad}### BEGIN SOLUTION"]
    docstring = ast.get_docstring(tree, clean=False)
    text = "\n".join(lines) + "\n"
    if docstring is not None and isinstance(tree.body[0], ast.Expr):
        text = "\n".join(lines[tree.body[0].end_lineno :]).lstrip("\n") + "\n"
    return text


def notebook(exercise: Exercise, timeout: float) -> dict:
    stub = stub_file(exercise).read_text(encoding="utf-8")
    solution = solution_file(exercise).read_text(encoding="utf-8")
    explanation = ast.get_docstring(ast.parse(stub)) or ""
    name = exercise.name
    graded = [c for c in exercise.checks if not c.needs_gpu]
    hidden = sum(c.hidden for c in graded)
    intro = (
        f"# {exercise.title.en} / {exercise.title.zh}\n\n"
        f"{explanation}\n\n"
        "Write your code in the cell below (replace `raise NotImplementedError()`), then run every cell. "
        "Each test cell below is one check, worth the points shown.\n\n"
        "在下面的单元格中编写代码(替换 `raise NotImplementedError()`),然后运行所有单元格。"
        "下方每个测试单元格是一项检查,分值如注释所示。"
    )
    cells = [
        _md(intro, f"{name}-intro"),
        _code(
            f"# torchdojo: {exercise.id}\n" + mark_solution(stub, solution),
            f"{name}-solution",
            {"grade": False, "grade_id": f"{name}-solution", "locked": False, "solution": True, "task": False},
        ),
    ]
    for check in graded:
        call = f'from torchdojo.teacher.notebook import check\ncheck("{exercise.id}", "{check.name}", timeout={timeout:g})'
        if check.hidden:
            call = f"### BEGIN HIDDEN TESTS\n{call}\n### END HIDDEN TESTS"
        header = f"# {check.title.en} / {check.title.zh} ({check.points} point{'s' if check.points > 1 else ''})"
        if check.hidden:
            header += "\n# A hidden check: it runs when your work is graded. / 隐藏检查:评分时运行。"
        cells.append(
            _code(
                f"{header}\n{call}",
                f"{name}-{check.name}",
                {"grade": True, "grade_id": f"{name}-{check.name}", "locked": True, "points": check.points, "solution": False, "task": False},
            )
        )
    cells.append(
        _code(
            f'from torchdojo.teacher.notebook import summary\nsummary("{exercise.id}", hidden={hidden})',
            f"{name}-summary",
            {"grade": False, "grade_id": f"{name}-summary", "locked": True, "solution": False, "task": False},
        )
    )
    return {
        "cells": cells,
        "metadata": {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def selected(catalog: Catalog, topics: list[str] | None) -> list[Exercise]:
    return [e for e in catalog.exercises if not topics or e.topic in topics or e.id in topics]


GITIGNORE = """# written by `torchdojo course build`: students' work and grades stay out of git
gradebook.db
gradebook.db-journal
submitted/
autograded/
feedback/
.ipynb_checkpoints/
"""


def other_notebooks(root: Path, written: list[Path]) -> list[Path]:
    """Notebooks already under source/ that this build did not write (a build with --topics leaves them as they are)."""
    mine = {path.resolve() for path in written}
    return sorted(p for p in (root / "source").glob("*/*.ipynb") if p.resolve() not in mine)


def build(root: Path, catalog: Catalog, topics: list[str] | None = None, timeout: float = 60.0) -> list[Path]:
    """Write (or rewrite, identically) the course under `root`; returns the notebooks written.

    Notebooks of other exercises already in the course are left untouched; a `.gitignore`
    keeps the gradebook and the students' folders out of git (an existing one is kept)."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".gitignore").exists():
        (root / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    (root / "nbgrader_config.py").write_text(CONFIG_TEMPLATE.format(timeout=f"{timeout:g}", cell_timeout=int(timeout * 1.5 + 30)), encoding="utf-8")
    written = []
    for exercise in selected(catalog, topics):
        path = root / "source" / exercise.topic / f"{exercise.name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook(exercise, timeout), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(path)
    return written

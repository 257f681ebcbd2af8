"""nbgrader integrity: scores come from the isolated runner, never from the kernel the student controlled.

Under `nbgrader autograde` the student's notebook runs in a Jupyter kernel, and
the test cells' outputs decide the score. Anything a student cell does in that
kernel — replacing `grader.notebook.check`, `print`, builtins, `sys.modules`
entries, nbgrader internals — could change those outputs. So the course's
`nbgrader_config.py` (written by `torchdojo course build`) adds
`RegradeWithRunner` to the autograde pipeline, after `Execute` and before
`SaveAutoGrades`: it takes the notebook's code cells from the *file*, grades
them with the same isolated runner as `torchdojo check`, and overwrites every
torchdojo test cell's outputs with the runner's verdict. What the kernel
printed for those cells is discarded.

`inspect_notebook` is the same idea for `grade-batch`: it lists what a
submission did to the notebook's locked cells or to the grader's machinery, so
the batch can flag it as `tampered`.
"""

from __future__ import annotations

import ast
import json
import re
import tempfile
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Float

from grader.notebook import TEST_CELL_MARKER, learner_cells, module_source

_CHECK_CALL = re.compile(r'check\(\s*"(?P<exercise>[\w/]+)"\s*,\s*"(?P<check>\w+)"')
# Names a student cell has no reason to touch: the grader, nbgrader, the kernel's machinery.
_FORBIDDEN_MODULES = ("grader", "torchdojo", "nbgrader", "nbclient", "ipykernel", "IPython", "jupyter_client")


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _check_call(cell: dict[str, Any]) -> tuple[str, str] | None:
    """(exercise id, check name) of a torchdojo test cell, from its grade_id and its call."""
    match = _CHECK_CALL.search(_source(cell))
    return (match["exercise"], match["check"]) if match else None


class RegradeWithRunner(Preprocessor):
    """An nbgrader autograde preprocessor: torchdojo test cells get the isolated runner's verdict."""

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled; this one must always run").tag(config=True)
    timeout = Float(60.0, help="seconds the runner may spend on one notebook's checks").tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from grader.catalog import load_catalog
        from grader.runner import Limits, grade

        calls = {index: _check_call(cell) for index, cell in enumerate(nb.cells)
                 if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")}
        exercises = {call[0] for call in calls.values() if call}
        if not exercises:
            return nb, resources
        code = [_source(cell) for cell in nb.cells if cell.cell_type == "code"]
        module = module_source(learner_cells(code))
        reports = {}
        with tempfile.TemporaryDirectory(prefix="torchdojo-autograde-") as folder:
            for exercise_id in sorted(exercises):
                exercise = load_catalog().resolve(exercise_id)
                path = Path(folder) / f"{exercise.name}.py"
                path.write_text(module, encoding="utf-8")
                reports[exercise_id] = grade(exercise, path, Limits(timeout_s=self.timeout))
        for index, call in calls.items():
            if call is None:
                continue
            exercise_id, check_name = call
            result = next((c for c in reports[exercise_id].checks if c.name == check_name), None)
            nb.cells[index].outputs = _outputs(check_name, result)
        for cell in nb.cells:  # graded: every check ran, so no "public checks only" line in the feedback
            if cell.cell_type == "code" and "from grader.notebook import summary" in _source(cell):
                cell.outputs = _summary_outputs(reports)
        self.log.info("torchdojo: %s graded by the isolated runner", ", ".join(sorted(exercises)))
        return nb, resources


def _outputs(check_name: str, result: Any) -> list[Any]:
    from nbformat.v4 import new_output

    if result is None:
        text = f"[{check_name}] unknown check: this notebook does not match the course's catalog"
        return [new_output("error", ename="CheckFailed", evalue=text, traceback=[text])]
    if result.outcome == "passed" or result.outcome in ("needs_gpu", "not_graded"):
        line = f"✓ {result.title.en} / {result.title.zh}\n" if result.outcome == "passed" else f"○ {result.title.en}: not graded here / 此处不评分\n"
        return [new_output("stream", name="stdout", text=line)]
    message = result.message or result.title
    text = f"[{check_name}] {message.en}\n[{check_name}] {message.zh}"
    return [new_output("error", ename="CheckFailed", evalue=text, traceback=[f"CheckFailed: {text}"])]


def _summary_outputs(reports: dict[str, Any]) -> list[Any]:
    from nbformat.v4 import new_output

    from grader.report import NOT_COUNTED

    lines = []
    for report in reports.values():
        counted = [c for c in report.checks if c.outcome not in NOT_COUNTED]
        passed = sum(c.outcome == "passed" for c in counted)
        lines.append(f"Graded: {passed}/{len(counted)} checks passed, {report.score}/{report.max_score} points (hidden checks included).\n"
                     f"评分结果:通过 {passed}/{len(counted)} 项检查,得分 {report.score}/{report.max_score}(含隐藏检查)。\n")
    return [new_output("stream", name="stdout", text="".join(lines))]


# -- inspecting a submitted notebook (grade-batch) -------------------------------------------------


def _released_test_cell(source: str) -> str:
    """A test cell as students receive it (nbgrader strips the hidden-test region), whatever timeout the course chose."""
    released = re.sub(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", "", source, flags=re.S).rstrip("\n")
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
        elif isinstance(node, ast.Attribute) and node.attr in ("modules", "__builtins__") and isinstance(node.value, ast.Name) and node.value.id in ("sys", "builtins"):
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
        if grade_id in expected_cells and _released_test_cell(_source(cell)) != _released_test_cell(expected_cells[grade_id]):
            reasons.append(f"edited locked cell {grade_id}")
    reasons += [f"deleted locked cell {grade_id}" for grade_id in expected_cells if grade_id not in present]
    for index, cell in enumerate(code, 1):
        source = _source(cell)
        touched = [] if TEST_CELL_MARKER in source else _touches_grader(source)
        if touched:
            reasons.append(f"code cell {index} touches {', '.join(touched)}")
    return reasons


def expected_test_cells(exercise: Any) -> dict[str, str]:
    """grade_id -> source of every locked cell of the exercise's notebook, as `course build` writes it."""
    from grader.course import notebook

    return {cell["metadata"]["nbgrader"]["grade_id"]: cell["source"] for cell in notebook(exercise, 60.0)["cells"]
            if cell["metadata"].get("nbgrader", {}).get("locked")}

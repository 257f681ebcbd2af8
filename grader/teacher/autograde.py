"""nbgrader integrity: scores come from the isolated runner, never from the kernel the student controlled.

Under `nbgrader autograde` the student's notebook runs in a Jupyter kernel, and
the test cells' outputs decide the score. Anything a student cell does in that
kernel — replacing `torchdojo.teacher.notebook.check`, `print`, builtins, `sys.modules`
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

import tempfile
from pathlib import Path
from typing import Any

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, Float

from torchdojo.teacher.integrity import check_call, source_of
from torchdojo.teacher.notebook import learner_cells, module_source


class RegradeWithRunner(Preprocessor):
    """An nbgrader autograde preprocessor: torchdojo test cells get the isolated runner's verdict."""

    enabled = Bool(True, help="nbconvert preprocessors are off unless enabled; this one must always run").tag(config=True)
    timeout = Float(60.0, help="seconds the runner may spend on one notebook's checks").tag(config=True)

    def preprocess(self, nb: Any, resources: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        from torchdojo.core.catalog import load_catalog
        from torchdojo.core.runner import Limits, grade

        calls = {index: check_call(cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")}
        exercises = {call[0] for call in calls.values() if call}
        if not exercises:
            return nb, resources
        code = [source_of(cell) for cell in nb.cells if cell.cell_type == "code"]
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
            if cell.cell_type == "code" and "from torchdojo.teacher.notebook import summary" in source_of(cell):
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

    from torchdojo.core.report import NOT_COUNTED

    lines = []
    for report in reports.values():
        counted = [c for c in report.checks if c.outcome not in NOT_COUNTED]
        passed = sum(c.outcome == "passed" for c in counted)
        lines.append(
            f"Graded: {passed}/{len(counted)} checks passed, {report.score}/{report.max_score} points (hidden checks included).\n"
            f"评分结果:通过 {passed}/{len(counted)} 项检查,得分 {report.score}/{report.max_score}(含隐藏检查)。\n"
        )
    return [new_output("stream", name="stdout", text="".join(lines))]


# -- inspecting a submitted notebook (grade-batch) -------------------------------------------------

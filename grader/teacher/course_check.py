"""`torchdojo course check`: every source notebook must be well formed and pass its own tests.

`nbgrader validate` exits 0 even when validation fails and has no JSON output,
so this runs nbgrader's Validator through its Python API and turns its result
into a list of problems (empty = all good).

It is fast without checking less. Each notebook still runs in a fresh kernel under nbgrader's
Validator, and each test cell still asks the isolated runner about the notebook's own code.
What changes is where the fixed costs are paid:

- the runner's verdicts come from one warm worker (`torchdojo.core.warm`, as in grade-batch), graded
  before the kernels need them and handed over by content (`torchdojo.teacher.notebook.verdict_key`): a
  test cell whose code is not exactly what was graded grades it itself;
- kernels are forks of one process that imported ipykernel and torch once (`torchdojo.teacher.kernels`);
- notebooks run in parallel, as many at a time as there are cores.
"""

from __future__ import annotations

import hashlib
import html
import json
import multiprocessing
import os
import re
import tempfile
from concurrent.futures import (
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from rich.console import Console

from torchdojo.teacher.batch import default_jobs
from torchdojo.ticker import Ticker


def structural_problems(path: Path) -> list[str]:
    name = path.relative_to(path.parent.parent.parent)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{name}: not a readable notebook ({error})"]
    problems = []
    if data.get("metadata", {}).get("kernelspec", {}).get("name") != "python3":
        problems.append(f"{name}: kernelspec.name must be python3")
    seen: set[str] = set()
    for cell in data.get("cells", []):
        meta = cell.get("metadata", {}).get("nbgrader")
        if not meta:
            continue
        grade_id = meta.get("grade_id")
        if not grade_id:
            problems.append(f"{name}: an nbgrader cell has no grade_id")
        elif grade_id in seen:
            problems.append(f"{name}: duplicate grade_id {grade_id}")
        seen.add(grade_id or "")
        if meta.get("grade") and not meta.get("points"):
            problems.append(f"{name}: graded cell {grade_id} has no points")
    return problems


def _reason(cell: dict) -> str:
    """The failing check's own message, from the cell's (HTML-rendered) traceback."""
    text = html.unescape(re.sub(r"<[^>]+>", "", cell.get("error") or ""))
    match = re.search(r"CheckFailed: (\[[a-z0-9_]+\] [^\n]+)", text)
    return f" — {match.group(1)}" if match else ""


def syntax_problems(path: Path) -> list[str]:
    """A SyntaxError in a code cell, named as one with its line (nbgrader would only report every check failing)."""
    name = f"{path.parent.name}/{path.name}"
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return []  # structural_problems says so
    found = []
    for cell in cells:
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            compile(source, name, "exec", dont_inherit=True)
        except SyntaxError as error:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "a code cell")
            text = (error.text or "").strip()
            found.append(f"{name}: SyntaxError in {grade_id}, line {error.lineno}: {error.msg}" + (f": {text}" if text else ""))
    return found


def _validation_config():  # -> traitlets Config
    from traitlets.config import Config

    config = Config()
    config.Execute.timeout = 600
    config.Execute.kernel_name = "python3"
    config.Execute.extra_arguments = ["--IPKernelApp.log_level=ERROR"]  # no "Kernel is running over TCP" warning per notebook
    config.Execute.startup_timeout = 300  # kernels start slowly on a busy machine
    return config


def _validator_class() -> type:
    """nbgrader's Validator, with its own preprocessors, whose Execute starts kernels through the fork server."""
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
    from nbgrader.validator import Validator
    from traitlets import List

    from torchdojo.teacher.kernels import ForkedKernelManager

    class ForkedExecute(Execute):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("kernel_manager_class", ForkedKernelManager)
            super().__init__(*args, **kwargs)

    class CourseValidator(Validator):
        preprocessors = List([CheckCellMetadata, ClearOutput, ForkedExecute])

    return CourseValidator


def _validate_one(path: Path, environment: dict[str, str]) -> list[str]:
    """nbgrader's own Validator on one notebook (in a worker process: it changes the cwd and the environment)."""
    os.environ.update(environment)
    result = _validator_class()(config=_validation_config()).validate(str(path))
    found = []
    for kind, cells in result.items():
        for cell in cells:
            first = (cell.get("source") or "").strip().splitlines()[:1]
            found.append(f"{path.parent.name}/{path.name}: {kind} cell {first[0] if first else ''}{_reason(cell)}")
    return found


_TIMEOUT = re.compile(r"timeout=([0-9.]+)")


def pregrade(path: Path, verdicts: Path, launcher: Any = None) -> int:
    """Grade the notebook's code as its test cells will ask for it, and leave the reports in `verdicts`.

    Exactly the kernel's request: the same module (`learner_cells` of the code cells), the same
    exercise, the same time limit, the same runner; only the process it forks from is warm.
    Only a report where every check passed is left: a failure is always found again by the
    kernel's own cold grading, as nbgrader would grade it, so a problem the warm worker alone
    would have (a check module that imports differently there) can never fail the course.
    Returns how many reports were written."""
    from torchdojo.core.catalog import UnknownExercise, load_catalog
    from torchdojo.core.runner import Limits, grade
    from torchdojo.teacher.integrity import check_call
    from torchdojo.teacher.notebook import (
        cells_of_notebook,
        learner_cells,
        module_source,
        verdict_key,
    )

    cells = cells_of_notebook(path)
    requests = set()
    for source in cells:
        call = check_call({"source": source})
        asked = _TIMEOUT.search(source)
        if call:
            requests.add((call[0], float(asked.group(1)) if asked else 60.0))
    from IPython.core.inputtransformer2 import TransformerManager

    transform = TransformerManager().transform_cell  # a kernel's `In` holds each cell as IPython transformed it,
    module = module_source(learner_cells([transform(source).rstrip("\n") for source in cells]))  # less its final newlines
    written = 0
    for exercise_id, timeout in sorted(requests):
        try:
            exercise = load_catalog().resolve(exercise_id)
        except UnknownExercise:
            continue  # the kernel's test cell reports it
        digest = hashlib.sha256(module.encode()).hexdigest()[:12]
        with tempfile.TemporaryDirectory(prefix="torchdojo-nb-") as folder:
            file = Path(folder) / f"{exercise.name}_{digest}.py"
            file.write_text(module, encoding="utf-8")
            report = grade(exercise, file, Limits(timeout_s=timeout), launcher)
        if report.status != "ok" or not report.all_passed:
            continue
        key = verdict_key(exercise_id, module, timeout)
        partial = verdicts / f".{key}.part"
        partial.write_text(report.model_dump_json(), encoding="utf-8")
        partial.replace(verdicts / f"{key}.json")
        written += 1
    return written


def _noop() -> None:
    """Submitted once so the pool forks its workers now, before this process starts any thread."""


def check_course(root: Path, console: Console, jobs: int | None = None) -> list[str]:
    import nbgrader.validator  # noqa: F401 - imported once here, inherited by the forked validators

    from torchdojo.core.warm import WarmWorker
    from torchdojo.teacher.kernels import (  # imported here too, inherited by the validators
        SERVER_ENV,
        KernelForkServer,
        fork_server_supported,
    )
    from torchdojo.teacher.notebook import VERDICTS_ENV

    notebooks = sorted((root / "source").glob("*/*.ipynb"))
    if not notebooks:
        return [f"{root / 'source'} holds no notebooks"]
    jobs = max(1, min(jobs or default_jobs(), len(notebooks)))
    found_by_path = {path: structural_problems(path) or syntax_problems(path) for path in notebooks}
    runnable = [path for path in notebooks if not found_by_path[path]]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as validators, ExitStack() as stack:
        validators.submit(_noop).result()
        verdicts = stack.enter_context(tempfile.TemporaryDirectory(prefix="torchdojo-verdicts-"))
        environment = {VERDICTS_ENV: verdicts}
        if fork_server_supported():
            environment[SERVER_ENV] = stack.enter_context(KernelForkServer()).address
        worker = stack.enter_context(WarmWorker())
        graders = stack.enter_context(ThreadPoolExecutor(max_workers=jobs))
        ticker = stack.enter_context(Ticker(console, "validating", len(notebooks)))
        for path in notebooks:
            if found_by_path[path]:
                ticker.advance(f"{path.parent.name}/{path.name} problem")
        graded: dict[Future[int], Path] = {graders.submit(pregrade, path, Path(verdicts), worker): path for path in runnable}
        validating: dict[Future[list[str]], Path] = {}
        for future in as_completed(graded):
            path = graded[future]
            future.exception()  # a failed pregrade only means the kernel grades this notebook itself
            ticker.note(f"{path.parent.name}/{path.name} graded")
            validating[validators.submit(_validate_one, path, environment)] = path
        for checked in as_completed(validating):
            path = validating[checked]
            found_by_path[path] = checked.result()
            ticker.advance(f"{path.parent.name}/{path.name} {'ok' if not found_by_path[path] else 'problem'}")
    return [problem for path in notebooks for problem in found_by_path[path]]  # a stable order, whatever finished first

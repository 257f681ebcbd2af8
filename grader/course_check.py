"""`torchdojo course check`: every source notebook must be well formed and pass its own tests.

`nbgrader validate` exits 0 even when validation fails and has no JSON output,
so this runs nbgrader's Validator through its Python API and turns its result
into a list of problems (empty = all good).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed

from rich.console import Console

from grader.batch import default_jobs
from grader.ticker import Ticker


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


def _validate_one(path: Path) -> list[str]:
    """Structure, syntax, then nbgrader's own Validator (in its own process: it changes the cwd and the environment)."""
    from nbgrader.validator import Validator

    found = structural_problems(path) or syntax_problems(path)
    if not found:
        result = Validator(config=_validation_config()).validate(str(path))
        for kind, cells in result.items():
            for cell in cells:
                first = (cell.get("source") or "").strip().splitlines()[:1]
                found.append(f"{path.parent.name}/{path.name}: {kind} cell {first[0] if first else ''}{_reason(cell)}")
    return found


def check_course(root: Path, console: Console, jobs: int | None = None) -> list[str]:
    import nbgrader.validator  # noqa: F401 - imported once here, inherited by the forked validators

    notebooks = sorted((root / "source").glob("*/*.ipynb"))
    problems: list[str] = []
    if not notebooks:
        return [f"{root / 'source'} holds no notebooks"]
    jobs = max(1, min(jobs or default_jobs(), len(notebooks)))
    found_by_path: dict[Path, list[str]] = {}
    with Ticker(console, "validating", len(notebooks)) as ticker, \
            ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {pool.submit(_validate_one, path): path for path in notebooks}
        for future in as_completed(futures):
            path = futures[future]
            found_by_path[path] = future.result()
            ticker.advance(f"{path.parent.name}/{path.name} {'ok' if not found_by_path[path] else 'problem'}")
    for path in notebooks:  # reported in a stable order, whatever finished first
        problems += found_by_path[path]
    return problems

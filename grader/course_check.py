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

from rich.console import Console
from rich.progress import Progress


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


def check_course(root: Path, console: Console) -> list[str]:
    from nbgrader.validator import Validator
    from traitlets.config import Config

    notebooks = sorted((root / "source").glob("*/*.ipynb"))
    problems: list[str] = []
    if not notebooks:
        return [f"{root / 'source'} holds no notebooks"]
    config = Config()
    config.Execute.timeout = 600
    config.Execute.kernel_name = "python3"
    validator = Validator(config=config)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("validating", total=len(notebooks))
        for path in notebooks:
            progress.update(task, description=f"validating {path.parent.name}/{path.name}")
            found = structural_problems(path)
            if not found:
                result = validator.validate(str(path))
                for kind, cells in result.items():
                    for cell in cells:
                        first = (cell.get("source") or "").strip().splitlines()[:1]
                        found.append(f"{path.parent.name}/{path.name}: {kind} cell {first[0] if first else ''}{_reason(cell)}")
            problems += found
            progress.advance(task)
    return problems

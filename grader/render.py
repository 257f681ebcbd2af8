"""Human-readable reports for the terminal (rich)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from grader.catalog import Catalog, Exercise
from grader.i18n import Lang
from grader.progress import Progress
from grader.report import CheckResult, Report

SYMBOLS = {
    "passed": ("✓", "green"),
    "failed": ("✗", "red"),
    "error": ("!", "red"),
    "timeout": ("⏱", "yellow"),
    "needs_gpu": ("○", "dim"),
}

WORDS = {
    "needs_gpu": {"en": "needs a GPU, not graded here", "zh": "需要 GPU,此处不评分"},
    "printed": {"en": "Your code printed", "zh": "你的代码输出了"},
    "same": {"en": "(same as above)", "zh": "(同上)"},
    "all_passed": {"en": "All checks passed. Well done!", "zh": "全部检查通过,做得好!"},
    "next_exercise": {"en": "Next: torchdojo check {id}", "zh": "下一步:torchdojo check {id}"},
    "course_done": {"en": "That was the last exercise: every exercise is done.", "zh": "这是最后一个练习:所有练习都完成了。"},
    "fix": {
        "en": "Fix the first ✗ in {file} and run `torchdojo check {id}` again. Stuck? `torchdojo hint {id}`",
        "zh": "修改 {file} 中第一个 ✗,然后再次运行 `torchdojo check {id}`。卡住了?试试 `torchdojo hint {id}`",
    },
    "fix_watch": {
        "en": "Fix the first ✗ in {file} and save: it is checked again at once. Stuck? Press h.",
        "zh": "修改 {file} 中第一个 ✗ 并保存:会立即重新检查。卡住了?按 h。",
    },
}


def word(key: str, lang: Lang, **values: object) -> str:
    return WORDS[key][lang].format(**values)


def _check_lines(check: CheckResult, file: Path, lang: Lang, display_file: str, repeated: bool) -> list[str]:
    symbol, colour = SYMBOLS[check.outcome]
    points = f"{check.points}/{check.max_points}"
    if check.outcome == "needs_gpu":
        points = word("needs_gpu", lang)
    lines = [f" [{colour}]{symbol}[/] {escape(check.title(lang))}  [dim]{points}[/]"]
    if repeated:
        lines.append(f"     [dim]{word('same', lang)}[/]")
    elif check.outcome not in ("passed", "needs_gpu") and check.message:
        lines.append(f"     {escape(check.message(lang))}")
        if check.line:
            source = check.source_line or _source_line(file, check.line)
            where = f"{display_file}:{check.line}"
            lines.append(f"     [cyan]{escape(where)}[/]  [dim]{escape(source or '')}[/]")
    return lines


def _source_line(file: Path, line: int) -> str | None:
    try:
        return file.read_text(encoding="utf-8", errors="replace").splitlines()[line - 1].strip()
    except (OSError, IndexError):
        return None


def print_report(
    console: Console, report: Report, exercise: Exercise, lang: Lang, next_id: str | None, display_file: str, watching: bool = False
) -> None:
    file = Path(report.file)
    colour = "green" if report.all_passed else "red"
    console.print(
        f"[bold]{escape(exercise.id)}[/] — {escape(exercise.title(lang))}   "
        f"[bold {colour}]{report.score}/{report.max_score}[/]"
    )
    previous: tuple[object, ...] | None = None
    for check in report.checks:
        key = (check.outcome, check.message, check.line)
        repeated = check.outcome != "passed" and check.message is not None and key == previous
        for line in _check_lines(check, file, lang, display_file, repeated):
            console.print(line, highlight=False)
        previous = key
    if report.output.strip():
        console.print(f"[dim]── {word('printed', lang)} ──[/]")
        console.print(escape(report.output.rstrip()), highlight=False, markup=True)
    if report.all_passed:
        console.print(f"[green]{word('all_passed', lang)}[/]")
        console.print(word("next_exercise", lang, id=next_id) if next_id else word("course_done", lang))
    else:
        console.print(word("fix_watch" if watching else "fix", lang, file=display_file, id=exercise.id))


def status_table(catalog: Catalog, progress: Progress, lang: Lang) -> Table:
    headers = {"en": ("#", "exercise", "title", "status", "score"), "zh": ("#", "练习", "标题", "状态", "得分")}
    statuses = {
        "not started": {"en": "not started", "zh": "未开始"},
        "failing": {"en": "failing", "zh": "未通过"},
        "done": {"en": "done", "zh": "已完成"},
    }
    colours = {"not started": "dim", "failing": "red", "done": "green"}
    table = Table(*headers[lang], box=None, pad_edge=False)
    for number, exercise in enumerate(catalog.exercises, 1):
        status = progress.status(exercise.id)
        latest = progress.latest(exercise.id)
        score = f"{latest.score}/{latest.max_score}" if latest else f"-/{exercise.max_score}"
        table.add_row(
            str(number), exercise.id, exercise.title(lang), f"[{colours[status]}]{statuses[status][lang]}[/]", score
        )
    return table

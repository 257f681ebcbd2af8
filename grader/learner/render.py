"""Human-readable reports for the terminal (rich)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from torchdojo.core.catalog import Catalog, Exercise
from torchdojo.core.report import NOT_COUNTED, CheckResult, Report
from torchdojo.i18n import Lang
from torchdojo.record.progress import Progress

SYMBOLS = {
    "passed": ("✓", "green"),
    "failed": ("✗", "red"),
    "error": ("!", "red"),
    "timeout": ("⏱", "yellow"),
    "needs_gpu": ("○", "dim"),
    "not_graded": ("○", "dim"),
}

WORDS = {
    "needs_gpu": {"en": "needs a GPU, not graded here", "zh": "需要 GPU,此处不评分"},
    "not_graded": {"en": "the grader cannot test this here: no points lost", "zh": "评分器在这里无法测试这一项:不扣分"},
    "printed": {"en": "Your code printed", "zh": "你的代码输出了"},
    "same": {"en": "(same as above)", "zh": "(同上)"},
    "all_passed": {"en": "All checks passed. Well done!", "zh": "全部检查通过,做得好!"},
    "next_exercise": {"en": "Next: torchdojo check {id}", "zh": "下一步:torchdojo check {id}"},
    "next_watch": {"en": "Next up: {id}. Open {file}; it is checked each time you save.", "zh": "下一个:{id}。打开 {file},每次保存都会自动检查。"},
    "legend": {"en": "Key:", "zh": "图例:"},
    "mark_failed": {"en": "✗ wrong result", "zh": "✗ 结果不对"},
    "mark_error": {"en": "! your code raised an error", "zh": "! 你的代码出错了"},
    "mark_timeout": {"en": "⏱ stopped: out of time", "zh": "⏱ 超时被停止"},
    "mark_needs_gpu": {"en": "○ needs a GPU", "zh": "○ 需要 GPU"},
    "mark_not_graded": {"en": "○ not graded here", "zh": "○ 此处不评分"},
    "course_done": {"en": "That was the last exercise: every exercise is done.", "zh": "这是最后一个练习:所有练习都完成了。"},
    "fix": {
        "en": "Fix the first {mark} in {file} and run `torchdojo check {id}` again. Stuck? `torchdojo hint {id}`",
        "zh": "修改 {file} 中第一个 {mark},然后再次运行 `torchdojo check {id}`。卡住了?试试 `torchdojo hint {id}`",
    },
    "fix_watch": {
        "en": "Fix the first {mark} in {file} and save: it is checked again at once. Stuck? Press h.",
        "zh": "修改 {file} 中第一个 {mark} 并保存:会立即重新检查。卡住了?按 h。",
    },
    "fix_timeout": {
        "en": "Your code ran out of time: look for a loop that never ends in {file}, then run `torchdojo check {id}` again.",
        "zh": "你的代码超时了:请在 {file} 中找一找永不结束的循环,然后再次运行 `torchdojo check {id}`。",
    },
    "fix_timeout_watch": {
        "en": "Your code ran out of time: look for a loop that never ends in {file} and save.",
        "zh": "你的代码超时了:请在 {file} 中找一找永不结束的循环,然后保存。",
    },
}


def word(key: str, lang: Lang, **values: object) -> str:
    return WORDS[key][lang].format(**values)


def _check_lines(check: CheckResult, file: Path, lang: Lang, display_file: str, repeated: bool) -> list[str]:
    symbol, colour = SYMBOLS[check.outcome]
    points = f"{check.points}/{check.max_points}"
    if check.outcome in ("needs_gpu", "not_graded"):
        points = word(check.outcome, lang)
    lines = [f" [{colour}]{symbol}[/] {escape(check.title(lang))}  [dim]{points}[/]"]
    if repeated:
        lines.append(f"     [dim]{word('same', lang)}[/]")
    elif check.outcome != "passed" and check.message:  # not_graded says why
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


def legend(report: Report, lang: Lang) -> str | None:
    """One line explaining every marker other than ✓ that the report shows, or None."""
    shown = [o for o in ("failed", "error", "timeout", "needs_gpu", "not_graded") if any(c.outcome == o for c in report.checks)]
    if not shown or shown == ["failed"]:
        return None  # ✓ and ✗ speak for themselves
    return f"{word('legend', lang)} " + " · ".join(word(f"mark_{o}", lang) for o in shown)


def print_report(
    console: Console,
    report: Report,
    exercise: Exercise,
    lang: Lang,
    next_id: str | None,
    display_file: str,
    watching: bool = False,
    next_file: str | None = None,
) -> None:
    file = Path(report.file)
    colour = "green" if report.all_passed else "red"
    console.print(f"[bold]{escape(exercise.id)}[/] — {escape(exercise.title(lang))}   [bold {colour}]{report.score}/{report.max_score}[/]")
    previous: tuple[object, ...] | None = None
    for check in report.checks:
        seen = (check.outcome, check.message, check.line)
        repeated = check.outcome != "passed" and check.message is not None and seen == previous
        for line in _check_lines(check, file, lang, display_file, repeated):
            console.print(line, highlight=False)
        previous = seen
    key_line = legend(report, lang)
    if key_line:
        console.print(f"[dim]{escape(key_line)}[/]", highlight=False)
    if report.output.strip():
        console.print(f"[dim]── {word('printed', lang)} ──[/]")
        console.print(escape(report.output.rstrip()), highlight=False, markup=True)
    if report.all_passed:
        console.print(f"[green]{word('all_passed', lang)}[/]")
        if next_id is None:
            console.print(word("course_done", lang))
        elif watching:
            console.print(escape(word("next_watch", lang, id=next_id, file=next_file or next_id)), highlight=False)
        else:
            console.print(escape(word("next_exercise", lang, id=next_id)), highlight=False)
    else:
        first = next(c for c in report.checks if c.outcome != "passed" and c.outcome not in NOT_COUNTED)
        if first.outcome == "timeout":
            key = "fix_timeout_watch" if watching else "fix_timeout"
        else:
            key = "fix_watch" if watching else "fix"
        text = word(key, lang, file=display_file, id=exercise.id, mark=SYMBOLS[first.outcome][0])
        console.print(escape(text), highlight=False)


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
        score = f"{latest.score}/{latest.max_score}" if latest and status != "not started" else f"-/{exercise.max_score}"
        table.add_row(str(number), exercise.id, exercise.title(lang), f"[{colours[status]}]{statuses[status][lang]}[/]", score)
    return table

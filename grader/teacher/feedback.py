"""`grade-batch --feedback DIR`: a page per student, in HTML and Markdown.

Each exercise lists its checks with the verdict, the message and the line of
the student's code involved. What a student sees of a check follows its
`visibility` in the catalog (like Gradescope's levels):

- `shown`: always;
- `after_release`: only when the teacher passes `--release` (the default for
  nbgrader hidden tests); before that the page says how many checks and points
  are still to come, nothing more;
- `never`: never listed (its points still count in the released total).

Before release the page shows the points of the visible checks only, so a
student cannot work out a hidden check's result by subtraction.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from torchdojo.core.catalog import Catalog, CheckSpec
from torchdojo.core.report import NOT_COUNTED, CheckResult
from torchdojo.i18n import Lang, t
from torchdojo.teacher.batch import BatchRow
from torchdojo.teacher.exports import write_atomic

MARK = {"passed": "✓", "failed": "✗", "error": "✗", "timeout": "⏱", "needs_gpu": "○", "not_graded": "○"}
W = {
    "title": t("Feedback for {student}", "{student} 的反馈"),
    "exercise_score": t("{score} / {max} points", "{score} / {max} 分"),
    "visible_score": t("{score} / {max} points on the checks shown here", "本页所列检查得分:{score} / {max}"),
    "total": t("Total: {score} / {max} points", "总分:{score} / {max}"),
    "total_visible": t("Points on the checks shown: {score} / {max}", "所列检查得分:{score} / {max}"),
    "pending": t(
        "{count} more check(s) ({points} points) will be shown when your teacher releases them.", "还有 {count} 项检查(共 {points} 分)将在老师公布后显示。"
    ),
    "not_shown": t("{count} check(s) are not shown individually; their points are included in the score.", "有 {count} 项检查不单独显示;其分数已计入总分。"),
    "missing": t("Not handed in.", "未提交。"),
    "timeout": t("Your code ran out of time: the checks it kept from running count as failed.", "你的代码超时:未能运行的检查按失败计。"),
    "crashed": t("Your code crashed the checking process.", "你的代码使检查进程崩溃。"),
    "tampered": t("This submission was flagged for review: {flags}", "此提交已标记待复查:{flags}"),
    "line": t("line {line} of your code", "你的代码第 {line} 行"),
    "your_code": t("your code", "你的代码"),
    "no_gpu": t("needs a GPU, not graded here", "需要 GPU,此处不评分"),
    "not_graded": t("not graded here", "此处不评分"),
}


def _file_name(student: str) -> str:
    """A safe file name for a student folder name (which came from the file system already)."""
    name = re.sub(r"[^\w.@+-]", "_", student).strip(".") or "student"
    return name[:120]


@dataclass
class Shown:
    result: CheckResult
    spec: CheckSpec | None


def _visible(row: BatchRow, catalog: Catalog, released: bool) -> tuple[list[Shown], int, int, int, int]:
    """(checks to show, pending count, pending points, never-shown count, visible max points)."""
    exercise = catalog.by_id.get(row.exercise)
    shown, pending, pending_points, never, visible_max = [], 0, 0, 0, 0
    for result in row.checks:
        spec = None
        if exercise is not None:
            spec = next((c for c in exercise.checks if c.name == result.name), None)
        level = spec.shown_as if spec else "shown"
        counted = result.outcome not in NOT_COUNTED
        if level == "never":
            never += 1
        elif level == "after_release" and not released:
            pending += 1
            pending_points += result.max_points if counted else 0
        else:
            shown.append(Shown(result, spec))
            visible_max += result.max_points if counted else 0
    return shown, pending, pending_points, never, visible_max


@dataclass
class ExercisePage:
    row: BatchRow
    title: str
    shown: list[Shown]
    pending: int
    pending_points: int
    never: int
    visible_max: int

    @property
    def visible_score(self) -> int:
        return sum(s.result.points for s in self.shown)


def _pages(rows: list[BatchRow], catalog: Catalog, released: bool, lang: Lang) -> dict[str, list[ExercisePage]]:
    order = {exercise.id: index for index, exercise in enumerate(catalog.exercises)}
    students: dict[str, list[ExercisePage]] = {}
    for row in sorted(rows, key=lambda r: (r.student, order.get(r.exercise, len(order)), r.exercise)):
        exercise = catalog.by_id.get(row.exercise)
        shown, pending, pending_points, never, visible_max = _visible(row, catalog, released)
        if row.status == "missing" and exercise is not None:  # no checks ran: say what is to come, nothing else
            visible_max = sum(c.points for c in exercise.checks if not c.needs_gpu and c.shown_as == "shown")
        students.setdefault(row.student, []).append(
            ExercisePage(row, exercise.title(lang) if exercise else row.exercise, shown, pending, pending_points, never, visible_max)
        )
    return students


def _status_note(row: BatchRow, lang: Lang) -> str:
    if row.status == "missing":
        return W["missing"](lang)
    if row.status == "timeout":
        return W["timeout"](lang)
    if row.status == "crashed":
        return W["crashed"](lang)
    if row.status == "tampered":
        return W["tampered"](lang).format(flags="; ".join(row.flags) or "—")
    if row.status != "ok":  # a status a newer grade-batch adds (for example a rejected hand-in)
        return f"{row.status}: {'; '.join(row.flags)}" if row.flags else row.status
    return ""


def _verdict(result: CheckResult, lang: Lang) -> str:
    if result.outcome == "needs_gpu":
        return W["no_gpu"](lang)
    if result.outcome == "not_graded":
        return W["not_graded"](lang)
    return f"{result.points}/{result.max_points}"


def _where(result: CheckResult, row: BatchRow, lang: Lang) -> str:
    """'line 12 of your code' for files; notebooks are joined cells, so only the code itself."""
    if result.line is None and not result.source_line:
        return ""
    if result.line is not None and not row.source.endswith(".ipynb"):
        return W["line"](lang).format(line=result.line)
    return W["your_code"](lang)


def _totals(pages: list[ExercisePage], released: bool, lang: Lang) -> str:
    if released:
        score = sum(p.row.score for p in pages)
        maximum = sum(p.row.max_score for p in pages)
        return W["total"](lang).format(score=score, max=maximum)
    return W["total_visible"](lang).format(score=sum(p.visible_score for p in pages), max=sum(p.visible_max for p in pages))


def markdown_page(student: str, pages: list[ExercisePage], released: bool, lang: Lang) -> str:
    out = [f"# {W['title'](lang).format(student=student)}", "", f"**{_totals(pages, released, lang)}**", ""]
    for page in pages:
        row = page.row
        score = (
            W["exercise_score"](lang).format(score=row.score, max=row.max_score)
            if released
            else W["visible_score"](lang).format(score=page.visible_score, max=page.visible_max)
        )
        out += [f"## {page.title} (`{row.exercise}`)", "", f"{score}", ""]
        note = _status_note(row, lang)
        if note:
            out += [f"> {note}", ""]
        for item in page.shown:
            result = item.result
            title = item.spec.title(lang) if item.spec else result.title(lang)
            out.append(f"- {MARK.get(result.outcome, '✗')} **{title}** — {_verdict(result, lang)}")
            if result.outcome != "passed" and result.message:
                for line in result.message(lang).strip().splitlines():
                    out.append(f"  > {line}" if line.strip() else "  >")
            where = _where(result, row, lang)
            if result.outcome != "passed" and where:
                out.append(f"  {where}:")
                if result.source_line:
                    out += ["", "  ```python", f"  {result.source_line.rstrip()}", "  ```"]
        if page.pending:
            out += ["", f"_{W['pending'](lang).format(count=page.pending, points=page.pending_points)}_"]
        if page.never and released:
            out += ["", f"_{W['not_shown'](lang).format(count=page.never)}_"]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC",sans-serif;max-width:860px;margin:0 auto;padding:24px;color:#1d232a}
h1{font-size:24px} h2{font-size:18px;margin-top:28px;border-bottom:2px solid #e0e4e8;padding-bottom:4px}
ul{list-style:none;padding:0} li{margin:8px 0;padding:8px 12px;border:1px solid #e0e4e8;border-radius:6px}
li.passed{border-left:4px solid #2e7d32} li.failed,li.error,li.timeout{border-left:4px solid #c62828} li.needs_gpu,li.not_graded{border-left:4px solid #9e9e9e}
.msg{white-space:pre-wrap;overflow-wrap:anywhere;margin:6px 0 0;color:#37424d}
pre{background:#f6f8fa;padding:6px 10px;border-radius:4px;white-space:pre-wrap;overflow-wrap:anywhere}
.note{background:#fff8e1;border:1px solid #ffe082;padding:6px 10px;border-radius:4px} .muted{color:#5d6873}
"""


def html_page(student: str, pages: list[ExercisePage], released: bool, lang: Lang) -> str:
    def e(value: object) -> str:
        return html.escape(str(value), quote=True)

    title = W["title"](lang).format(student=student)
    out = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{e(title)}</title><style>{STYLE}</style></head><body>',
        f"<h1>{e(title)}</h1><p><b>{e(_totals(pages, released, lang))}</b></p>",
    ]
    for page in pages:
        row = page.row
        score = (
            W["exercise_score"](lang).format(score=row.score, max=row.max_score)
            if released
            else W["visible_score"](lang).format(score=page.visible_score, max=page.visible_max)
        )
        out.append(f'<section><h2>{e(page.title)} <code class="muted">{e(row.exercise)}</code></h2><p>{e(score)}</p>')
        note = _status_note(row, lang)
        if note:
            out.append(f'<p class="note">{e(note)}</p>')
        out.append("<ul>")
        for item in page.shown:
            result = item.result
            check_title = item.spec.title(lang) if item.spec else result.title(lang)
            out.append(f'<li class="{e(result.outcome)}">{MARK.get(result.outcome, "✗")} <b>{e(check_title)}</b> — {e(_verdict(result, lang))}')
            if result.outcome != "passed" and result.message:
                out.append(f'<div class="msg">{e(result.message(lang).strip())}</div>')
            where = _where(result, row, lang)
            if result.outcome != "passed" and where:
                out.append(f'<div class="muted">{e(where)}:</div>')
                if result.source_line:
                    out.append(f"<pre><code>{e(result.source_line.rstrip())}</code></pre>")
            out.append("</li>")
        out.append("</ul>")
        if page.pending:
            out.append(f'<p class="muted">{e(W["pending"](lang).format(count=page.pending, points=page.pending_points))}</p>')
        if page.never and released:
            out.append(f'<p class="muted">{e(W["not_shown"](lang).format(count=page.never))}</p>')
        out.append("</section>")
    out.append("</body></html>\n")
    return "".join(out)


def write_feedback(rows: list[BatchRow], catalog: Catalog, folder: Path, released: bool = False, lang: Lang = "en") -> list[Path]:
    """Write DIR/<student>.html and DIR/<student>.md for every student; returns the files written."""
    written = []
    used: set[str] = set()
    for student, pages in _pages(rows, catalog, released, lang).items():
        name = base = _file_name(student)
        number = 1
        while name.lower() in used:  # two folder names that differ only in odd characters or case
            number += 1
            name = f"{base}-{number}"
        used.add(name.lower())
        for suffix, text in ((".html", html_page(student, pages, released, lang)), (".md", markdown_page(student, pages, released, lang))):
            path = folder / f"{name}{suffix}"
            write_atomic(path, text)
            written.append(path)
    return written

"""`grade-batch --report report.html`: one self-contained page about the whole class.

Everything is in the file: styles inline, charts as inline SVG, no script, no
font, nothing fetched from a network or a CDN, so it opens in a classroom
without internet. The numbers come from `summarize` (plain data, tested on its
own); `render` only lays them out. Checks and their titles come from the rows
and the catalog at run time.
"""

from __future__ import annotations

import html
import math
import re
import time
from collections import Counter
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from torchdojo.core.catalog import Catalog
from torchdojo.core.report import NOT_COUNTED
from torchdojo.i18n import Lang, Text, t
from torchdojo.teacher.batch import BatchRow
from torchdojo.teacher.exports import Reconciliation

FAILED = frozenset({"failed", "error", "timeout"})
PROBLEMS = ("timeout", "crashed", "tampered", "missing")
_NUMBERS = re.compile(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


@dataclass
class StudentScore:
    student: str
    score: int
    max_score: int

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


@dataclass
class ExerciseStats:
    exercise: str
    title: str
    handed_in: int
    missing: int
    max_score: int
    mean: float
    sd: float
    low: int
    high: int


@dataclass
class CheckStats:
    exercise: str
    check: str
    title: str
    graded: int
    failed: int
    message: str  # the most common failure message: the misconception the check names
    message_count: int

    @property
    def rate(self) -> float:
        return self.failed / self.graded if self.graded else 0.0


@dataclass
class ClassSummary:
    students: list[StudentScore]
    histogram: list[int]  # ten bins of percent: [0,10) ... [90,100]
    exercises: list[ExerciseStats]
    checks: list[CheckStats]
    threshold: float
    by_status: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)  # status -> (student, exercise, detail)
    roster_lines: list[str] = field(default_factory=list)

    @property
    def most_failed(self) -> list[CheckStats]:
        failing = [c for c in self.checks if c.failed]
        return sorted(failing, key=lambda c: (-c.rate, -c.failed, c.exercise, c.check))[:10]

    @property
    def under_threshold(self) -> list[StudentScore]:
        return sorted((s for s in self.students if s.percent < self.threshold), key=lambda s: (s.percent, s.student))


def _first_lines(text: str, limit: int = 240) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    short = " ".join(lines[:2])
    return short if len(short) <= limit else short[: limit - 1] + "…"


def summarize(rows: list[BatchRow], catalog: Catalog, threshold: float = 50.0, lang: Lang = "en", reconciliation: Reconciliation | None = None) -> ClassSummary:
    order = {exercise.id: index for index, exercise in enumerate(catalog.exercises)}
    exercises = sorted({row.exercise for row in rows}, key=lambda e: (order.get(e, len(order)), e))

    totals: dict[str, StudentScore] = {}
    for row in rows:
        entry = totals.setdefault(row.student, StudentScore(row.student, 0, 0))
        entry.score += row.score
        entry.max_score += row.max_score
    students = [totals[name] for name in sorted(totals)]
    histogram = [0] * 10
    for student in students:
        histogram[min(9, int(student.percent // 10))] += 1

    exercise_stats = []
    check_stats = []
    for exercise_id in exercises:
        these = [row for row in rows if row.exercise == exercise_id]
        present = [row for row in these if row.status != "missing"]
        scores = [row.score for row in present]
        mean = sum(scores) / len(scores) if scores else 0.0
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores)) if scores else 0.0
        spec = catalog.by_id.get(exercise_id)
        title = spec.title(lang) if spec else exercise_id
        exercise_stats.append(
            ExerciseStats(
                exercise_id,
                title,
                len(present),
                len(these) - len(present),
                max((row.max_score for row in these), default=0),
                mean,
                sd,
                min(scores, default=0),
                max(scores, default=0),
            )
        )
        names = [c.name for c in spec.checks] if spec else []
        for row in present:  # checks the catalog no longer lists still count, after the catalog's own
            names += [c.name for c in row.checks if c.name not in names]
        for name in names:
            results = [c for row in present for c in row.checks if c.name == name and c.outcome not in NOT_COUNTED]
            failures = [c for c in results if c.outcome in FAILED]
            # Messages quote generated inputs; the same misconception with other numbers is the same message.
            shapes = Counter(_NUMBERS.sub("#", _first_lines(c.message(lang))) for c in failures if c.message)
            shape, count = shapes.most_common(1)[0] if shapes else ("", 0)
            message = next((_first_lines(c.message(lang)) for c in failures if c.message and _NUMBERS.sub("#", _first_lines(c.message(lang))) == shape), "")
            title_text = next((c.title for c in results), None)
            if spec and name in {c.name for c in spec.checks}:
                title_text = spec.check(name).title
            check_stats.append(CheckStats(exercise_id, name, title_text(lang) if title_text else name, len(results), len(failures), message, count))

    by_status: dict[str, list[tuple[str, str, str]]] = {status: [] for status in PROBLEMS}
    for row in rows:
        if row.status != "ok":  # any other status a newer grade-batch adds is listed too
            by_status.setdefault(row.status, []).append((row.student, row.exercise, "; ".join(row.flags)))
    roster_lines = [line(lang) for line in reconciliation.lines()] if reconciliation else []
    return ClassSummary(students, histogram, exercise_stats, check_stats, threshold, by_status, roster_lines)


# -- charts (inline SVG, no xmlns needed inside HTML) -------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def histogram_svg(counts: list[int], label: str) -> str:
    width, height, pad = 520, 220, 32
    top = max(counts) or 1
    bar = (width - 2 * pad) / len(counts)
    parts = [f'<svg role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    base = height - pad
    for index, count in enumerate(counts):
        h = (base - pad) * count / top
        x = pad + index * bar
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{base - h:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" class="bar"><title>{index * 10}–{index * 10 + 10}%: {count}</title></rect>'
        )
        if count:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{count}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 14}" text-anchor="middle" class="axis">{index * 10}</text>')
    parts.append(f'<text x="{width - pad}" y="{base + 28}" text-anchor="end" class="axis">%</text>')
    parts.append(f'<line x1="{pad}" y1="{base}" x2="{width - pad}" y2="{base}" class="rule"/></svg>')
    return "".join(parts)


def _percent(value: float, top: int) -> float:
    """`value` as a percentage of an exercise's `top` points (0 when it has none)."""
    return 100 * value / top if top else 0.0


def spread_svg(stats: list[ExerciseStats], label: str) -> str:
    """Per exercise: min–max line, mean ± sd box, mean tick, as a percentage of the exercise's points."""
    row_h, left, width = 26, 210, 620
    height = row_h * len(stats) + 30
    scale = (width - left - 20) / 100
    parts = [f'<svg role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for index, s in enumerate(stats):
        y = 10 + index * row_h
        lo, hi, mean = _percent(s.low, s.max_score), _percent(s.high, s.max_score), _percent(s.mean, s.max_score)
        box_lo, box_hi = max(0.0, _percent(s.mean - s.sd, s.max_score)), min(100.0, _percent(s.mean + s.sd, s.max_score))
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{_e(s.exercise)}</text>')
        parts.append(f'<line x1="{left + lo * scale:.1f}" y1="{y + 10}" x2="{left + hi * scale:.1f}" y2="{y + 10}" class="whisker"/>')
        parts.append(
            f'<rect x="{left + box_lo * scale:.1f}" y="{y + 3}" width="{max(1.0, (box_hi - box_lo) * scale):.1f}" height="14" class="box">'
            f"<title>{_e(s.exercise)}: mean {s.mean:.2f} / {s.max_score}, sd {s.sd:.2f}, min {s.low}, max {s.high}</title></rect>"
        )
        parts.append(f'<line x1="{left + mean * scale:.1f}" y1="{y}" x2="{left + mean * scale:.1f}" y2="{y + 20}" class="mean"/>')
    base = 10 + len(stats) * row_h
    for tick in range(0, 101, 25):
        parts.append(f'<text x="{left + tick * scale:.1f}" y="{base + 14}" text-anchor="middle" class="axis">{tick}%</text>')
    parts.append("</svg>")
    return "".join(parts)


def failed_svg(checks: list[CheckStats], label: str) -> str:
    row_h, left, width = 24, 300, 640
    height = row_h * len(checks) + 10
    scale = width - left - 60
    parts = [f'<svg role="img" aria-label="{_e(label)}" viewBox="0 0 {width} {max(height, 20)}" width="{width}" height="{max(height, 20)}">']
    for index, c in enumerate(checks):
        y = 4 + index * row_h
        name = f"{c.exercise.split('/')[-1]}: {c.check}"
        parts.append(f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{_e(name[:44])}</text>')
        parts.append(f'<rect x="{left}" y="{y + 2}" width="{max(1.0, c.rate * scale):.1f}" height="16" class="fail"><title>{_e(c.title)}</title></rect>')
        parts.append(f'<text x="{left + c.rate * scale + 6:.1f}" y="{y + 14}">{100 * c.rate:.0f}% ({c.failed}/{c.graded})</text>')
    parts.append("</svg>")
    return "".join(parts)


# -- the page ---------------------------------------------------------------------------------

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","PingFang SC",sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px} h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #e0e4e8;padding-bottom:4px}
.muted{color:#5d6873} section{background:#fff;border:1px solid #e0e4e8;border-radius:8px;padding:4px 18px 14px;margin:16px 0}
table{border-collapse:collapse;width:100%;font-size:14px} th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f2;vertical-align:top}
th{background:#f1f3f5} td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #e0e4e8;border-radius:8px;padding:10px 16px;min-width:120px}
.card b{display:block;font-size:24px}
svg text{font-size:12px;fill:#1d232a} svg .axis{fill:#5d6873} .bar{fill:#ee4c2c} .rule{stroke:#aab2ba}
.box{fill:#f7b3a5;stroke:#ee4c2c} .whisker{stroke:#5d6873;stroke-width:2} .mean{stroke:#1d232a;stroke-width:2} .fail{fill:#d9534f}
.rate{display:inline-block;height:10px;background:#d9534f;border-radius:2px;vertical-align:middle;margin-right:6px}
.empty{color:#2e7d32} code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:13px}
"""

L = {
    "title": t("Class report", "班级报告"),
    "students": t("students", "学生"),
    "submissions": t("submissions", "份提交"),
    "mean": t("mean score", "平均得分率"),
    "histogram": t("Score distribution", "成绩分布"),
    "histogram_note": t("Students by total score, as a percentage of the points they could get.", "按总得分率统计的学生人数。"),
    "spread": t("Each exercise: mean and spread", "各练习的平均分与离散程度"),
    "spread_note": t(
        "Line: lowest to highest score; box: mean ± one standard deviation; tick: mean. Missing submissions are not counted.",
        "线:最低到最高分;方框:平均分 ± 一个标准差;竖线:平均分。未提交的不计入。",
    ),
    "exercise": t("exercise", "练习"),
    "handed_in": t("handed in", "已提交"),
    "missing": t("missing", "缺交"),
    "max": t("max", "满分"),
    "sd": t("sd", "标准差"),
    "min": t("min", "最低"),
    "high": t("max score", "最高"),
    "top": t("The ten most failed checks", "失败最多的十项检查"),
    "checks": t("Every check", "全部检查"),
    "check": t("check", "检查"),
    "failed": t("failed", "失败"),
    "rate": t("failure rate", "失败率"),
    "misconception": t("most common message (the misconception)", "最常见的提示(即常见误区)"),
    "under": t("Students under {threshold:g}%", "得分率低于 {threshold:g}% 的学生"),
    "student": t("student", "学生"),
    "score": t("score", "得分"),
    "none": t("None.", "无。"),
    "problems": t("Timeouts, crashes, tampering, missing work", "超时、崩溃、篡改与缺交"),
    "timeout": t("timeout", "超时"),
    "crashed": t("crashed", "崩溃"),
    "tampered": t("tampered", "篡改"),
    "detail": t("detail", "详情"),
    "roster": t("Roster", "名单"),
    "generated": t(
        "Generated by torchdojo grade-batch on {when}. Self-contained: no network needed.", "由 torchdojo grade-batch 生成于 {when}。本页独立完整,无需网络。"
    ),
}


def _table(header: list[str], rows: list[list[str]], numeric: AbstractSet[int] = frozenset()) -> str:
    head = "".join(f'<th class="num">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td class="num">{cell}</td>' if i in numeric else f"<td>{cell}</td>" for i, cell in enumerate(row)) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(summary: ClassSummary, lang: Lang = "en", title: str = "") -> str:
    def w(key: str, **values: object) -> str:
        text: Text = L[key]
        return _e(text(lang).format(**values) if values else text(lang))

    submitted = sum(e.handed_in for e in summary.exercises)
    mean_pct = sum(s.percent for s in summary.students) / len(summary.students) if summary.students else 0.0
    parts = [
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{w('title')}{_e(' — ' + title) if title else ''}</title><style>{STYLE}</style></head><body><main>",
        f"<h1>{w('title')}{_e(' — ' + title) if title else ''}</h1>",
        f'<p class="muted">{w("generated", when=time.strftime("%Y-%m-%d %H:%M"))}</p>',
        '<div class="cards">',
        f'<div class="card"><b>{len(summary.students)}</b>{w("students")}</div>',
        f'<div class="card"><b>{submitted}</b>{w("submissions")}</div>',
        f'<div class="card"><b>{mean_pct:.0f}%</b>{w("mean")}</div>',
        *(f'<div class="card"><b>{len(summary.by_status.get(s, []))}</b>{w(s)}</div>' for s in ("timeout", "crashed", "tampered", "missing")),
        "</div>",
    ]

    parts += [
        f'<section id="histogram"><h2>{w("histogram")}</h2><p class="muted">{w("histogram_note")}</p>',
        histogram_svg(summary.histogram, L["histogram"](lang)),
        "</section>",
    ]

    spread_rows = [
        [
            _e(e.exercise) + f'<br><span class="muted">{_e(e.title)}</span>',
            str(e.handed_in),
            str(e.missing),
            f"{e.mean:.2f}",
            f"{e.sd:.2f}",
            str(e.low),
            str(e.high),
            str(e.max_score),
        ]
        for e in summary.exercises
    ]
    parts += [
        f'<section id="exercises"><h2>{w("spread")}</h2><p class="muted">{w("spread_note")}</p>',
        spread_svg(summary.exercises, L["spread"](lang)),
        _table([L[k](lang) for k in ("exercise", "handed_in", "missing", "mean", "sd", "min", "high", "max")], spread_rows, {1, 2, 3, 4, 5, 6, 7}),
        "</section>",
    ]
    top = summary.most_failed
    top_rows = [[_e(c.exercise), f"<code>{_e(c.check)}</code><br>{_e(c.title)}", f"{100 * c.rate:.0f}% ({c.failed}/{c.graded})", _e(c.message)] for c in top]
    parts += [
        f'<section id="most-failed"><h2>{w("top")}</h2>',
        (failed_svg(top, L["top"](lang)) + _table([L[k](lang) for k in ("exercise", "check", "rate", "misconception")], top_rows))
        if top
        else f'<p class="empty">{w("none")}</p>',
        "</section>",
    ]

    all_rows = [
        [
            _e(c.exercise),
            f"<code>{_e(c.check)}</code><br>{_e(c.title)}",
            f'<span class="rate" style="width:{60 * c.rate:.0f}px"></span>{100 * c.rate:.0f}%',
            f"{c.failed}/{c.graded}",
            _e(c.message) + (f' <span class="muted">(×{c.message_count})</span>' if c.message_count else ""),
        ]
        for c in summary.checks
    ]
    parts += [
        f'<section id="checks"><h2>{w("checks")}</h2>',
        _table([L[k](lang) for k in ("exercise", "check", "rate", "failed", "misconception")], all_rows),
        "</section>",
    ]

    under = summary.under_threshold
    under_rows = [[_e(s.student), f"{s.score}/{s.max_score}", f"{s.percent:.0f}%"] for s in under]
    parts += [
        f'<section id="under-threshold"><h2>{w("under", threshold=summary.threshold)}</h2>',
        _table([L[k](lang) for k in ("student", "score")] + ["%"], under_rows, {1, 2}) if under else f'<p class="empty">{w("none")}</p>',
        "</section>",
    ]

    parts.append(f'<section id="problems"><h2>{w("problems")}</h2>')
    for status in dict.fromkeys([*PROBLEMS, *summary.by_status]):
        listed = summary.by_status.get(status, [])
        label = w(status) if status in L else _e(status)
        parts.append(f'<h3 id="{_e(status)}">{label} ({len(listed)})</h3>')
        if listed:
            parts.append(_table([L[k](lang) for k in ("student", "exercise", "detail")], [[_e(a), _e(b), _e(c)] for a, b, c in listed]))
        else:
            parts.append(f'<p class="empty">{w("none")}</p>')
    parts.append("</section>")
    if summary.roster_lines:
        parts.append(f'<section id="roster"><h2>{w("roster")}</h2>' + "".join(f"<p>{_e(line)}</p>" for line in summary.roster_lines) + "</section>")
    parts.append("</main></body></html>\n")
    return "".join(parts)

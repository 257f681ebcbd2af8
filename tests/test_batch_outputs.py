"""grade-batch's outputs from synthetic rows: points per check, wide / Canvas / Moodle exports, the roster,
the class report's numbers, feedback visibility and nbgrader's gradebook. Everything here uses its own
tiny catalog, so the checks being rewritten elsewhere never change these answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Set as AbstractSet
from pathlib import Path

import pytest

from torchdojo.core.catalog import Catalog
from torchdojo.core.report import CheckResult
from torchdojo.i18n import Lang, Text
from torchdojo.teacher.batch import BatchRow, write_rows
from torchdojo.teacher.class_report import render, summarize
from torchdojo.teacher.exports import (
    CANVAS_HEADER,
    OutputError,
    RosterEntry,
    check_rows,
    class_table,
    load_roster,
    parse_export,
    reconcile,
    write_check_rows,
    write_export,
)
from torchdojo.teacher.feedback import write_feedback

CATALOG = Catalog.model_validate(
    {
        "format_version": 1,
        "exercises": [
            {
                "id": "alpha/first",
                "file": "01_alpha/01_first.py",
                "title": {"en": "First", "zh": "第一"},
                "hints": [{"en": "h", "zh": "提示"}],
                "checks": [
                    {"name": "values", "points": 2, "title": {"en": "values are right", "zh": "数值正确"}},
                    {"name": "dtype", "points": 1, "title": {"en": "dtype is float32", "zh": "dtype 是 float32"}},
                    {"name": "secret", "points": 3, "hidden": True, "title": {"en": "a hidden edge case", "zh": "隐藏的边界情况"}},
                    {"name": "internal", "points": 1, "visibility": "never", "title": {"en": "never shown", "zh": "从不显示"}},
                ],
            },
            {
                "id": "beta/second",
                "file": "02_beta/01_second.py",
                "title": {"en": "Second", "zh": "第二"},
                "hints": [{"en": "h", "zh": "提示"}],
                "checks": [
                    {"name": "shape", "points": 4, "title": {"en": "shape is right", "zh": "形状正确"}},
                    {"name": "on_gpu", "points": 2, "needs_gpu": True, "title": {"en": "on a GPU", "zh": "在 GPU 上"}},
                ],
            },
        ],
    }
)
MESSAGE = {
    "values": "Expected 2x, got x: the gradient was taken twice.",
    "dtype": "Expected float32, got float64.",
    "secret": "An empty input raised IndexError.",
    "internal": "INTERNAL DETAIL",
    "shape": "Expected (3, 4), got (4, 3).",
}


def make_row(student: str, exercise: str, failing: AbstractSet[str] = frozenset(), status: str = "ok", flags: list[str] | None = None) -> BatchRow:
    spec = CATALOG.by_id[exercise]
    if status == "missing":
        return BatchRow(
            student=student,
            exercise=exercise,
            status="missing",
            score=0,
            max_score=sum(c.points for c in spec.checks if not c.needs_gpu),
            failed_checks=[],
            source="",
        )
    checks = []
    for c in spec.checks:
        if c.needs_gpu:
            checks.append(CheckResult(name=c.name, title=c.title, outcome="needs_gpu", points=0, max_points=c.points))
        elif c.name in failing:
            outcome = "timeout" if status == "timeout" else "failed"
            checks.append(
                CheckResult(
                    name=c.name,
                    title=c.title,
                    outcome=outcome,
                    points=0,
                    max_points=c.points,
                    message=Text(en=MESSAGE[c.name], zh="中文:" + MESSAGE[c.name]),
                    line=7,
                    source_line="return x * 2  # mine",
                )
            )
        else:
            checks.append(CheckResult(name=c.name, title=c.title, outcome="passed", points=c.points, max_points=c.points))
    score = sum(c.points for c in checks)
    maximum = sum(c.max_points for c in checks if c.outcome != "needs_gpu")
    return BatchRow(
        student=student,
        exercise=exercise,
        status=status,
        score=score,
        max_score=maximum,
        failed_checks=sorted(failing),
        source=f"/class/{student}/{exercise}.py",
        checks=checks,
        flags=flags or [],
    )


# alpha/first max 7, beta/second max 4 (the GPU check does not count): 11 in all
CLASS = [
    make_row("ann", "alpha/first"),
    make_row("ann", "beta/second"),  # 11/11
    make_row("ben", "alpha/first", {"values"}),
    make_row("ben", "beta/second", {"shape"}),  # 5/11
    make_row("cat", "alpha/first", {"values", "dtype", "secret"}),
    make_row("cat", "beta/second", status="missing"),  # 1/11
    make_row("dan", "alpha/first", {"values", "dtype", "secret", "internal"}, status="timeout"),  # 0/11
    make_row("dan", "beta/second", {"shape"}, status="tampered", flags=["edited locked cell beta-shape"]),
]


def parse(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


# -- points per check ----------------------------------------------------------------------


def test_check_rows_add_up_to_each_submission(tmp_path: Path) -> None:
    path = tmp_path / "grades.checks.csv"
    write_check_rows(CLASS, CATALOG, path)
    table = parse(path)
    assert table[0] == ["student", "exercise", "check", "title", "outcome", "points", "max_points", "status"]
    for row in CLASS:
        mine = [r for r in table[1:] if r[0] == row.student and r[1] == row.exercise]
        assert sum(int(r[5]) for r in mine) == row.score
        assert sum(int(r[6]) for r in mine) == row.max_score
    assert ["cat", "beta/second", "shape", "shape is right", "missing", "0", "4", "missing"] in table
    assert ["ann", "beta/second", "on_gpu", "on a GPU", "needs_gpu", "0", "0", "ok"] in table
    assert len(check_rows(CLASS, CATALOG)) == 4 * 4 + 3 * 2 + 1  # every check of every row; a missing one: the catalog's, less GPU checks


# -- exports and roster --------------------------------------------------------------------

ROSTER = [
    RosterEntry(folder="ann", name="Lee, Ann", id="101", sis_user_id="S101", sis_login_id="ann1", section="A", email="ann@school.edu"),
    RosterEntry(folder="ben", name="Ben Ito", id="102", sis_user_id="S102", section="A", email="ben@school.edu"),
    RosterEntry(folder="cat", name="Cat Roy", id="103", sis_user_id="S103", section="B", email="cat@school.edu"),
    RosterEntry(folder="eve", name="Eve Park", id="105", sis_user_id="S105", section="B", email="eve@school.edu"),
]


def test_grades_csv_says_who_handed_in(tmp_path: Path) -> None:
    """Identity from the hand-ins (issue 19): an LMS's id and name, a `torchdojo submit` id, a plain folder; emails from the roster."""
    canvas = make_row("doejane", "alpha/first", {"values"}).model_copy(
        update={"student_id": "12345", "display_name": "Doe, Jane", "lms": "canvas", "submitted_at": "2026-06-02T10:00:00+00:00", "late": True}
    )
    submitted = make_row("s123", "alpha/first").model_copy(update={"student_id": "s123", "submitted_at": "2026-06-01T09:00:00+00:00"})
    folder = make_row("ann", "beta/second", status="missing")  # a row made without grade_task: no student_id at all
    roster = [RosterEntry(folder="ann", name="Lee, Ann", email="ann@school.edu"), RosterEntry(folder="s123", email="s123@school.edu")]
    write_rows([canvas, submitted, folder], tmp_path / "grades.csv", roster)
    with (tmp_path / "grades.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [
        "student",
        "student_id",
        "name",
        "email",
        "exercise",
        "status",
        "score",
        "max_score",
        "failed_checks",
        "flags",
        "lms",
        "submitted_at",
        "late",
    ]
    assert rows[0] == {
        "student": "doejane",
        "student_id": "12345",
        "name": "Doe, Jane",
        "email": "",
        "exercise": "alpha/first",
        "status": "ok",
        "score": "5",
        "max_score": "7",
        "failed_checks": "values",
        "flags": "",
        "lms": "canvas",
        "submitted_at": "2026-06-02T10:00:00+00:00",
        "late": "yes",
    }
    assert [rows[1][k] for k in ("student_id", "name", "email", "lms", "late")] == ["s123", "", "s123@school.edu", "", ""]
    assert [rows[2][k] for k in ("student_id", "name", "email", "status", "score")] == ["ann", "Lee, Ann", "ann@school.edu", "missing", "0"]


def test_grades_csv_without_roster(tmp_path: Path) -> None:
    write_rows(CLASS[:2], tmp_path / "grades.csv")
    table = parse(tmp_path / "grades.csv")
    assert table[0][:4] == ["student", "student_id", "name", "email"] and [r[:4] for r in table[1:]] == [["ann", "ann", "", ""]] * 2


def test_a_roster_without_ids_keeps_the_lms_ids(tmp_path: Path) -> None:
    """The roster wins where it has a value; where it is blank, the id and name the Canvas download carried fill in."""
    row = make_row("doejane", "alpha/first").model_copy(update={"student_id": "12345", "display_name": "Doe, Jane", "lms": "canvas"})
    write_export("canvas", class_table([row], CATALOG, [RosterEntry(folder="doejane", section="B")]), tmp_path / "canvas.csv")
    assert parse(tmp_path / "canvas.csv")[2][:5] == ["Doe, Jane", "12345", "", "", "B"]
    named = [RosterEntry(folder="doejane", name="Doe, J.", id="999")]
    write_export("canvas", class_table([row], CATALOG, named), tmp_path / "canvas.csv")
    assert parse(tmp_path / "canvas.csv")[2][:2] == ["Doe, J.", "999"]


def test_wide_export_layout(tmp_path: Path) -> None:
    write_export("wide", class_table(CLASS, CATALOG, ROSTER), tmp_path / "wide.csv")
    table = parse(tmp_path / "wide.csv")
    assert table[0] == ["student", "name", "id", "alpha/first", "beta/second", "total", "max", "note"]
    rows = {r[0]: r for r in table[1:]}
    assert rows["ann"] == ["ann", "Lee, Ann", "101", "7", "4", "11", "11", ""]
    assert rows["ben"] == ["ben", "Ben Ito", "102", "5", "0", "5", "11", ""]
    assert rows["cat"] == ["cat", "Cat Roy", "103", "1", "0", "1", "11", ""]
    assert rows["dan"] == ["dan", "dan", "", "0", "0", "0", "11", "not in roster"]
    assert rows["eve"] == ["eve", "Eve Park", "105", "", "", "", "", "no submission"]


def test_canvas_export_layout(tmp_path: Path) -> None:
    write_export("canvas", class_table(CLASS, CATALOG, ROSTER), tmp_path / "canvas.csv")
    table = parse(tmp_path / "canvas.csv")
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "alpha", "beta"]
    assert table[0][:5] == CANVAS_HEADER
    assert table[1] == ["    Points Possible", "", "", "", "", "7", "4"]
    body = {r[0]: r for r in table[2:]}
    assert body["Lee, Ann"] == ["Lee, Ann", "101", "S101", "ann1", "A", "7", "4"]
    assert body["Eve Park"] == ["Eve Park", "105", "S105", "", "B", "", ""]  # on the roster, nothing handed in: blank
    assert body["dan"] == ["dan", "", "", "", "", "0", "0"]  # not on the roster: kept, listed by reconcile
    assert len(table) == 2 + 5


def test_moodle_export_layout(tmp_path: Path) -> None:
    write_export("moodle", class_table(CLASS, CATALOG, ROSTER), tmp_path / "moodle.csv")
    table = parse(tmp_path / "moodle.csv")
    assert table[0] == ["Email address", "alpha", "beta"]
    assert ["ann@school.edu", "7", "4"] in table and ["eve@school.edu", "", ""] in table and ["dan", "0", "0"] in table
    no_email = [e.model_copy(update={"email": ""}) for e in ROSTER]
    write_export("moodle", class_table(CLASS, CATALOG, no_email), tmp_path / "moodle-id.csv")
    table = parse(tmp_path / "moodle-id.csv")
    assert table[0] == ["ID number", "alpha", "beta"] and ["102", "5", "0"] in table


def test_without_roster_every_folder_is_a_student(tmp_path: Path) -> None:
    write_export("wide", class_table(CLASS, CATALOG), tmp_path / "wide.csv")
    assert [r[0] for r in parse(tmp_path / "wide.csv")[1:]] == ["ann", "ben", "cat", "dan"]
    assert all(r[-1] == "" for r in parse(tmp_path / "wide.csv")[1:])


def test_roster_mismatches_are_listed_both_ways() -> None:
    found = reconcile(CLASS, ROSTER)
    assert found.not_in_roster == ["dan"]
    assert [e.folder for e in found.no_submission] == ["eve"]
    lines = found.lines()
    assert "dan" in lines[0].en and "dan" in lines[0].zh and "eve (Eve Park)" in lines[1].en and "eve" in lines[1].zh


def test_roster_file_is_read_with_bom_and_spaces(tmp_path: Path) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes('\ufeffFolder, Name ,ID,SIS User ID,Section\nann,"Lee, Ann",101,S101,A\n\nben,Ben,102,S102,A\n'.encode())
    entries = load_roster(path)
    assert [(e.folder, e.name, e.id, e.sis_user_id, e.section) for e in entries] == [
        ("ann", "Lee, Ann", "101", "S101", "A"),
        ("ben", "Ben", "102", "S102", "A"),
    ]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"name,id\nAnn,1\n", "`folder` column"),
        (b"folder,name\nann,Ann\nann,Again\n", "already on line 2"),
        (b"folder,name\n,Ann\n", "line 2: the `folder` column is empty"),
        (b"folder,name\n", "lists no students"),
        ("folder,name\nann,Zoë\n".encode("latin-1"), "not UTF-8"),
    ],
)
def test_bad_roster_is_a_clear_bilingual_error(tmp_path: Path, content: bytes, fragment: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_bytes(content)
    with pytest.raises(OutputError) as caught:
        load_roster(path)
    assert fragment in caught.value.text.en and caught.value.text.zh and str(path) in caught.value.text.zh


@pytest.mark.parametrize("spec", ["canvas", "excel:out.csv", "canvas:", "wide:out.xlsx"])
def test_bad_export_spec(spec: str) -> None:
    with pytest.raises(OutputError) as caught:
        parse_export(spec)
    assert "--export" in caught.value.text.en and "--export" in caught.value.text.zh


def test_export_spec() -> None:
    assert parse_export("Canvas:out/c.csv") == ("canvas", Path("out/c.csv"))


# -- the class report -----------------------------------------------------------------------


def test_report_numbers_for_a_known_class() -> None:
    summary = summarize(CLASS, CATALOG, threshold=50)
    assert [(s.student, s.score, s.max_score) for s in summary.students] == [("ann", 11, 11), ("ben", 5, 11), ("cat", 1, 11), ("dan", 0, 11)]
    assert summary.histogram == [2, 0, 0, 0, 1, 0, 0, 0, 0, 1]  # 0%, 9% | 45% | 100%
    first, second = summary.exercises
    assert (first.exercise, first.handed_in, first.missing, first.low, first.high, first.max_score) == ("alpha/first", 4, 0, 0, 7, 7)
    assert first.mean == pytest.approx((7 + 5 + 1 + 0) / 4)
    assert first.sd == pytest.approx(((7 - 3.25) ** 2 + (5 - 3.25) ** 2 + (1 - 3.25) ** 2 + 3.25**2) ** 0.5 / 2)
    assert (second.handed_in, second.missing, second.mean, second.max_score) == (3, 1, 4 / 3, 4)
    rates = {(c.exercise, c.check): (c.failed, c.graded) for c in summary.checks}
    assert rates[("alpha/first", "values")] == (3, 4)
    assert rates[("alpha/first", "internal")] == (1, 4)
    assert rates[("beta/second", "shape")] == (2, 3)
    assert rates[("beta/second", "on_gpu")] == (0, 0)  # needs a GPU: never counted
    top = summary.most_failed
    assert [(c.exercise, c.check) for c in top][:2] == [("alpha/first", "values"), ("beta/second", "shape")]
    assert top[0].message == MESSAGE["values"] and top[0].message_count == 3 and top[0].title == "values are right"
    assert [s.student for s in summary.under_threshold] == ["dan", "cat", "ben"]
    assert summary.by_status["timeout"] == [("dan", "alpha/first", "")]
    assert summary.by_status["tampered"] == [("dan", "beta/second", "edited locked cell beta-shape")]
    assert summary.by_status["missing"] == [("cat", "beta/second", "")]
    assert summary.by_status["crashed"] == []


def test_most_failed_is_at_most_ten() -> None:
    many = Catalog.model_validate(
        {
            "format_version": 1,
            "exercises": [
                {
                    "id": "alpha/first",
                    "file": "01_alpha/01_first.py",
                    "title": {"en": "F", "zh": "F"},
                    "hints": [{"en": "h", "zh": "h"}],
                    "checks": [{"name": f"c{i:02d}", "points": 1, "title": {"en": f"check {i}", "zh": f"检查 {i}"}} for i in range(14)],
                }
            ],
        }
    )
    checks = [CheckResult(name=f"c{i:02d}", title=Text(en="t", zh="t"), outcome="failed" if i % 7 else "passed", points=0, max_points=1) for i in range(14)]
    row = BatchRow(student="a", exercise="alpha/first", status="ok", score=0, max_score=14, failed_checks=[], source="", checks=checks)
    summary = summarize([row], many)
    assert len(summary.most_failed) == 10 and all(c.failed for c in summary.most_failed)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_page_is_self_contained_and_complete(lang: Lang) -> None:
    page = render(summarize(CLASS, CATALOG, threshold=50, lang=lang, reconciliation=reconcile(CLASS, ROSTER)), lang)
    assert "http" not in page.lower() and "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page
    assert page.count("<svg") == 3  # histogram, spread, most failed
    for section in ("histogram", "exercises", "most-failed", "checks", "under-threshold", "problems", "timeout", "crashed", "tampered", "missing", "roster"):
        assert f'id="{section}"' in page
    assert "edited locked cell beta-shape" in page
    assert ("数值正确" if lang == "zh" else "values are right") in page
    assert ("中文:" if lang == "zh" else "") + "Expected 2x, got x" in page


def test_report_escapes_what_students_wrote() -> None:
    row = make_row("<b>x</b>", "alpha/first", {"values", "dtype", "secret", "internal"})  # under the threshold: listed
    page = render(summarize([row], CATALOG))
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


# -- feedback and visibility ----------------------------------------------------------------


def test_feedback_before_release_shows_only_shown_checks(tmp_path: Path) -> None:
    written = write_feedback(CLASS, CATALOG, tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{s}.{ext}" for s in ("ann", "ben", "cat", "dan") for ext in ("html", "md"))
    for ext in ("md", "html"):
        page = (tmp_path / f"dan.{ext}").read_text(encoding="utf-8")
        assert "values are right" in page and MESSAGE["values"] in page and "return x * 2  # mine" in page
        assert "a hidden edge case" not in page and MESSAGE["secret"] not in page  # after_release (nbgrader hidden)
        assert "never shown" not in page and "INTERNAL DETAIL" not in page  # never
        assert "1 more check(s) (3 points) will be shown" in page
        assert "line 7 of your code" in page
    md = (tmp_path / "ben.md").read_text(encoding="utf-8")
    assert "Points on the checks shown: 1 / 7" in md  # alpha: values 0/2, dtype 1/1; beta: shape 0/4; hidden and never checks left out
    assert "Not handed in." in (tmp_path / "cat.md").read_text(encoding="utf-8")
    assert "flagged for review: edited locked cell beta-shape" in (tmp_path / "dan.md").read_text(encoding="utf-8")


def test_feedback_after_release(tmp_path: Path) -> None:
    write_feedback(CLASS, CATALOG, tmp_path, released=True, lang="zh")
    page = (tmp_path / "dan.md").read_text(encoding="utf-8")
    assert "隐藏的边界情况" in page and "中文:" + MESSAGE["secret"] in page
    assert "从不显示" not in page and "INTERNAL DETAIL" not in page
    assert "有 1 项检查不单独显示" in page
    assert "总分:0 / 11" in page
    assert "<script" not in (tmp_path / "dan.html").read_text(encoding="utf-8")


def test_feedback_file_names_are_safe_and_distinct(tmp_path: Path) -> None:
    rows = [make_row("a b", "alpha/first"), make_row("a_b", "alpha/first"), make_row("../x", "alpha/first")]
    written = write_feedback(rows, CATALOG, tmp_path)
    assert all(p.parent == tmp_path for p in written)
    assert len({p.name for p in written}) == 6


def test_visibility_defaults() -> None:
    checks = {c.name: c.shown_as for c in CATALOG.by_id["alpha/first"].checks}
    assert checks == {"values": "shown", "dtype": "shown", "secret": "after_release", "internal": "never"}
    with pytest.raises(ValueError):
        Catalog.model_validate(
            {
                "format_version": 1,
                "exercises": [
                    {
                        "id": "alpha/first",
                        "file": "01_alpha/01_first.py",
                        "title": {"en": "F", "zh": "F"},
                        "hints": [{"en": "h", "zh": "h"}],
                        "checks": [{"name": "c", "points": 1, "visibility": "later", "title": {"en": "t", "zh": "t"}}],
                    }
                ],
            }
        )


def test_messages_that_differ_only_in_numbers_are_one_misconception() -> None:
    rows = []
    for index, value in enumerate((1.5, -2.25, 3e-05)):
        checks = [
            CheckResult(
                name="values",
                title=Text(en="t", zh="t"),
                outcome="failed",
                points=0,
                max_points=2,
                message=Text(en=f"With x = [{value}]: expected {index}, got {index + 1}", zh="中"),
            )
        ]
        rows.append(BatchRow(student=f"s{index}", exercise="alpha/first", status="ok", score=0, max_score=2, failed_checks=[], source="", checks=checks))
    values = next(c for c in summarize(rows, CATALOG).checks if c.check == "values")
    assert values.message_count == 3 and values.message == "With x = [1.5]: expected 0, got 1"


# -- progress in a log ------------------------------------------------------------------------


def test_ticker_prints_a_line_every_few_seconds_even_while_nothing_finishes() -> None:
    import time

    from rich.console import Console

    from torchdojo.ticker import Ticker

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=False)
    with Ticker(console, "grading", 3, every=0.2) as ticker:
        time.sleep(0.7)  # a long submission: nothing done yet, lines keep coming
        ticker.advance("ann alpha/first ok")
    lines = buffer.getvalue().splitlines()
    assert len(lines) >= 3 and lines[0].startswith("grading: 0/3 done (0%), 0:00:00 elapsed")
    assert lines[-1].startswith("grading: 1/3 done (33%)") and lines[-1].endswith("last: ann alpha/first ok")
    assert "\x1b" not in buffer.getvalue()

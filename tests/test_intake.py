"""grade-batch's intake: hand-in archives and Canvas/Moodle downloads are checked before anything is graded.

No grading happens here (fast); tests/test_handin_batch.py grades end to end.
"""

from __future__ import annotations

import hashlib
import io
import stat
import uuid
import warnings
import zipfile
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.core.catalog import Catalog
from torchdojo.record.handin import Manifest, PackedFile, catalog_sha256
from torchdojo.teacher.intake import (
    BAD_MANIFEST,
    DUPLICATE,
    IGNORED,
    MISMATCH,
    NO_MANIFEST,
    OK,
    OUTSIDE,
    SYMLINK,
    TOO_LARGE,
    UNREADABLE,
    UNSAFE_PATH,
    IntakeError,
    check_archive,
    parse_deadline,
    parse_lms_name,
    take_in,
)

LEAF_ID = "autograd/leaf_tensors"
LEAF = "exercises/01_autograd/01_leaf_tensors.py"
GOOD = (ROOT / "solutions" / "01_autograd" / "01_leaf_tensors.py").read_bytes()
PACKED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def manifest_for(student: str, files: dict[str, bytes], at: datetime = PACKED_AT) -> bytes:
    entries = [PackedFile(exercise=LEAF_ID, path=path, sha256=hashlib.sha256(body).hexdigest(), size=len(body)) for path, body in files.items()]
    return (
        Manifest(student_id=student, created_at=at, torchdojo_version="0.1.0", catalog_format_version=1, catalog_sha256=catalog_sha256(), files=entries)
        .model_dump_json()
        .encode()
    )


def zip_of(members: list[tuple[str | zipfile.ZipInfo, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a name twice is one of the cases
        for name, body in members:
            archive.writestr(name, body)
    return buffer.getvalue()


def handin(student: str, body: bytes = GOOD, at: datetime = PACKED_AT) -> bytes:
    return zip_of([("manifest.json", manifest_for(student, {LEAF: body}, at)), (LEAF, body)])


def symlink_member(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


# Every way an archive can be wrong, with the status it must get.
ESCAPE = f"evil-{uuid.uuid4().hex}.py"
MALFORMED: dict[str, tuple[bytes, str]] = {
    "traversal": (zip_of([("manifest.json", manifest_for("t1", {LEAF: GOOD})), (LEAF, GOOD), (f"../../{ESCAPE}", b"import os")]), UNSAFE_PATH),
    "traversal_inside": (zip_of([("manifest.json", manifest_for("t2", {LEAF: GOOD})), (f"exercises/../../{ESCAPE}", b"x")]), UNSAFE_PATH),
    "absolute": (zip_of([("manifest.json", manifest_for("t3", {LEAF: GOOD})), (f"/tmp/{ESCAPE}", b"x")]), UNSAFE_PATH),
    "backslash": (zip_of([("manifest.json", manifest_for("t4", {LEAF: GOOD})), (f"..\\..\\{ESCAPE}", b"x")]), UNSAFE_PATH),
    "twice": (zip_of([("manifest.json", manifest_for("t5", {LEAF: GOOD})), (LEAF, GOOD), (LEAF, b"x = 1\n")]), UNSAFE_PATH),
    "symlink": (zip_of([("manifest.json", manifest_for("s1", {LEAF: GOOD})), (symlink_member(LEAF, "/etc/passwd"), b"/etc/passwd")]), SYMLINK),
    "bomb": (zip_of([("manifest.json", manifest_for("b1", {LEAF: GOOD})), (LEAF, b"\0" * (8 * 2**20))]), TOO_LARGE),
    "many_members": (zip_of([("manifest.json", b"{}")] + [(f"exercises/x{i}.py", b"") for i in range(300)]), TOO_LARGE),
    "not_a_zip": (b"PK\x03\x04 this is not really a zip", UNREADABLE),
    "outside": (zip_of([("manifest.json", manifest_for("o1", {LEAF: GOOD})), (LEAF, GOOD), ("notes.txt", b"hi")]), OUTSIDE),
    "nested_zip": (zip_of([("manifest.json", manifest_for("o2", {LEAF: GOOD})), (LEAF, GOOD), ("exercises/more.zip", b"PK")]), OUTSIDE),
    "no_manifest": (zip_of([(LEAF, GOOD)]), NO_MANIFEST),
    "garbage_manifest": (zip_of([("manifest.json", b"{not json"), (LEAF, GOOD)]), BAD_MANIFEST),
    "bad_student_id": (zip_of([("manifest.json", manifest_for("ok", {LEAF: GOOD}).replace(b'"ok"', b'"../../x"')), (LEAF, GOOD)]), BAD_MANIFEST),
    "edited_after_packing": (zip_of([("manifest.json", manifest_for("m1", {LEAF: GOOD})), (LEAF, GOOD + b"\n# later\n")]), MISMATCH),
    "listed_but_missing": (zip_of([("manifest.json", manifest_for("m2", {LEAF: GOOD}))]), MISMATCH),
    "unlisted_file": (zip_of([("manifest.json", manifest_for("m3", {})), (LEAF, GOOD)]), MISMATCH),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_each_malformed_archive_gets_its_status(case: str, catalog: Catalog) -> None:
    data, status = MALFORMED[case]
    checked = check_archive(data, catalog)
    assert checked.status == status, checked.detail
    assert checked.detail and checked.files == {}


def test_a_good_archive_is_accepted_with_its_files(catalog: Catalog) -> None:
    checked = check_archive(handin("s1"), catalog)
    assert checked.status == OK and checked.files == {LEAF_ID: GOOD} and checked.manifest is not None
    assert checked.manifest.student_id == "s1" and checked.notes == []


def test_a_clock_in_the_future_is_noted_not_rejected(catalog: Catalog) -> None:
    checked = check_archive(handin("s1", at=datetime.now(UTC) + timedelta(days=3)), catalog)
    assert checked.status == OK and any("future" in note for note in checked.notes)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_folder_of_archives_lists_every_problem_and_writes_only_in_the_work_dir(tmp_path: Path, catalog: Catalog) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    for case, (data, _) in MALFORMED.items():
        (batch / f"{case}.zip").write_bytes(data)
    (batch / "good.zip").write_bytes(handin("good1"))
    (batch / "twin_a.zip").write_bytes(handin("twin"))
    (batch / "twin_b.zip").write_bytes(handin("twin"))
    (batch / "grades-from-last-year.csv").write_text("x", encoding="utf-8")
    before = _tree(tmp_path)
    work = tmp_path / "work"
    with take_in(batch, catalog, [catalog.resolve(LEAF_ID)], work_dir=work) as intake:
        statuses = {entry.source: entry.status for entry in intake.entries}
        tasks = {(task.student, task.origin.problem.split(":")[0] or "graded") for task in intake.tasks}
        lines = "\n".join(text.en for text, _ in intake.lines())
        zh = "\n".join(text.zh for text, _ in intake.lines())
    after = _tree(tmp_path)
    written = sorted(set(after) - set(before))
    assert {name: after[name] for name in before} == before  # nothing outside the work dir changed
    assert len(written) == 1 and fnmatch(written[0], "work/students/*/exercises/01_autograd/01_leaf_tensors.py")  # the accepted one
    assert after[written[0]] == GOOD
    assert not list(tmp_path.parent.rglob(ESCAPE)) and not Path("/tmp", ESCAPE).exists()
    for case, (_, status) in MALFORMED.items():
        assert statuses[f"{case}.zip"] == status, case
        assert f"{case}.zip" in lines
    assert statuses["good.zip"] == OK and statuses["twin_a.zip"] == statuses["twin_b.zip"] == DUPLICATE
    assert statuses["grades-from-last-year.csv"] == IGNORED
    assert ("good1", "graded") in tasks and ("twin", DUPLICATE) in tasks and ("t1", UNSAFE_PATH) in tasks and ("s1", SYMLINK) in tasks
    assert "1 accepted" in lines and "已接受" in zh and "路径穿越" in zh


def test_work_dir_must_be_new_or_empty_and_deadline_must_parse(tmp_path: Path, catalog: Catalog) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.zip").write_bytes(handin("a"))
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(IntakeError) as error:
        take_in(batch, catalog, work_dir=busy)
    assert "empty" in error.value.text.en and "空" in error.value.text.zh and (busy / "keep.txt").read_text(encoding="utf-8") == "mine"
    with pytest.raises(IntakeError) as error:
        take_in(batch, catalog, work_dir=batch / "work")
    assert "inside" in error.value.text.en and not (batch / "work").exists()
    with pytest.raises(IntakeError) as error:
        take_in(batch, catalog, deadline="next friday")
    assert "2026-06-01" in error.value.text.en and error.value.text.zh


@pytest.mark.parametrize(
    ("name", "lms", "user", "person", "file", "late"),
    [
        ("doejane_12345_678901_torchdojo-submission.zip", "canvas", "12345", "doejane", "torchdojo-submission.zip", False),
        ("doejane_LATE_12345_678901_hand_in-2.zip", "canvas", "12345", "doejane", "hand_in-2.zip", True),
        ("Jane Doe_4567_assignsubmission_file_", "moodle", "4567", "Jane Doe", "", False),
        ("Jane Doe_4567_assignsubmission_file_torchdojo-submission.zip", "moodle", "4567", "Jane Doe", "torchdojo-submission.zip", False),
        ("Mary_Ann Lee_88_assignsubmission_file_", "moodle", "88", "Mary_Ann Lee", "", False),
        ("张 三_99_assignsubmission_file_", "moodle", "99", "张 三", "", False),
    ],
)
def test_canvas_and_moodle_names_are_parsed(name: str, lms: str, user: str, person: str, file: str, late: bool) -> None:
    parsed = parse_lms_name(name)
    assert parsed is not None
    assert (parsed.lms, parsed.user_id, parsed.name, parsed.file, parsed.late) == (lms, user, person, file, late)


@pytest.mark.parametrize("name", ["alice", "torchdojo-submission-s1-20260301-120000.zip", "alice_smith.zip", "x_1_y.zip"])
def test_other_names_are_not_taken_for_lms_names(name: str) -> None:
    assert parse_lms_name(name) is None


def test_lms_downloads_carry_their_ids_and_canvas_late_marks(tmp_path: Path, catalog: Catalog) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "doejane_LATE_12345_678901_torchdojo-submission.zip").write_bytes(handin("s-jane", at=PACKED_AT))
    moodle = batch / "Li Lei_4567_assignsubmission_file_"
    moodle.mkdir()
    (moodle / "torchdojo-submission.zip").write_bytes(handin("s-lei", at=PACKED_AT + timedelta(days=2)))
    online = batch / "Li Lei_4567_assignsubmission_onlinetext_"
    online.mkdir()
    (online / "onlinetext.html").write_text("<p>hi</p>", encoding="utf-8")
    with take_in(batch, catalog, [catalog.resolve(LEAF_ID)], deadline="2026-03-02T12:00+00:00") as intake:
        origins = {task.student: task.origin for task in intake.tasks}
        ignored = [e.source for e in intake.entries if e.status == IGNORED]
        late = {e.student: e.origin.late_reason for e in intake.late}
    assert (origins["s-jane"].lms, origins["s-jane"].student_id, origins["s-jane"].display_name) == ("canvas", "12345", "doejane")
    assert (origins["s-lei"].lms, origins["s-lei"].student_id, origins["s-lei"].display_name) == ("moodle", "4567", "Li Lei")
    assert origins["s-jane"].submitted_at == PACKED_AT
    assert set(late) == {"s-jane", "s-lei"} and "Canvas marked it LATE" in late["s-jane"] and "1 d" in late["s-lei"]
    assert ignored == ["Li Lei_4567_assignsubmission_onlinetext_/"]


def test_the_bulk_download_zip_itself_can_be_the_batch(tmp_path: Path, catalog: Catalog) -> None:
    download = tmp_path / "submissions.zip"
    download.write_bytes(
        zip_of(
            [
                ("doejane_12345_678901_torchdojo-submission.zip", handin("s-jane")),
                ("roebob_222_333_torchdojo-submission.zip", MALFORMED["traversal"][0]),
                ("../../escape_1_2_x.zip", handin("s-escape")),
            ]
        )
    )
    work = tmp_path / "work"
    with take_in(download, catalog, [catalog.resolve(LEAF_ID)], work_dir=work) as intake:
        statuses = {entry.source: (entry.student, entry.status) for entry in intake.entries}
    assert statuses == {
        "submissions.zip:doejane_12345_678901_torchdojo-submission.zip": ("s-jane", OK),
        "submissions.zip:roebob_222_333_torchdojo-submission.zip": ("t1", UNSAFE_PATH),  # named by its manifest
        "submissions.zip:../../escape_1_2_x.zip": ("escape", UNSAFE_PATH),
    }
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        "submissions.zip",
        "work/students/0000/exercises/01_autograd/01_leaf_tensors.py",
    ]


def test_deadline_forms() -> None:
    assert parse_deadline("2026-06-01T23:59+08:00") == datetime(2026, 6, 1, 15, 59, tzinfo=UTC)
    assert parse_deadline("2026-06-01T15:59Z") == datetime(2026, 6, 1, 15, 59, tzinfo=UTC)
    assert parse_deadline("2026-06-01").tzinfo is not None


def test_only_rejected_hand_ins_still_get_a_row_per_selected_exercise(tmp_path: Path, catalog: Catalog) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "bad.zip").write_bytes(MALFORMED["symlink"][0])
    selected = [catalog.resolve(LEAF_ID), catalog.resolve("autograd/vjp")]
    with take_in(batch, catalog, selected) as intake:
        assert intake.work_dir is None  # nothing accepted: nothing unpacked, no folder made
        assert [(task.student, task.exercise.id, task.file) for task in intake.tasks] == [("s1", LEAF_ID, None), ("s1", "autograd/vjp", None)]
        assert all(task.origin.problem.startswith("symlink:") for task in intake.tasks)


def test_moodle_folders_with_loose_workspaces_and_a_single_hand_in_as_path(tmp_path: Path, catalog: Catalog) -> None:
    batch = tmp_path / "batch"
    folder = batch / "Ann Lee_31_assignsubmission_file_" / "exercises" / "01_autograd"
    folder.mkdir(parents=True)
    (folder / "01_leaf_tensors.py").write_bytes(GOOD)
    with take_in(batch, catalog, [catalog.resolve(LEAF_ID)]) as intake:
        (task,) = intake.tasks
    assert task.student == "Ann Lee_31_assignsubmission_file_" and task.file == folder / "01_leaf_tensors.py"
    assert (task.origin.lms, task.origin.student_id, task.origin.display_name) == ("moodle", "31", "Ann Lee")
    single = tmp_path / "one.zip"
    single.write_bytes(handin("solo"))
    with take_in(single, catalog, [catalog.resolve(LEAF_ID)]) as intake:
        (task,) = intake.tasks
        assert task.student == "solo" and task.file is not None and task.file.read_bytes() == GOOD
        work = intake.work_dir
    assert work is not None and not work.exists()  # the temporary work dir is gone after the batch


def test_grade_batch_refuses_bad_input_clearly_before_grading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from torchdojo.cli import main

    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "a.zip").write_bytes(handin("a"))
    monkeypatch.chdir(tmp_path)
    cases = [
        (["batch", "--deadline", "soon"], "is not a date", "不是日期"),
        (["notes.txt"], "neither a folder", "既不是"),
        (["batch", "--work-dir", "batch/unpacked"], "inside", "之内"),
    ]
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    for args, en, zh in cases:
        assert main(["grade-batch", *args, "--out", "g.csv"]) == 2
        assert en in capsys.readouterr().err
        assert main(["grade-batch", *args, "--out", "g.csv", "--lang", "zh"]) == 2
        assert zh in capsys.readouterr().err
    assert not (tmp_path / "g.csv").exists() and sorted(p.name for p in batch.iterdir()) == ["a.zip"]

"""`torchdojo submit`: the learner's side of handing work in (no grading here: fast)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.cli import main
from torchdojo.core.catalog import Catalog
from torchdojo.record.handin import HandinError, Manifest, pack, student_id_problem
from torchdojo.record.progress import Progress, ProgressStore
from torchdojo.record.workspace import init_workspace

LEAF = "01_autograd/01_leaf_tensors.py"


class Done:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """The real command line, in this process (a subprocess per call costs seconds here)."""
    for name in ("TORCHDOJO_PROGRESS", "TORCHDOJO_WORKSPACE", "TORCHDOJO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str, cwd: Path) -> Done:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


@pytest.fixture
def workspace(tmp_path: Path, catalog: Catalog) -> Path:
    target = tmp_path / "ws"
    init_workspace(target, catalog)
    (target / "exercises" / LEAF).write_bytes((ROOT / "solutions" / LEAF).read_bytes())
    return target


def _manifest(archive: Path) -> Manifest:
    with zipfile.ZipFile(archive) as zf:
        return Manifest.model_validate_json(zf.read("manifest.json"))


def test_pack_holds_started_files_with_hashes_and_lists_unstarted(workspace: Path, catalog: Catalog) -> None:
    packed = pack(workspace, catalog, Progress(), "s001", str(workspace / "hand.zip"))
    manifest = _manifest(packed.out)
    assert manifest == packed.manifest and manifest.student_id == "s001"
    assert [f.exercise for f in manifest.files] == ["autograd/leaf_tensors"]
    data = (workspace / "exercises" / LEAF).read_bytes()
    assert manifest.files[0].sha256 == hashlib.sha256(data).hexdigest() and manifest.files[0].size == len(data)
    assert len(manifest.unstarted) == len(catalog.exercises) - 1 and "autograd/leaf_tensors" not in manifest.unstarted
    assert manifest.created_at.tzinfo is not None and manifest.catalog_format_version == catalog.format_version
    with zipfile.ZipFile(packed.out) as zf:
        assert sorted(zf.namelist()) == ["exercises/" + LEAF, "manifest.json"]
        assert zf.read("exercises/" + LEAF) == data


def test_cli_submit_asks_once_remembers_and_replaces_only_its_own_archives(workspace: Path, run_cli) -> None:
    done = run_cli("submit", cwd=workspace)
    assert done.returncode == 2 and "--student" in done.stderr  # no TTY to ask on: a clear way forward
    done = run_cli("submit", "--student", "张三 01", "--out", "hand.zip", cwd=workspace)
    assert done.returncode == 0, done.stderr
    assert "exercises/01_autograd/01_leaf_tensors.py" in done.stdout and "autograd/vjp" in done.stdout and "hand.zip" in done.stdout
    record = ProgressStore(workspace / ".torchdojo" / "progress.json").load()
    assert record.student_id == "张三 01"
    again = run_cli("submit", "--out", "hand.zip", cwd=workspace)  # remembered; replaces its own zip
    assert again.returncode == 0 and "Replaced" in again.stdout and _manifest(workspace / "hand.zip").student_id == "张三 01"
    precious = workspace / "notes.zip"
    precious.write_bytes(b"not a hand-in")
    refused = run_cli("submit", "--out", "notes.zip", cwd=workspace)
    assert refused.returncode == 2 and "left untouched" in refused.stderr and precious.read_bytes() == b"not a hand-in"


@pytest.mark.parametrize("args", [["autograd/vjp"], ["--file", "x.py"], ["--timeout", "5"]])
def test_submit_the_old_way_is_answered_kindly_in_both_languages(workspace: Path, args: list[str], run_cli) -> None:
    before = sorted(p.name for p in workspace.iterdir())
    en = run_cli("submit", *args, cwd=workspace)
    assert en.returncode == 2 and "no longer" in en.stderr and "torchdojo check" in en.stderr
    zh = run_cli("submit", *args, "--lang", "zh", cwd=workspace)
    assert zh.returncode == 2 and "不再评分" in zh.stderr
    assert sorted(p.name for p in workspace.iterdir()) == before  # nothing written


@pytest.mark.parametrize("bad", ["", " s1", "../x", "a/b", ".hidden", "x" * 65, "a\nb"])
def test_bad_student_ids_are_refused_with_a_reason(bad: str) -> None:
    problem = student_id_problem(bad)
    assert problem is not None and problem.en and problem.zh


def test_bad_out_is_refused_before_anything_changes(workspace: Path, run_cli) -> None:
    for out, words in (("grades.txt", ".zip"), ("missing/dir/x.zip", "does not exist")):
        done = run_cli("submit", "--student", "s1", "--out", out, cwd=workspace)
        assert done.returncode == 2 and words in done.stderr
    record = workspace / ".torchdojo" / "progress.json"
    assert not record.exists() or json.loads(record.read_text(encoding="utf-8")).get("student_id") is None


def test_record_of_schema_2_is_read_and_gains_student_id(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"schema_version": 2, "created_at": "2026-01-05T10:00:00Z", "exercise_attempts": []}), encoding="utf-8")
    store = ProgressStore(path)
    assert store.load().student_id is None
    store.update(lambda p: setattr(p, "student_id", "s9"))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 3 and saved["student_id"] == "s9"


def test_submit_asks_for_the_id_once_on_a_terminal(workspace: Path, run_cli: Callable[..., Done], monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["../bad", "s-42"])
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    done = run_cli("submit", "--out", "first.zip", cwd=workspace)
    assert done.returncode == 0 and "s-42" in done.stdout and "may hold only" in done.stderr
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("asked twice"))
    again = run_cli("submit", "--out", "second.zip", cwd=workspace)
    assert again.returncode == 0 and _manifest(workspace / "second.zip").student_id == "s-42"


def test_a_huge_exercise_file_is_refused_before_writing(workspace: Path, catalog: Catalog) -> None:
    (workspace / "exercises" / LEAF).write_bytes(b"x = 1\n" + b"#" * (2 * 2**20))
    with pytest.raises(HandinError) as error:
        pack(workspace, catalog, Progress(), "s1", str(workspace / "big.zip"))
    assert "at most" in error.value.text.en and "最多" in error.value.text.zh and not (workspace / "big.zip").exists()

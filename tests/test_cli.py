"""The `torchdojo` command end to end, in a fresh workspace made by `torchdojo init`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

pytestmark = pytest.mark.xdist_group("cli-workspace")  # these tests share one workspace, in order

LEAF = "exercises/01_autograd/01_leaf_tensors.py"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("learner") / "dojo"
    done = run_cli("init", str(target))
    assert done.returncode == 0, done.stderr
    assert "Workspace ready" in done.stdout
    return target


def test_init_copies_every_stub_and_refuses_to_overwrite(workspace: Path) -> None:
    stubs = sorted(p.relative_to(ROOT / "exercises") for p in (ROOT / "exercises").glob("*/*.py"))
    copied = sorted(p.relative_to(workspace / "exercises") for p in (workspace / "exercises").glob("*/*.py"))
    assert copied == stubs
    assert (workspace / ".torchdojo" / "progress.json").is_file()
    again = run_cli("init", str(workspace))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_stub_check_fails_and_is_recorded(workspace: Path) -> None:
    done = run_cli("check", "autograd/leaf_tensors", cwd=workspace)
    assert done.returncode == 1
    assert "✗" in done.stdout and "NotImplementedError" in done.stdout
    assert "01_leaf_tensors.py:" in done.stdout, "points at the learner's line"
    record = json.loads((workspace / ".torchdojo" / "progress.json").read_text(encoding="utf-8"))
    assert record["exercise_attempts"][-1]["exercise"] == "autograd/leaf_tensors"
    assert record["exercise_attempts"][-1]["score"] == 0


def test_json_report_contract(workspace: Path) -> None:
    shutil.copyfile(ROOT / "solutions" / "01_autograd" / "01_leaf_tensors.py", workspace / LEAF)
    done = run_cli("check", "autograd/leaf_tensors", "--json", cwd=workspace)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert {"exercise", "score", "max_score", "checks"} <= report.keys()
    assert report["score"] == report["max_score"] == 8
    for check in report["checks"]:
        assert {"name", "outcome", "points", "max_points", "message"} <= check.keys()
        assert check["outcome"] == "passed"


def test_check_without_id_takes_the_next_unfinished(workspace: Path) -> None:
    from torchdojo.core.catalog import load_catalog

    order = [e.id for e in load_catalog().exercises]
    unfinished = [exercise for exercise in order if exercise != "autograd/leaf_tensors"]  # done by the test before
    done = run_cli("check", "--json", cwd=workspace)
    assert json.loads(done.stdout)["exercise"] == unfinished[0]
    listing = json.loads(run_cli("list", "--json", cwd=workspace).stdout)
    status = {row["id"]: row["status"] for row in listing}
    assert status["autograd/leaf_tensors"] == "done" and status[unfinished[0]] == "failing"
    assert status[unfinished[1]] == "not started"


def test_human_list_in_both_languages(workspace: Path) -> None:
    assert "done" in run_cli("list", cwd=workspace).stdout
    assert "已完成" in run_cli("list", "--lang", "zh", cwd=workspace).stdout


def test_hints_are_progressive(workspace: Path) -> None:
    first = run_cli("hint", "autograd/vjp", cwd=workspace).stdout
    second = run_cli("hint", "autograd/vjp", "--lang", "zh", cwd=workspace).stdout
    assert "1/2" in first and "2/2" not in first
    assert "2/2" in second and "形状" in second


def test_solution_only_after_passing(workspace: Path) -> None:
    locked = run_cli("solution", "autograd/vjp", cwd=workspace)
    assert locked.returncode == 1 and "once autograd/vjp passes" in locked.stdout
    shutil.copyfile(ROOT / "solutions" / "01_autograd" / "01_leaf_tensors.py", workspace / LEAF)
    assert run_cli("check", "autograd/leaf_tensors", cwd=workspace).returncode == 0  # pass it here: tests may run on other workers
    unlocked = run_cli("solution", "autograd/leaf_tensors", cwd=workspace)
    assert unlocked.returncode == 0 and "requires_grad=True" in unlocked.stdout


def test_reset_restores_the_stub_and_keeps_a_backup(workspace: Path) -> None:
    done = run_cli("reset", "autograd/leaf_tensors", cwd=workspace)
    assert done.returncode == 0, done.stderr
    assert (workspace / LEAF).read_text(encoding="utf-8") == (ROOT / LEAF).read_text(encoding="utf-8")
    backups = list((workspace / ".torchdojo" / "backups").glob("01_leaf_tensors.*.py"))
    assert len(backups) == 1 and "requires_grad=True" in backups[0].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("check", "autograd/nothing"), "Unknown exercise 'autograd/nothing'"),
        (("check", "autograd/gradiant_of"), "Did you mean autograd/gradient_of"),
        (("check", "vjp", "--file", "missing.py"), "No such file"),
        (("check", "vjp", "--file", "exercises"), "is a directory"),
        (("check", "vjp", "--timeout", "-1"), "positive"),
        (("hint",), "required"),
    ],
)
def test_bad_usage_is_one_clear_line_and_exit_2(workspace: Path, args: tuple[str, ...], fragment: str) -> None:
    done = run_cli(*args, cwd=workspace)
    assert done.returncode == 2
    assert fragment in done.stderr
    assert "Traceback" not in done.stderr


def test_broken_learner_file_is_a_failed_check_exit_1(workspace: Path) -> None:
    broken = workspace / "broken.py"
    broken.write_text("def gradient_of(f, x)\n    return x\n", encoding="utf-8")
    done = run_cli("check", "gradient_of", "--file", str(broken), "--json", cwd=workspace)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["score"] == 0
    assert "SyntaxError" in report["checks"][0]["message"] and report["checks"][0]["line"] == 1


def test_outside_a_workspace_needs_file(tmp_path: Path) -> None:
    done = run_cli("check", "vjp", cwd=tmp_path, env={"TORCHDOJO_PROGRESS": ""})
    assert done.returncode == 2 and "torchdojo init" in done.stderr
    graded = run_cli("check", "vjp", "--file", str(ROOT / "solutions" / "01_autograd" / "05_vjp.py"), cwd=tmp_path)
    assert graded.returncode == 0


def test_corrupted_progress_file_is_set_aside_and_work_goes_on(workspace: Path) -> None:
    record = workspace / ".torchdojo" / "progress.json"
    record.write_text("{ not json", encoding="utf-8")
    done = run_cli("list", cwd=workspace)
    assert done.returncode == 0
    assert "could not be read" in done.stderr and "progress.json.corrupt-" in done.stderr
    assert list(record.parent.glob("progress.json.corrupt-*"))


def test_init_says_in_chinese_which_problem_stopped_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An original stub git cannot show is not "already exists" in Chinese either (in process: init is not reached)."""
    from torchdojo import cli
    from torchdojo.learner import commands
    from torchdojo.record.workspace import WorkspaceError

    def cannot_read(target: Path, catalog: object) -> list[Path]:
        raise WorkspaceError("cannot find the original exercises/x.py: this is a git clone and `git show HEAD:exercises/x.py` failed.")

    monkeypatch.setattr(commands, "init_workspace", cannot_read)
    monkeypatch.setenv("COLUMNS", "400")
    assert cli.main(["init", str(tmp_path / "dojo"), "--lang", "zh"]) == 2
    said = capsys.readouterr().err
    assert "无法创建工作区" in said and "git show HEAD:exercises/x.py" in said and "已存在" not in said, said

"""Issue 13, "the learner's first hour": each bug a new learner met, as a test that failed before its fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from tests.conftest import ROOT, import_path_of, run_cli
from torchdojo.core.catalog import load_catalog
from torchdojo.core.report import CheckResult, Outcome, Report
from torchdojo.core.runner import Limits, grade
from torchdojo.i18n import t
from torchdojo.learner.render import print_report

CATALOG = load_catalog()
LEAF = "exercises/01_autograd/01_leaf_tensors.py"


def _init(tmp_path: Path) -> Path:
    workspace = tmp_path / "dojo"
    assert run_cli("init", str(workspace)).returncode == 0
    return workspace


def _copy_checkout(target: Path) -> Path:
    """A git checkout of the project's current files (what `git clone` gives), for init-from-clone tests."""
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "grader", "quizzes", "exercises", "solutions"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "clone"]):
        subprocess.run([*git, *step], cwd=target, check=True, capture_output=True, timeout=60)
    return target


# -- 2. init gives pristine stubs, even from a checkout where exercises were worked on -------------


def test_init_from_an_edited_checkout_gives_the_stubs(tmp_path: Path) -> None:
    checkout = _copy_checkout(tmp_path / "clone")
    edited = checkout / LEAF
    pristine = edited.read_text(encoding="utf-8")
    edited.write_text("# my work in progress\n" + pristine, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": import_path_of(checkout), "HOME": str(tmp_path)}
    env.pop("TORCHDOJO_WORKSPACE", None)
    done = subprocess.run(
        [sys.executable, "-m", "torchdojo", "init", str(tmp_path / "my-dojo")], cwd=checkout, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "my-dojo" / LEAF).read_text(encoding="utf-8") == pristine
    assert edited.read_text(encoding="utf-8").startswith("# my work in progress"), "the learner's file is untouched"


# -- 10. one record rule for the CLI and the app ---------------------------------------------------


def test_outside_a_workspace_cli_and_app_use_the_same_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    solution = ROOT / "solutions" / "01_autograd" / "05_vjp.py"
    env = {"HOME": str(home), "TORCHDOJO_PROGRESS": ""}
    assert run_cli("check", "vjp", "--file", str(solution), cwd=tmp_path, env=env).returncode == 0
    listing = run_cli("list", cwd=tmp_path, env=env)
    assert "Record: ~/.torchdojo/progress.json" in listing.stdout
    rows = json.loads(run_cli("list", "--json", cwd=tmp_path, env=env).stdout)
    assert {r["id"]: r["status"] for r in rows}["autograd/vjp"] == "done"

    from torchdojo.cli import build_parser, make_context
    from torchdojo.quizzes.app import TorchDojoApp

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("TORCHDOJO_PROGRESS", raising=False)
    monkeypatch.delenv("TORCHDOJO_WORKSPACE", raising=False)
    ctx = make_context(build_parser().parse_args([]))
    app = TorchDojoApp(ctx=ctx)
    assert app.record.store is not None and app.record.store.path == home / ".torchdojo" / "progress.json"
    assert app.progress.status("autograd/vjp") == "done"
    assert app.record_shown == "~/.torchdojo/progress.json"


# -- 11. solution prints every line whole ------------------------------------------------------------


def test_solution_never_cuts_long_lines(tmp_path: Path) -> None:
    workspace = _init(tmp_path)
    exercise = CATALOG.resolve("quickstart/fit")
    shutil.copyfile(ROOT / "solutions" / exercise.file, workspace / "exercises" / exercise.file)
    assert run_cli("check", exercise.id, cwd=workspace).returncode == 0
    source = (ROOT / "solutions" / exercise.file).read_text(encoding="utf-8")
    assert max(len(line) for line in source.splitlines()) > 40
    shown = run_cli("solution", exercise.id, cwd=workspace, env={"COLUMNS": "40"})
    assert shown.returncode == 0
    for line in source.splitlines():
        assert line in shown.stdout


# -- 13. reset means not started; list numbers work as ids ---------------------------------------------


def test_reset_reads_as_not_started_and_list_numbers_are_ids(tmp_path: Path) -> None:
    workspace = _init(tmp_path)
    first = CATALOG.exercises[0]  # whatever the catalog lists first: number 1 in `list`
    shutil.copyfile(ROOT / "solutions" / first.file, workspace / "exercises" / first.file)
    assert run_cli("check", "1", cwd=workspace).returncode == 0  # the number `list` shows
    assert run_cli("reset", "1", cwd=workspace).returncode == 0
    rows = json.loads(run_cli("list", "--json", cwd=workspace).stdout)
    assert rows[0]["status"] == "not started" and rows[0]["score"] is None
    assert f"0/{len(CATALOG.exercises)} exercises done" in run_cli("list", cwd=workspace).stdout
    nxt = run_cli("check", "--json", cwd=workspace)
    assert json.loads(nxt.stdout)["exercise"] == first.id, "check takes the reset exercise again"
    assert run_cli("solution", "1", cwd=workspace).returncode == 0, "a pass before the reset still opens the solution"
    seventh = run_cli("check", "7", "--json", cwd=workspace)
    assert json.loads(seventh.stdout)["exercise"] == CATALOG.exercises[6].id
    assert "Unknown exercise '99'" in run_cli("check", "99", cwd=workspace).stderr


# -- 12. markers are explained and the footer names the marker to fix ----------------------------------


def _report(*outcomes: Outcome) -> Report:
    checks = [
        CheckResult(
            name=f"c{i}",
            title=t(f"check {i}", f"检查 {i}"),
            outcome=o,
            points=2 if o == "passed" else 0,
            max_points=2,
            message=None if o == "passed" else t("why", "原因"),
        )
        for i, o in enumerate(outcomes)
    ]
    return Report(exercise="autograd/leaf_tensors", file=str(ROOT / LEAF), checks=checks)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_explains_its_markers_and_names_the_first_to_fix(lang: str) -> None:
    exercise = CATALOG.resolve("autograd/leaf_tensors")
    out = StringIO()
    print_report(Console(file=out, width=120, color_system=None), _report("passed", "error", "timeout"), exercise, lang, None, LEAF)
    text = out.getvalue()
    if lang == "en":
        assert "! your code raised an error" in text and "⏱ stopped: out of time" in text
        assert "Fix the first ! in" in text and "Fix the first ✗" not in text
    else:
        assert "! 你的代码出错了" in text and "⏱ 超时被停止" in text and "第一个 !" in text
    out = StringIO()
    print_report(Console(file=out, width=120, color_system=None), _report("failed", "failed"), exercise, lang, None, LEAF)
    assert "✗" in out.getvalue() and ("! " not in out.getvalue())


def test_watch_does_not_tell_to_run_the_check_it_runs() -> None:
    exercise = CATALOG.resolve("autograd/leaf_tensors")
    out = StringIO()
    print_report(
        Console(file=out, width=160, color_system=None),
        _report("passed"),
        exercise,
        "en",
        "autograd/gradient_of",
        LEAF,
        watching=True,
        next_file="exercises/01_autograd/02_gradient_of.py",
    )
    assert "torchdojo check" not in out.getvalue()
    assert "Next up: autograd/gradient_of" in out.getvalue() and "02_gradient_of.py" in out.getvalue()


# -- 14. plain words for the errors a learner meets first ---------------------------------------------


def _raised(code: str) -> BaseException:
    import torch  # noqa: F401  # loaded first: the error comes from the code, not from the import

    try:
        exec(code, {"torch": __import__("torch")})
    except BaseException as error:  # noqa: BLE001  # any error is the one under test
        return error
    raise AssertionError("no error")


def test_backward_without_grad_and_cuda_without_a_gpu_get_plain_words() -> None:
    import torch

    from torchdojo.core.child import describe_exception

    error = _raised("torch.ones(2).sum().backward()")
    said = describe_exception(error, error.__traceback__, "/nowhere.py")
    assert "does not track gradients" in said["en"] and "requires_grad=True" in said["en"]
    assert "requires_grad=True" in said["zh"] and "不跟踪梯度" in said["zh"]
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA: .cuda() works")
    error = _raised("torch.ones(2).cuda()")
    said = describe_exception(error, error.__traceback__, "/nowhere.py")
    assert "no CUDA GPU" in said["en"] and ".to(device)" in said["en"]
    assert ".to(device)" in said["zh"]


def test_a_frame_that_could_not_be_made_reads_as_running_out_of_memory() -> None:
    """CPython 3.11 recursion allowed to go deep fills memory with frames and ends in `SystemError: error return
    without exception set` (tests/test_hostile.py grades a real one): the learner reads that memory ran out.
    Any other SystemError keeps its own words."""
    from torchdojo.checks.support import out_of_memory, ran_out
    from torchdojo.core.child import describe_exception

    frames_ran_out = SystemError("error return without exception set")
    assert out_of_memory(frames_ran_out) and out_of_memory(MemoryError()) and not out_of_memory(RecursionError())
    assert ran_out(frames_ran_out) and ran_out(MemoryError()) and ran_out(RecursionError())
    assert not ran_out(SystemError("a C extension's own failure")) and not ran_out(ValueError("error return without exception set"))
    said = describe_exception(frames_ran_out, None, "/nowhere.py")
    assert said["en"].startswith("Your code ran out of memory") and "内存" in said["zh"]
    said = describe_exception(SystemError("a C extension's own failure"), None, "/nowhere.py")
    assert "SystemError" in said["en"] and "memory" not in said["en"]


def test_an_endless_loop_says_where_it_was_stopped(tmp_path: Path) -> None:
    learner = tmp_path / "loop.py"
    learner.write_text("import time\n\n\ndef spin():\n    while True:\n        time.sleep(0.001)\n\n\nspin()\n", encoding="utf-8")
    report = grade(CATALOG.resolve("autograd/leaf_tensors"), learner, Limits(timeout_s=6))
    first = report.checks[0]
    assert first.outcome == "timeout"
    assert first.line in (5, 6), first
    assert first.message is not None and f"line {first.line}" in first.message.en and f"第 {first.line} 行" in first.message.zh


# -- 15. small things -------------------------------------------------------------------------------


def test_plain_quiz_lists_misses_by_their_text(tmp_path: Path) -> None:
    from torchdojo.quizzes.bank import load_shipped
    from torchdojo.quizzes.engine import QuizSession, correct_response
    from torchdojo.quizzes.plain import run_plain

    bank = load_shipped()
    session = QuizSession.start(bank, question_ids=["history-03"], seed=1)
    presented = session.items[0]
    wrong = next(str(i) for i, oid in enumerate(presented.option_order, 1) if oid != correct_response(presented.question))
    out = StringIO()
    run_plain(session, stdin=StringIO(wrong + "\n"), stdout=out)
    assert presented.question.text("en") in out.getvalue().split("To review", 1)[1]
    assert "history-03" not in out.getvalue()


def test_fit_names_torchvision_when_it_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from torchdojo.data.fashion import load_fashion_mnist

    monkeypatch.setitem(sys.modules, "torchvision", None)
    _, _, said = load_fashion_mnist()
    assert "torchvision is not installed" in said and "ModuleNotFoundError" not in said


# -- 5 and 6. review says when, scores are for people, labels align -----------------------------------


def test_review_right_after_a_quiz_says_when_and_offers_the_misses(tmp_path: Path) -> None:
    from torchdojo.quizzes.bank import load_shipped
    from torchdojo.quizzes.engine import QuizSession, grade
    from torchdojo.record.progress import ProgressStore

    record = tmp_path / "p.json"
    session = QuizSession.start(load_shipped(), question_ids=["history-01", "history-03"], store=ProgressStore(record))
    item = session.items[0]
    # A response that is wrong whatever order the options were shuffled into.
    wrong = "zzz" if item.option_order == () else next(o for o in item.option_order if grade(item.question, o).credit == 0)
    assert not session.answer(wrong).correct
    done = run_cli("quiz", "--review", "--progress", str(record), cwd=tmp_path)
    assert "Nothing to review: all correct" not in done.stdout
    assert "come back for review in" in done.stdout and "torchdojo quiz --missed" in done.stdout


def test_scores_are_rounded_and_chinese_labels_align() -> None:
    from torchdojo.quizzes.app.state import pad, people

    assert [people(x) for x in (4.3333, 5.0, 10, 0.5)] == ["4.3", "5", "10", "0.5"]
    labels = ["发展历史", "优点", "使用场景", "History"]
    assert len({cell_len(pad(label, 14)) for label in labels}) == 1


# -- speed the learner feels: the check path stays light ----------------------------------------------


def test_the_check_path_imports_no_quiz_engine_fsrs_textual_or_nbgrader(tmp_path: Path) -> None:
    probe = (
        "import json, sys\n"
        "from torchdojo.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "heavy = ('torchdojo.quizzes.engine', 'torchdojo.quizzes.bank', 'fsrs', 'textual', 'nbgrader', 'nbconvert', 'jupyter_client')\n"
        "print(json.dumps([h for h in heavy if any(m == h or m.startswith(h + '.') for m in sys.modules)]), file=sys.stderr)\n"
    )
    solution = ROOT / "solutions" / "01_autograd" / "05_vjp.py"
    done = subprocess.run(
        [sys.executable, "-c", probe, "check", "vjp", "--file", str(solution), "--json", "--progress", str(tmp_path / "p.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert json.loads(done.stderr.strip().splitlines()[-1]) == [], done.stderr
    assert json.loads(done.stdout)["score"] == json.loads(done.stdout)["max_score"]


def test_a_cold_check_starts_its_grading_process_first(tmp_path: Path) -> None:
    from torchdojo.core.launch import child_env as full_child_env
    from torchdojo.early import EarlyChild, child_env, wants_early_child

    early_env, full_env = child_env(), full_child_env()
    assert {key: early_env[key] for key in early_env if key not in os.environ or early_env[key] != os.environ[key]}.items() <= full_env.items()
    assert wants_early_child(["check", "vjp"]) and not wants_early_child(["check", "--help"]) and not wants_early_child(["list"])
    early = EarlyChild()
    report = grade(CATALOG.resolve("autograd/vjp"), ROOT / "solutions" / "01_autograd" / "05_vjp.py", launcher=early)
    assert report.score == report.max_score
    early.close()
    unused = EarlyChild()
    unused.close()  # a check that never ran (usage error): the early process is stopped
    assert unused.process.poll() is not None


def test_a_cold_check_leaves_bytecode_for_the_grader_and_none_beside_the_learner(tmp_path: Path) -> None:
    """The grading child writes no bytecode (nothing may appear beside a learner's file); the parent
    compiles the grader's own modules, so later cold checks do not compile the checks from source."""
    from torchdojo.early import compile_grader

    grader_copy = tmp_path / "copy" / "grader"
    shutil.copytree(ROOT / "grader", grader_copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "solutions", grader_copy.parent / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    learner = tmp_path / "work" / "05_vjp.py"
    learner.parent.mkdir()
    shutil.copyfile(ROOT / "solutions" / "01_autograd" / "05_vjp.py", learner)
    probe = "import sys; from torchdojo.early import main; sys.argv = ['torchdojo', *sys.argv[1:]]; raise SystemExit(main())"
    env = {**os.environ, "PYTHONPATH": import_path_of(grader_copy.parent)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", probe, "check", "autograd/vjp", "--file", str(learner), "--json", "--progress", str(tmp_path / "p.json")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=learner.parent,
        env=env,
    )
    assert json.loads(done.stdout)["score"] == json.loads(done.stdout)["max_score"], done.stderr
    assert list((grader_copy / "checks" / "autograd" / "__pycache__").glob("test_vjp.*.pyc")), "the checks were not compiled"
    assert not list(learner.parent.rglob("__pycache__")), "bytecode appeared beside the learner's file"
    assert compile_grader.__module__ == "torchdojo.early"

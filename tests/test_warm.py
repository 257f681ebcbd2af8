"""Forks of the warm worker keep every isolation property of a cold child: the same failure
cases give the same verdicts, and nothing outlives a run."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import Limits, grade
from torchdojo.core.warm import WarmWorker

pytestmark = pytest.mark.xdist_group("warm")
HOSTILE = FIXTURES / "hostile"
CASES = [
    "segfault",
    "os_exit_call",
    "sys_exit_call",
    "exit_at_import",
    "interrupt_at_import",
    "keyboard_interrupt",
    "memory_hog",
    "flood",
    "fake_report",
    "patch_allclose",
    "patch_pytest",
    "swap_compare",
    "patch_finish",
    "patch_channel",
    "delete_catalog",
    "read_solutions",
    "loop",
]


@pytest.fixture(scope="module")
def worker():
    with WarmWorker() as warm:
        yield warm


def _words(check) -> str:
    """A check's message, without the line a loop happened to be on when it was stopped (that varies)."""
    text = check.message.en if check.message else ""
    return re.sub(r"running line \d+", "running line N", text)


def verdicts(report) -> list[tuple[str, str, int]]:
    return [(c.name, c.outcome, c.points) for c in report.checks]


@pytest.mark.parametrize("case", CASES)
def test_warm_fork_gives_the_cold_verdict(worker: WarmWorker, case: str) -> None:
    exercise = load_catalog().resolve("autograd/no_grad")
    # room for the fresh interpreters a crash needs (each imports torch) on a busy machine
    limits = Limits(timeout_s=30, memory_mb=1024, output_bytes=4000)
    cold = grade(exercise, HOSTILE / f"{case}.py", limits)
    warm = grade(exercise, HOSTILE / f"{case}.py", limits, worker)
    assert verdicts(warm) == verdicts(cold)
    assert warm.status == cold.status
    assert [_words(c) for c in warm.checks] == [_words(c) for c in cold.checks]
    assert warm.output_truncated == cold.output_truncated


def test_warm_fork_leaves_no_process_behind(worker: WarmWorker, tmp_path: Path) -> None:
    pidfile = tmp_path / "orphan.pid"
    file = tmp_path / "orphan.py"
    source = (HOSTILE / "fork_orphan.py").read_text(encoding="utf-8").replace('os.environ.get("TORCHDOJO_TEST_PIDFILE")', repr(str(pidfile)))
    file.write_text(source, encoding="utf-8")
    report = grade(load_catalog().resolve("autograd/no_grad"), file, launcher=worker)
    assert report.score == report.max_score
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists() and "State:\tZ" not in Path(f"/proc/{pid}/status").read_text():
        time.sleep(0.1)
    assert not Path(f"/proc/{pid}").exists() or "State:\tZ" in Path(f"/proc/{pid}/status").read_text()


def test_warm_recheck_is_fast_and_correct(worker: WarmWorker) -> None:
    exercise = load_catalog().resolve("autograd/vjp")
    grade(exercise, ROOT / "solutions" / exercise.file, launcher=worker)  # the worker may still be preloading
    launches: list[list[str]] = []
    launch = worker.launch

    def counted(argv: list[str], *rest: object, **options: object):  # noqa: ANN202 - passes the worker's own result on
        launches.append(argv)
        return launch(argv, *rest, **options)  # type: ignore[arg-type]  # the worker's own arguments, passed on as received

    worker.launch = counted  # type: ignore[method-assign]  # a spy on this one worker, put back in `finally`
    try:
        report = grade(exercise, ROOT / "solutions" / exercise.file, launcher=worker)
    finally:
        del worker.launch  # back to the class's method
    assert report.score == report.max_score
    assert len(launches) == 1 and worker.alive  # forked from the warm worker (no fresh interpreter): the speed is
    # measured by benchmarks/recheck_latency.py, not asserted here


def test_watch_manual_mode_rechecks_on_enter(tmp_path: Path) -> None:
    first, second = load_catalog().exercises[:2]  # watch starts at the first exercise of the course
    workspace = tmp_path / "dojo"
    assert subprocess.run([sys.executable, "-m", "torchdojo", "init", str(workspace)], capture_output=True, timeout=60).returncode == 0
    watcher = subprocess.Popen(
        [sys.executable, "-m", "torchdojo", "watch", "--manual"],
        cwd=workspace,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**__import__("os").environ, "COLUMNS": "200"},
    )
    try:
        assert watcher.stdin is not None and watcher.stdout is not None
        lines = []
        for line in watcher.stdout:  # wait for the first report
            lines.append(line)
            if "Keys:" in line:
                break
        shutil.copyfile(ROOT / "solutions" / first.file, workspace / "exercises" / first.file)
        watcher.stdin.write("\nl\nq\n")
        watcher.stdin.flush()
        rest, _ = watcher.communicate(timeout=120)
    finally:
        watcher.kill()
    text = "".join(lines) + rest
    total = first.max_score
    assert f"0/{total}" in text and f"{total}/{total}" in text and "All checks passed" in text
    assert second.id in text  # moved on to the next exercise
    assert watcher.returncode == 0
    import json

    attempts = json.loads((workspace / ".torchdojo" / "progress.json").read_text(encoding="utf-8"))["exercise_attempts"]
    assert [a["source"] for a in attempts][:2] == ["watch", "watch"] and attempts[1]["score"] == total


def test_no_strategy_module_shadows_a_shared_strategy() -> None:
    """A warm worker imports every topic's check module: a topic module `strategies/<name>.py` whose
    name is also a function in `strategies/__init__.py` replaces that function for every later
    import (`TypeError: 'module' object is not callable`, every warm run scoring 0)."""
    import torchdojo.checks.strategies as shared

    topics = {path.stem for path in Path(shared.__file__).parent.glob("*.py") if path.stem != "__init__"}
    public = {name for name, value in vars(shared).items() if not name.startswith("_") and not isinstance(value, type(shared))}
    assert topics and not topics & public, topics & public


def test_a_batch_worker_rehearses_its_exercises_before_it_is_ready() -> None:
    """Rehearsed up front (a batch grades each exercise many times): the worker names what ran, an unknown id is
    skipped, and a fork from it still gives the cold verdict."""
    catalog = load_catalog()
    views = catalog.resolve("tensors/views")
    with WarmWorker(rehearse=["tensors/views", "no/such_exercise"]) as warm:
        assert warm.wait_ready()
        assert warm.rehearsed == {str(views.check_module)}
        report = grade(views, ROOT / "solutions" / views.file, launcher=warm)
    assert report.score == report.max_score
    with WarmWorker() as plain:
        assert plain.wait_ready()
        assert plain.rehearsed == frozenset()


def test_run_batch_rehearses_only_exercises_graded_more_than_once(tmp_path: Path) -> None:
    from torchdojo.teacher.batch import Task, run_batch

    catalog = load_catalog()
    views, vjp = catalog.resolve("tensors/views"), catalog.resolve("autograd/vjp")
    tasks = [Task(f"s{i}", views, ROOT / "solutions" / views.file, False) for i in range(2)]
    tasks.append(Task("s0", vjp, ROOT / "solutions" / vjp.file, False))
    notes: list[str] = []
    rows = run_batch(tasks, Limits(timeout_s=60), 1, warm=True, on_note=notes.append)
    assert [(r.student, r.exercise, r.score == r.max_score) for r in rows] == [
        ("s0", "tensors/views", True),
        ("s1", "tensors/views", True),
        ("s0", "autograd/vjp", True),
    ]
    assert notes == ["warming up: torch, then each exercise's checks once (1)"]


def test_a_worker_rehearses_when_asked_and_the_wait_is_not_the_learners_time() -> None:
    """`rehearse` runs an exercise's checks on the reference now (once: asking again rehearses nothing) and says
    which check modules it rehearsed; an unknown exercise is only left out. A launch that waits for the worker
    (here: 4 s, against a 3 s limit) does not use up the run's time limit."""
    views = load_catalog().resolve("tensors/views")
    with WarmWorker() as worker:
        assert worker.wait_ready() and worker.rehearsed == frozenset()
        assert worker.rehearse(["tensors/views", "no/such_exercise"]) == {str(views.check_module)}
        assert worker.rehearse(["tensors/views"]) == frozenset() and worker.rehearsed == {str(views.check_module)}

        class Slow:
            def launch(self, *args: object) -> object:
                time.sleep(4)
                return worker.launch(*args)  # type: ignore[arg-type]  # the launcher's own arguments, passed on

        report = grade(views, ROOT / "solutions" / views.file, Limits(timeout_s=3), launcher=Slow())  # type: ignore[arg-type]  # a launcher
    assert report.status == "ok" and report.score == report.max_score, report


def test_a_rehearsal_prepares_pytest_for_the_forks() -> None:
    """After rehearsing an exercise, the worker holds pytest for its command line made up to the first check: the
    run's options read, the session started and every asked-for check collected, all without a grading run bound
    (each fork binds its own and starts from a copy instead of making it again)."""
    from torchdojo.core import child, warm
    from torchdojo.core.launch import child_arguments

    views = load_catalog().resolve("tensors/views")
    names = [c.name for c in views.checks]
    prepared_runs: child.PreparedRuns = {}
    assert warm._rehearse(child_arguments(views, ROOT / "solutions" / views.file, names, Limits(), 99), prepared_runs=prepared_runs)
    assert list(prepared_runs) == [tuple(child.pytest_arguments(views.check_module, names))]
    prepared = prepared_runs[tuple(child.pytest_arguments(views.check_module, names))]
    assert prepared.config.option.capture == "no" and prepared.config.option.noconftest
    assert not any(isinstance(plugin, child.GradingPlugin) for plugin in prepared.config.pluginmanager.get_plugins())
    assert prepared.fixtures.grading is None and prepared.config.pluginmanager.is_registered(prepared.fixtures)
    assert [item.name for item in prepared.session.items] == [f"test_{name}" for name in names]
    assert prepared.session.testsfailed == 0 and not prepared.session.shouldstop


def test_a_fork_runs_the_prepared_checks_without_collecting_them_again() -> None:
    """Bound to a prepared run, a grading run collects nothing: it goes straight to the checks, each reports once,
    and the fixtures give the checks this run's learner module and reference."""
    import io

    from torchdojo.core import child, warm
    from torchdojo.core.launch import child_arguments

    views = load_catalog().resolve("tensors/views")
    names = [c.name for c in views.checks]
    solution = ROOT / "solutions" / views.file
    prepared_runs: child.PreparedRuns = {}
    assert warm._rehearse(child_arguments(views, solution, names, Limits(), 99), prepared_runs=prepared_runs)
    arguments = child.pytest_arguments(views.check_module, names)
    prepared = prepared_runs[tuple(arguments)]
    collected: list[object] = []

    class Spy:
        def pytest_collectstart(self, collector: object) -> None:
            collected.append(collector)

    prepared.config.pluginmanager.register(Spy())
    sink = io.StringIO()
    plugin = child.GradingPlugin(child.Channel(sink, "n"), solution, "prepared_run_views", names, solution)
    try:
        child._run_pytest(arguments, plugin, prepared)
    finally:
        sys.modules.pop("prepared_run_views", None)
    results = [json.loads(line) for line in sink.getvalue().splitlines() if '"result"' in line]
    assert collected == []
    assert [r["check"] for r in results] == names and {r["outcome"] for r in results} == {"passed"}
    assert prepared.fixtures.grading is plugin and plugin.imported


def test_a_run_that_cannot_be_collected_is_not_prepared(tmp_path: Path) -> None:
    """A check that does not exist (a catalog naming a check its module lacks) is left for the fork to collect, where
    the error reaches the learner's report; nothing half-made is kept."""
    from torchdojo.core import child

    views = load_catalog().resolve("tensors/views")
    assert child.prepare_pytest(child.pytest_arguments(views.check_module, ["no_such_check"])) is None
    broken = tmp_path / "test_broken.py"
    broken.write_text("def test_x(:\n", encoding="utf-8")
    assert child.prepare_pytest(child.pytest_arguments(broken, ["x"])) is None


def test_forks_from_a_prepared_configuration_give_the_cold_verdicts() -> None:
    """Every fixture of an exercise, and the submissions that attack pytest, the harness and the replay of kept
    examples, graded by forks of a rehearsed worker (pytest prepared, reference runs and examples kept) and by cold
    children: the same verdicts and messages."""
    exercise = load_catalog().resolve("autograd/no_grad")
    files = sorted((FIXTURES / exercise.topic / exercise.name).glob("*.py")) + [
        HOSTILE / f"{case}.py" for case in ("patch_pytest", "patch_harness", "patch_replay", "fake_report")
    ]
    limits = Limits(timeout_s=60, memory_mb=1024, output_bytes=4000)
    with WarmWorker(rehearse=[exercise.id]) as warm:
        assert warm.wait_ready() and warm.rehearsed == {str(exercise.check_module)}
        forked = [grade(exercise, f, limits, warm) for f in files]
    cold = [grade(exercise, f, limits) for f in files]
    assert [verdicts(r) for r in forked] == [verdicts(r) for r in cold]
    assert [[_words(c) for c in r.checks] for r in forked] == [[_words(c) for c in r.checks] for r in cold]
    assert any(r.score < r.max_score for r in cold) and any(r.score == r.max_score for r in cold)


def test_the_checks_seed_torch_without_the_accelerators_bookkeeping() -> None:
    """`torch.manual_seed` on a machine whose CUDA is not started records a stack trace per call (about 1 ms): the
    checks' own code seeds through `support.manual_seed`, which seeds the CPU generator alike. Learner code may
    call `torch.manual_seed`; the grader's code does not."""
    import ast

    checks = ROOT / "grader" / "checks"
    calls = []
    for path in sorted(checks.rglob("*.py")):
        for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Module):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "manual_seed":
                    if isinstance(node.func.value, ast.Name) and node.func.value.id == "torch":
                        calls.append((str(path.relative_to(checks)), getattr(function, "name", "<module>")))
    assert set(calls) == {("support.py", "<module>"), ("support.py", "manual_seed")}, calls  # support.manual_seed, and nowhere else


def _children_faults(pid: int) -> int:
    """The minor page faults of a process's children it has reaped (/proc/<pid>/stat's cminflt)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[8])


def test_a_forks_watch_reads_words_instead_of_touching_what_the_worker_loaded() -> None:
    """Through the runner's own path, a fork checks what the worker loaded (about 2,000 modules, the watch's namespaces,
    functions and cells) by reading a word of each (torchdojo.core.words) instead of going through them, which in a fork
    copies a page for every few objects it touches. Without the words (TORCHDOJO_NAMESPACE_VERSIONS=0) the same runs
    copy at least a thousand pages more: a fork that found what was loaded changed (something imported between the
    worker's watch and the run) would be back there, grading right but slower."""
    exercise = load_catalog().resolve("tensors/one_hot")
    solution = ROOT / "solutions" / exercise.file
    faults = {}
    for versions in ("1", "0"):
        with WarmWorker(env_update={"TORCHDOJO_NAMESPACE_VERSIONS": versions}, rehearse=[exercise.id]) as warm:
            assert warm.wait_ready(timeout=300)
            grade(exercise, solution, launcher=warm)  # the first run of anything in a fork
            before = _children_faults(warm.pid)
            reports = [grade(exercise, solution, launcher=warm) for _ in range(3)]
            faults[versions] = (_children_faults(warm.pid) - before) / 3
        assert all(report.score == report.max_score for report in reports)
    assert faults["1"] + 1000 < faults["0"], faults

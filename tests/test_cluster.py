"""grade-batch on a real Dask cluster: a scheduler and two one-thread workers on 127.0.0.1.

The cluster's output files must equal a local run's byte for byte (the class report's
"generated on" minute aside), a worker killed with SIGKILL mid-run must lose no student and
count none twice, and a cluster that cannot be used must stop the command with exit 2 before
anything is written. Every process started here is ended in a `finally`, with its children.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEST_HOME, run_cli

try:
    import distributed  # noqa: F401  # only asks whether it is installed

    HAVE_DASK = True
except ImportError:
    HAVE_DASK = False

pytestmark = [pytest.mark.xdist_group("cluster"), pytest.mark.timeout(900)]  # the first test also starts the cluster and grades locally
needs_dask = pytest.mark.skipif(not HAVE_DASK, reason='dask.distributed is not installed (pip install "torchdojo[cluster]")')

LEAF, GRAD = "01_autograd/01_leaf_tensors.py", "01_autograd/02_gradient_of.py"
FIXTURES = ROOT / "tests" / "fixtures" / "autograd"
TIMEOUT = "30"  # per exercise, in every run: far above what the others need on a busy machine
# An endless loop that sleeps: it uses up the time limit without taking a core from the other gradings.
LOOPING = (ROOT / "solutions" / LEAF).read_text(encoding="utf-8") + "\n\ndef square_sum_grad(values):\n    while True: __import__('time').sleep(0.05)\n"
NO_SANDBOX = ("--no-sandbox",)  # local runs use bubblewrap where it works; a cluster's workers do not: compare like with like
EXPORTS = (
    "--export",
    "wide:out/wide.csv",
    "--export",
    "canvas:out/canvas.csv",
    "--export",
    "moodle:out/moodle.csv",
    "--roster",
    "roster.csv",
    "--report",
    "out/report.html",
    "--feedback",
    "out/feedback",
)


def _class(root: Path) -> Path:
    """Six students, two exercises, the way the other grade-batch tests make a class: the reference, the
    stubs, mistakes from the fixture corpus, a missing file, and an endless loop (a timeout)."""
    files: dict[str, dict[str, Path | str]] = {
        "ann": {LEAF: ROOT / "solutions" / LEAF, GRAD: ROOT / "solutions" / GRAD},
        "ben": {LEAF: ROOT / "exercises" / LEAF, GRAD: ROOT / "exercises" / GRAD},
        "cat": {LEAF: FIXTURES / "leaf_tensors" / "wrong_by_hand.py", GRAD: FIXTURES / "gradient_of" / "alt_correct.py"},
        "dan": {LEAF: ROOT / "solutions" / LEAF},
        "eve": {LEAF: LOOPING, GRAD: FIXTURES / "gradient_of" / "wrong_mutates_input.py"},
        "fay": {LEAF: FIXTURES / "leaf_tensors" / "alt_correct_numpy_float32.py", GRAD: FIXTURES / "gradient_of" / "wrong_no_value_error.py"},
    }
    for student, exercises in files.items():
        for name, source in exercises.items():
            target = root / "class" / student / "exercises" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(source, Path):
                shutil.copyfile(source, target)
            else:
                target.write_text(source, encoding="utf-8")
    (root / "roster.csv").write_text('folder,name,id,sis_user_id,section\nann,"Lee, Ann",101,S101,A\nben,Ben,102,S102,A\n', encoding="utf-8")
    return root


def _outputs(folder: Path) -> dict[str, bytes]:
    """Every file a run wrote, by relative path; the report's minute stamp is the only thing blanked."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".html":
                data = re.sub(rb"grade-batch on \d{4}-\d\d-\d\d \d\d:\d\d", b"grade-batch on <minute>", data)
            found[path.relative_to(folder).as_posix()] = data
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _family(pid: int) -> list[int]:
    """The process and everything below it, now (the warm worker and its forks)."""
    import psutil

    try:
        process = psutil.Process(pid)
        return [pid, *(child.pid for child in process.children(recursive=True))]
    except psutil.NoSuchProcess:
        return []


def _end(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Cluster:
    """`dask scheduler` and two `dask worker --nthreads 1 --no-nanny` processes (a SIGKILL ends the worker itself)."""

    def __init__(self, folder: Path) -> None:
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.folder = folder  # the processes' own folder: they see nothing of the class but what the tasks carry
        self.env = {**os.environ, "HOME": str(TEST_HOME)}
        self.env.pop("TORCHDOJO_WORKSPACE", None)
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.seen: set[int] = set()

    def _start(self, name: str, *args: str) -> None:
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen([sys.executable, "-m", *args], cwd=self.folder, env=self.env, stdout=log, stderr=log, stdin=subprocess.DEVNULL)

    def start(self) -> None:
        self._start("scheduler", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(self.port), "--no-dashboard")
        until = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < until, "the scheduler did not start: " + (self.folder / "scheduler.log").read_text()
                time.sleep(0.2)
        for name in ("w1", "w2"):
            self._start(
                name,
                "distributed.cli.dask_worker",
                self.address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--name",
                name,
                "--death-timeout",
                "60",
            )
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=120)

    def worker_address(self, name: str) -> str:
        from distributed import Client

        with Client(self.address, timeout=30, set_as_default=False) as client:
            return next(address for address, info in client.scheduler_info()["workers"].items() if info.get("name") == name)

    def kill(self, name: str) -> None:
        family = _family(self.processes[name].pid)
        self.seen.update(family)
        os.kill(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=30)
        _end(family[1:])  # as if its machine was lost: its warm worker and forks go too

    def stop(self) -> None:
        for process in self.processes.values():
            self.seen.update(_family(process.pid))
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=20)
        time.sleep(0.5)
        _end(sorted(self.seen))  # a warm worker or fork left by a killed worker


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not HAVE_DASK:
        pytest.skip('dask.distributed is not installed (pip install "torchdojo[cluster]")')
    running = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        running.start()
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The class, graded on this machine: every output in CSV, and the rows again in JSON."""
    root = _class(tmp_path_factory.mktemp("cluster-class"))
    done = run_cli("grade-batch", "class", "--out", "out/grades.csv", *EXPORTS, *NO_SANDBOX, "--timeout", TIMEOUT, "--jobs", "2", cwd=root, timeout=280)
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.move(root / "out", root / "local")
    done = run_cli("grade-batch", "class", "--out", "out/grades.json", *NO_SANDBOX, "--timeout", TIMEOUT, "--jobs", "2", cwd=root, timeout=280)
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.move(root / "out" / "grades.json", root / "local.json")
    return root


@needs_dask
def test_cluster_writes_the_same_files_as_a_local_run(cluster: Cluster, local: Path) -> None:
    done = run_cli(
        "grade-batch",
        "class",
        "--out",
        "out/grades.csv",
        *EXPORTS,
        *NO_SANDBOX,
        "--timeout",
        TIMEOUT,
        "--scheduler",
        cluster.address,
        cwd=local,
        env={"TORCHDOJO_PROGRESS_SECONDS": "1"},
        timeout=280,
    )
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        assert "2 worker(s), 2 thread(s)" in done.stdout
        ours, theirs = _outputs(local / "out"), _outputs(local / "local")
        assert sorted(ours) == sorted(theirs) and len(ours) >= 10  # grades, checks, 3 exports, report, 6 students x 2 feedback pages
        assert [name for name in ours if ours[name] != theirs[name]] == []
        grades = (local / "out" / "grades.csv").read_text(encoding="utf-8")
        assert ",timeout," in grades and ",missing," in grades and grades.count("\n") == 1 + 12  # the timeout behaves as locally
        progress = [line for line in done.stderr.splitlines() if line.startswith("grading: ")]
        assert progress and progress[-1].startswith("grading: 12/12 done (100%)"), done.stderr  # a log gets lines, not a bar
        from distributed import Client

        with Client(cluster.address, timeout=30, set_as_default=False) as client:  # each exercise graded 5 times: rehearsed first
            rehearsed = client.run(lambda dask_worker: sorted(dask_worker.plugins["torchdojo-warm"]._rehearsed))
        assert set().union(*rehearsed.values()) == {"autograd/leaf_tensors", "autograd/gradient_of"}, rehearsed
    finally:
        shutil.rmtree(local / "out", ignore_errors=True)


@needs_dask
def test_a_worker_killed_mid_run_loses_no_student_and_counts_none_twice(cluster: Cluster, local: Path) -> None:
    """Runs last (it kills w1): w1 is SIGKILLed while it grades; its task runs again on w2."""
    from distributed import Client

    victim = cluster.worker_address("w1")
    env = {**os.environ, "HOME": str(TEST_HOME), "TORCHDOJO_PROGRESS_SECONDS": "0.5"}
    env.pop("TORCHDOJO_WORKSPACE", None)
    log = (local / "killed.log").open("w+", encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "torchdojo",
        "grade-batch",
        "class",
        "--out",
        "out/grades.json",
        *NO_SANDBOX,
        "--timeout",
        TIMEOUT,
        "--scheduler",
        cluster.address,
    ]
    run = subprocess.Popen(command, cwd=local, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        with Client(cluster.address, timeout=30, set_as_default=False) as watcher:
            until = time.monotonic() + 120
            while not watcher.processing().get(victim):  # w1 has a grading in hand
                assert run.poll() is None and time.monotonic() < until, "w1 never got a task"
                time.sleep(0.05)
        cluster.kill("w1")
        assert run.wait(timeout=240) == 0, (local / "killed.log").read_text(encoding="utf-8")
        assert (local / "out" / "grades.json").read_bytes() == (local / "local.json").read_bytes()
        import json

        rows = json.loads((local / "out" / "grades.json").read_text(encoding="utf-8"))["rows"]
        pairs = [(row["student"], row["exercise"]) for row in rows]
        assert len(pairs) == len(set(pairs)) == 12  # every student x exercise, each exactly once
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
        log.close()
        shutil.rmtree(local / "out", ignore_errors=True)


def test_without_dask_the_command_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from torchdojo.cli import main

    _class(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails, as where it is not installed
    assert main(["grade-batch", "class", "--out", "out/g.csv", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert 'pip install "torchdojo[cluster]"' in " ".join(err.split()), err
    assert not (tmp_path / "out").exists()


@needs_dask
def test_an_unreachable_scheduler_fails_fast_and_writes_nothing(tmp_path: Path) -> None:
    _class(tmp_path)
    address = f"tcp://127.0.0.1:{_free_port()}"  # nothing listens there
    started = time.monotonic()
    done = run_cli(
        "grade-batch", "class", "--out", "out/g.csv", "--report", "out/r.html", "--scheduler", address, "--scheduler-timeout", "3", cwd=tmp_path, timeout=120
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Cannot reach the Dask scheduler" in " ".join(done.stderr.split()) and address in done.stderr
    assert not (tmp_path / "out").exists()
    zh = run_cli("grade-batch", "class", "--out", "out/g.csv", "--scheduler", address, "--scheduler-timeout", "1", "--lang", "zh", cwd=tmp_path, timeout=120)
    assert zh.returncode == 2 and "无法连接" in zh.stderr
    assert time.monotonic() - started < 110  # bounded by --scheduler-timeout, not by a hang


def test_a_submission_travels_as_data_under_its_own_folder(tmp_path: Path) -> None:
    from torchdojo.core.catalog import load_catalog
    from torchdojo.core.runner import Limits
    from torchdojo.teacher.batch import Task
    from torchdojo.teacher.cluster import Submission, _relative, submission

    exercise = load_catalog().resolve("autograd/leaf_tensors")
    for layout in ("alice/exercises", "bob"):
        file = tmp_path / layout / LEAF
        file.parent.mkdir(parents=True)
        file.write_text("x = 1\n", encoding="utf-8")
        task = Task(layout.split("/")[0], exercise, file, False)
        job = submission(task, Limits(timeout_s=5))
        assert job.relative == ("exercises/" if "/" in layout else "") + LEAF == _relative(task)
        assert job.content == b"x = 1\n" and str(tmp_path) not in job.model_dump_json()  # nothing points at this disk
        assert Submission.model_validate(job.model_dump()) == job
    alice = Task("alice", exercise, tmp_path / "alice/exercises" / LEAF, False)
    first, again, slower = submission(alice, Limits(timeout_s=5)), submission(alice, Limits(timeout_s=5)), submission(alice, Limits(timeout_s=6))
    assert first.key == again.key != slower.key  # a retry is the same task; other limits are another grading
    (tmp_path / "alice/exercises" / LEAF).write_text("x = 2\n", encoding="utf-8")
    assert submission(alice, Limits(timeout_s=5)).key != first.key  # so is another content


def test_a_worker_rehearses_an_exercise_before_its_first_run_there(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A submission of an exercise the batch grades again and again: the worker's warm worker rehearses it before the
    first run (once), and the run is graded as usual; one graded once is not rehearsed."""
    from torchdojo.core.catalog import load_catalog
    from torchdojo.core.runner import Limits
    from torchdojo.teacher import cluster
    from torchdojo.teacher.batch import Task

    plugin = cluster.WarmPlugin()
    monkeypatch.setattr(cluster, "_plugin", lambda: plugin)
    catalog = load_catalog()
    try:
        rows = []
        for exercise_id, rehearse in (("autograd/leaf_tensors", True), ("autograd/leaf_tensors", True), ("autograd/gradient_of", False)):
            exercise = catalog.resolve(exercise_id)
            file = tmp_path / exercise_id / "exercises" / exercise.file
            file.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / "solutions" / exercise.file, file)
            rows.append(cluster.grade_remote(cluster.submission(Task("ann", exercise, file, False), Limits(timeout_s=60), rehearse=rehearse)))
        assert [row.score == row.max_score for row in rows] == [True, True, True]
        assert plugin._rehearsed == {"autograd/leaf_tensors"}
        assert plugin._warm is not None and plugin._warm.rehearsed == {str(catalog.resolve("autograd/leaf_tensors").check_module)}
    finally:
        plugin.teardown()


def test_every_torchdojo_command_in_the_scale_guide_parses() -> None:
    """docs/scale.md's commands use the real options (Kubernetes and Slurm themselves cannot run here)."""
    import shlex

    from torchdojo.cli import build_parser

    text = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    lines = [line.split(" #")[0].strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL) for line in block.splitlines()]
    commands = [line for line in lines if line.startswith("torchdojo ")]
    assert len(commands) >= 3 and all("--scheduler" in line for line in commands)
    for line in commands:
        args = build_parser().parse_args(shlex.split(line)[1:])
        assert args.scheduler.startswith("tcp://") and args.handler is not None


@needs_dask
def test_workers_sandbox_by_default_where_bubblewrap_works(cluster: Cluster, tmp_path: Path) -> None:
    """--sandbox left unset: each worker grades inside bubblewrap when it has it. A submission that writes to
    /tmp at import writes into the sandbox's private /tmp, never the worker machine's; the grade is unchanged."""
    from torchdojo.core.sandbox import sandbox_status

    if not sandbox_status().available:
        pytest.skip("bubblewrap does not work on this machine (the workers share it)")
    probe = Path("/tmp") / f"torchdojo-cluster-probe-{os.getpid()}-{time.time_ns()}"
    source = f"open({str(probe)!r}, 'w').write('escaped')\n" + (ROOT / "solutions" / LEAF).read_text(encoding="utf-8")
    target = tmp_path / "class" / "ann" / "exercises" / LEAF
    target.parent.mkdir(parents=True)
    target.write_text(source, encoding="utf-8")
    try:
        done = run_cli(
            "grade-batch",
            "class",
            "--out",
            "out/grades.csv",
            "--topics",
            "autograd",
            "--timeout",
            TIMEOUT,
            "--scheduler",
            cluster.address,
            cwd=tmp_path,
            timeout=280,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert re.search(r"Sandbox: on \(bubblewrap on all \d+ worker\(s\)\)\.", done.stdout), done.stdout  # a killed worker may be gone
        assert not probe.exists(), "the submission wrote to the worker's own /tmp: it ran outside the sandbox"
        rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").open(encoding="utf-8")))
        leaf = [row for row in rows if row["exercise"] == "autograd/leaf_tensors"]
        assert leaf and leaf[0]["status"] == "ok" and leaf[0]["score"] == leaf[0]["max_score"], rows
    finally:
        probe.unlink(missing_ok=True)

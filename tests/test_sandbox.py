"""The bubblewrap sandbox (`--sandbox`), attacked for real: each hostile submission goes around the
in-process guard (a fresh interpreter it starts has no audit hook), so only the kernel's namespaces
stand in its way. Each still gets a clear verdict, zero points only for the
checks its own code broke, and leaves nothing running; the reference keeps full marks, cold and warm.

Skipped only where bubblewrap is not installed (CI installs it: .ci/run). The tests that play a
machine without it (or without namespaces) always run."""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_cli
from tests.test_hostile import grading_processes
from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import Limits, grade
from torchdojo.core.sandbox import SandboxPool
from torchdojo.paths import solutions_dir

HAVE_BWRAP = shutil.which("bwrap") is not None
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap (bwrap) is not installed: apt-get install bubblewrap (CI does)")
pytestmark = [pytest.mark.xdist_group("sandbox"), pytest.mark.timeout(240)]

EXERCISE = "autograd/no_grad"
TARGET = Path("exercises") / "01_autograd" / "04_no_grad.py"
REFERENCE = solutions_dir() / "01_autograd" / "04_no_grad.py"
CHECKS = {c.name for c in load_catalog().resolve(EXERCISE).checks}
PREDICT = {name for name in CHECKS if name.startswith("predict")}  # the checks that call the hostile function

# Learner code that reaches around the in-process guard: a fresh interpreter it starts has no audit hook, so its
# os.open is the C library's, and only the kernel's namespaces stand in its way. (ctypes, which these tests used
# before, is refused by the guard now: torchdojo.core.guard.)
LIBC = """
import os, subprocess, sys

_RAW_OPEN = "import os, sys\\ntry:\\n    os.close(os.open(sys.argv[1], int(sys.argv[2]), 0o644))\\nexcept OSError as error:\\n    print(error.errno)\\n    raise SystemExit(1)"


def _raw_open(path, flags):
    done = subprocess.run([sys.executable, "-c", _RAW_OPEN, str(path), str(flags)], capture_output=True, text=True, timeout=60)
    if done.returncode:
        number = int(done.stdout.strip() or 0)
        raise OSError(number, os.strerror(number), str(path))


def raw_read(path):
    _raw_open(path, os.O_RDONLY)
    return "STOLEN " + str(path)


def raw_write(path):
    _raw_open(path, os.O_WRONLY | os.O_CREAT)
    return "WROTE " + str(path)
"""


def submission(body: str, at_import: str = "") -> str:
    """The reference solution with `body` run first inside predict_no_grad (and `at_import` at import)."""
    reference = REFERENCE.read_text(encoding="utf-8")
    hostile = LIBC + textwrap.dedent(at_import) + "\n\ndef _hostile():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    patched = reference.replace("def predict_no_grad(", "def _reference_predict_no_grad(", 1)
    return patched + hostile + "\n\ndef predict_no_grad(model, x):\n    _hostile()\n    return _reference_predict_no_grad(model, x)\n"


def make_workspace(root: Path, source: str) -> Path:
    """A learner's workspace holding just the exercise under test."""
    workspace = root / "dojo"
    (workspace / ".torchdojo").mkdir(parents=True, exist_ok=True)
    (workspace / TARGET).parent.mkdir(parents=True, exist_ok=True)
    (workspace / TARGET).write_text(source, encoding="utf-8")
    return workspace


def check_sandboxed(workspace: Path, *extra: str) -> dict:
    done = run_cli("check", EXERCISE, "--json", "--sandbox", "--timeout", "90", *extra, cwd=workspace, timeout=180)
    assert done.returncode in (0, 1), done.stderr  # a verdict, never a grader crash
    report = json.loads(done.stdout)
    assert report["sandbox"] is True
    return report


def assert_only_predict_lost(report: dict, words: str) -> None:
    """Zero points for the checks that ran the hostile code, with the refusal in the message; the rest pass."""
    by_name = {c["name"]: c for c in report["checks"]}
    assert set(by_name) == CHECKS
    for name, check in by_name.items():
        if name in PREDICT:
            assert check["points"] == 0 and check["outcome"] in ("error", "failed"), check
            assert words in check["message"] and "STOLEN" not in check["message"] and "WROTE" not in check["message"], check
        else:
            assert check["outcome"] == "passed", check


def live_children_of(pid: int) -> list[int]:
    """Every live process below `pid` (zombies excluded)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                status = (proc / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
            if fields.get("PPid") == str(parent) and not fields.get("State", "").startswith("Z"):
                found.append(int(proc.name))
                todo.append(int(proc.name))
    return found


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that records every connection and byte that reaches it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(b"connected:" + conn.recv(1024))
                except OSError:
                    received.append(b"connected")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], received
    stop.set()
    thread.join(timeout=5)
    server.close()


# -- the reference, cold and warm ------------------------------------------------------------------


@needs_bwrap
def test_reference_full_marks_cold_and_warm() -> None:
    exercise = load_catalog().resolve(EXERCISE)
    cold = grade(exercise, REFERENCE, Limits(sandbox=True, timeout_s=90))
    assert cold.status == "ok" and cold.score == cold.max_score > 0, cold.checks
    with SandboxPool(1) as pool:
        for _ in range(2):  # the second run is a fork of a rehearsed worker
            warm = grade(exercise, REFERENCE, Limits(sandbox=True, timeout_s=90), pool)
            assert warm.status == "ok" and warm.score == warm.max_score, warm.checks


# -- hostile submissions ------------------------------------------------------------------------


@needs_bwrap
def test_network_is_unreachable(tmp_path: Path, listener: tuple[int, list[bytes]]) -> None:
    port, received = listener
    workspace = make_workspace(
        tmp_path,
        submission(f"""
        import socket
        with socket.create_connection(("127.0.0.1", {port}), timeout=3) as conn:
            conn.sendall(b"secret answers")
    """),
    )
    report = check_sandboxed(workspace)
    time.sleep(0.5)
    assert received == [], "a connection reached the listener from inside the sandbox"
    by_name = {c["name"]: c for c in report["checks"]}
    for name in PREDICT:
        assert by_name[name]["points"] == 0, by_name[name]
        assert any(w in by_name[name]["message"] for w in ("ConnectionRefusedError", "Network is unreachable", "OSError")), by_name[name]
    assert all(by_name[n]["outcome"] == "passed" for n in CHECKS - PREDICT)


@needs_bwrap
def test_other_submissions_and_solutions_are_out_of_sight(tmp_path: Path) -> None:
    """Graded as a class (warm sandboxes, two at a time) and alone (cold): alice reads bob's file and a solution."""
    klass = tmp_path / "class"
    bob = klass / "bob" / TARGET
    bob.parent.mkdir(parents=True)
    bob.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    alice_source = submission(f"""
        raw_read({str(bob)!r})
        raw_read({str(REFERENCE)!r})
    """)
    alice = klass / "alice" / TARGET
    alice.parent.mkdir(parents=True)
    alice.write_text(alice_source, encoding="utf-8")

    done = run_cli(
        "grade-batch", "class", "--out", "grades.json", "--topics", EXERCISE, "--timeout", "90", "--jobs", "2", "--sandbox", cwd=tmp_path, timeout=200
    )
    assert done.returncode == 0, done.stderr
    assert "Sandbox: on" in done.stdout + done.stderr
    rows = {row["student"]: row for row in json.loads((tmp_path / "grades.json").read_text(encoding="utf-8"))["rows"]}
    assert rows["bob"]["score"] == rows["bob"]["max_score"] > 0
    assert_only_predict_lost({"checks": [{**c, "message": (c["message"] or {}).get("en", "")} for c in rows["alice"]["checks"]]}, "No such file or directory")

    # Alone, with the same file in a workspace: the cold sandbox hides the solutions just as well.
    report = check_sandboxed(make_workspace(tmp_path, alice_source.replace(str(bob), str(REFERENCE))))
    assert_only_predict_lost(report, "No such file or directory")


@needs_bwrap
def test_writes_outside_the_temp_dir_are_refused(tmp_path: Path) -> None:
    token = secrets.token_hex(6)
    targets = [ROOT / f"escaped-{token}.txt", tmp_path / "dojo" / "exercises" / f"escaped-{token}.txt"]
    workspace = make_workspace(
        tmp_path,
        submission(f"""
        import tempfile
        private = os.path.join(tempfile.gettempdir(), "scratch-{token}.txt")
        with open(private, "w") as handle:  # the private temp dir is writable
            handle.write("ok")
        for target in {[str(p) for p in targets]!r}:
            raw_write(target)
    """),
    )
    try:
        report = check_sandboxed(workspace)
        assert_only_predict_lost(report, "Read-only file system")
        assert not any(p.exists() for p in targets), "a write escaped the sandbox"
        assert not (Path("/tmp") / f"scratch-{token}.txt").exists(), "the sandbox's /tmp is not private"
    finally:
        for path in targets:
            path.unlink(missing_ok=True)


BOMB = """
import os as _os, time as _time

def _bomb():
    # Far more processes than the sandbox's RLIMIT_NPROC allows (a user who is not root stops there);
    # bounded, so that a machine where the limit does not apply (root) still survives the test.
    for _ in range(300):
        try:
            if _os.fork() == 0:
                _os.setsid()  # out of the process group the runner kills: only the PID namespace catches it
                _time.sleep(600)
                _os._exit(0)
        except OSError:
            break

_bomb()
"""


@needs_bwrap
def test_fork_bomb_is_contained_cold(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, submission("pass", at_import=BOMB))
    report = check_sandboxed(workspace)
    assert report["score"] == report["max_score"] > 0, report  # it broke nothing the checks look at
    time.sleep(0.5)
    assert grading_processes(workspace) == set(), "a process of the fork bomb is still running"
    after = run_cli("check", "autograd/vjp", "--json", "--sandbox", "--file", str(solutions_dir() / "01_autograd" / "05_vjp.py"), cwd=workspace)
    assert json.loads(after.stdout)["score"] == json.loads(after.stdout)["max_score"] > 0  # the grader still works


@needs_bwrap
def test_fork_bomb_is_contained_warm_and_the_next_run_is_clean(tmp_path: Path) -> None:
    """A warm worker's sandbox serves one run at a time and ends whatever a run left behind before the next."""
    bomb = tmp_path / "bomb.py"
    bomb.write_text(submission("pass", at_import=BOMB), encoding="utf-8")
    snoop = tmp_path / "snoop.py"  # the next student: what can it see of the run before?
    snoop.write_text(
        submission("""
        import os
        others = [p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid(), os.getppid())]
        runs = os.listdir(os.path.dirname(os.getcwd()))
        if others or runs != [os.path.basename(os.getcwd())]:
            raise RuntimeError(f"saw processes {others[:5]} and run folders {runs}")
        raise RuntimeError("alone in the sandbox")
    """),
        encoding="utf-8",
    )
    exercise = load_catalog().resolve(EXERCISE)
    with SandboxPool(1) as pool:
        worker = pool._all[0].worker
        first = grade(exercise, bomb, Limits(sandbox=True, timeout_s=90), pool)
        assert first.score == first.max_score > 0, first.checks
        assert len(live_children_of(worker.pid)) == 1, "processes of the bomb outlived its run (only the worker may remain)"
        second = grade(exercise, snoop, Limits(sandbox=True, timeout_s=90), pool)
        messages = {c.name: c.message.en for c in second.checks if c.message}
        for name in PREDICT:
            assert "alone in the sandbox" in messages[name], messages[name]


# -- without bubblewrap ---------------------------------------------------------------------------


def test_without_bwrap_sandbox_exits_2_with_the_install_command(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path, REFERENCE.read_text(encoding="utf-8"))
    missing = {"TORCHDOJO_BWRAP": ""}
    done = run_cli("check", EXERCISE, "--sandbox", cwd=workspace, env=missing, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "sudo apt-get install bubblewrap" in done.stderr and "dnf install bubblewrap" in done.stderr

    klass = tmp_path / "class" / "bob" / TARGET
    klass.parent.mkdir(parents=True)
    shutil.copyfile(REFERENCE, klass)
    done = run_cli("grade-batch", "class", "--out", "g.csv", "--topics", EXERCISE, "--sandbox", cwd=tmp_path, env=missing, timeout=60)
    assert done.returncode == 2 and "sudo apt-get install bubblewrap" in done.stderr, done.stderr
    assert not (tmp_path / "g.csv").exists()
    # The default falls back, and says so.
    done = run_cli("grade-batch", "class", "--out", "g.csv", "--topics", EXERCISE, "--timeout", "90", "--jobs", "1", cwd=tmp_path, env=missing, timeout=200)
    assert done.returncode == 0, done.stderr
    assert "without a sandbox" in done.stderr and "Sandbox: off" in done.stdout + done.stderr


def test_bwrap_without_namespaces_is_said_clearly(tmp_path: Path) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    workspace = make_workspace(tmp_path, REFERENCE.read_text(encoding="utf-8"))
    done = run_cli("check", EXERCISE, "--sandbox", cwd=workspace, env={"TORCHDOJO_BWRAP": str(fake)}, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())  # the message wraps where a long temporary path pushes it
    assert "cannot create namespaces" in said and "No permissions to create new namespace" in said


def test_explicit_sandbox_never_falls_back_silently() -> None:
    """Limits(sandbox=True) with an ordinary launcher still runs in a sandbox (or refuses to run)."""
    from torchdojo.core.launch import ChildProcess, ColdLauncher
    from torchdojo.core.sandbox import SandboxLauncher, sandbox_status

    if not sandbox_status().available:
        with pytest.raises(RuntimeError):
            SandboxLauncher()
        return
    seen: list[object] = []

    class Spy(ColdLauncher):
        def launch(self, argv: list[str], nonce: str, result_fd: int, output_fd: int, cwd: str) -> ChildProcess:
            seen.append(self)
            return super().launch(argv, nonce, result_fd, output_fd, cwd)

    report = grade(load_catalog().resolve("autograd/vjp"), solutions_dir() / "01_autograd" / "05_vjp.py", Limits(sandbox=True, timeout_s=90), Spy())
    assert seen == [] and report.score == report.max_score > 0


@needs_bwrap
def test_a_timeout_and_a_crash_say_the_same_inside() -> None:
    """The runner signals the sandboxed process itself (not bwrap): a timeout still names the learner's
    line, cold and warm, and bwrap's 128 + N exit status still reads as the signal that killed it."""
    exercise = load_catalog().resolve(EXERCISE)
    loop = FIXTURES / "hostile" / "loop.py"
    cold = grade(exercise, loop, Limits(sandbox=True, timeout_s=20))
    with SandboxPool(1) as pool:
        warm = grade(exercise, loop, Limits(sandbox=True, timeout_s=30), pool)
    for report in (cold, warm):
        assert report.status == "timeout" and report.score == 0
        first = report.checks[0].message
        assert first is not None and "your code was running line" in first.en, first
    crash = grade(exercise, FIXTURES / "hostile" / "segfault.py", Limits(sandbox=True, timeout_s=90))
    assert any(c.message and "signal 11, SIGSEGV" in c.message.en for c in crash.checks), crash.checks

"""`course check`'s fast path checks no less: forked kernels are fresh, isolated and fall back when they
must; a test cell takes a verdict graded ahead only for exactly the code it would grade; the verdicts
graded ahead by the warm worker are the ones the kernels ask for."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT
from torchdojo.core.catalog import load_catalog
from torchdojo.core.report import CheckResult, Report
from torchdojo.core.warm import WarmWorker
from torchdojo.i18n import Text
from torchdojo.teacher import notebook as nb_module
from torchdojo.teacher.course import build
from torchdojo.teacher.course_check import _validate_one, pregrade
from torchdojo.teacher.kernels import SERVER_ENV, ForkedKernelManager, KernelForkServer
from torchdojo.teacher.notebook import (
    VERDICTS_ENV,
    CheckFailed,
    learner_cells,
    module_source,
    verdict_key,
)

pytestmark = pytest.mark.xdist_group("course_check")
KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]
NOTEBOOK_EXERCISE = "autograd/gradient_of"  # a notebook whose reference passes


def run_notebook(sources: list[str], cwd: Path, timeout: int = 120) -> list[str]:
    """Execute code cells in one kernel started by ForkedKernelManager; each cell's stdout (or error name)."""
    book = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(s) for s in sources], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    NotebookClient(
        book,
        kernel_name="python3",
        kernel_manager_class=ForkedKernelManager,
        extra_arguments=KERNEL_ARGS,
        timeout=timeout,
        startup_timeout=120,
        allow_errors=True,
        interrupt_on_timeout=True,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    shown = []
    for cell in book.cells:
        texts = [o.get("text", "") for o in cell.outputs if o.output_type == "stream"]
        errors = [o.ename for o in cell.outputs if o.output_type == "error"]
        shown.append("".join(texts).strip() + "".join(errors))
    return shown


def gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def server():  # -> KernelForkServer
    with KernelForkServer() as started:
        yield started


PROBE = "import json, os, sys\nprint(json.dumps([os.getpid(), os.getppid(), os.getcwd(), os.environ.get('TORCHDOJO_PROBE'), 'torch' in sys.modules]))"


def test_forked_kernels_are_fresh_processes_of_the_server(server: KernelForkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERVER_ENV, server.address)
    monkeypatch.setenv("TORCHDOJO_PROBE", "from the client")
    first = run_notebook([PROBE, "leak = 41\nprint(leak + 1)"], tmp_path)
    second = run_notebook([PROBE, "print('leak' in globals())"], tmp_path)
    (pid1, parent1, cwd1, probe1, preloaded1), (pid2, parent2, *_) = json.loads(first[0]), json.loads(second[0])
    assert parent1 == parent2 == server._process.pid and pid1 != pid2  # forked by the server, one kernel per notebook
    assert (cwd1, probe1, preloaded1) == (str(tmp_path), "from the client", True)  # the client's folder and environment
    assert first[1] == "42" and second[1] == "False"  # nothing of one notebook is seen by the next
    assert gone(pid1) and gone(pid2)  # shut down and reaped


def test_an_interrupted_cell_interrupts_the_forked_kernel(server: KernelForkServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERVER_ENV, server.address)
    shown = run_notebook(["import time\nwhile True:\n    time.sleep(0.05)", "print('still alive')"], tmp_path, timeout=3)
    assert shown == ["KeyboardInterrupt", "still alive"]


def test_without_a_server_kernels_start_as_usual(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SERVER_ENV, str(tmp_path / "no-such.sock"))
    pid, parent, *_ = json.loads(run_notebook([PROBE], tmp_path)[0])
    assert parent == os.getpid() and gone(pid)


# -- verdicts graded ahead -----------------------------------------------------------------------


def fake_report(exercise_id: str, check: str, message: str) -> Report:
    return Report(
        exercise=exercise_id,
        file="x.py",
        checks=[CheckResult(name=check, title=Text(en="t", zh="t"), outcome="failed", points=0, max_points=1, message=Text(en=message, zh=message))],
    )


def test_a_test_cell_takes_a_verdict_only_for_exactly_its_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exercise = load_catalog().resolve(NOTEBOOK_EXERCISE)
    check = exercise.checks[0].name
    cells = ["def f():\n    return 1", f'from torchdojo.teacher.notebook import check\ncheck("{exercise.id}", "{check}")']
    key = verdict_key(exercise.id, module_source(learner_cells(cells)), 60.0)
    (tmp_path / f"{key}.json").write_text(fake_report(exercise.id, check, "graded ahead").model_dump_json(), encoding="utf-8")
    monkeypatch.setenv(VERDICTS_ENV, str(tmp_path))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    graded_here: list[str] = []
    monkeypatch.setattr(nb_module, "_grade", lambda exercise_id, module, timeout: graded_here.append(module) or fake_report(exercise_id, check, "graded here"))
    monkeypatch.setattr(nb_module, "_kernel_cells", lambda: cells)
    with pytest.raises(CheckFailed, match="graded ahead"):
        nb_module.check(exercise.id, check, timeout=60)
    assert (tmp_path / f"{key}.used").is_file() and graded_here == []
    with pytest.raises(CheckFailed, match="graded here"):
        nb_module.check(exercise.id, check, timeout=30)  # another time limit: another grading
    monkeypatch.setattr(nb_module, "_kernel_cells", lambda: ["def f():\n    return 2", cells[1]])
    with pytest.raises(CheckFailed, match="graded here"):
        nb_module.check(exercise.id, check, timeout=60)  # other code
    assert len(graded_here) == 2


def test_the_kernels_ask_for_the_verdicts_graded_ahead(server: KernelForkServer, tmp_path: Path) -> None:
    """pregrade (warm worker) then nbgrader's Validator in a forked kernel: the test cells used those verdicts."""
    exercise = load_catalog().resolve(NOTEBOOK_EXERCISE)
    course = tmp_path / "course"
    build(course, load_catalog(), [exercise.id], timeout=60)
    notebook = course / "source" / exercise.topic / f"{exercise.name}.ipynb"
    verdicts = tmp_path / "verdicts"
    verdicts.mkdir()
    broken = tmp_path / "broken" / notebook.name  # the stub as reference: its failures are left to the kernel's cold grading
    broken.parent.mkdir()
    data = json.loads(notebook.read_text(encoding="utf-8"))
    solution = next(c for c in data["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
    solution["source"] = (ROOT / "exercises" / exercise.file).read_text(encoding="utf-8")
    broken.write_text(json.dumps(data), encoding="utf-8")
    with WarmWorker() as worker:
        assert pregrade(broken, verdicts, worker) == 0 and not list(verdicts.iterdir())
        assert pregrade(notebook, verdicts, worker) == 1
    saved = dict(os.environ)
    try:
        assert _validate_one(notebook, {VERDICTS_ENV: str(verdicts), SERVER_ENV: server.address}) == []
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert len(list(verdicts.glob("*.json"))) == 1 and len(list(verdicts.glob("*.used"))) == 1

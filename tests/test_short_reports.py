"""A failed check's verdict comes from its exception, and pytest never formats that exception's traceback.

pytest's own report of a failure reads and parses the source of every frame in the traceback (5-250 ms
a check, torch's files being thousands of lines long), and a check run never shows it. The grading child
hands pytest a short report instead (`torchdojo.core.child._short_report`); the verdict, its message and
the learner's line are unchanged. Run in a fresh interpreter, as the grading child runs.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import FIXTURES, ROOT

EXERCISE = "autograd/leaf_tensors"
WRONG = FIXTURES / "autograd" / "leaf_tensors" / "wrong_by_hand.py"

_PROBE = """
import io, json, sys
from pathlib import Path
import _pytest.python
from torchdojo.core import child
from torchdojo.core.catalog import load_catalog
from torchdojo.core.launch import module_name
from torchdojo.paths import solutions_dir

formatted = []
original = _pytest.python.Function.repr_failure
def counting(self, excinfo):
    formatted.append(self.name)
    return original(self, excinfo)
_pytest.python.Function.repr_failure = counting

class Reports:
    def __init__(self):
        self.failed = []
    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.append([report.when, report.longrepr if isinstance(report.longrepr, str) else type(report.longrepr).__name__])

exercise = load_catalog().resolve(sys.argv[1])
out = io.StringIO()
plugin = child.GradingPlugin(child.Channel(out, "n"), Path(sys.argv[2]).resolve(), module_name(exercise), [c.name for c in exercise.checks],
                             solutions_dir() / exercise.file, None)
reports = Reports()
import pytest
pytest.main(child.pytest_arguments(exercise.check_module, [c.name for c in exercise.checks]), plugins=[child.CheckFixtures(plugin), plugin, reports])
verdicts = [json.loads(line) for line in out.getvalue().splitlines() if '"result"' in line]
print(json.dumps({"formatted": formatted, "failed": reports.failed, "verdicts": verdicts}))
"""


def test_a_failed_check_gets_its_verdict_without_pytest_formatting_a_traceback() -> None:
    run = subprocess.run([sys.executable, "-c", _PROBE, EXERCISE, str(WRONG)], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    failed = [v for v in seen["verdicts"] if v["outcome"] == "failed"]
    assert failed, seen["verdicts"]  # the fixture is wrong: some checks fail, each with its message and line
    assert all(v["en"] and v["zh"] and v["line"] for v in failed), failed
    assert seen["formatted"] == []  # pytest's repr_failure never ran
    assert len(seen["failed"]) == len(failed)
    assert all(when == "call" and longrepr in ("CheckFailed", "AssertionError") for when, longrepr in seen["failed"]), seen["failed"]

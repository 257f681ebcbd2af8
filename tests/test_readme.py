"""The README's commands, copied in order into one shell, on a fresh clone with a fresh venv.

Every ```bash block runs, in order, in one bash session (so `cd` and the venv's activation
carry over, as they do for a person), with two exceptions that are run elsewhere:
the block that runs the project's own test suite (that is `.ci/run`, i.e. this very run),
and the benchmarks (minutes each, run by hand: here each script must exist and compile).

A command "works" when it exits 0 or 1 (1 is a verdict: a failing check, a locked solution)
and prints no "command not found", "No module named", traceback or internal error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

BAD_SIGNS = ("command not found", "No module named", "Traceback (most recent call last)", "internal error", "No such file")


def readme_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def runnable_lines() -> tuple[list[str], list[str]]:
    """(commands to run in order, benchmark scripts to start)."""
    commands, benchmarks = [], []
    for block in readme_blocks():
        lines = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        if any("pytest" in line for line in lines):
            continue  # the project's test suite: that is .ci/run, which runs this test
        if all("benchmarks/" in line for line in lines):
            benchmarks += [re.search(r"benchmarks/\S+\.py", line).group(0) for line in lines]  # type: ignore[union-attr]  # each line names one: checked just above
            continue
        commands += lines
    return commands, benchmarks


def test_the_readme_lists_its_commands() -> None:
    commands, benchmarks = runnable_lines()
    assert commands[0].startswith("python3 -m venv .venv") and "torchdojo" in commands[0]
    assert any(c.startswith("torchdojo list") for c in commands)
    assert any("04_fit.py" in c for c in commands)
    assert len(benchmarks) >= 5


def _fresh_clone(target: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    ).stdout.splitlines()
    for name in files:
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]
    for step in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "fresh clone"]):
        subprocess.run([*git, *step], cwd=target, check=True, capture_output=True, timeout=120)
    return target


def test_readme_commands_work_in_order_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = _fresh_clone(tmp_path / "torchdojo")
    commands, benchmarks = runnable_lines()
    script: list[str] = []
    for number, command in enumerate(commands):
        script += [f"echo '<<<{number}>>>'", "{", command, "} < /dev/null 2>&1", f'echo "<<<rc {number} $?>>>"']
    for path in benchmarks:
        script += [f"echo '<<<bench {path}>>>'", f'python -m py_compile {path} 2>&1; echo "<<<rc bench $?>>>"']
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TORCHDOJO_", "VIRTUAL_ENV", "PYTHON"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    env["COLUMNS"] = "120"
    done = subprocess.run(["bash", "-c", "\n".join(script)], cwd=clone, env=env, capture_output=True, text=True, timeout=1400)
    out = done.stdout + done.stderr
    for number, command in enumerate(commands):
        assert f"<<<rc {number} " in out, f"the shell stopped at `{command}`:\n{out[-4000:]}"
        section = out.split(f"<<<{number}>>>", 1)[1].split(f"<<<rc {number} ", 1)
        rc = int(section[1].split(">>>", 1)[0])
        printed = section[0]
        assert rc in (0, 1), f"`{command}` exited {rc}:\n{printed[-3000:]}"
        for sign in BAD_SIGNS:
            assert sign not in printed, f"`{command}` printed {sign!r}:\n{printed[-3000:]}"
    assert out.count("<<<rc bench 0>>>") == len(benchmarks), out[-3000:]
    assert "exercises done" in out  # `torchdojo` (no terminal: the list) and `torchdojo list` ran


def test_the_readme_counts_what_ships() -> None:
    """The README's question count and exercise table are the shipped bank and catalog (they drifted twice)."""
    from torchdojo.core.catalog import load_catalog
    from torchdojo.quizzes.bank import load_shipped

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"(\d+) questions, every one in English", text)
    assert said and int(said.group(1)) == len(load_shipped().questions)
    listed = set()
    for topic, cell in re.findall(r"^\| `(\w+)` \| (.+) \|$", text, re.M):
        pieces = re.split(r"[,;:]", re.sub(r"\(.*?\)", "", cell))  # notes in brackets and before a colon are prose
        listed |= {f"{topic}/{piece.strip()}" for piece in pieces if re.fullmatch(r"[a-z_]+", piece.strip())}
    assert listed == {exercise.id for exercise in load_catalog().exercises}

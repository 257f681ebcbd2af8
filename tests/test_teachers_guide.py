"""docs/teachers.md is exercised: every `torchdojo` command in it parses with the real command line, its
roster example reads, its screenshot exists, and its short version (build → submissions → grade-batch with
a roster, a Canvas export, a report and feedback) runs for real on a two-student class.
(The nbgrader commands of the guide run in tests/test_nbgrader_e2e.py; the install lines in .ci/run.)"""

from __future__ import annotations

import copy
import csv
import json
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from torchdojo.cli import build_parser
from torchdojo.core.catalog import load_catalog
from torchdojo.teacher.exports import class_table, load_roster, write_export

GUIDE = ROOT / "docs" / "teachers.md"


def shell_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def commands(program: str) -> list[str]:
    found = []
    for block in shell_blocks():
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #")[0].strip()
            if line.startswith("cd ") and "&&" in line:
                line = line.split("&&", 1)[1].strip()
            if line.startswith(program + " "):
                found.append(line)
    return found


def test_the_guide_installs_from_what_exists() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    install = [line for block in shell_blocks() for line in block.splitlines() if line.startswith("pip install")]
    assert install and all('-e "./torchdojo[teacher]"' in line or '.whl[teacher]"' in line for line in install), install
    assert "pip wheel --no-deps -w dist ./torchdojo" in text


@pytest.mark.parametrize("line", commands("torchdojo"))
def test_every_torchdojo_command_in_the_guide_parses(line: str) -> None:
    argv = shlex.split(line.replace("~", "/tmp/home"))[1:]
    if argv == ["--version"]:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args(argv)
        assert done.value.code == 0
        return
    args = build_parser().parse_args(argv)
    assert args.handler is not None


def test_the_guide_covers_every_output_option() -> None:
    used = " ".join(commands("torchdojo"))
    for option in (
        "--out",
        "--roster",
        "--export wide:",
        "--export canvas:",
        "--export moodle:",
        "--to-gradebook",
        "--report",
        "--threshold",
        "--feedback",
        "--release",
    ):
        assert option in used, option


def roster_example() -> str:
    return re.search(r"```csv\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S).group(1)  # type: ignore[union-attr]  # the guide has the block: the test fails loudly if not


def test_the_roster_example_reads_and_exports(tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(roster_example(), encoding="utf-8")
    entries = load_roster(tmp_path / "roster.csv")
    assert [e.folder for e in entries] == ["alice", "bob"] and entries[0].sis_login_id == "aliddell"
    write_export("canvas", class_table([], load_catalog(), entries), tmp_path / "canvas.csv")
    with (tmp_path / "canvas.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[2][:5] == ["Liddell, Alice", "1001", "S1001", "aliddell", "Section A"]


def test_the_screenshot_is_there() -> None:
    for picture in re.findall(r"\]\((screenshots/[^)]+)\)", GUIDE.read_text(encoding="utf-8")):
        assert (GUIDE.parent / picture).is_file(), picture


def test_the_short_version_runs(tmp_path: Path) -> None:
    """The guide's first block, on a course of one topic, with alice (the reference) and bob (the stub) handing in."""
    home = tmp_path / "home"
    block = shell_blocks()[0]
    lines = [line.split(" #")[0].strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    build = next(line for line in lines if line.startswith("torchdojo course build"))
    grade = next(line for line in lines if line.startswith("torchdojo grade-batch"))
    home.mkdir()
    done = run_cli(*shlex.split(build.replace("~", str(home)))[1:], cwd=home)
    assert done.returncode == 0, done.stderr
    course = home / "course"
    exercise = next(e for e in load_catalog().exercises if (course / "source" / e.topic / f"{e.name}.ipynb").is_file())
    source = json.loads((course / "source" / exercise.topic / f"{exercise.name}.ipynb").read_text(encoding="utf-8"))
    for student in ("alice", "bob"):  # as `nbgrader collect` leaves them
        notebook = copy.deepcopy(source)
        if student == "bob":
            solution = next(c for c in notebook["cells"] if c["metadata"].get("nbgrader", {}).get("solution"))
            solution["source"] = (ROOT / "exercises" / exercise.file).read_text(encoding="utf-8")
        target = course / "submitted" / student / exercise.topic / f"{exercise.name}.ipynb"
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(notebook), encoding="utf-8")
    (home / "roster.csv").write_text(roster_example(), encoding="utf-8")
    done = run_cli(*shlex.split(grade.replace("~", str(home)))[1:], "--jobs", "2", cwd=home, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    with (home / "canvas.csv").open(encoding="utf-8", newline="") as handle:
        canvas = {row[0]: row for row in csv.reader(handle)}
    full = exercise.max_score - sum(c.points for c in exercise.checks if c.needs_gpu)
    assert canvas["Liddell, Alice"][5] == str(full) and canvas["Stone, Bob"][5] == "0"
    assert (home / "report.html").is_file() and (home / "feedback-pages" / "bob.md").is_file()

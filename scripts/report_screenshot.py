#!/usr/bin/env python3
"""Render a grade-batch class report (or any page it writes) in headless Chromium, for the docs.

    python scripts/report_screenshot.py                      # the docs picture: grade a demo class, then shoot
    python scripts/report_screenshot.py --report out/report.html --png shot.png [--dom dom.html]

With no --report, it builds a demo class of eight students from the project's own
fixtures (the reference solution, the untouched stub, and the known-wrong files of
tests/fixtures/) for two exercises, runs the real `torchdojo grade-batch ... --report`
on it, and writes docs/screenshots/class-report.png.

Chromium runs offline and throwaway: Debian's `chromium` package
(`apt-get install -y chromium`), a new empty profile in a temporary folder that is
removed afterwards, no background networking, no component updates, bounded by a
timeout. --dom also saves the DOM Chromium built from the page.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_PNG = ROOT / "docs" / "screenshots" / "class-report.png"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        sys.exit("chromium is not installed: apt-get install -y chromium")
    return found


def run_chromium(page: Path, *action: str, timeout: float) -> subprocess.CompletedProcess[bytes]:
    with tempfile.TemporaryDirectory(prefix="torchdojo-chromium-") as profile:
        return subprocess.run(
            [chromium(), *FLAGS, f"--user-data-dir={profile}", *action, page.resolve().as_uri()], capture_output=True, timeout=timeout, cwd=profile
        )


def shoot(page: Path, png: Path, dom: Path | None = None, width: int = 1100, height: int = 2400, timeout: float = 60) -> None:
    png.parent.mkdir(parents=True, exist_ok=True)
    done = run_chromium(page, f"--window-size={width},{height}", f"--screenshot={png.resolve()}", timeout=timeout)
    if not png.is_file():
        sys.exit(f"chromium wrote no screenshot (exit {done.returncode}):\n{done.stderr.decode(errors='replace')[-2000:]}")
    if dom is not None:
        done = run_chromium(page, "--dump-dom", timeout=timeout)
        if done.returncode != 0 or not done.stdout:
            sys.exit(f"chromium could not dump the DOM (exit {done.returncode})")
        dom.write_bytes(done.stdout)


def demo_class(folder: Path) -> Path:
    """Eight students, two exercises of the first topic, from solutions, stubs and fixtures."""
    sys.path.insert(0, str(ROOT))
    from torchdojo.core.catalog import load_catalog

    catalog = load_catalog()
    chosen = [e for e in catalog.exercises if e.topic == catalog.exercises[0].topic][:2]
    students = ["ana", "bo", "chen", "dara", "eli", "fatima", "gus", "hana"]
    for exercise in chosen:
        fixtures = sorted((ROOT / "tests" / "fixtures" / exercise.topic / exercise.name).glob("wrong_*.py"))
        sources = [ROOT / "solutions" / exercise.file, ROOT / "solutions" / exercise.file, *fixtures, ROOT / "exercises" / exercise.file]
        for index, student in enumerate(students):
            if (index + len(exercise.name)) % 7 == 6:
                continue  # now and then, nothing handed in
            target = folder / student / "exercises" / exercise.file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sources[index % len(sources)], target)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--report", type=Path, help="an existing page (default: grade a demo class and use its report)")
    parser.add_argument("--png", type=Path, default=DOCS_PNG, help=f"screenshot to write (default {DOCS_PNG.relative_to(ROOT)})")
    parser.add_argument("--dom", type=Path, help="also save the DOM Chromium built")
    parser.add_argument("--height", type=int, default=2400)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds Chromium may take")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="torchdojo-demo-class-") as work:
        report = args.report
        if report is None:
            classroom = demo_class(Path(work) / "class")
            report = Path(work) / "report.html"
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "torchdojo",
                    "grade-batch",
                    str(classroom),
                    "--out",
                    str(Path(work) / "grades.csv"),
                    "--report",
                    str(report),
                    "--timeout",
                    "60",
                ],
                cwd=ROOT,
                timeout=900,
            )
            if done.returncode != 0:
                return done.returncode
        shoot(report, args.png, args.dom, height=args.height, timeout=args.timeout)
    print(f"wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

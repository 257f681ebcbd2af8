"""Time to the app's first screen, against a minimal Textual app (Header, Static, Footer).

Target (issue 13): the app's first screen within 1.3x the minimal app, measured in the same
run (interleaved). The app starts headless with a sample record; the clock stops when the
dashboard, with its real figures, has been composed and painted once (the child prints a line
then: Textual's Ready event, the same for both apps). `python -c "import textual"` is shown too, for scale. The validated question bank is
cached per user (like .pyc files); the first start after a bank change, without that cache,
is reported separately.

    python benchmarks/app_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

APP = """
import sys
from pathlib import Path
from torchdojo.quizzes.app import TorchDojoApp

class Timed(TorchDojoApp):
    def on_ready(self):  # Textual: the first frame has been displayed
        print("first-screen", flush=True)
        self.exit()

Timed(progress_path=Path(sys.argv[1])).run(headless=True, size=(110, 36))
print("torch loaded:", "torch" in sys.modules, flush=True)
"""


MINIMAL = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

    def on_ready(self):  # Textual: the first frame has been displayed
        print("first-screen", flush=True)
        self.exit()

Minimal().run(headless=True, size=(110, 36))
"""


def measure(argv: list[str], marker: str | None, env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Seconds until `marker` is printed (or the process ends) and peak RSS in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    seen = None
    output = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if marker and seen is None and line.startswith(marker):
            seen = time.perf_counter() - started
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = seen if seen is not None else time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{argv} failed: {''.join(output)}")
    return elapsed, usage.ru_maxrss // 1024, "".join(output)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.app_fixtures.make_progress import write_sample

    with tempfile.TemporaryDirectory() as folder:
        record = write_sample(Path(folder) / "progress.json")
        cache = {"XDG_CACHE_HOME": str(Path(folder) / "cache")}
        uncached, _, _ = measure([sys.executable, "-c", APP, str(record)], "first-screen", cache)  # fills the cache
        base_t, app_t, app_m, min_t, min_m = [], [], [], [], []
        output = ""
        for _ in range(args.runs):  # interleaved, so load on the machine hits all alike
            base_t.append(measure([sys.executable, "-c", "import textual"], None)[0])
            seconds, mib, _ = measure([sys.executable, "-c", MINIMAL], "first-screen")
            min_t.append(seconds)
            min_m.append(mib)
            seconds, mib, output = measure([sys.executable, "-c", APP, str(record)], "first-screen", cache)
            app_t.append(seconds)
            app_m.append(mib)

    def med(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    bt, mt, at, mm, am = med(base_t), med(min_t), med(app_t), med(min_m), med(app_m)
    print(f"median of {args.runs} runs, {os.cpu_count()} cores")
    print(f"  python -c 'import textual':           {bt * 1000:7.0f} ms")
    print(f"  reference: a minimal Textual app:     {mt * 1000:7.0f} ms  {mm:4d} MiB peak RSS")
    print(f"  torchdojo app, first screen:          {at * 1000:7.0f} ms  {am:4d} MiB peak RSS   {at / mt:.2f}x the minimal app (target <= 1.3x)")
    print(f"  first start after a bank change (no cache, one run): {uncached * 1000:.0f} ms")
    print("  " + output.strip().splitlines()[-1])
    ok = at / mt <= 1.3 and "torch loaded: False" in output
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

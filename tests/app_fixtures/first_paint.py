"""What a fresh app has loaded when its first screen is painted, read in a subprocess (a clean `sys.modules`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def at_first_paint(expression: str) -> str:
    """The first line the app prints from `expression` (Python, over `sys.modules`) once its first screen is ready.

    The plain bank index is made first (it exists after any full start); then every module of torchdojo,
    pydantic and fsrs is forgotten, so the app starts as a learner's `torchdojo` does."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from torchdojo.quizzes.app.state import load_bank_cached\n"
        "load_bank_cached()\n"
        "for name in [n for n in sys.modules if n.split('.')[0] in ('pydantic', 'torchdojo', 'fsrs')]: del sys.modules[name]\n"
        "from torchdojo.quizzes.app import TorchDojoApp\n"
        "class First(TorchDojoApp):\n"
        "    def on_ready(self):\n"
        f"        print({expression})\n"
        "        self.exit()\n"
        "First(progress_path=Path('missing.json')).run(headless=True, size=(80, 24))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    lines = done.stdout.strip().splitlines()
    assert lines, done.stdout + done.stderr
    return lines[0]

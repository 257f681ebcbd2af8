"""Write the README's screenshots (SVG, from Textual's own screenshot) to docs/screenshots/.

python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported

from tests.app_fixtures.make_progress import write_sample
from torchdojo.quizzes.app import TorchDojoApp
from torchdojo.quizzes.bank import load_shipped
from torchdojo.quizzes.engine import QuizSession

ROOT = Path(__file__).resolve().parent.parent

OUT = ROOT / "docs" / "screenshots"
SHOTS = {"dashboard": [], "quiz": ["2"], "exercises": ["e"], "progress": ["p"]}


async def shoot(name: str, keys: list[str], lang: str, folder: Path) -> None:
    quiz = QuizSession.start(load_shipped(), question_ids=["history-03", "quickstart-23"], seed=5) if name == "quiz" else None
    app = TorchDojoApp(progress_path=write_sample(folder / f"{name}-{lang}.json", lang), lang=lang, quiz=quiz)
    async with app.run_test(size=(110, 34)) as pilot:
        await pilot.press(*keys)
        await pilot.pause()
        app.save_screenshot(filename=f"{name}-{lang}.svg", path=str(OUT))


async def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, keys in SHOTS.items():
            for lang in ("en", "zh"):
                await shoot(name, keys, lang, Path(folder))
    print(f"wrote {len(SHOTS) * 2} screenshots to {OUT}")


if __name__ == "__main__":
    asyncio.run(main())

"""Contributor tools (`torchdojo dev ...`), apart from the learner's and the teacher's commands, as rustlings keeps
`src/dev/`: they write into, and grade from, a clone of the torchdojo repository, never a learner's workspace."""

from __future__ import annotations

from pathlib import Path

from torchdojo.i18n import Text


class DevError(Exception):
    """A contributor's request that cannot be carried out: said in both languages, nothing written."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


def source_root() -> Path:
    """The repository this grader runs from: the tree `dev` commands write into."""
    root = Path(__file__).resolve().parent.parent.parent
    if not all((root / part).is_dir() for part in ("exercises", "solutions", "tests/fixtures")):
        raise DevError(
            Text(
                en=f"dev commands work in a clone of the torchdojo repository; {root} has no exercises/, solutions/ and "
                "tests/fixtures/ (an installed wheel does not ship them). Clone the repository and install it with pip install -e .",
                zh=f"dev 命令只能在 torchdojo 仓库的克隆中使用;{root} 中没有 exercises/、solutions/ 和 tests/fixtures/"
                "(安装的 wheel 不包含它们)。请克隆仓库并用 pip install -e . 安装。",
            )
        )
    return root

"""The Textual app: a thin layer over the quiz engine, the catalog and the progress record.

`TorchDojoApp` loads on first use, so `torchdojo.quizzes.app.state` (no widgets) can be imported without Textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torchdojo.quizzes.app.app import TorchDojoApp

__all__ = ["TorchDojoApp"]


def __getattr__(name: str) -> Any:
    if name == "TorchDojoApp":
        from torchdojo.quizzes.app.app import TorchDojoApp

        return TorchDojoApp
    raise AttributeError(name)

"""The Textual app: a thin layer over the quiz engine, the catalog and the progress record."""

from quizzes.app.app import TorchDojoApp

__all__ = ["TorchDojoApp"]

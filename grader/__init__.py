"""torchdojo's grader: the exercise catalog, the isolated runner and the `torchdojo` command.

This package never imports `quizzes` and never imports torch in the parent
process: torch is loaded only by the child process that runs a check.
"""

__version__ = "0.1.0"

"""The grading core: the catalog, the child process that runs the checks, and the launchers around it.

`runner` starts `python -m torchdojo.core.child` (or forks one from `warm`'s worker, or wraps it in
`sandbox`'s bubblewrap); `protocol` is what the child and the parent say to each other; `report` is
the verdict. The core never imports the learner's or the teacher's commands, the record, nor the quizzes
(import-linter's contracts in pyproject.toml).
"""

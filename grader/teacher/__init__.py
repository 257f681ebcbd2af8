"""The teacher's commands: the nbgrader course, `grade-batch` (locally or on a Dask cluster), and what they write.

Their heavy dependencies (nbgrader, dask) are extras: `pip install "torchdojo[teacher]"`.
"""

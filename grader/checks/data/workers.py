"""Worker processes for the data checks: a faked `get_worker_info()`, and a small real DataLoader run.

Why a fake: the sharding logic is a pure function of (worker id, number of workers), so every
split can be graded in-process, cheaply and for many worker counts, by setting the value that
`torch.utils.data.get_worker_info()` returns (the module global `_worker_info` that DataLoader
workers set). It works however the learner imported `get_worker_info`. One check also runs a real
`DataLoader(num_workers=2)`: forked workers work in a grading child (cold, warm and in the sandbox).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from torch.utils.data._utils import worker as _worker


@contextmanager
def as_worker(worker_id: int, num_workers: int, dataset: Any, seed: int = 0) -> Iterator[None]:
    """Inside the block, `get_worker_info()` says: worker `worker_id` of `num_workers` (as in a DataLoader worker)."""
    previous = _worker._worker_info
    _worker._worker_info = _worker.WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    try:
        yield
    finally:
        _worker._worker_info = previous


def read_as_worker(dataset: Any, worker_id: int, num_workers: int, limit: int = 1000) -> list[Any]:
    """What `iter(dataset)` yields in worker `worker_id` of `num_workers` (at most `limit` items: an endless stream stops)."""
    with as_worker(worker_id, num_workers, dataset):
        items = []
        for item in iter(dataset):
            items.append(item)
            if len(items) >= limit:
                break
        return items

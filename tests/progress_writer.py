"""A helper process for the progress fault tests: appends attempts forever (or N times),
printing each attempt number only after the store reported it saved."""

from __future__ import annotations

import sys
from pathlib import Path

from torchdojo.record.progress import ExerciseAttempt, ProgressStore, now


def main() -> None:
    path, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = ProgressStore(path, lock_timeout_s=60)
    number = 0
    while count <= 0 or number < count:
        number += 1
        attempt = ExerciseAttempt(at=now(), exercise=f"{tag}/{number}", score=1, max_score=1, checks=[], file_sha256="x" * 64)
        store.update(lambda progress, a=attempt: progress.exercise_attempts.append(a))
        print(number, flush=True)


if __name__ == "__main__":
    main()

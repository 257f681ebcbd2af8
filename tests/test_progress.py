"""The learner's record survives kills, concurrent writers, corruption, full disks and new schemas."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.record import progress as progress_module
from torchdojo.record.progress import ExerciseAttempt, ProgressError, ProgressStore, now

WRITER = [sys.executable, str(ROOT / "tests" / "progress_writer.py")]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _attempt(exercise: str, score: int = 1, max_score: int = 1) -> ExerciseAttempt:
    return ExerciseAttempt(at=now(), exercise=exercise, score=score, max_score=max_score, checks=[])


def test_missing_file_is_a_fresh_record(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.json")
    fresh = store.load()
    assert fresh.exercise_attempts == [] and fresh.schema_version == progress_module.SCHEMA_VERSION
    assert store.notices == [] and not store.path.exists()


def test_round_trip_and_status(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "deep" / "progress.json")
    store.update(lambda p: p.exercise_attempts.append(_attempt("autograd/vjp", 3, 6)))
    assert store.load().status("autograd/vjp") == "failing"
    store.update(lambda p: p.exercise_attempts.append(_attempt("autograd/vjp", 6, 6)))
    loaded = store.load()
    assert loaded.status("autograd/vjp") == "done" and loaded.ever_passed("autograd/vjp")
    assert loaded.status("autograd/no_grad") == "not started"
    assert len(loaded.exercise_attempts) == 2


def test_writer_killed_at_random_points_never_loses_a_saved_attempt(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    rng = random.Random(1234)
    saved_total = 0
    for cycle in range(int(os.environ.get("TORCHDOJO_KILL_CYCLES", "100"))):
        writer = subprocess.Popen([*WRITER, str(path), f"c{cycle}", "0"], stdout=subprocess.PIPE, text=True, env=ENV)
        assert writer.stdout is not None
        first = writer.stdout.readline()  # at least one save, then kill at a random moment
        assert first.strip() == "1"
        time.sleep(rng.uniform(0, 0.05))
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate(timeout=30)
        reported = 1 + len(rest.split())
        saved_total += reported
        on_disk = ProgressStore(path).load()  # must parse, every time
        assert len(on_disk.exercise_attempts) >= saved_total
        saved_total = len(on_disk.exercise_attempts)
        leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".progress.json.") and p.name.endswith(".tmp")]
        for leftover in leftovers:  # a temp file from a killed writer is harmless and never read
            leftover.unlink()
    assert not any(p.name.startswith("progress.json.corrupt") for p in tmp_path.iterdir())


def test_two_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    writers = [subprocess.Popen([*WRITER, str(path), tag, "40"], stdout=subprocess.DEVNULL, env=ENV) for tag in ("app", "cli")]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    exercises = {a.exercise for a in ProgressStore(path).load().exercise_attempts}
    assert exercises == {f"{tag}/{n}" for tag in ("app", "cli") for n in range(1, 41)}


def test_corrupted_file_is_moved_aside_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"schema_version": 1, "exercise_attempts": [tru', encoding="utf-8")
    store = ProgressStore(path)
    fresh = store.load()
    assert fresh.exercise_attempts == []
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("progress.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8").endswith("[tru")
    assert len(store.notices) == 1 and aside[0].name in store.notices[0].en and aside[0].name in store.notices[0].zh
    store.update(lambda p: p.exercise_attempts.append(_attempt("autograd/vjp")))
    assert len(ProgressStore(path).load().exercise_attempts) == 1


def test_file_from_the_future_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    original = json.dumps({"schema_version": 99, "whatever": True})
    path.write_text(original, encoding="utf-8")
    store = ProgressStore(path)
    with pytest.raises(ProgressError, match="newer torchdojo"):
        store.load()
    with pytest.raises(ProgressError):
        store.update(lambda p: None)
    assert path.read_text(encoding="utf-8") == original


def test_disk_full_keeps_the_old_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.update(lambda p: p.exercise_attempts.append(_attempt("autograd/vjp")))
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(progress_module.os, "fsync", no_space)
    with pytest.raises(ProgressError, match="disk is full"):
        store.update(lambda p: p.exercise_attempts.append(_attempt("autograd/no_grad")))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_file_from_an_older_schema_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    version_1 = {
        "schema_version": 1,
        "created_at": "2026-01-05T10:00:00Z",
        "exercise_attempts": [
            {"at": "2026-01-05T10:01:00Z", "exercise": "autograd/vjp", "score": 6, "max_score": 6, "checks": [], "file_sha256": "", "source": "cli"}
        ],
        "hints_shown": {"autograd/vjp": 2},
        "settings": {"lang": "zh", "theme": "dark"},
    }
    path.write_text(json.dumps(version_1), encoding="utf-8")
    store = ProgressStore(path)
    migrated = store.load()
    assert migrated.schema_version == progress_module.SCHEMA_VERSION == 3
    assert migrated.status("autograd/vjp") == "done" and migrated.hints_shown == {"autograd/vjp": 2}
    assert migrated.settings.lang == "zh" and migrated.quiz_answers == []
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == 1  # reading never rewrites
    store.update(lambda p: p.exercise_attempts.append(_attempt("autograd/no_grad")))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 3 and len(saved["exercise_attempts"]) == 2


def test_apply_returns_the_record_as_written(tmp_path: Path) -> None:
    """One read per action: the caller gets the record that was saved, equal to what a fresh read gives."""
    store = ProgressStore(tmp_path / "progress.json")
    written, result = store.apply(lambda p: p.hints_shown.__setitem__("tensors/outer", 2) or "done")
    assert result == "done"
    assert written.hints_shown == {"tensors/outer": 2}
    assert written.model_dump() == store.load().model_dump()

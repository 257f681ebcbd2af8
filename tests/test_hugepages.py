"""A warm worker packs its memory into huge pages before it forks (torchdojo.core.hugepages): which mappings
it packs, that it can be switched off, and that a rehearsed worker really holds its memory that way and still
grades as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import ROOT
from torchdojo.core import hugepages
from torchdojo.core.catalog import load_catalog
from torchdojo.core.runner import grade
from torchdojo.core.warm import WarmWorker

MAPS = """\
00400000-00423000 r--p 00000000 fd:01 1 /usr/bin/python3.11
00623000-00a24000 rw-p 00000000 00:00 0                                  [heap]
7f0000100000-7f0000900000 rw-p 00000000 00:00 0
7f0001000000-7f0001100000 rw-p 00000000 00:00 0
7f0002000000-7f0002600000 r--p 00000000 00:00 0
7f0003000000-7f0003400000 rw-s 00000000 00:05 7 /dev/shm/torch_1
7f0004000000-7f0004400000 rw-p 00000000 fd:01 2 /usr/lib/libtorch_cpu.so
7ffc00000000-7ffc00800000 rw-p 00000000 00:00 0                          [stack]
"""


def test_only_the_aligned_parts_of_writable_private_anonymous_memory_are_packed() -> None:
    """The heap and anonymous mappings, cut to whole 2 MiB pages inside them; a mapping under one huge page,
    read-only or shared memory, a file and the stack are left alone."""
    two = 2 * 2**20
    assert hugepages._anonymous_regions(MAPS) == [
        (0x800000, 0xA00000),  # the heap: 0x623000-0xa24000 holds one whole huge page
        (0x7F0000200000, 0x7F0000800000),  # 8 MiB from an odd start: the three whole huge pages in it
    ]
    assert all((end - start) % two == 0 and start % two == 0 for start, end in hugepages._anonymous_regions(MAPS))


def test_switched_off_nothing_is_packed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHDOJO_HUGE_PAGES", "0")
    assert not hugepages.wanted()
    assert hugepages.pack() == hugepages.Packed()


def test_a_rehearsed_worker_forks_from_huge_pages_and_grades_as_before() -> None:
    """Where the kernel offers transparent huge pages (as on the machines this runs on), most of a rehearsed
    worker's memory is in huge pages by the time it says it is ready; a fork from it gives full marks."""
    views = load_catalog().resolve("tensors/views")
    switch = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    release = tuple(int(part) for part in os.uname().release.split("-")[0].split(".")[:2])
    offered = switch.is_file() and "[never]" not in switch.read_text() and release >= (6, 1)  # MADV_COLLAPSE: Linux 6.1
    with WarmWorker(rehearse=[views.id]) as warm:
        assert warm.wait_ready()
        rollup = Path(f"/proc/{warm.pid}/smaps_rollup").read_text()
        huge_mb = int(next(line for line in rollup.splitlines() if line.startswith("AnonHugePages:")).split()[1]) >> 10
        report = grade(views, ROOT / "solutions" / views.file, launcher=warm)
    assert report.score == report.max_score, report
    if offered:  # elsewhere the kernel refuses, the worker forks as before, and the verdict above is what counts
        assert huge_mb >= 100, f"only {huge_mb} MB of the worker's memory in huge pages"

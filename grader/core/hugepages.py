"""Pack a warm worker's memory into huge pages, so that each fork copies and tears down far fewer page-table entries.

A warm worker (torchdojo.core.warm) holds about 350 MB once it has imported torch and rehearsed a
course, and forks once per student and exercise. A fork copies one page-table entry per 4 KiB page
the worker has touched, and its exit tears them all down again: about 13 ms of CPU per fork on a
2-core VM, 1 s per student for a 73-exercise course. Mapped as 2 MiB pages, the same memory is
512 times fewer entries: about 3 ms per fork (benchmarks/fork_cost.py measures both, in one run).

Linux only, best-effort, and nothing else changes: what a fork sees and does is the same, only how
the kernel maps it. `MADV_HUGEPAGE` marks the worker's anonymous memory (its heap, Python's arenas,
torch's tensors) as wanting huge pages, and `MADV_COLLAPSE` (Linux 6.1) packs what is already there.
Where the kernel lacks either, or transparent huge pages are off, the calls fail and are ignored:
the worker forks as it did. `TORCHDOJO_HUGE_PAGES=0` turns it off, to measure what it saves.
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

from pydantic import BaseModel

_HUGE = 2 * 2**20
_MADV_HUGEPAGE = 14
_MADV_COLLAPSE = 25
_SWITCH = Path("/sys/kernel/mm/transparent_hugepage/enabled")


class Packed(BaseModel):
    """What one packing did: the regions (2 MiB-aligned parts of anonymous mappings) the kernel packed
    whole, those it packed in part or not at all (no memory there yet, no huge page free, an old kernel),
    and the process's anonymous memory in huge pages afterwards."""

    regions: int = 0
    refused: int = 0
    huge_bytes: int = 0


def wanted() -> bool:
    """Whether to pack: on Linux, with transparent huge pages not switched off, unless TORCHDOJO_HUGE_PAGES=0."""
    if not sys.platform.startswith("linux") or os.environ.get("TORCHDOJO_HUGE_PAGES", "1") == "0":
        return False
    try:
        return "[never]" not in _SWITCH.read_text()
    except OSError:
        return False


def _anonymous_regions(maps: str) -> list[tuple[int, int]]:
    """The 2 MiB-aligned parts, at least one huge page long, of the writable private anonymous mappings
    (and the heap) in a /proc/<pid>/maps text. Files and the stack are left alone."""
    regions = []
    for line in maps.splitlines():
        fields = line.split()
        if len(fields) < 5:
            continue
        name = fields[5] if len(fields) > 5 else ""
        if name not in ("", "[heap]") or "w" not in fields[1] or "p" not in fields[1]:
            continue
        low, high = (int(bound, 16) for bound in fields[0].split("-"))
        start, end = -(-low // _HUGE) * _HUGE, high // _HUGE * _HUGE
        if end - start >= _HUGE:
            regions.append((start, end))
    return regions


def pack() -> Packed:
    """Ask the kernel to map this process's anonymous memory with huge pages, now and as it grows. Never raises."""
    packed = Packed()
    if not wanted():
        return packed
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        madvise.restype = ctypes.c_int
        maps = Path("/proc/self/maps").read_text()
    except (OSError, AttributeError):
        return packed
    for start, end in _anonymous_regions(maps):
        if madvise(start, end - start, _MADV_HUGEPAGE) != 0:
            packed.refused += 1
            continue
        if madvise(start, end - start, _MADV_COLLAPSE) == 0:
            packed.regions += 1
        else:  # EINVAL before Linux 6.1, EAGAIN/ENOMEM when no huge page is free: still marked for what comes
            packed.refused += 1
    packed.huge_bytes = huge_bytes()
    return packed


def huge_bytes() -> int:
    """This process's anonymous memory mapped with huge pages now (0 where the kernel does not say)."""
    try:
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            if line.startswith("AnonHugePages:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0

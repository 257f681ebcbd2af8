"""Many machine words of this process's own memory, read in one system call, without touching the objects they are in.

A grading run checks, after every check, that nothing it relies on changed: thousands of names in the grading modules'
namespaces (`torchdojo.core.child.Watch`). Reading them in Python touches every object (a reference count goes up and
down), and in a fork of a warm worker the first touch of each page copies it: about 1,000 page copies and 10 ms of
every fork, for an answer that is nearly always "no change". The same answer can be read from one word per namespace,
without writing to anything: a dict's version (CPython's `ma_version_tag`, PEP 509), which changes whenever the dict
does.

`Words` reads a fixed list of such addresses with `process_vm_readv` on this process (one call per 1,024 words). A
snapshot keeps the bytes it read when it was made; when a later read gives the same bytes, nothing watched changed.
When it does not, the caller compares object by object as before, so the answer never rests on this alone.

`layout()` finds where those words are in this interpreter's objects and proves it on objects of its own before
anything relies on it (None where it cannot: another Python, another layout, a kernel without the call).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_IOV_MAX = 1024
WORD = ctypes.sizeof(ctypes.c_void_p)
"""Bytes in a word: a pointer, a version."""


class _Iovec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]


@dataclass(frozen=True)
class Layout:
    """Byte offsets, in this interpreter's objects, of the words `Words` reads."""

    dict_version: int  # PyDictObject.ma_version_tag
    object_type: int  # PyObject.ob_type: a word whose value is known, to prove the reading itself

    def of_dict(self, namespace: dict) -> int:
        return id(namespace) + self.dict_version

    def of_type(self, obj: object) -> int:
        return id(obj) + self.object_type


class Words:
    """The words at `addresses` in this process, read together: `read()` returns them as bytes, in order.

    Made where it is used, and before learner code runs: its buffers and its pointers are ctypes objects, which plain
    Python code can change, so a grading run keeps its own (`GradingPlugin`), out of learner code's reach."""

    def __init__(self, addresses: Sequence[int]) -> None:
        self._count = len(addresses)
        self._buffer = ctypes.create_string_buffer(max(self._count, 1) * WORD)
        self._calls: list[tuple[ctypes.Array, ctypes.Array, int]] = []
        for start in range(0, self._count, _IOV_MAX):
            chunk = addresses[start : start + _IOV_MAX]
            remote = (_Iovec * len(chunk))(*[_Iovec(address, WORD) for address in chunk])
            local = (_Iovec * 1)(_Iovec(ctypes.addressof(self._buffer) + start * WORD, len(chunk) * WORD))
            self._calls.append((local, remote, len(chunk)))
        self._pid = os.getpid()  # this process's: a fork makes its own
        self._call = _process_vm_readv()  # a function pointer of its own: its argument types are its alone

    def read(self) -> bytes | None:
        """The words now (None if the kernel would not read them all: the caller compares the slow way)."""
        pid = self._pid
        for local, remote, count in self._calls:
            if self._call(pid, local, 1, remote, count, 0) != count * WORD:
                return None
        return self._buffer.raw[: self._count * WORD]


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _process_vm_readv() -> Any:
    """A new pointer to the C library's `process_vm_readv` (the library is opened once per process; each pointer is
    made with its argument types and is not shared, so nothing another caller does to one changes another)."""
    prototype = ctypes.CFUNCTYPE(
        ctypes.c_ssize_t, ctypes.c_int, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, use_errno=True
    )
    return prototype(("process_vm_readv", _libc()))


@functools.cache
def layout() -> Layout | None:
    """This interpreter's `Layout`, proven on objects made here; None where it does not hold (or cannot be read)."""
    if sys.implementation.name != "cpython" or os.environ.get("TORCHDOJO_NAMESPACE_VERSIONS", "1") == "0":
        return None  # TORCHDOJO_NAMESPACE_VERSIONS=0: compare name by name (to measure what this saves, or to rule it out)
    head = object.__basicsize__  # ob_refcnt, ob_type
    found = Layout(dict_version=head + WORD, object_type=WORD)
    try:
        return found if _proven(found) else None
    except (OSError, AttributeError, ValueError):
        return None


def _proven(found: Layout) -> bool:
    """Every word means what `found` says, on objects made here, and a dict's version changes with each kind of change."""

    def words(*addresses: int) -> list[int]:
        raw = Words(list(addresses)).read()
        if raw is None:
            raise OSError("process_vm_readv read less than asked")
        return [int.from_bytes(raw[i : i + WORD], sys.byteorder) for i in range(0, len(raw), WORD)]

    module = types.ModuleType("probe")
    if words(found.of_type(module)) != [id(types.ModuleType)]:
        return False
    namespace: dict[str, object] = {}
    for target, change in (
        (namespace, lambda: namespace.__setitem__("a", 1)),
        (namespace, lambda: namespace.__setitem__("a", 2)),
        (namespace, lambda: namespace.update(b=1)),
        (namespace, lambda: namespace.setdefault("c", 1)),
        (namespace, lambda: namespace.pop("b")),
        (namespace, lambda: namespace.__delitem__("a")),
        (namespace, lambda: namespace.clear()),
        (vars(module), lambda: setattr(module, "x", 1)),
    ):
        before = words(found.of_dict(target))[0]
        change()
        if words(found.of_dict(target))[0] == before:
            return False
    kind = type("Probe", (), {})
    proxied = namespace_dict(vars(kind))
    if proxied is None:
        return False
    before = words(found.of_dict(proxied))[0]
    kind.attribute = 1  # type: ignore[attr-defined]
    return words(found.of_dict(proxied))[0] != before


def namespace_dict(namespace: object) -> dict | None:
    """The dict behind a namespace the watch holds: a module's `vars()` is one; a class's is a mappingproxy of one."""
    if type(namespace) is dict:
        return namespace
    if type(namespace) is types.MappingProxyType:
        import gc

        inner = [referent for referent in gc.get_referents(namespace) if isinstance(referent, dict)]  # ctypes' are a subclass
        return inner[0] if len(inner) == 1 else None
    return None

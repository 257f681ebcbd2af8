"""Many machine words of this process's own memory, read at once, without touching the objects they are in.

A grading run checks, after every check, that nothing it relies on changed: thousands of names in the grading modules'
namespaces (`torchdojo.core.watch.Watch`) and the class of every loaded module. Reading them in Python touches every
object (a reference count goes up and down), and in a fork of a warm worker the first touch of each page copies it:
thousands of page copies and 10-20 ms of every fork, for an answer that is nearly always "no change". The same answer
can be read from one word per object, without writing to anything: a dict's version (CPython's `ma_version_tag`,
PEP 509), which changes whenever the dict does, and an object's class pointer.

`Words` reads a fixed list of such addresses as one NumPy gather from a read-only view of the process's memory (a few
microseconds for thousands of words). Not with `process_vm_readv`, which needs no such view: the kernel pins each page
it reads, and pinning a page a fork shares with its worker copies it (Linux >= 5.19), which is the very cost this saves.
Every address is a word of an object the caller keeps alive, so every read is of mapped memory.

A snapshot keeps the bytes it read when it was made; when a later read gives the same bytes, nothing watched changed.
When it does not, the caller compares object by object as before, so the answer never rests on this alone. The list
itself is a `Plan`, immutable bytes made once (in a warm worker, before it forks): a fork makes only its own view.

`layout()` finds where those words are in this interpreter's objects and proves it on objects of its own before
anything relies on it (None where it cannot: another Python, another layout, no NumPy).
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass

WORD = ctypes.sizeof(ctypes.c_void_p)
"""Bytes in a word: a pointer, a version."""


@dataclass(frozen=True)
class Layout:
    """Byte offsets, in this interpreter's objects, of the words `Words` reads."""

    dict_version: int  # PyDictObject.ma_version_tag
    object_type: int  # PyObject.ob_type: a word whose value is known, to prove the reading itself
    function_parts: tuple[int, int, int]  # PyFunctionObject.func_code, func_defaults, func_kwdefaults
    cell_contents: int  # PyCellObject.ob_ref

    def of_dict(self, namespace: dict) -> int:
        return id(namespace) + self.dict_version

    def of_type(self, obj: object) -> int:
        return id(obj) + self.object_type

    def of_function(self, function: types.FunctionType) -> tuple[int, int, int]:
        """Where its `__code__`, `__defaults__` and `__kwdefaults__` are (NULL for a None)."""
        code, defaults, kwdefaults = self.function_parts
        return id(function) + code, id(function) + defaults, id(function) + kwdefaults

    def of_cell(self, cell: types.CellType) -> int:
        return id(cell) + self.cell_contents


@dataclass(frozen=True)
class Plan:
    """Where `Words` reads: `count` words, at `base` plus each of `offsets` words (native `intp`s, packed). Plain bytes,
    which no Python code can change: made once and shared by a warm worker's forks without copying a page of it
    (unpacking a tuple of addresses would touch each of them)."""

    count: int
    base: int
    span: int  # words from `base` to the last one read
    offsets: bytes

    @classmethod
    def of(cls, addresses: Sequence[int]) -> Plan:
        if any(address % WORD for address in addresses):
            raise ValueError("words are read at word-aligned addresses")
        if not addresses:
            return cls(0, 0, 0, b"")
        import numpy

        base = min(addresses)
        offsets = numpy.array([(address - base) // WORD for address in addresses], dtype=numpy.intp)
        return cls(len(addresses), base, int(offsets.max()) + 1, offsets.tobytes())


class Words:
    """The words a `Plan` (or a list of addresses) names in this process, read together: `read()` returns them as
    bytes, in order.

    Made where it is used, and before learner code runs: its view reaches all of the process's memory between the
    words it reads, so a grading run keeps its own (`GradingPlugin`), out of learner code's reach, and the view is
    read-only."""

    def __init__(self, addresses: Sequence[int] | Plan) -> None:
        import numpy

        plan = addresses if isinstance(addresses, Plan) else Plan.of(addresses)
        self._count = plan.count
        if plan.count:
            memory = memoryview((ctypes.c_char * (plan.span * WORD)).from_address(plan.base)).cast("B").toreadonly()
            self._memory = numpy.frombuffer(memory, dtype=numpy.uint64)
            self._offsets = numpy.frombuffer(plan.offsets, dtype=numpy.intp)

    def read(self) -> bytes:
        """The words now."""
        if not self._count:
            return b""
        return self._memory[self._offsets].tobytes()


@functools.cache
def layout() -> Layout | None:
    """This interpreter's `Layout`, proven on objects made here; None where it does not hold (or cannot be read)."""
    if sys.implementation.name != "cpython" or os.environ.get("TORCHDOJO_NAMESPACE_VERSIONS", "1") == "0":
        return None  # TORCHDOJO_NAMESPACE_VERSIONS=0: compare name by name (to measure what this saves, or to rule it out)
    head = object.__basicsize__  # ob_refcnt, ob_type
    try:
        found = Layout(dict_version=head + WORD, object_type=WORD, function_parts=_function_parts(), cell_contents=head)
        return found if _proven(found) else None
    except (ImportError, AttributeError, ValueError):
        return None


def _probe_function(a: object = 1, *, b: object = 2) -> object:
    return a, b


def _function_parts() -> tuple[int, int, int]:
    """Where a function's code, defaults and keyword defaults are: found on a function of this module's (each once,
    among its first words; `_proven` then changes each and reads it again)."""
    probe = types.FunctionType(_probe_function.__code__, {}, "probe", (1,), None)
    probe.__kwdefaults__ = {"b": 2}
    size = type(probe).__basicsize__ // WORD
    read = Words([id(probe) + WORD * at for at in range(size)]).read()
    found = [int.from_bytes(read[at * WORD : (at + 1) * WORD], sys.byteorder) for at in range(size)]
    offsets = []
    for part in (probe.__code__, probe.__defaults__, probe.__kwdefaults__):
        if found.count(id(part)) != 1:
            raise ValueError("a function's parts are not where this layout looks")
        offsets.append(found.index(id(part)) * WORD)
    return offsets[0], offsets[1], offsets[2]


def _proven(found: Layout) -> bool:
    """Every word means what `found` says, on objects made here, and a dict's version changes with each kind of change."""

    def words(*addresses: int) -> list[int]:
        raw = Words(list(addresses)).read()
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
    if words(found.of_dict(proxied))[0] == before:
        return False
    function = types.FunctionType(_probe_function.__code__, {}, "probe", (1,), None)
    if words(*found.of_function(function)) != [id(function.__code__), id(function.__defaults__), 0]:  # no keyword defaults: NULL
        return False
    function.__code__ = _function_parts.__code__
    function.__defaults__ = (3,)
    function.__kwdefaults__ = {"b": 4}
    if words(*found.of_function(function)) != [id(function.__code__), id(function.__defaults__), id(function.__kwdefaults__)]:
        return False
    cell = types.CellType()
    if words(found.of_cell(cell)) != [0]:  # empty: NULL
        return False
    cell.cell_contents = kind
    return words(found.of_cell(cell)) == [id(kind)]


def namespace_dict(namespace: object) -> dict | None:
    """The dict behind a namespace the watch holds: a module's `vars()` is one; a class's is a mappingproxy of one."""
    if type(namespace) is dict:
        return namespace
    if type(namespace) is types.MappingProxyType:
        import gc

        inner = [referent for referent in gc.get_referents(namespace) if isinstance(referent, dict)]  # ctypes' are a subclass
        return inner[0] if len(inner) == 1 else None
    return None

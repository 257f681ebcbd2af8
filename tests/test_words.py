"""Reading namespaces' versions and other words of this process's memory (torchdojo.core.words), and the watch's
fast path built on them: the same answers as comparing name by name, without touching the objects."""

from __future__ import annotations

import os
import types
import typing

import pytest

from torchdojo.core import words
from torchdojo.core.watch import Watch, changed_in


def _word(reader: words.Words, index: int = 0) -> bytes:
    read = reader.read()
    assert read is not None
    return read[index * words.WORD : (index + 1) * words.WORD]


def test_this_interpreters_layout_is_proven() -> None:
    """CI's CPython has versions to read; `layout` checks each word on objects of its own before anything uses it."""
    layout = words.layout()
    assert layout is not None
    module = types.ModuleType("m")
    type_word = _word(words.Words([layout.of_type(module)]))
    assert int.from_bytes(type_word, "little") == id(types.ModuleType)


def test_a_dicts_version_moves_with_every_change_and_only_then() -> None:
    layout = words.layout()
    assert layout is not None
    namespace: dict[str, object] = {"kept": 1}
    reader = words.Words([layout.of_dict(namespace)])
    before = _word(reader)
    assert _word(reader) == before  # reading changes nothing
    namespace["kept"] = 1  # the same object again: not a change
    assert _word(reader) == before
    namespace["kept"] = 2
    assert _word(reader) != before


def test_a_class_namespace_is_read_through_its_mappingproxy() -> None:
    layout = words.layout()
    kind = type("Kind", (), {"a": 1})
    inner = words.namespace_dict(vars(kind))
    assert inner is not None and inner["a"] == 1
    reader = words.Words([layout.of_dict(inner)])  # type: ignore[union-attr]
    before = _word(reader)
    kind.a = 2  # type: ignore[attr-defined]
    assert _word(reader) != before


def test_a_fork_reads_its_own_memory() -> None:
    """A reader made in the fork reads the fork's copy of the namespace, not the worker's."""
    layout = words.layout()
    namespace: dict[str, object] = {"a": 1}
    address = layout.of_dict(namespace)  # type: ignore[union-attr]
    parent_before = _word(words.Words([address]))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            reader = words.Words([address])
            before = _word(reader)
            namespace["a"] = 2
            os.write(write_end, b"moved" if _word(reader) != before else b"still")
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 16)
    os.close(read_end)
    os.waitpid(pid, 0)
    assert answer == b"moved" and _word(words.Words([address])) == parent_before


@pytest.mark.parametrize("fast", [True, False])
def test_the_watch_answers_the_same_with_and_without_versions(fast: bool) -> None:
    """Rebinding, adding and removing names in a watched module and class are found either way."""
    module = types.ModuleType("watched")
    kind = type("Watched", (), {"method": lambda self: 1, "value": 3})
    original = module.function = lambda: 1  # type: ignore[attr-defined]
    module.Watched = kind  # type: ignore[attr-defined]
    watch = Watch({})
    watch.add("watched", vars(module), everything=True, closed=True)
    watch.add("watched.Watched", vars(kind), everything=True, closed=True)
    snapshot = watch.snapshot()
    # each namespace's version, for its names and for what may be added (2 + 2), and each function's four words
    assert snapshot.versions is not None and snapshot.versions.count == 2 + 2 + 4 * len(snapshot.functions)

    def changed() -> list[str]:
        return changed_in(snapshot, snapshot.reader() if fast else None)

    assert changed() == []
    module.function = lambda: 2  # type: ignore[attr-defined]
    assert changed() == ["watched.function"]
    del module.function  # type: ignore[attr-defined]
    assert changed() == ["watched.function"]
    module.function = original  # type: ignore[attr-defined]  # back as it was
    assert changed() == []
    kind.value = 4  # type: ignore[attr-defined]
    kind.__bool__ = lambda self: False  # type: ignore[attr-defined]
    assert sorted(changed()) == ["watched.Watched.__bool__", "watched.Watched.value"]


def test_a_namespace_that_changed_before_the_snapshot_is_compared_every_time() -> None:
    """Its names no longer held when the versions were read: its expected word is all ones, which no word read is."""
    module = types.ModuleType("early")
    module.f = len  # type: ignore[attr-defined]
    watch = Watch({})
    watch.add("early", vars(module), everything=True, closed=False)
    module.f = abs  # type: ignore[attr-defined]  # after the watch took its values, before the snapshot
    snapshot = watch.snapshot()
    assert snapshot.expected == b"\xff" * words.WORD
    assert changed_in(snapshot, snapshot.reader()) == ["early.f"]


@pytest.mark.parametrize("fast", [True, False])
def test_a_functions_code_defaults_and_closure_are_read_as_words_too(fast: bool) -> None:
    """A function kept in place but given other code, defaults or keyword defaults, and a closure cell given other
    contents, are found either way: with versions, each is a word of its own, read without touching the function."""

    def make() -> types.FunctionType:
        kept = [1]

        def inner(a: int = 1, *, b: int = 2) -> int:
            return a + b + kept[0]

        return inner  # type: ignore[return-value]

    def other() -> types.FunctionType:
        kept = [1]

        def inner(a: int = 1, *, b: int = 2) -> int:
            return a - b - kept[0]

        return inner  # type: ignore[return-value]

    module = types.ModuleType("functions")
    module.inner = make()  # type: ignore[attr-defined]
    watch = Watch({})
    watch.add("functions", vars(module), everything=False, closed=False)
    snapshot = watch.snapshot()
    assert len(snapshot.functions) == 1 and len(snapshot.cells) == 1

    def changed() -> list[str]:
        return changed_in(snapshot, snapshot.reader() if fast else None)

    function, cell = module.inner, snapshot.cells[0][1]  # type: ignore[attr-defined]
    assert changed() == []
    for change, undo in (
        (lambda: setattr(function, "__code__", other().__code__), lambda code=function.__code__: setattr(function, "__code__", code)),
        (lambda: setattr(function, "__defaults__", (5,)), lambda: setattr(function, "__defaults__", (1,))),
        (lambda: setattr(function, "__kwdefaults__", {"b": 5}), lambda kw=function.__kwdefaults__: setattr(function, "__kwdefaults__", kw)),
    ):
        change()
        assert changed() == ["functions.inner"]
        undo()
    assert changed() == []
    original = cell.cell_contents
    cell.cell_contents = [2]
    assert changed() == ["functions.inner"]
    cell.cell_contents = original
    assert changed() == []


def test_loaded_modules_are_read_without_touching_them_and_a_class_change_is_found() -> None:
    """`LoadedModules` keeps what is loaded: it still holds until something is imported, and a module given another
    class is named. In a fork, reading it copies almost none of the pages the modules are on."""
    import resource
    import sys

    from torchdojo.core import watch

    loaded = watch.loaded_modules()
    assert loaded.words is not None and watch.still_loaded(loaded)
    changed = watch.module_kinds(loaded)
    assert changed() == []
    probe = types.ModuleType("torchdojo_probe_module")
    loaded_now = watch.loaded_modules()
    sys.modules["torchdojo_probe_module"] = probe
    try:
        assert not watch.still_loaded(loaded_now)  # sys.modules moved: made again by whoever needs it
        with_probe = watch.loaded_modules()
        probe.__class__ = type("Other", (types.ModuleType,), {})
        assert watch.module_kinds(with_probe)() == ["torchdojo_probe_module.__class__"]
        probe.__class__ = types.ModuleType
        assert watch.module_kinds(with_probe)() == []
    finally:
        del sys.modules["torchdojo_probe_module"]

    loaded = watch.loaded_modules()
    changed = watch.module_kinds(loaded)

    def in_a_fork(work: typing.Callable[[], bool]) -> tuple[bool, int]:
        """What `work` answers in a fork of this process, and the page faults it cost there."""
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                answer = work()
                faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
                os.write(write_end, f"{answer} {faults}".encode())
            finally:
                os._exit(0)
        os.close(write_end)
        answer, faults = os.read(read_end, 64).decode().split()
        os.close(read_end)
        os.waitpid(pid, 0)
        return answer == "True", int(faults)

    held, read = in_a_fork(lambda: watch.still_loaded(loaded) and changed() == [])
    same, looked = in_a_fork(lambda: all(type(module) is kind for module, kind in zip(loaded.modules, loaded.kinds, strict=True)))
    assert held and same
    assert read * 3 < looked, (read, looked, len(loaded.modules))  # about 100 against 750 for 1,300 modules

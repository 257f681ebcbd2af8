"""Reading namespaces' versions and other words of this process's memory (torchdojo.core.words), and the watch's
fast path built on them: the same answers as comparing name by name, without touching the objects."""

from __future__ import annotations

import os
import types

import pytest

from torchdojo.core import words
from torchdojo.core.child import Watch, changed_in


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
    assert snapshot.versions  # both namespaces' versions are read

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
    """Its names no longer held when the versions were read: its expected word is zero, which no version is."""
    module = types.ModuleType("early")
    module.f = len  # type: ignore[attr-defined]
    watch = Watch({})
    watch.add("early", vars(module), everything=True, closed=False)
    module.f = abs  # type: ignore[attr-defined]  # after the watch took its values, before the snapshot
    snapshot = watch.snapshot()
    assert snapshot.expected == bytes(words.WORD)
    assert changed_in(snapshot, snapshot.reader()) == ["early.f"]

"""The catalog is the single source of truth: it must match the files and the checks exactly."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import ROOT
from torchdojo.core.catalog import CatalogError, UnknownExercise, load_catalog


def test_catalog_files_exist_in_exercises_and_solutions(catalog) -> None:
    for exercise in catalog.exercises:
        assert (ROOT / "exercises" / exercise.file).is_file(), exercise.file
        assert (ROOT / "solutions" / exercise.file).is_file(), exercise.file
        assert exercise.check_module.is_file(), exercise.check_module


def test_every_file_is_in_the_catalog(catalog) -> None:
    listed = {e.file for e in catalog.exercises}
    on_disk = {str(p.relative_to(ROOT / "exercises")) for p in (ROOT / "exercises").glob("*/*.py")}
    assert on_disk == listed


def test_checks_match_test_functions(catalog) -> None:
    for exercise in catalog.exercises:
        tree = ast.parse(exercise.check_module.read_text(encoding="utf-8"))
        functions = {n.name.removeprefix("test_") for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")}
        assert functions == {c.name for c in exercise.checks}, exercise.id


def test_stubs_and_solutions_share_public_names(catalog) -> None:
    def public(path):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")}

    for exercise in catalog.exercises:
        assert public(ROOT / "exercises" / exercise.file) == public(ROOT / "solutions" / exercise.file), exercise.id


def test_stubs_are_bilingual_with_todos(catalog) -> None:
    for exercise in catalog.exercises:
        text = (ROOT / "exercises" / exercise.file).read_text(encoding="utf-8")
        assert "TODO" in text and "NotImplementedError" in text
        assert "EN:" in text and "中文" in text


def test_resolve_by_id_name_and_path(catalog) -> None:
    assert catalog.resolve("autograd/gradient_of").id == "autograd/gradient_of"
    assert catalog.resolve("gradient_of").id == "autograd/gradient_of"
    assert catalog.resolve("exercises/01_autograd/02_gradient_of.py").id == "autograd/gradient_of"
    with pytest.raises(UnknownExercise):
        catalog.resolve("autograd/nothing")
    assert "autograd/gradient_of" in catalog.suggestions("autograd/gradiant_of")


def test_broken_catalog_is_a_clear_error(tmp_path) -> None:
    bad = tmp_path / "catalog.toml"
    bad.write_text('format_version = 1\n[[exercises]]\nid = "Bad Id"\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="catalog"):
        load_catalog(bad)

"""The mutation-score script: its PyTorch operators make the mutants they promise, and the
equivalents file is well formed. (The score itself is measured by running the script.)"""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from pathlib import Path

import pytest

from torchdojo.core.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
SPEC = importlib.util.spec_from_file_location("mutation_score", ROOT / "benchmarks" / "mutation_score.py")
assert SPEC and SPEC.loader
mutation_score = importlib.util.module_from_spec(SPEC)
sys.modules["mutation_score"] = mutation_score
SPEC.loader.exec_module(mutation_score)

LOOP = """
import torch

def train(loader, model, loss_fn, optimizer, device):
    model.train()
    total = 0.0
    for X, y in loader:
        X = X.to(device)
        with torch.no_grad():
            scale = X.mean(dim=1)
        loss = loss_fn(model(X) * scale.detach(), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item()
    return total / len(loader)
"""


def _mutant_sources(operator_name: str) -> list[str]:
    """The mutants an operator makes of LOOP, normalised by ast.unparse."""
    return [ast.unparse(ast.parse(m.source)) for m in mutation_score.mutants_of(LOOP) if m.operator == operator_name]


ORIGINAL = ast.unparse(ast.parse(LOOP))
ZERO_GRAD, BACKWARD, STEP = "optimizer.zero_grad()", "loss.backward()", "optimizer.step()"


@pytest.mark.parametrize(
    ("operator", "made"),
    [
        ("drop_statement", lambda s: ZERO_GRAD not in s),
        ("swap_adjacent", lambda s: s.index(STEP) < s.index(BACKWARD)),
        ("move_zero_grad_out_of_loop", lambda s: s.index(ZERO_GRAD) < s.index("for X, y in loader")),
        ("mean_sum", lambda s: "X.sum(dim=1)" in s),
        ("eval_train", lambda s: "model.eval()" in s),
        ("grad_modes", lambda s: "torch.enable_grad()" in s),
        ("unwrap_with", lambda s: "no_grad" not in s),
        ("drop_detach", lambda s: "scale, y)" in s),
        ("drop_item", lambda s: "total += loss\n" in s),
        ("change_dim", lambda s: "X.mean(dim=0)" in s),
        ("hard_code_device", lambda s: "X.to('cuda')" in s),
        ("skip_last_iteration", lambda s: "list(loader)[:-1]" in s),
        ("swallow_exceptions", lambda s: "except Exception:" in s),
        ("wrap_in_no_grad", lambda s: s.count("torch.no_grad()") == 2),
        ("data_update", lambda s: "total.data += loss.item()" in s),
        ("mutmut", lambda s: "total * len(loader)" in s),
    ],
)
def test_operator_makes_its_mutant(operator: str, made) -> None:
    sources = _mutant_sources(operator)
    assert sources, f"{operator} made no mutant"
    assert any(made(source) for source in sources), f"{operator}: no mutant of the promised kind"


def test_mutants_compile_and_differ_from_the_original() -> None:
    original = ast.dump(ast.parse(LOOP))
    mutants = mutation_score.mutants_of(LOOP)
    assert len(mutants) > 30
    assert all(ast.dump(ast.parse(m.source)) != original for m in mutants)
    assert len({m.key for m in mutants}) == len(mutants), "mutant keys are unique"


def test_cache_operator_returns_the_first_result_forever() -> None:
    source = "def double(x):\n    return 2 * x\n"
    (cached,) = [m for m in mutation_score.mutants_of(source) if m.operator == "cache_first_result"]
    namespace: dict = {}
    exec(cached.source, namespace)  # noqa: S102 - a mutant of the line above
    assert namespace["double"](1) == 2 and namespace["double"](5) == 2


def test_every_reference_solution_has_mutants() -> None:
    for exercise in load_catalog().exercises:
        source = (ROOT / "solutions" / exercise.file).read_text(encoding="utf-8")
        assert len(mutation_score.mutants_of(source)) >= 5, exercise.id


def test_equivalents_file_names_real_exercises_with_reasons() -> None:
    data = tomllib.loads((ROOT / "benchmarks" / "mutation_equivalents.toml").read_text(encoding="utf-8"))
    ids = {e.id for e in load_catalog().exercises}
    keys = set()
    for entry in data["equivalent"]:
        assert entry["exercise"] in ids
        assert len(entry["reason"]) > 15, entry
        operator, line, digest = entry["mutant"].split(":")
        assert line.isdigit() and len(digest) == 8
        keys.add((entry["exercise"], entry["mutant"]))
    assert len(keys) == len(data["equivalent"]), "no entry twice"


def test_every_equivalent_names_a_mutant_the_operators_still_make() -> None:
    """A mutant's key is a digest of its whole source: when a solution changes (a docstring, an import), its
    equivalents' keys change too. An entry that matches no mutant any more leaves that mutant a survivor of the
    next full run, which a sampled run (CI's) may not grade: the entry must be re-keyed, with its reason checked."""
    by_id = {e.id: e for e in load_catalog().exercises}
    made: dict[str, set[str]] = {}
    orphans = []
    for (exercise_id, key), _ in mutation_score.load_equivalents().items():
        if exercise_id not in made:
            source = (ROOT / "solutions" / by_id[exercise_id].file).read_text(encoding="utf-8")
            made[exercise_id] = {m.key for m in mutation_score.mutants_of(source)}
        if key not in made[exercise_id]:
            orphans.append(f"{exercise_id} {key}")
    assert orphans == [], orphans

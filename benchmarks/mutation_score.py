"""Mutation score: how many mutants of each reference solution the real grader catches.

    python benchmarks/mutation_score.py                      # every exercise
    python benchmarks/mutation_score.py autograd/vjp modules  # some exercises or topics
    python benchmarks/mutation_score.py --changed-since main --sample 4   # what CI runs
    python benchmarks/mutation_score.py autograd/vjp --show-survivors

Each mutant is the reference solution with one small change, graded by the real
grader (`torchdojo.core.runner.grade`, forks of a warm worker that rehearsed every exercise
first, as `grade-batch`'s does: the forks reuse the reference's kept runs and each property
check's kept examples): it is *killed* when it loses points. `--cold` grades each mutant in a
fresh interpreter instead, where Hypothesis draws every example, as `torchdojo check` does. Mutants come from two operator sets:

- mutmut's operators (numbers, names such as True/False/None, assignments,
  augmented assignments, arguments removed, binary/comparison/boolean operators
  swapped), applied with mutmut's own libcst visitor;
- PyTorch operators that no library has (`TORCH_OPERATORS` below): drop or move
  `zero_grad`, swap adjacent statements (`backward` / `step`), drop a call
  statement (`eval()`, `train()`, `backward()`), `mean` <-> `sum`, `eval` <-> `train`,
  add or drop `no_grad` / `enable_grad` / `detach` / `clone` / `.item()`, change a
  `dim`, hard-code "cpu" / "cuda" as a device, in-place updates through `.data` or
  rebinding, skip the last iteration of a loop, swap float32/float64, cache the
  first result in a module-level variable, wrap a body in `try/except Exception`.

A survivor is either listed as equivalent in `benchmarks/mutation_equivalents.toml`
(with a one-line reason, reviewed) or a defect of the checks. The script prints a
table (mutants, killed, equivalent, survived, score) and exits 1 when an exercise is
below the target (95 % of the non-equivalent mutants killed).
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import hashlib
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root, before its packages are imported

from torchdojo.core.catalog import Exercise, load_catalog
from torchdojo.core.launch import Launcher
from torchdojo.core.runner import Limits, grade

ROOT = Path(__file__).resolve().parent.parent

EQUIVALENTS_FILE = ROOT / "benchmarks" / "mutation_equivalents.toml"
TARGET = 0.95


@dataclass(frozen=True)
class Mutant:
    operator: str
    line: int
    source: str
    diff: str

    @property
    def key(self) -> str:
        """Stable while the reference solution is unchanged: operator, line and a hash of the mutant's AST."""
        digest = hashlib.sha1(ast.dump(ast.parse(self.source)).encode()).hexdigest()[:8]
        return f"{self.operator}:{self.line}:{digest}"


# -- mutmut's operators ---------------------------------------------------------------------------


def mutmut_mutants(source: str) -> Iterator[tuple[str, int, str]]:
    """(operator, line, mutant source) from mutmut's operator set, inside functions and methods only."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider
    from mutmut.mutation.file_mutation import MutationVisitor, deep_replace
    from mutmut.mutation.mutators import mutation_operators
    from mutmut.mutation.pragma_handling import IgnoredCode

    wrapper = MetadataWrapper(cst.parse_module(source))
    positions = wrapper.resolve(PositionProvider)
    # mutmut's string operator only rewrites messages and docstrings here: equivalent by construction.
    operators = [(kind, op) for kind, op in mutation_operators if op.__name__ != "operator_string"]
    visitor = MutationVisitor(operators, IgnoredCode(set(), set(), set()))
    wrapper.visit(visitor)
    for mutation in visitor.mutations:
        if mutation.contained_by_top_level_function is None:
            continue
        position = positions.get(mutation.original_node)
        line = position.start.line if position else 0
        mutated = deep_replace(wrapper.module, mutation.original_node, mutation.mutated_node)
        yield "mutmut", line, mutated.code  # type: ignore[union-attr]  # a replacement inside a Module is a Module


# -- PyTorch operators (on the ast) ---------------------------------------------------------------

AstMutation = Callable[[ast.Module], Iterator[tuple[int, ast.Module]]]


def _functions(tree: ast.Module) -> list[ast.FunctionDef]:
    """Top-level functions and methods: the code a learner writes."""
    found: list[ast.FunctionDef] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.append(node)
        elif isinstance(node, ast.ClassDef):
            found.extend(n for n in node.body if isinstance(n, ast.FunctionDef))
    return found


def _body_without_docstring(function: ast.FunctionDef) -> list[ast.stmt]:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _each(tree: ast.Module, kind: type[ast.AST]) -> Iterator[tuple[int, ast.Module, ast.AST]]:
    """For each node of `kind` inside functions: (index, a fresh copy of the tree, that node in the copy)."""
    count = sum(1 for function in _functions(tree) for node in ast.walk(function) if isinstance(node, kind))
    for index in range(count):
        clone = copy.deepcopy(tree)
        nodes = [node for function in _functions(clone) for node in ast.walk(function) if isinstance(node, kind)]
        yield index, clone, nodes[index]


def _blocks(function: ast.FunctionDef) -> Iterator[list[ast.stmt]]:
    """Every statement list inside a function (its body, loop bodies, with bodies, if branches...)."""
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def _method_name(call: ast.AST) -> str | None:
    if isinstance(call, ast.Call):
        func = call.func
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            return func.id
    return None


def _all_blocks(tree: ast.Module) -> list[tuple[ast.FunctionDef, list[ast.stmt]]]:
    return [(function, block) for function in _functions(tree) for block in _blocks(function)]


def drop_statement(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """Delete one call statement or attribute/augmented assignment (drop zero_grad, backward, step, train(), p.grad = None)."""
    total = len([s for _, block in _all_blocks(tree) for s in block])
    for index in range(total):
        clone = copy.deepcopy(tree)
        statements = [(block, i) for _, block in _all_blocks(clone) for i in range(len(block))]
        block, i = statements[index]
        statement = block[i]
        droppable = (
            (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call))
            or isinstance(statement, ast.AugAssign)
            or (isinstance(statement, ast.Assign) and any(isinstance(t, ast.Attribute | ast.Subscript) for t in statement.targets))
        )
        if not droppable:
            continue
        block[i] = ast.Pass()
        yield statement.lineno, clone


def swap_adjacent(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """Swap two adjacent statements (backward <-> step, step <-> zero_grad, update <-> clear)."""
    total = len([s for _, block in _all_blocks(tree) for s in block])
    for index in range(total):
        clone = copy.deepcopy(tree)
        statements = [(block, i) for _, block in _all_blocks(clone) for i in range(len(block))]
        block, i = statements[index]
        if i + 1 >= len(block) or isinstance(block[i], ast.Return) or isinstance(block[i + 1], ast.Return):
            continue
        if isinstance(block[i], ast.Expr) and isinstance(block[i].value, ast.Constant):
            continue
        block[i], block[i + 1] = block[i + 1], block[i]
        yield block[i + 1].lineno, clone


def move_zero_grad_out_of_loop(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """zero_grad once before the loop instead of every iteration (gradients accumulate)."""
    for function in _functions(tree):
        for node in ast.walk(function):
            if isinstance(node, ast.For):
                for statement in node.body:
                    if isinstance(statement, ast.Expr) and _method_name(statement.value) == "zero_grad":
                        clone = copy.deepcopy(tree)
                        clone_loop = _find_same(clone, node)
                        moved = next(s for s in clone_loop.body if isinstance(s, ast.Expr) and _method_name(s.value) == "zero_grad")
                        clone_loop.body.remove(moved)
                        if not clone_loop.body:
                            clone_loop.body.append(ast.Pass())
                        parent_block = _parent_block(clone, clone_loop)
                        parent_block.insert(parent_block.index(clone_loop), moved)
                        yield statement.lineno, clone


def _find_same(clone: ast.Module, node: ast.AST) -> ast.AST:
    return next(
        n for n in ast.walk(clone) if type(n) is type(node) and getattr(n, "lineno", None) == node.lineno and getattr(n, "col_offset", None) == node.col_offset
    )


def _parent_block(tree: ast.Module, child: ast.AST) -> list[ast.stmt]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and child in block:
                return block
    raise LookupError("no parent block")


def _rename_method(pairs: dict[str, str], label: str) -> AstMutation:
    def mutate(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
        for _, clone, node in _each(tree, ast.Attribute):
            assert isinstance(node, ast.Attribute)
            if node.attr in pairs:
                node.attr = pairs[node.attr]
                yield node.lineno, clone

    mutate.__name__ = label
    return mutate


mean_sum = _rename_method({"mean": "sum", "sum": "mean"}, "mean_sum")
eval_train = _rename_method({"eval": "train", "train": "eval"}, "eval_train")
grad_modes = _rename_method({"no_grad": "enable_grad", "enable_grad": "no_grad", "inference_mode": "enable_grad"}, "grad_modes")
float_dtypes = _rename_method({"float32": "float64", "float64": "float32", "float": "double", "double": "float"}, "float_dtypes")
argmax_argmin = _rename_method({"argmax": "argmin", "max": "min", "softmax": "log_softmax"}, "argmax_argmin")


def unwrap_with(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """Drop a `with` block's context manager (no_grad, enable_grad, inference_mode...), keeping its body."""
    for _, clone, node in _each(tree, ast.With):
        assert isinstance(node, ast.With)
        block = _parent_block(clone, node)
        position = block.index(node)
        block[position : position + 1] = node.body
        yield node.lineno, clone


def wrap_in_no_grad(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """Run a whole function body under torch.no_grad()."""
    for index, function in enumerate(_functions(tree)):
        body = _body_without_docstring(function)
        if not body or function.name == "__init__":
            continue
        clone = copy.deepcopy(tree)
        target = _functions(clone)[index]
        keep = len(target.body) - len(body)
        wrapped = ast.With(items=[ast.withitem(context_expr=ast.parse("torch.no_grad()", mode="eval").body)], body=target.body[keep:])
        target.body[keep:] = [wrapped]
        yield function.lineno, clone


def _drop_method_call(names: set[str], label: str) -> AstMutation:
    """x.detach() -> x (and likewise clone, item, contiguous, to, ...)."""

    def mutate(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
        for _, clone, node in _each(tree, ast.Call):
            assert isinstance(node, ast.Call)
            if isinstance(node.func, ast.Attribute) and node.func.attr in names:
                replacement = node.func.value
                parent = _parent_of(clone, node)
                if parent is None:
                    continue
                _replace_child(parent, node, replacement)
                yield node.lineno, clone

    mutate.__name__ = label
    return mutate


drop_detach = _drop_method_call({"detach", "detach_", "requires_grad_"}, "drop_detach")
drop_copy = _drop_method_call({"clone", "copy", "contiguous"}, "drop_copy")
drop_item = _drop_method_call({"item", "tolist"}, "drop_item")
drop_move = _drop_method_call({"to", "cpu", "cuda"}, "drop_move")


def add_detach(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """Return value.detach() (cut from the graph) where a function returns a call or a name."""
    for _, clone, node in _each(tree, ast.Return):
        assert isinstance(node, ast.Return)
        if isinstance(node.value, ast.Name | ast.Call | ast.BinOp):
            node.value = ast.Call(func=ast.Attribute(value=node.value, attr="detach", ctx=ast.Load()), args=[], keywords=[])
            yield node.lineno, clone


def _parent_of(tree: ast.AST, child: ast.AST) -> ast.AST | None:
    for node in ast.walk(tree):
        for field in node._fields:
            value = getattr(node, field, None)
            if value is child or (isinstance(value, list) and any(v is child for v in value)):
                return node
    return None


def _replace_child(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for field in parent._fields:
        value = getattr(parent, field, None)
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is old:
                    value[i] = new
                    return


def _nth(tree: ast.Module, kind: type[ast.AST], index: int) -> ast.AST:
    return [node for function in _functions(tree) for node in ast.walk(function) if isinstance(node, kind)][index]


def change_dim(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """dim=k -> another k (and the first positional int of sum/mean/argmax/softmax/cat/stack/max/min)."""
    reducers = {"sum", "mean", "argmax", "argmin", "softmax", "log_softmax", "cat", "stack", "max", "min", "flatten", "unsqueeze", "squeeze", "std", "var"}
    for index, _, node in _each(tree, ast.Call):
        assert isinstance(node, ast.Call)
        for k, keyword in enumerate(node.keywords):
            if keyword.arg in ("dim", "axis", "start_dim") and isinstance(keyword.value, ast.Constant | ast.UnaryOp):
                for replacement in _other_dims(keyword.value):
                    mutated = copy.deepcopy(tree)
                    target = _nth(mutated, ast.Call, index)
                    assert isinstance(target, ast.Call)
                    target.keywords[k].value = replacement
                    yield node.lineno, mutated
        if _method_name(node) in reducers and node.args:
            position = 0 if isinstance(node.func, ast.Attribute) else 1
            if position < len(node.args) and isinstance(node.args[position], ast.Constant | ast.UnaryOp):
                for replacement in _other_dims(node.args[position]):
                    mutated = copy.deepcopy(tree)
                    target = _nth(mutated, ast.Call, index)
                    assert isinstance(target, ast.Call)
                    target.args[position] = replacement
                    yield node.lineno, mutated


def _other_dims(value: ast.expr) -> list[ast.expr]:
    try:
        current = ast.literal_eval(value)
    except ValueError:
        return []
    if not isinstance(current, int) or isinstance(current, bool):
        return []
    return [ast.Constant(v) if v >= 0 else ast.UnaryOp(ast.USub(), ast.Constant(-v)) for v in (0, 1, -1) if v != current][:2]


def hard_code_device(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """.to(device) -> .to("cpu") / .to("cuda"); torch.device(x) -> "cuda" string."""
    for index, _, node in _each(tree, ast.Call):
        assert isinstance(node, ast.Call)
        if _method_name(node) == "to" and node.args and isinstance(node.func, ast.Attribute) and not isinstance(node.args[0], ast.Constant):
            for device in ("cpu", "cuda"):
                mutated = copy.deepcopy(tree)
                target = _nth(mutated, ast.Call, index)
                assert isinstance(target, ast.Call)
                target.args[0] = ast.Constant(device)
                yield node.lineno, mutated


def data_update(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """p -= x -> p.data -= x, and p -= x -> p = p - x (rebinding instead of updating in place)."""
    for index, clone, node in _each(tree, ast.AugAssign):
        assert isinstance(node, ast.AugAssign)
        if isinstance(node.target, ast.Name):
            mutated = copy.deepcopy(tree)
            target = _nth(mutated, ast.AugAssign, index)
            assert isinstance(target, ast.AugAssign) and isinstance(target.target, ast.Name)
            target.target = ast.Attribute(value=ast.Name(target.target.id, ast.Load()), attr="data", ctx=ast.Store())
            yield node.lineno, mutated
            rebinding = ast.Assign(
                targets=[ast.Name(node.target.id, ast.Store())], value=ast.BinOp(ast.Name(node.target.id, ast.Load()), node.op, node.value), lineno=node.lineno
            )
            _replace_child(_parent_of(clone, node), node, rebinding)  # type: ignore[arg-type]  # node comes from clone: it has a parent there
            yield node.lineno, clone


def skip_last_iteration(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """for x in it -> for x in list(it)[:-1]; range(n) -> range(n - 1); range(a, n) -> range(a + 1, n)."""
    for _, clone, node in _each(tree, ast.For):
        assert isinstance(node, ast.For)
        node.iter = ast.parse(f"list({ast.unparse(node.iter)})[:-1]", mode="eval").body
        yield node.lineno, clone
    for _, clone, node in _each(tree, ast.Call):
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Name) and node.func.id == "range" and node.args:
            node.args[-1 if len(node.args) == 1 else 1] = ast.BinOp(node.args[-1 if len(node.args) == 1 else 1], ast.Sub(), ast.Constant(1))
            yield node.lineno, clone
        elif isinstance(node.func, ast.Name) and node.func.id == "enumerate" and len(node.args) == 1:
            node.args.append(ast.Constant(1))
            yield node.lineno, clone


def cache_first_result(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """A module-level cache: the first call's result is returned for every later call."""
    for index, node in enumerate(tree.body):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        clone = copy.deepcopy(tree)
        original = clone.body[index]
        assert isinstance(original, ast.FunctionDef)
        original.name = f"_{node.name}_uncached"
        wrapper = ast.parse(
            f"_{node.name}_cache = []\n"
            f"def {node.name}(*args, **kwargs):\n"
            f"    if not _{node.name}_cache:\n"
            f"        _{node.name}_cache.append(_{node.name}_uncached(*args, **kwargs))\n"
            f"    return _{node.name}_cache[0]\n"
        ).body
        clone.body[index + 1 : index + 1] = wrapper
        yield node.lineno, clone


def swallow_exceptions(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """try: <body> except Exception: return None — errors disappear."""
    for index, function in enumerate(_functions(tree)):
        body = _body_without_docstring(function)
        if not body or function.name == "__init__":
            continue
        clone = copy.deepcopy(tree)
        target = _functions(clone)[index]
        keep = len(target.body) - len(body)
        handler = ast.ExceptHandler(type=ast.Name("Exception", ast.Load()), name=None, body=[ast.Return(ast.Constant(None))])
        target.body[keep:] = [ast.Try(body=target.body[keep:], handlers=[handler], orelse=[], finalbody=[])]
        yield function.lineno, clone


def return_input(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """return <expr> -> return <first argument> (an identity instead of the work)."""
    for function in _functions(tree):
        args = [a.arg for a in function.args.args if a.arg not in ("self", "ctx")]
        if not args:
            continue
        for _, clone, node in _each(tree, ast.Return):
            assert isinstance(node, ast.Return)
            owner = next((f for f in _functions(clone) if any(n is node for n in ast.walk(f))), None)
            if owner is None or owner.name != function.name or node.value is None:
                continue
            node.value = ast.Name(args[0], ast.Load())
            yield node.lineno, clone


DEVICE_NAMES = ("cpu", "cuda", "mps", "meta", "xpu")


def device_strings(tree: ast.Module) -> Iterator[tuple[int, ast.Module]]:
    """ "cpu" -> "cuda" and the like; torch.device(x) -> x (a string instead of a device);
    current_accelerator() -> torch.device("cuda") (a hard-coded accelerator)."""
    for index, _clone, node in _each(tree, ast.Constant):
        assert isinstance(node, ast.Constant)
        if node.value in DEVICE_NAMES:
            for other in ("cuda", "cpu"):
                if other != node.value:
                    mutated = copy.deepcopy(tree)
                    target = _nth(mutated, ast.Constant, index)
                    assert isinstance(target, ast.Constant)
                    target.value = other
                    yield node.lineno, mutated
    for _index, clone, node in _each(tree, ast.Call):
        assert isinstance(node, ast.Call)
        name = _method_name(node)
        if name == "device" and len(node.args) == 1 and not node.keywords:
            parent = _parent_of(clone, node)
            if parent is not None:
                _replace_child(parent, node, node.args[0])
                yield node.lineno, clone
        elif name in ("current_accelerator", "current_device"):
            parent = _parent_of(clone, node)
            if parent is not None:
                _replace_child(parent, node, ast.parse('torch.device("cuda")', mode="eval").body)
                yield node.lineno, clone


TORCH_OPERATORS: list[AstMutation] = [
    drop_statement,
    swap_adjacent,
    move_zero_grad_out_of_loop,
    mean_sum,
    eval_train,
    grad_modes,
    float_dtypes,
    argmax_argmin,
    unwrap_with,
    wrap_in_no_grad,
    drop_detach,
    drop_copy,
    drop_item,
    drop_move,
    add_detach,
    change_dim,
    hard_code_device,
    device_strings,
    data_update,
    skip_last_iteration,
    cache_first_result,
    swallow_exceptions,
    return_input,
]


def torch_mutants(source: str) -> Iterator[tuple[str, int, str]]:
    tree = ast.parse(source)
    for operator in TORCH_OPERATORS:
        for line, mutated in operator(tree):
            try:
                yield operator.__name__, line, ast.unparse(ast.fix_missing_locations(mutated))
            except (AttributeError, TypeError, ValueError):  # an operator built an invalid tree: skip it
                continue


def mutants_of(source: str) -> list[Mutant]:
    """Every distinct, compilable mutant of `source` that differs from it in behaviour-relevant code."""
    original = ast.dump(ast.parse(source))
    seen = {original}
    found = []
    for operator, line, mutated in [*mutmut_mutants(source), *torch_mutants(source)]:
        try:
            tree = ast.parse(mutated)
            compile(tree, "<mutant>", "exec")
        except (SyntaxError, ValueError):
            continue
        dumped = ast.dump(tree)
        if dumped in seen:
            continue
        seen.add(dumped)
        found.append(Mutant(operator, line, mutated, _diff(source, mutated)))
    return found


def _diff(before: str, after: str) -> str:
    a = ast.unparse(ast.parse(before)).splitlines()
    b = ast.unparse(ast.parse(after)).splitlines()
    lines = [line for line in difflib.unified_diff(a, b, lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return "\n".join(lines[:8])


# -- grading --------------------------------------------------------------------------------------


def load_equivalents() -> dict[tuple[str, str], str]:
    if not EQUIVALENTS_FILE.exists():
        return {}
    data = tomllib.loads(EQUIVALENTS_FILE.read_text(encoding="utf-8"))
    return {(entry["exercise"], entry["mutant"]): entry["reason"] for entry in data.get("equivalent", [])}


@dataclass
class Verdict:
    mutant: Mutant
    killed: bool
    detail: str


def grade_mutant(exercise: Exercise, mutant: Mutant, folder: Path, launcher: Launcher | None, timeout: float) -> Verdict:
    path = folder / f"{mutant.key.replace(':', '_')}_{Path(exercise.file).name}"
    path.write_text(mutant.source, encoding="utf-8")
    report = grade(exercise, path, Limits(timeout_s=timeout), launcher=launcher)
    lost = [c.name for c in report.checks if c.outcome not in ("passed", "needs_gpu")]
    return Verdict(mutant, bool(lost) or report.status != "ok", ", ".join(lost))


def selected_exercises(names: list[str]) -> list[Exercise]:
    catalog = load_catalog()
    if not names:
        return list(catalog.exercises)
    chosen = [e for e in catalog.exercises if e.id in names or e.topic in names]
    unknown = [n for n in names if not any(e.id == n or e.topic == n for e in catalog.exercises)]
    if unknown:
        raise SystemExit(f"unknown exercise or topic: {', '.join(unknown)} (see `torchdojo list`)")
    return chosen


def changed_exercises(base: str) -> list[str]:
    """Exercises whose solution, stub, checks or strategies changed since `base` (all, if the harness changed)."""
    files = subprocess.run(["git", "diff", "--name-only", base, "--"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    catalog = load_catalog()
    shared = ("grader/checks/harness.py", "grader/checks/support.py", "grader/checks/stand_in.py", "grader/core/child.py", "grader/core/runner.py")
    if any(f in shared or f.startswith("grader/checks/strategies/__init__") for f in files):
        return [e.id for e in catalog.exercises]
    hit = []
    for exercise in catalog.exercises:
        markers = (
            f"solutions/{exercise.file}",
            f"exercises/{exercise.file}",
            f"grader/checks/{exercise.topic}/test_{exercise.name}.py",
            f"grader/checks/strategies/{exercise.topic}.py",
            f"grader/checks/{exercise.topic}/common.py",
        )
        if any(f in markers for f in files):
            hit.append(exercise.id)
    return hit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exercises", nargs="*", help="exercise ids or topics (default: all)")
    parser.add_argument("--changed-since", metavar="REV", help="only exercises whose solution or checks changed since REV")
    parser.add_argument("--sample", type=int, default=0, metavar="N", help="grade N mutants per exercise, chosen evenly (0 = all)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants graded at once (default 2)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per mutant (default 30)")
    parser.add_argument("--show-survivors", action="store_true", help="print each surviving mutant's diff")
    parser.add_argument("--list", action="store_true", help="list the mutants without grading them")
    parser.add_argument("--cold", action="store_true", help="start a fresh interpreter per mutant instead of forking a warm worker")
    args = parser.parse_args(argv)

    names = list(args.exercises)
    if args.changed_since:
        names = [*names, *changed_exercises(args.changed_since)]
        if not names:
            print("No exercise's solution or checks changed: nothing to measure.")
            return 0
    exercises = selected_exercises(sorted(set(names)))
    equivalents = load_equivalents()
    plan: list[tuple[Exercise, Mutant]] = []
    for exercise in exercises:
        source = (ROOT / "solutions" / exercise.file).read_text(encoding="utf-8")
        mutants = mutants_of(source)
        if args.sample and len(mutants) > args.sample:
            step = len(mutants) / args.sample
            mutants = [mutants[int(i * step)] for i in range(args.sample)]
        plan.extend((exercise, m) for m in mutants)
    if args.list:
        for exercise, mutant in plan:
            print(f"{exercise.id}  {mutant.key}\n{mutant.diff}\n")
        return 0

    from torchdojo.core.warm import WarmWorker

    started = time.monotonic()
    verdicts: dict[str, list[Verdict]] = {e.id: [] for e in exercises}
    worker = None if args.cold else WarmWorker(rehearse=[e.id for e in exercises])
    if worker is not None:
        print(f"  rehearsing {len(exercises)} exercises on their references…", file=sys.stderr, flush=True)
        worker.wait_ready(timeout=300 + 30 * len(exercises))
        print(f"  rehearsed in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    try:
        with tempfile.TemporaryDirectory(prefix="torchdojo-mutants-") as tmp, ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(grade_mutant, e, m, Path(tmp), worker, args.timeout): e for e, m in plan}
            for done, future in enumerate(as_completed(futures), 1):
                verdicts[futures[future].id].append(future.result())
                if done % 10 == 0 or done == len(plan):
                    print(f"  graded {done}/{len(plan)} mutants, {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        if worker is not None:
            worker.close()

    failing = []
    header = f"{'exercise':32} {'mutants':>7} {'killed':>6} {'equiv':>5} {'survived':>8} {'score':>6}"
    rows = [header, "-" * len(header)]
    stale = []
    survivors_text = []
    totals = [0, 0, 0, 0]
    for exercise in exercises:
        results = verdicts[exercise.id]
        killed = [v for v in results if v.killed]
        equivalent = [v for v in results if not v.killed and (exercise.id, v.mutant.key) in equivalents]
        survived = [v for v in results if not v.killed and (exercise.id, v.mutant.key) not in equivalents]
        stale += [f"{exercise.id} {v.mutant.key}" for v in killed if (exercise.id, v.mutant.key) in equivalents]
        considered = len(results) - len(equivalent)
        score = len(killed) / considered if considered else 1.0
        if score < TARGET:
            failing.append(exercise.id)
        totals = [totals[0] + len(results), totals[1] + len(killed), totals[2] + len(equivalent), totals[3] + len(survived)]
        rows.append(f"{exercise.id:32} {len(results):7} {len(killed):6} {len(equivalent):5} {len(survived):8} {score:6.1%}")
        for v in sorted(survived, key=lambda v: v.mutant.line):
            survivors_text.append(f"--- {exercise.id}  {v.mutant.key}\n{v.mutant.diff}")
    considered = totals[0] - totals[2]
    rows.append("-" * len(header))
    rows.append(f"{'all':32} {totals[0]:7} {totals[1]:6} {totals[2]:5} {totals[3]:8} {(totals[1] / considered if considered else 1):6.1%}")
    print("\n".join(rows))
    print(f"\n{time.monotonic() - started:.0f} s for {len(plan)} mutants; target: {TARGET:.0%} of non-equivalent mutants killed in every exercise.")
    if stale:
        print("\nListed as equivalent but killed now (remove from the equivalents file):\n  " + "\n  ".join(stale))
    if survivors_text and (args.show_survivors or failing):
        print("\nSurvivors (a defect of the checks, or an equivalent mutant to list with its reason):\n" + "\n".join(survivors_text))
    if failing:
        print(f"\nFAIL: below {TARGET:.0%}: {', '.join(failing)}")
        return 1
    print("\nPASS")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

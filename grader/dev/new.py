"""`torchdojo dev new TOPIC/NAME`: a complete exercise to start from, graded from the first minute.

It writes the six places an exercise lives (stub, solution, check module, catalog entry, and a fixture folder with
two wrong and one alternative solution) as a tiny working example (`x * factor`, and a ValueError), so that `torchdojo dev check ID`
passes at once and every later edit can be checked. Nothing is overwritten: an existing id or file stops it
before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from torchdojo.core.catalog import load_catalog
from torchdojo.dev import DevError, source_root
from torchdojo.i18n import Text

ID = re.compile(r"([a-z][a-z0-9_]*)/([a-z][a-z0-9_]*)")
NUMBERED = re.compile(r"(\d+)_(.+)")

STUB = '''"""TODO: what this exercise teaches, in two or three sentences a learner reads before starting.

TODO:用两三句话说明这个练习教什么(学习者开始之前会读到)。
"""

import torch
from torch import Tensor


def {name}(x: Tensor, factor: float) -> Tensor:
    """x times factor, as a new tensor in x's graph; a factor of 0 or less raises ValueError (an example task: replace it).

    x 乘以 factor,作为计算图中的新张量返回;factor 小于等于 0 时抛出 ValueError(示例任务:请换成你的任务)。
    """
{body}
'''

SOLUTION = """    if factor <= 0:
        raise ValueError(f"factor must be positive, got {factor}")
    return x * factor"""

CHECKS = '''"""Checks for {id}: compared with the reference on generated inputs (every observable effect).

Replace the example with your exercise's. Draw inputs with hypothesis (put strategies in
grader/checks/strategies/{topic}.py; never fix a parameter at a value where a wrong formula agrees, like a factor
of 1), and return from each scenario everything a learner's code could get wrong: the result (the harness compares
values, dtype, shape, device, requires_grad and the graph), the inputs afterwards, a second call, the errors the
task asks for. Then `torchdojo dev check {id} --mutation` measures what the checks catch.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies import random_tensors

HINT = ("Return x * factor, a new tensor; leave x as it was.", "返回新的张量 x * factor;不要修改 x。")
FACTORS = st.floats(0.25, 4.0).filter(lambda f: f != 1.0)


@settings(max_examples=10)
@given(random_tensors(dtypes=st.sampled_from([torch.float32, torch.float64])), FACTORS, st.booleans())
def test_values(compare, x: torch.Tensor, factor: float, requires_grad: bool) -> None:
    def scenario(impl):
        given = x.clone().requires_grad_(requires_grad)
        return {{("the result", "返回值"): impl.{name}(given, factor), ("x after the call", "调用后的 x"): given}}

    compare.same(scenario, given=f"x of shape {{tuple(x.shape)}} ({{x.dtype}}, requires_grad={{requires_grad}}), factor = {{factor}}",
                 where="{name}", hint=HINT)


def test_second_call(compare) -> None:
    def scenario(impl):
        return {{("the first call", "第一次调用"): impl.{name}(torch.ones(3), 2.0),
                 ("a second call", "第二次调用"): impl.{name}(torch.arange(4.0), 3.0)}}

    compare.same(scenario, given="x = torch.ones(3), factor = 2.0, then torch.arange(4.0), factor = 3.0", where="{name}", hint=HINT)


@given(st.sampled_from([0.0, -1.0, -0.5]))
def test_bad_factor(compare, factor: float) -> None:
    compare.same(lambda impl: impl.{name}(torch.ones(2), factor), given=f"factor = {{factor}}", where="{name}",
                 hint=("Raise ValueError when factor <= 0.", "factor <= 0 时请抛出 ValueError。"))
'''

ENTRY = """
[[exercises]]
id = "{id}"
file = "{file}"
title = {{ en = "TODO: a short title", zh = "TODO:简短的标题" }}
hints = [
  {{ en = "TODO: a first hint that names the idea.", zh = "TODO:第一条提示,点出思路。" }},
  {{ en = "TODO: a second hint that names the function to use.", zh = "TODO:第二条提示,说出要用的函数。" }},
  {{ en = "TODO: a third hint, nearly the answer: return x * factor", zh = "TODO:第三条提示,几乎就是答案:return x * factor" }},
]
checks = [
  {{ name = "values", points = 2, title = {{ en = "x * factor for any shape, dtype and factor; in the graph; x unchanged", zh = "任意形状、dtype 和 factor 下的 x * factor;在计算图中;x 不变" }} }},
  {{ name = "second_call", points = 1, title = {{ en = "a second call gives its own result", zh = "第二次调用给出自己的结果" }} }},
  {{ name = "bad_factor", points = 1, title = {{ en = "a factor of 0 or less raises ValueError", zh = "factor 小于等于 0 时抛出 ValueError" }} }},
]
"""

WRONG_IN_PLACE = """    if factor <= 0:
        raise ValueError("factor must be positive")
    return x.mul_(factor)  # changes the caller's x"""

WRONG_CACHED = """    if factor <= 0:
        raise ValueError("factor must be positive")
    if "_first" not in globals():
        globals()["_first"] = x * factor  # the first answer, kept for every later call
    return globals()["_first"]"""

ALTERNATIVE = """    if not factor > 0:
        raise ValueError(f"factor {factor} is not positive")
    return torch.mul(x, factor)"""


@dataclass(frozen=True)
class NewExercise:
    """Where each part of a new exercise goes."""

    id: str
    topic: str
    name: str
    file: str  # relative to exercises/ and solutions/
    files: dict[Path, str]
    catalog_text: str


def _folder_for(root: Path, topic: str) -> str:
    """The topic's numbered folder under exercises/ (`03_devices`), or the next number for a new topic."""
    numbers: list[int] = []
    for folder in (root / "exercises").iterdir():
        match = NUMBERED.fullmatch(folder.name)
        if match and folder.is_dir():
            if match.group(2) == topic:
                return folder.name
            numbers.append(int(match.group(1)))
    return f"{max(numbers, default=-1) + 1:02d}_{topic}"


def _next_file(root: Path, folder: str, name: str) -> str:
    taken = [int(m.group(1)) for f in (root / "exercises" / folder).glob("*.py") if (m := NUMBERED.fullmatch(f.stem))]
    return f"{folder}/{max(taken, default=0) + 1:02d}_{name}.py"


def _insert_entry(catalog_text: str, topic: str, entry: str, folder: str) -> str:
    """The catalog with `entry` after the topic's last exercise (or at the end, under a header, for a new topic)."""
    blocks = list(re.finditer(r'^\[\[exercises\]\]\nid = "([^"]+)"', catalog_text, flags=re.MULTILINE))
    last = [b for b in blocks if b.group(1).split("/")[0] == topic]
    if not last:
        number, _ = folder.split("_", 1)
        header = f"\n# {'-' * (65 - len(folder))} {number} {topic}"
        return catalog_text.rstrip("\n") + "\n" + header + entry
    following = [b for b in blocks if b.start() > last[-1].start()]
    end = following[0].start() if following else len(catalog_text)
    before = catalog_text[:end].rstrip("\n")
    # keep a section header that precedes the next exercise with it
    section = re.search(r"\n(# -+ [^\n]*)\n*$", before)
    if section:
        return before[: section.start()].rstrip("\n") + "\n" + entry + "\n" + section.group(1) + "\n" + catalog_text[end:]
    return before + "\n" + entry + "\n" + catalog_text[end:]


def plan(exercise_id: str, root: Path | None = None) -> NewExercise:
    """What `dev new` would write, after every check that could stop it (nothing is written here)."""
    match = ID.fullmatch(exercise_id)
    if not match:
        raise DevError(
            Text(
                en=f"{exercise_id!r} is not an exercise id: write TOPIC/NAME in lower case with underscores, e.g. data/pad_collate.",
                zh=f"{exercise_id!r} 不是练习 id:请写成小写加下划线的 TOPIC/NAME,例如 data/pad_collate。",
            )
        )
    root = root or source_root()
    topic, name = match.groups()
    catalog_file = root / "grader" / "catalog.toml"
    if exercise_id in {e.id for e in load_catalog(catalog_file).exercises}:
        raise DevError(Text(en=f"{exercise_id} is already in the catalog: pick another name.", zh=f"{exercise_id} 已经在练习目录中:请换一个名字。"))
    folder = _folder_for(root, topic)
    file = _next_file(root, folder, name) if (root / "exercises" / folder).is_dir() else f"{folder}/01_{name}.py"
    checks_dir = root / "grader" / "checks" / topic
    fixtures = root / "tests" / "fixtures" / topic / name
    files = {
        root / "exercises" / file: STUB.format(name=name, body="    # TODO: your code here / 在这里写代码\n    raise NotImplementedError"),
        root / "solutions" / file: STUB.format(name=name, body=SOLUTION),
        checks_dir / f"test_{name}.py": CHECKS.format(id=exercise_id, topic=topic, name=name),
        fixtures / "wrong_in_place.py": "# expect: values\n" + STUB.format(name=name, body=WRONG_IN_PLACE),
        fixtures / "wrong_cached.py": "# expect: values, second_call\n" + STUB.format(name=name, body=WRONG_CACHED),
        fixtures / "alternative_mul.py": "# expect: full marks\n" + STUB.format(name=name, body=ALTERNATIVE),
    }
    if not (checks_dir / "__init__.py").exists():
        files[checks_dir / "__init__.py"] = ""
    for path in files:
        if path.exists():
            raise DevError(Text(en=f"{path} exists already: nothing was written.", zh=f"{path} 已经存在:没有写入任何文件。"))
    catalog_text = _insert_entry(catalog_file.read_text(encoding="utf-8"), topic, ENTRY.format(id=exercise_id, file=file), folder)
    return NewExercise(exercise_id, topic, name, file, files, catalog_text)


def create(exercise_id: str, root: Path | None = None) -> NewExercise:
    """Write the new exercise (all its files, then the catalog last, so a failure leaves the catalog as it was)."""
    new = plan(exercise_id, root)
    root = root or source_root()
    written: list[Path] = []
    try:
        for path, text in new.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
        catalog = root / "grader" / "catalog.toml"
        temporary = catalog.with_suffix(".toml.new")
        temporary.write_text(new.catalog_text, encoding="utf-8")
        load_catalog(temporary)  # the catalog still loads with the new entry, or nothing changes
        temporary.replace(catalog)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        (root / "grader" / "catalog.toml.new").unlink(missing_ok=True)
        raise
    return new

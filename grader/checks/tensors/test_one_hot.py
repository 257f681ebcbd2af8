"""Checks for tensors/one_hot: a comparison with `arange` over a new last dimension, and the puzzle's rules.

Inputs: int64 labels of any shape — 0-d, empty, 1-D, 2-D and 3-D, transposed and strided
views — with 1 to 6 classes (labels drawn below num_classes, so the last class is often
absent: the width must come from num_classes, not from the labels); a second call with
other labels and another number of classes; the labels afterwards. The device check calls
it inside the caller's `with torch.device("meta"):`, with the labels on the CPU.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.constraints import Rules
from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import DEVICE_HINT, ELSEWHERE, device_of, puzzle_rules
from torchdojo.checks.tensors.common import given as words

RULES = Rules(functions=frozenset({"arange"}), methods=frozenset({"long", "to"}))
SHAPES = st.sampled_from([(), (0,), (1,), (5,), (2, 3), (3, 1), (2, 2, 3)])
HINT = (("labels[..., None] adds a last dimension of size 1 to labels of any shape; comparing it with "
         "torch.arange(num_classes) broadcasts to (*labels.shape, num_classes); .long() makes the booleans int64, "
         "as torch.nn.functional.one_hot returns. Leave the labels as they were."),
        ("labels[..., None] 给任意形状的标签加上大小为 1 的最后维度;与 torch.arange(num_classes) 比较会广播成 "
         "(*labels.shape, num_classes);.long() 把布尔值变成 int64,与 torch.nn.functional.one_hot 的返回值一样。"
         "不要修改标签。"))


@st.composite
def labelled(draw: st.DrawFn) -> tuple[Case, int]:
    num_classes = draw(st.integers(1, 6))
    case = draw(cases(SHAPES, dtypes=(torch.int64,), low=0, high=num_classes))
    return case, num_classes


def _scenario(a: tuple[Case, int], b: tuple[Case, int]):
    def scenario(impl):
        x, y = a[0].make(), b[0].make()
        return {
            ("one_hot(labels, num_classes)", "one_hot(labels, num_classes)"): impl.one_hot(x, a[1]),
            ("the labels after the call", "调用后的标签"): x,
            ("a second call, with other labels and classes", "第二次调用(其他标签和类别数)"): impl.one_hot(y, b[1]),
        }

    return scenario


def _words(a: tuple[Case, int], b: tuple[Case, int]) -> dict[str, str]:
    return words(labels=a[0], num_classes=a[1], then_labels=b[0], then_num_classes=b[1])


@settings(max_examples=10)
@example((Case(values((4,), torch.int64, 1, 0, 3)), 5), (Case(values((2, 3), torch.int64, 2, 0, 4), "transposed"), 4))
@given(labelled(), labelled())
def test_values(compare, a: tuple[Case, int], b: tuple[Case, int]) -> None:
    compare.same(_scenario(a, b), **_words(a, b), where="one_hot", hint=HINT)


EDGES = [
    ((Case(values((), torch.int64, 5, 0, 3)), 3), (Case(values((0,), torch.int64, 6, 0, 2)), 2)),
    ((Case(values((3,), torch.int64, 7, 0, 1)), 1), (Case(values((2, 2, 3), torch.int64, 8, 0, 4), "strided"), 6)),
]


def test_edge_cases(compare) -> None:
    for a, b in EDGES:
        compare.same(_scenario(a, b), **_words(a, b), where="one_hot", hint=HINT)


def test_device(compare) -> None:
    for a, num_classes in ((Case(values((4,), torch.int64, 9, 0, 3)), 3), (Case(values((2, 3), torch.int64, 10, 0, 5)), 5)):
        def scenario(impl, a=a, num_classes=num_classes):
            x = a.make()
            return {("one_hot(labels, num_classes) in the block, against the same call outside it",
                     "代码块中的 one_hot(labels, num_classes) 与块外同样的调用相比"): device_of(lambda: impl.one_hot(x, num_classes))}

        given_en, given_zh = words(labels=a, num_classes=num_classes).values()
        compare.same(scenario, given=f"{given_en}, {ELSEWHERE[0]}", given_zh=f"{given_zh},{ELSEWHERE[1]}", where="one_hot",
                     hint=DEVICE_HINT)


def test_rules(learner) -> None:
    puzzle_rules(learner, "one_hot", RULES, torch.tensor([0, 2, 1]), 3)

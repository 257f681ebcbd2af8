"""Checks for tensors/cat_stack: joining along a new dimension (stack) and along an existing one (cat).

Inputs: one to four tensors (a list, and a tuple in the second call) in float32, float64 or int64,
contiguous, transposed or strided, some requiring grad; for stack one shape of 0 to 3 dimensions
(0-d and empty included) and every dim from -(ndim + 1) to ndim (so a negative dim must count from
the end of the result: -1 is a new last dimension); for cat 1 to 3 dimensions whose sizes differ
along the drawn dim only (0 included) and every dim from -ndim to ndim - 1. Observed: the result,
the gradient reaching each input, and the inputs after a write into the result (a single input
must be copied too). Errors: an empty sequence raises ValueError; shapes that do not fit and a dim
out of range raise any error.
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.strategies.tensors import (
    Case,
    Many,
    cat_inputs,
    stack_inputs,
    values,
)
from torchdojo.checks.tensors.common import raises

STACK_HINT = (("torch.stack(tensors, dim) adds a new dimension of size 1 at dim (counted in the result, so -1 is a new last "
               "one) and joins there: k tensors of shape s give a result with k at position dim. It always copies."),
              ("torch.stack(tensors, dim) 在 dim 处加一个大小为 1 的新维度(按结果的维度计,所以 -1 是新的最后一维)并在那里连接:"
               "k 个形状为 s 的张量得到的结果在 dim 位置上的大小是 k。它总是复制。"))
CAT_HINT = (("torch.cat(tensors, dim) joins along a dimension the tensors already have: the sizes along dim add up, the other "
             "sizes stay. A negative dim counts from the end of the inputs' dimensions. It always copies."),
            ("torch.cat(tensors, dim) 沿张量已有的维度连接:dim 方向上的大小相加,其他大小不变。负的 dim 从输入维度的末尾数起。"
             "它总是复制。"))
EMPTY_HINT = (("Check for an empty sequence yourself and raise ValueError: torch.stack raises RuntimeError there (torch.cat happens to "
               "raise ValueError)."),
              ("自己检查空序列并抛出 ValueError:torch.stack 在这种情况下抛出的是 RuntimeError(torch.cat 恰好抛出 ValueError)。"))


def _words(many: Many, second: Many) -> dict[str, str]:
    en, zh = many.describe()
    en2, zh2 = second.describe()
    return {"given": f"{en} (and for the second call {en2})", "given_zh": f"{zh}(第二次调用:{zh2})"}


def _gradients(result: object, inputs: list[torch.Tensor]) -> object:
    """What reaches each input from (result * w).sum().backward() with distinct weights w."""
    wanting = [t for t in inputs if t.requires_grad]
    if not wanting:
        return "no input requires grad"
    if not torch.is_tensor(result) or not result.requires_grad:
        return "the result does not require grad"
    weights = torch.arange(1.0, result.numel() + 1, dtype=result.dtype).reshape(result.shape)
    grads = torch.autograd.grad((result * weights).sum(), wanting, allow_unused=True)
    return ["no gradient reaches it" if grad is None else grad for grad in grads]


def _joins(name: str, many: Many, second: Many):
    def scenario(impl):
        inputs, others = many.make(), second.make()
        join = getattr(impl, name)
        out = join(inputs, many.dim)
        seen = {
            (f"{name}(tensors, dim)", f"{name}(tensors, dim)"): out.detach().clone() if torch.is_tensor(out) else out,
            ("the gradient reaching each input that requires grad", "传到每个需要梯度的输入的梯度"): _gradients(out, inputs),
        }
        if torch.is_tensor(out) and out.numel():
            with torch.no_grad():
                out.detach().fill_(42)
        seen[("the inputs after a write into the result (a new tensor leaves them alone)",
              "写入结果之后的输入(新张量不会改变它们)")] = [t.detach().clone() for t in inputs]
        seen[(f"a second call, {name}(tuple(tensors2), dim2)", f"第二次调用 {name}(tuple(tensors2), dim2)")] = join(tuple(others), second.dim)
        return seen

    return scenario


def _errors(name: str, wrong_shapes: list[torch.Tensor], out_of_range: tuple[list[torch.Tensor], int]):
    def scenario(impl):
        join = getattr(impl, name)
        tensors, dim = out_of_range
        return {
            (f"{name} of tensors whose shapes do not fit", f"对形状不匹配的张量调用 {name}"): raises(lambda: join(wrong_shapes, 0)),
            (f"{name}(tensors, {dim}), a dim out of range", f"{name}(tensors, {dim}),dim 超出范围"): raises(lambda: join(tensors, dim)),
        }

    return scenario


def _empty(name: str):
    def scenario(impl):
        return getattr(impl, name)([], 0)

    return scenario


@settings(max_examples=15)
@example(many=Many((Case(values((2, 3), torch.float32, 1), requires_grad=True), Case(values((2, 3), torch.float32, 2))), -1),
         second=Many((Case(values((3,), torch.int64, 3)),), 0))
@example(many=Many((Case(values((3, 2), torch.float64, 4), "transposed"),) * 3, -2),
         second=Many((Case(values((), torch.float32, 5), requires_grad=True),) * 2, -1))
@given(many=stack_inputs(), second=stack_inputs())
def test_stack_values(compare, many: Many, second: Many) -> None:
    compare.same(_joins("stack_along", many, second), **_words(many, second), where="stack_along", hint=STACK_HINT)


def test_stack_errors(compare) -> None:
    compare.same(_empty("stack_along"), given="tensors = [], dim = 0", where="stack_along", hint=EMPTY_HINT)
    compare.same(_errors("stack_along", [torch.zeros(2, 3), torch.zeros(3, 2)], ([torch.zeros(2, 3)], 3)),
                 given="tensors of shapes (2, 3) and (3, 2); tensors of shape (2, 3) with dim = 3", where="stack_along", hint=STACK_HINT)


@settings(max_examples=15)
@example(many=Many((Case(values((2, 3), torch.float32, 6), requires_grad=True), Case(values((2, 0), torch.float32, 7)),
                    Case(values((2, 1), torch.float32, 8), requires_grad=True)), -1),
         second=Many((Case(values((4,), torch.int64, 9)),), 0))
@example(many=Many((Case(values((1, 3), torch.float64, 10)), Case(values((2, 3), torch.float64, 11), "transposed")), -2),
         second=Many((Case(values((2, 2, 1), torch.int64, 12)), Case(values((2, 2, 3), torch.int64, 13))), 2))
@given(many=cat_inputs(), second=cat_inputs())
def test_cat_values(compare, many: Many, second: Many) -> None:
    compare.same(_joins("cat_along", many, second), **_words(many, second), where="cat_along", hint=CAT_HINT)


def test_cat_errors(compare) -> None:
    compare.same(_empty("cat_along"), given="tensors = [], dim = 0", where="cat_along", hint=EMPTY_HINT)
    compare.same(_errors("cat_along", [torch.zeros(2, 3), torch.zeros(3, 2)], ([torch.zeros(2, 3)], -3)),
                 given="tensors of shapes (2, 3) and (3, 2) with dim = 0; tensors of shape (2, 3) with dim = -3", where="cat_along",
                 hint=CAT_HINT)

"""Checks for tensors/views: a view when the strides allow one, a real copy that autograd still sees.

Storage sharing is what is compared: whether the result's storage is x's (a view) and what a
write through the result does to `x`. Inputs: 0-d to 3-D, empty, float32, float64 and int64,
contiguous tensors (flat must be a view: `x.clone().view(-1)` copies for nothing), strided
1-D views (still viewable as 1-D: `x.contiguous().view(-1)` copies), transposed and strided
2-D and 3-D views (no view is possible: `x.view(-1)` raises, a copy is right), leaves that
require grad and non-leaves (the result must stay attached to the graph).
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.strategies.tensors import Case, cases, values
from torchdojo.checks.tensors.common import given as words

SHAPES = st.sampled_from([(), (0,), (1,), (5,), (2, 3), (3, 1), (0, 2), (2, 2, 3)])
FLAT_HINT = (("x.reshape(-1) (or x.flatten()) returns a view when x's strides allow one and a copy when they do not; "
              "x.view(-1) raises on a transposed tensor, and x.contiguous().view(-1) or x.clone().view(-1) copies when a view "
              "was possible."),
             ("x.reshape(-1)(或 x.flatten())在步幅允许时返回视图,不允许时返回副本;x.view(-1) 对转置后的张量会报错,"
              "x.contiguous().view(-1) 或 x.clone().view(-1) 在本可以返回视图时也会复制。"))
COPY_HINT = (("x.clone() copies the memory and stays in the graph. x itself, x.view(...), x.reshape(...) and x.contiguous() can "
              "share x's memory; x.detach().clone() and torch.tensor(x) cut the copy off from the graph."),
             ("x.clone() 会复制内存,并且仍在计算图中。x 本身、x.view(...)、x.reshape(...) 和 x.contiguous() 都可能与 x "
              "共享内存;x.detach().clone() 和 torch.tensor(x) 会让副本脱离计算图。"))


def _shares(result: object, x: torch.Tensor) -> object:
    if not torch.is_tensor(result):
        return result
    return result.untyped_storage().data_ptr() == x.untyped_storage().data_ptr()


def _gradient(result: object, x: torch.Tensor) -> object:
    """What reaches x from (result * w).sum().backward(): whether result is attached by a grad_fn or is x itself does not
    matter, the gradient does."""
    if not torch.is_tensor(result):
        return result
    if not result.requires_grad:
        return "the result does not require grad"
    weights = torch.arange(1.0, result.numel() + 1, dtype=result.dtype).reshape(result.shape)
    grad = torch.autograd.grad((result * weights).sum(), x, allow_unused=True)[0] if x.requires_grad else None
    return "no gradient reaches x" if grad is None else grad


def _write_through(result: object) -> None:
    """The caller writes into the result (outside autograd), as code that owns a tensor may."""
    if torch.is_tensor(result) and result.numel():
        with torch.no_grad():
            result.detach().fill_(42)


def _flat(a: Case):
    def scenario(impl):
        x = a.make()
        out = impl.flat(x)
        seen = {
            ("flat(x)", "flat(x)"): out.detach().clone() if torch.is_tensor(out) else out,
            ("the gradient reaching x through flat(x)", "通过 flat(x) 传到 x 的梯度"): _gradient(out, x),
            ("does flat(x) share x's memory (a view)", "flat(x) 是否与 x 共享内存(视图)"): _shares(out, x),
        }
        _write_through(out)
        seen[("x after a write into flat(x)", "写入 flat(x) 之后的 x")] = x.detach().clone()
        return seen

    return scenario


def _copy(a: Case):
    def scenario(impl):
        x = a.make()
        out = impl.copy_of(x)
        seen = {
            ("copy_of(x)", "copy_of(x)"): out.detach().clone() if torch.is_tensor(out) else out,
            ("the gradient reaching x through copy_of(x)", "通过 copy_of(x) 传到 x 的梯度"): _gradient(out, x),
            ("does copy_of(x) share x's memory", "copy_of(x) 是否与 x 共享内存"): _shares(out, x),
        }
        _write_through(out)
        seen[("x after a write into copy_of(x)", "写入 copy_of(x) 之后的 x")] = x.detach().clone()
        return seen

    return scenario


@settings(max_examples=12)
@example(Case(values((2, 3), torch.float32, 1)))
@example(Case(values((), torch.int64, 2)))
@given(cases(SHAPES, layouts=("contiguous",)))
def test_flat_values(compare, a: Case) -> None:
    compare.same(_flat(a), **words(x=a), where="flat", hint=FLAT_HINT)


VIEWABLE = [
    Case(values((6,), torch.float32, 3), "strided"),
    Case(values((4,), torch.float64, 4), "strided", requires_grad=True),
    Case(values((3, 4), torch.int64, 5)),
    Case(values((2, 2, 3), torch.float32, 6), requires_grad=True),
]


def test_flat_is_a_view(compare) -> None:
    for a in VIEWABLE:
        compare.same(_flat(a), **words(x=a), where="flat", hint=FLAT_HINT)


NOT_VIEWABLE = [
    Case(values((3, 4), torch.float32, 7), "transposed"),
    Case(values((2, 3), torch.int64, 8), "strided"),
    Case(values((2, 2, 3), torch.float64, 9), "transposed", requires_grad=True),
]


def test_flat_copies_when_it_must(compare) -> None:
    for a in NOT_VIEWABLE:
        compare.same(_flat(a), **words(x=a), where="flat", hint=FLAT_HINT)


@settings(max_examples=12)
@example(Case(values((3,), torch.float32, 10)))
@given(cases(SHAPES, grad=False))
def test_copy_values(compare, a: Case) -> None:
    compare.same(_copy(a), **words(x=a), where="copy_of", hint=COPY_HINT)


def test_copy_is_independent(compare) -> None:
    for a in (Case(values((2, 3), torch.float32, 11)), Case(values((4,), torch.int64, 12), "strided"),
              Case(values((), torch.float64, 13)), Case(values((3, 2), torch.float32, 14), "transposed")):
        compare.same(_copy(a), **words(x=a), where="copy_of", hint=COPY_HINT)


def test_copy_keeps_the_graph(compare) -> None:
    for a in (Case(values((3,), torch.float32, 15), requires_grad=True), Case(values((2, 2), torch.float64, 16), "transposed", requires_grad=True)):
        def scenario(impl, a=a):
            x = a.make()
            return {("the gradient reaching x through copy_of(x)", "通过 copy_of(x) 传到 x 的梯度"): _gradient(impl.copy_of(x), x)}

        compare.same(scenario, **words(x=a), where="copy_of", hint=COPY_HINT)

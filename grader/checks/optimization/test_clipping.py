"""Checks for optimization/clipping, by comparison with the reference (which matches torch.nn.utils.clip_grad_norm_).

Drawn: max_norm below and above the total norm (small gradients must not be scaled up), norm types
1, 2, 3 and inf, float64, 0-d and transposed parameters, parameters without .grad, and the three
forms `parameters` may take: a list, a generator (read once: a second pass over it finds nothing)
and one tensor. Observed: the returned total norm (values, dtype, shape, graph), every gradient and
parameter afterwards, a second call on the clipped gradients, and the gradients' identity.
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.harness import Tolerance
from torchdojo.checks.optimization.common import STATE_HINT, raises, values
from torchdojo.checks.strategies.optimization import (
    NORM_TYPES,
    ClipCase,
    Params,
    clip_cases,
)

# Relative only (gradients of size 1e-6 are compared too), and not tighter for float64: `if total_norm > max_norm`
# is as right as torch's factor < 1, though on a second call torch scales the clipped gradients again by a hair.
CLOSE = Tolerance(rtol=1e-4, atol=0.0)
NORM = ("the returned total norm", "返回的总范数")
GRADS = ("the gradients afterwards", "调用后的梯度")
PARAMS = ("the parameters afterwards", "调用后的参数")


def _clip(case: ClipCase, again: bool = False):
    def scenario(impl):
        params = case.params.make()
        case.give_gradients(params)
        seen = {NORM: values(case.call(impl, params)), GRADS: [values(p.grad) for p in params], PARAMS: values(params)}
        if again and case.scale == 1.0:  # tiny gradients: torch's factor < 1 would scale them again, `total > max_norm` not
            seen[("the total norm a second call returns (on the clipped gradients)", "第二次调用(对已裁剪的梯度)返回的总范数")] = values(case.call(impl, params))
            seen[("the gradients after the second call", "第二次调用之后的梯度")] = [values(p.grad) for p in params]
        return seen

    return scenario


def _same(compare, case: ClipCase, hint: tuple[str, str], again: bool = False) -> None:
    compare.same(_clip(case, again), given=case.describe(), where="clip_grad_norm", tolerance=CLOSE, state_hint=STATE_HINT, hint=hint)


TOTAL = (("The total norm is the norm of all the gradients as one vector: torch.linalg.vector_norm of the stacked per-gradient "
         "norms (for norm_type=2: the square root of the sum of all squares), measured before clipping."),
         ("总范数是把所有梯度看作一个向量时的范数:对各个梯度的范数堆叠后再取 torch.linalg.vector_norm"
         "(norm_type=2 时就是所有平方和的平方根),在裁剪之前测量。"))


@settings(max_examples=8)
@given(clip_cases(max_norms=(1000.0, 50.0)))
def test_total_norm(compare, case: ClipCase) -> None:
    _same(compare, case, (f"{TOTAL[0]} Return it as a 0-d tensor of the gradients' dtype.", f"{TOTAL[1]}以梯度 dtype 的 0 维张量返回。"))


@settings(max_examples=8)
@example(ClipCase(Params(((3,), (2, 3)), torch.float32, 5, ("", "")), 1e-7, scale=1e-6))
@given(clip_cases(max_norms=(0.05, 0.3, 1.0), tiny=True))
def test_clips_when_above(compare, case: ClipCase) -> None:
    _same(compare, case, (
        ("When the total norm is above max_norm, multiply every gradient by the same factor max_norm / (total_norm + 1e-6) "
        "(the 1e-6 shows for tiny gradients): one factor for all of them, not a clip of each gradient on its own."),
        ("总范数大于 max_norm 时,把每个梯度都乘以同一个系数 max_norm / (total_norm + 1e-6)(梯度很小时 1e-6 的影响就显现出来):所有梯度共用一个系数,"
        "而不是分别裁剪每个梯度。")), again=True)


@settings(max_examples=6)
@given(clip_cases(max_norms=(0.4, 3.0, 50.0), missing=True))
def test_leaves_small_gradients(compare, case: ClipCase) -> None:
    _same(compare, case, (
        ("Scale only when total_norm > max_norm: smaller gradients stay exactly as they were (never scaled up), and so do "
        "the parameters; tensors whose .grad is None are skipped."),
        "只有当 total_norm > max_norm 时才缩放:较小的梯度保持原样(绝不放大),参数也保持不变;`.grad` 为 None 的张量跳过。"),
        again=True)


@settings(max_examples=8)
@given(clip_cases(max_norms=(0.05, 0.5, 1000.0), norm_types=NORM_TYPES))
def test_norm_types(compare, case: ClipCase) -> None:
    _same(compare, case, (f"{TOTAL[0]} For norm_type=inf it is the largest absolute value of any gradient.",
                          f"{TOTAL[1]}norm_type=inf 时它是所有梯度中绝对值的最大值。"))


@settings(max_examples=8)
@given(clip_cases(max_norms=(0.05, 0.5), forms=("generator", "tensor", "list"), missing=True))
def test_any_iterable(compare, case: ClipCase) -> None:
    not_parameters = ("clip_grad_norm(3, 1.0) and clip_grad_norm(None, 1.0)", "clip_grad_norm(3, 1.0) 和 clip_grad_norm(None, 1.0)")
    compare.same(lambda impl: {not_parameters: [raises(lambda: impl.clip_grad_norm(3, 1.0)), raises(lambda: impl.clip_grad_norm(None, 1.0))]},
                 given="a number and None instead of parameters", where="clip_grad_norm",
                 hint=(("Let errors reach the caller: something that is neither a tensor nor an iterable must raise (TypeError), "
                       "not return; a try/except that hides errors turns a caller's mistake into a silent no-op."),
                       ("请让错误传给调用者:既不是张量也不是可迭代对象的参数必须抛出错误(TypeError),而不是正常返回;"
                       "用 try/except 把错误藏起来,会把调用者的错误变成悄无声息的空操作。")))
    _same(compare, case, (
        ("Accept one tensor or any iterable: turn it into a list once at the start (a generator such as model.parameters() "
        "is empty the second time it is read), and skip tensors whose .grad is None."),
        ("请接受单个张量或任意可迭代对象:开头先把它转换成列表(像 model.parameters() 这样的生成器第二次读取时是空的),"
        "并跳过 `.grad` 为 None 的张量。")))


@settings(max_examples=4)
@given(clip_cases(max_norms=(0.05, 0.3)))
def test_in_place(compare, case: ClipCase) -> None:
    def scenario(impl):
        params = case.params.make()
        case.give_gradients(params)
        before = [p.grad for p in params]
        total = case.call(impl, params)
        return {("each .grad is still the same tensor object", "每个 .grad 仍是原来的张量对象"): [p.grad is g for p, g in zip(params, before, strict=True)],
                ("the total norm: requires_grad, attached to a graph", "总范数:requires_grad、是否连接计算图"):
                    (getattr(total, "requires_grad", total), getattr(total, "grad_fn", None) is not None),
                ("the gradients: requires_grad", "梯度:requires_grad"): [p.grad.requires_grad for p in params]}

    def higher_order(impl):  # gradients made with backward(create_graph=True): they are attached to a graph
        params = case.params.make()
        sum((p ** 3).sum() for p in params).backward(create_graph=True)
        total = case.call(impl, params)
        return {("the total norm of gradients made with create_graph=True: requires_grad, attached to a graph",
                 "用 create_graph=True 得到的梯度的总范数:requires_grad、是否连接计算图"):
                    (getattr(total, "requires_grad", total), getattr(total, "grad_fn", None) is not None)}

    compare.same(higher_order, given=f"{case.describe()}, gradients from backward(create_graph=True)", where="clip_grad_norm",
                 state_hint=STATE_HINT, tolerance=CLOSE,
                 hint=(("Do the work inside `with torch.no_grad():` (torch's clip_grad_norm_ does): measuring and scaling the "
                        "gradients is not part of the model, and must not be recorded even when the gradients carry a graph."),
                       ("请在 `with torch.no_grad():` 中完成计算(torch 的 clip_grad_norm_ 就是这样):测量和缩放梯度不属于模型的计算,"
                        "即使梯度本身带有计算图,也不能被记录。")))
    compare.same(scenario, given=case.describe(), where="clip_grad_norm", state_hint=STATE_HINT,
                 hint=(("Scale each gradient in place (g.mul_(factor)), so that whoever holds p.grad sees the clipped values; "
                       "p.grad = p.grad * factor makes a new tensor."),
                       ("请原地缩放每个梯度(g.mul_(factor)),这样持有 p.grad 的代码看到的是裁剪后的值;"
                       "p.grad = p.grad * factor 会创建新的张量。")))

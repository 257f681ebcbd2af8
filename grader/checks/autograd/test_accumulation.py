"""Checks for autograd/accumulation, by comparison with the reference on generated parameters.

Parameters come in a list, a tuple, a generator or `module.parameters()` (a generator is
exhausted by a first pass), float32 and float64 (compared tightly), 0-d to 2-d, with and
without a .grad, some frozen (requires_grad=False) but carrying a .grad all the same; the
learning rate is never 1, 0.5 or 2, gradients are never 0 or 1. A gradient is "cleared"
when it is None or zeros (both are right). Every call is followed by a second one.
"""

import torch
from hypothesis import given, settings
from torch import nn

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, cleared, outcome, values
from torchdojo.checks.strategies.autograd import (
    Param,
    ParamSet,
    learning_rates,
    param_sets,
    params,
)
from torchdojo.checks.support import manual_seed


def _given(ps: ParamSet, lr: float) -> dict[str, str]:
    text = f"{ps.describe()}, lr = {lr}"
    return {"given": text, "given_zh": text}


def _each(label: tuple[str, str], tensors: list[torch.Tensor], observe) -> dict[tuple[str, str], object]:
    return {(f"{label[0]} #{i}", f"{label[1]} #{i}"): observe(t) for i, t in enumerate(tensors)}


@settings(max_examples=10)
@given(param_sets(), learning_rates, param_sets(("list",)))
def test_updates_values(compare, ps: ParamSet, lr: float, later: ParamSet) -> None:
    def scenario(impl):
        tensors, argument = ps.make()
        impl.sgd_step(argument, lr)
        # A second call with other tensors: nothing of the first call may be reused.
        others, other_argument = later.make()
        impl.sgd_step(other_argument, 0.3)
        return {
            **_each(("the values of parameter", "参数的数值"), tensors, values),
            **_each(("in a second call, sgd_step(other params, lr=0.3): the values of parameter",
                     "第二次调用 sgd_step(其他参数, lr=0.3):参数的数值"), others, values),
        }

    compare.same(
        scenario,
        **_given(ps, lr),
        where="sgd_step", state_hint=STATE_HINT,
        tolerance=PRECISE,
        hint=(("Each parameter with a .grad becomes p - lr * p.grad, computed in p's own dtype, on every call with the "
              "tensors of that call."),
              "每个有 .grad 的参数都变为 p - lr * p.grad,用 p 自己的 dtype 计算;每次调用都处理本次传入的张量。"),
    )


@settings(max_examples=10)
@given(param_sets(), learning_rates)
def test_clears_gradients(compare, ps: ParamSet, lr: float) -> None:
    def scenario(impl):
        tensors, argument = ps.make()
        impl.sgd_step(argument, lr)
        return _each(("the .grad of parameter", "参数的 .grad"), tensors, lambda p: cleared(p.grad))

    compare.same(
        scenario,
        **_given(ps, lr),
        where="sgd_step", state_hint=STATE_HINT,
        hint=(("backward() adds into .grad: after updating a parameter set p.grad = None (or p.grad.zero_()). Go over "
              "params once (a generator such as model.parameters() is empty the second time), or make a list first."),
              ("backward() 会累加到 .grad 上:更新参数后请设置 p.grad = None(或 p.grad.zero_())。只遍历 params 一次"
              "(model.parameters() 这样的生成器第二次遍历时是空的),或者先把它变成列表。")),
    )


def _training(impl, lr: float, steps: int) -> dict[str, torch.Tensor]:
    manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    x = torch.linspace(-1.0, 1.0, 15).reshape(5, 3)
    for _ in range(steps):
        model(x).pow(2).sum().backward()
        impl.sgd_step(model.parameters(), lr)
    return {name: values(tensor) for name, tensor in model.state_dict().items()}


@settings(max_examples=3)
@given(learning_rates)
def test_training_steps(compare, lr: float) -> None:
    compare.same(
        lambda impl: {("the model's state_dict() after 3 steps of backward() + sgd_step(model.parameters(), lr)",
                       "3 步 backward() + sgd_step(model.parameters(), lr) 之后模型的 state_dict()"): _training(impl, lr, 3)},
        given=f"a Linear-Tanh-Linear model, loss = sum(model(x)**2), lr = {lr}",
        given_zh=f"Linear-Tanh-Linear 模型,loss = sum(model(x)**2),lr = {lr}",
        where="sgd_step", state_hint=STATE_HINT,
        hint=(("Each step must use only the gradients of its own backward(): update every parameter of the generator "
              "in place, then clear its .grad."),
              "每一步只能使用本次 backward() 的梯度:原地更新生成器中的每个参数,然后清空它的 .grad。"),
    )


@settings(max_examples=6)
@given(params("no_grad_yet"), params("frozen"), params("with_grad"), learning_rates)
def test_skips_missing_gradients(compare, without: Param, frozen: Param, with_grad: Param, lr: float) -> None:
    def scenario(impl):
        tensors = [without.make(), frozen.make(), with_grad.make()]
        impl.sgd_step(list(tensors), lr)
        return {
            ("the parameter whose .grad is None (requires_grad=True)", ".grad 为 None 的参数(requires_grad=True)"): tensors[0],
            ("the parameter whose .grad is None (requires_grad=False)", ".grad 为 None 的参数(requires_grad=False)"): tensors[1],
            ("the values of the parameter that has a .grad", "有 .grad 的参数的数值"): values(tensors[2]),
        }

    compare.same(
        scenario,
        given=f"params = [{without.describe()}; {frozen.describe()}; {with_grad.describe()}], lr = {lr}",
        where="sgd_step", state_hint=STATE_HINT,
        tolerance=PRECISE,
        hint=(("Test `p.grad is None` (not requires_grad, not the truth of the tensor) and skip those parameters; "
              "keep going with the others (continue, not break)."),
              ("请判断 `p.grad is None`(不是 requires_grad,也不是张量的真假值)并跳过这些参数;"
              "其余参数继续处理(用 continue,不是 break)。")),
    )


@settings(max_examples=6)
@given(param_sets(), learning_rates)
def test_updates_in_place(compare, ps: ParamSet, lr: float) -> None:
    def scenario(impl):
        tensors, argument = ps.make()
        views = [t.detach().view(t.shape) for t in tensors]  # share storage with the caller's tensors
        impl.sgd_step(argument, lr)
        return _each(("a view (taken before the call, sharing its storage) of parameter", "调用前取得的(共享存储的)视图:参数"),
                     views, values)

    compare.same(
        scenario,
        **_given(ps, lr),
        where="sgd_step", state_hint=STATE_HINT,
        tolerance=PRECISE,
        hint=(("Update each tensor in place (p -= lr * p.grad, p.sub_(...), p.add_(...)): `p = p - lr * p.grad` only rebinds "
              "a local name, and `p.data = ...` swaps in new storage that the model's other references do not see."),
              ("请原地更新每个张量(p -= lr * p.grad、p.sub_(...)、p.add_(...)):`p = p - lr * p.grad` 只是重新绑定局部变量,"
              "`p.data = ...` 换上了新的存储,模型的其他引用看不到。")),
    )


@settings(max_examples=6)
@given(param_sets(), learning_rates)
def test_update_not_recorded(compare, ps: ParamSet, lr: float) -> None:
    def scenario(impl):
        tensors, argument = ps.make()
        for t in tensors:  # gradients that carry a graph of their own (as after backward(create_graph=True))
            if t.grad is not None:
                scale = torch.ones((), dtype=t.dtype, requires_grad=True)
                t.grad = t.grad * scale
        impl.sgd_step(argument, lr)
        return {
            **_each(("requires_grad of parameter", "参数的 requires_grad"), tensors, lambda p: p.requires_grad),
            **_each(("is it still a leaf without grad_fn: parameter", "是否仍是没有 grad_fn 的叶子张量:参数"), tensors,
                    lambda p: p.is_leaf and p.grad_fn is None),
        }

    compare.same(
        scenario,
        **_given(ps, lr),
        where="sgd_step",
        context=torch.no_grad if lr > 1 else None,
        context_words=(" inside the caller's torch.no_grad()", "(在调用者的 torch.no_grad() 中)"),
        hint=(("Update inside `with torch.no_grad():` so that autograd does not record the step, and leave requires_grad and "
              "grad mode as the caller had them (a context manager restores grad mode; torch.set_grad_enabled(False/True) "
              "calls do not)."),
              ("请在 `with torch.no_grad():` 中更新,让自动求导不记录这一步;保持调用者的 requires_grad 和梯度模式不变"
              "(上下文管理器会恢复梯度模式;torch.set_grad_enabled(False/True) 调用不会)。")),
    )


@settings(max_examples=4)
@given(params("with_grad"), learning_rates)
def test_autograd_sees_the_update(compare, param: Param, lr: float) -> None:
    def scenario(impl):
        p = param.make()
        loss = (p * p).sum()  # saves p for its backward
        impl.sgd_step([p], lr)
        return {("loss.backward() for a loss computed from p before the step", "对更新前用 p 计算的损失调用 `loss.backward()`"):
                outcome(loss.backward)}

    compare.same(
        scenario,
        given=f"p = {param.describe()}, loss = (p * p).sum() computed before sgd_step([p], lr = {lr})",
        given_zh=f"p = {param.describe()},在 sgd_step([p], lr = {lr}) 之前计算 loss = (p * p).sum()",
        where="sgd_step", state_hint=STATE_HINT,
        hint=(("A graph that saved p must notice that p changed (autograd then refuses a stale backward). Update p itself "
              "under torch.no_grad(); changes made through p.data are hidden from autograd, which then silently uses "
              "the new values."),
              ("保存了 p 的计算图必须能察觉 p 已改变(自动求导会拒绝过时的 backward)。请在 torch.no_grad() 中更新 p 本身;"
              "通过 p.data 的修改自动求导看不到,之后会悄悄使用新的数值。")),
    )

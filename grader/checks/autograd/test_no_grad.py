"""Checks for autograd/no_grad, by comparison with the reference on generated models and inputs.

predict_no_grad runs on models in training and in eval mode (BatchNorm: the mode changes the
output and the buffers), with a frozen layer (its requires_grad must stay False), with an
input that requires grad, twice (the second time after the weights changed), and inside
the caller's own no_grad. A forward hook records grad mode during the forward pass.
detached_product gets leaves and non-leaves, float32 and float64, 0-d to 2-d, an upstream
gradient that is not ones, and an in-place change of x before backward (which autograd must
notice: x.detach() shares x's version counter, x.data does not).
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.autograd.common import (
    PRECISE,
    STATE_HINT,
    numbers,
    outcome,
    raises,
    values,
)
from torchdojo.checks.strategies import CallerTensor, caller_tensors
from torchdojo.checks.strategies.autograd import Batch, Model, batches, models, upstream


def _given(model: Model, x: Batch) -> dict[str, str]:
    en, zh = model.describe()
    return {"given": f"model = {en}, x = {x.describe()}", "given_zh": f"model = {zh},x = {x.describe()}"}


def _model_state(model) -> dict[str, object]:
    """The model afterwards: its mode, and each parameter's and buffer's values and requires_grad."""
    seen: dict[str, object] = {"training": model.training}
    for name, tensor in model.state_dict(keep_vars=True).items():
        seen[name] = values(tensor)
        seen[f"{name}.requires_grad"] = tensor.requires_grad
    return seen


# Always tried: a frozen layer (its requires_grad must stay False) and BatchNorm in training mode.
_FROZEN = Model("partly frozen", True, 3)
_BATCHNORM = Model("batchnorm", True, 5)
_X = Batch(torch.linspace(-2.0, 2.0, 20).reshape(5, 4), False)
_X_GRAD = Batch(torch.linspace(-1.5, 2.5, 12).reshape(3, 4), True)


@settings(max_examples=6)
@example(_FROZEN, _X)
@example(_BATCHNORM, _X_GRAD)
@given(models, batches)
def test_predict_values(compare, model: Model, x: Batch) -> None:
    def scenario(impl):
        net, inputs = model.make(), x.make()
        first = impl.predict_no_grad(net, inputs)
        with torch.no_grad():  # the caller changes the weights between two predictions
            for parameter in net.parameters():
                parameter.mul_(-0.5).add_(0.1)
        second = impl.predict_no_grad(net, inputs)
        wrong_width = torch.ones(2, 7)  # the model's own error must reach the caller
        return {
            ("the values of predict_no_grad(model, x)", "predict_no_grad(model, x) 的数值"): values(first),
            ("the values of a second call, after the weights changed", "权重改变之后第二次调用的数值"): values(second),
            ("the model afterwards", "调用后的模型"): _model_state(net),
            ("x afterwards", "调用后的 x"): inputs,
            ("predict_no_grad(model, x) for an x of the wrong width (model(x) raises)", "x 宽度不对时(model(x) 会报错)的 predict_no_grad(model, x)"):
                raises(lambda: impl.predict_no_grad(net, wrong_width)),
        }

    compare.same(
        scenario,
        **_given(model, x),
        where="predict_no_grad", state_hint=STATE_HINT,
        hint=(("Return exactly model(x) as the model is now, in the mode the caller left it (do not call eval() or train()), "
              "computed afresh on every call, and leave the model's requires_grad flags as they were; "
              "an error of model(x) must reach the caller."),
              ("请返回模型当前状态下的 model(x),使用调用者设置的模式(不要调用 eval() 或 train()),每次调用都重新计算,"
              "并保持模型参数的 requires_grad 不变;model(x) 的错误必须传给调用者。")),
    )


@settings(max_examples=6)
@example(_FROZEN, _X_GRAD)
@given(models, batches)
def test_predict_builds_no_graph(compare, model: Model, x: Batch) -> None:
    def scenario(impl):
        net, inputs = model.make(), x.make()
        modes: list[bool] = []
        net.register_forward_hook(lambda module, args, output: modes.append(torch.is_grad_enabled()))
        out = impl.predict_no_grad(net, inputs)
        return {
            ("grad mode during the forward pass", "前向传播时的梯度模式"): sorted(set(modes)),
            ("requires_grad of the result", "返回值的 requires_grad"): getattr(out, "requires_grad", out),
            ("is the result attached to a graph (grad_fn)?", "返回值是否连接计算图(grad_fn)"): getattr(out, "grad_fn", out) is not None,
        }

    compare.same(
        scenario,
        **_given(model, x),
        where="predict_no_grad", state_hint=STATE_HINT,
        hint=(("Run model(x) inside `with torch.no_grad():` (or torch.inference_mode()): .detach() afterwards is too late, "
              "the graph was already built; detaching the input or freezing parameters is not enough."),
              ("请在 `with torch.no_grad():`(或 torch.inference_mode())中运行 model(x):之后再 .detach() 已经太晚,"
              "计算图已经建好了;只 detach 输入或冻结参数也不够。")),
    )


@settings(max_examples=4)
@given(models, batches)
def test_predict_inside_no_grad(compare, model: Model, x: Batch) -> None:
    def scenario(impl):
        net, inputs = model.make(), x.make()
        return {("the values of predict_no_grad(model, x)", "predict_no_grad(model, x) 的数值"): values(impl.predict_no_grad(net, inputs))}

    compare.same(
        scenario,
        **_given(model, x),
        where="predict_no_grad",
        context=torch.no_grad,
        context_words=(" inside the caller's torch.no_grad()", "(在调用者的 torch.no_grad() 中)"),
        hint=(("Switch grad mode off with a context manager (`with torch.no_grad():`): it puts grad mode back as the caller "
              "had it; torch.set_grad_enabled(False) ... (True) turns it on even inside the caller's no_grad, or leaves it off."),
              ("请用上下文管理器(`with torch.no_grad():`)关闭梯度模式:它会把梯度模式恢复成调用者原来的设置;"
              "torch.set_grad_enabled(False) ... (True) 会在调用者的 no_grad 中把它打开,或者让它一直关闭。")),
    )


def _given_x(x: CallerTensor) -> dict[str, str]:
    en, zh = x.describe()
    return {"given": f"x = {en}", "given_zh": f"x = {zh}"}


@settings(max_examples=8)
@given(caller_tensors())
def test_detached_product_values(compare, x: CallerTensor) -> None:
    def scenario(impl):
        caller = x.make()
        return {
            ("the values of detached_product(x)", "detached_product(x) 的数值"): numbers(impl.detached_product(caller)),
            ("the caller's x after the call", "调用后调用者的 x"): caller,
        }

    compare.same(scenario, **_given_x(x), where="detached_product", state_hint=STATE_HINT, tolerance=PRECISE,
                 hint=("The value is x * x (x**2), and the caller's x stays as it was: no in-place detach_() or other change.",
                       "数值是 x * x(x**2),调用者的 x 保持不变:不要原地 detach_() 或做其他修改。"))


@settings(max_examples=8)
@given(caller_tensors(states=("requires_grad", "leaf_with_grad", "non_leaf")))
def test_detached_product_gradient(compare, x: CallerTensor) -> None:
    def scenario(impl):
        base = x.values.detach().clone().requires_grad_(True)  # the leaf the gradient reaches
        caller = base * 1.0 if x.state == "non_leaf" else base
        if x.state == "leaf_with_grad":
            base.grad = torch.full_like(base, 0.5)
        y = impl.detached_product(caller)
        seen: dict[object, object] = {
            ("requires_grad of the result", "返回值的 requires_grad"): getattr(y, "requires_grad", y),
        }
        if torch.is_tensor(y) and y.requires_grad:
            y.backward(upstream(y, 11))
            seen[("the gradient reaching x after detached_product(x).backward(v)", "detached_product(x).backward(v) 之后传到 x 的梯度")] = base.grad
        return seen

    compare.same(scenario, **_given_x(x), where="detached_product", state_hint=STATE_HINT, tolerance=PRECISE,
                 hint=(("Detach exactly one factor: x * x.detach() keeps the graph through the first x only, so the gradient "
                       "for an upstream v is v * x (detaching nothing gives 2 * v * x, detaching both gives no gradient)."),
                       ("只 detach 其中一个因子:x * x.detach() 只通过第一个 x 保留计算图,所以上游梯度为 v 时梯度是 v * x"
                       "(什么都不 detach 得到 2 * v * x,两个都 detach 就没有梯度)。")))


@settings(max_examples=3)
@given(caller_tensors(states=("non_leaf",)))
def test_detached_product_sees_changes(compare, x: CallerTensor) -> None:
    def scenario(impl):
        base = x.values.detach().clone().requires_grad_(True)
        caller = base * 1.0
        y = impl.detached_product(caller)
        with torch.no_grad():
            caller.mul_(3.0)  # the caller changes x in place before backward
        return {("y.backward(v) after x was changed in place", "x 被原地修改之后调用 y.backward(v)"):
                outcome(lambda: y.backward(upstream(y, 5))) if torch.is_tensor(y) and y.requires_grad else "no graph"}

    compare.same(scenario, **_given_x(x), where="detached_product", state_hint=STATE_HINT,
                 hint=(("Use x.detach() (as the exercise asks), not x.data: a detached tensor shares x's version counter, so "
                       "autograd refuses a backward that would use values changed in place; with x.data it silently "
                       "computes a wrong gradient."),
                       ("请按练习要求使用 x.detach(),不要用 x.data:detach 得到的张量与 x 共享版本计数器,"
                       "所以自动求导会拒绝使用被原地修改过的数值进行 backward;用 x.data 则会悄悄算出错误的梯度。")))

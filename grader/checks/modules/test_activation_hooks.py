"""Checks for modules/activation_hooks, by comparison with the reference on generated models and inputs.

Models have nested names ("0.1", "0.fc"), a ReLU(inplace=True) right after a Linear (an output
kept without a copy changes), a child that forward never calls (no entry for it), containers
(no entry for them), BatchNorm and Dropout in train and in eval mode (the model's mode and
buffers are compared afterwards), and a model that is itself a leaf (named ""). Hooks left on
any module are counted after each call, after a second call, and after a forward that raises.
"""

import torch
from hypothesis import given, settings

from torchdojo.checks.modules.common import outcome
from torchdojo.checks.strategies.modules import HookModel, hook_models

WHERE = "record_activations"


def _hooks(model: torch.nn.Module) -> int:
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def _given(case: HookModel) -> dict[str, str]:
    return {"given": case.describe(), "given_zh": case.describe().replace(" in train mode", "(训练模式)").replace(" in eval mode", "(评估模式)")}


@settings(max_examples=8)
@given(hook_models)
def test_recorded_outputs(compare, case: HookModel) -> None:
    def scenario(impl):
        model = case.build()
        x = case.x(1)
        return {("the returned dict", "返回的字典"): impl.record_activations(model, x),
                ("the model afterwards", "调用后的模型"): model, ("x afterwards", "调用后的 x"): x}

    compare.same(scenario, **_given(case), where=WHERE,
                 hint=(("One entry per leaf module that ran (no children: next(module.children(), None) is None), named as in "
                       "model.named_modules(), holding output.detach().clone(): a copy, because a later ReLU(inplace=True) "
                       "changes the tensor it was given."),
                       ("每个运行过的叶子模块(没有子模块:next(module.children(), None) is None)一项,名称与 "
                       "model.named_modules() 中的相同,值为 output.detach().clone():要复制,因为之后的 "
                       "ReLU(inplace=True) 会修改传给它的张量。")))


@settings(max_examples=6)
@given(hook_models)
def test_hooks_removed(compare, case: HookModel) -> None:
    def scenario(impl):
        model = case.build()
        first = impl.record_activations(model, case.x(2))
        after_first = _hooks(model)
        second = impl.record_activations(model, case.x(3))
        return {("hooks left on the model after one call", "一次调用后模型上剩下的钩子数"): after_first,
                ("hooks left after a second call", "第二次调用后剩下的钩子数"): _hooks(model),
                ("the first call's names, after a second call", "第二次调用之后,第一次调用返回的名称"): sorted(first),
                ("the second call's result", "第二次调用的返回值"): second}

    compare.same(scenario, **_given(case), where=WHERE,
                 hint=(("Keep the handles that register_forward_hook returns and call handle.remove() on each before returning: "
                       "a second call must start from a model without hooks."),
                       ("保存 register_forward_hook 返回的句柄,返回前对每个句柄调用 handle.remove():"
                       "第二次调用时模型上必须没有钩子。")))


@settings(max_examples=4)
@given(hook_models)
def test_error_cleanup(compare, case: HookModel) -> None:
    def scenario(impl):
        model = case.build()
        wrong = torch.zeros(2, case.width + 3)  # too many features: the first layer raises
        return {("record_activations(model, x_with_too_many_features)", "record_activations(model, 特征过多的 x)"): outcome(
                    lambda: impl.record_activations(model, wrong)),
                ("hooks left on the model after that", "之后模型上剩下的钩子数"): _hooks(model),
                ("grad mode after that", "之后的梯度模式"): torch.is_grad_enabled()}

    compare.same(scenario, **_given(case), where=WHERE,
                 hint=(("Let the error reach the caller, but remove the hooks first: run the forward in try: ... finally: "
                       "(remove every handle in finally), and switch grad mode with `with torch.no_grad():`."),
                       ("让错误传给调用者,但要先移除钩子:把前向传播放在 try: ... finally: 中(在 finally 中移除每个句柄),"
                       "并用 `with torch.no_grad():` 切换梯度模式。")))


@settings(max_examples=4)
@given(hook_models)
def test_no_graph(compare, case: HookModel) -> None:
    def scenario(impl):
        model = case.build()
        modes: list[bool] = []
        probe = torch.nn.modules.module.register_module_forward_hook(lambda module, args, output: modes.append(torch.is_grad_enabled()))
        try:  # a global hook (not on the model): it sees the grad mode while each layer ran
            found = impl.record_activations(model, case.x(4).requires_grad_(True))
        finally:
            probe.remove()
        return {("which recorded outputs require grad", "哪些记录的输出需要梯度"): sorted(
                    name for name, value in found.items() if getattr(value, "requires_grad", False)),
                ("grad mode while the layers ran", "各层运行时的梯度模式"): sorted(set(modes))}

    compare.same(scenario, given=case.describe() + ", x requires grad", where=WHERE,
                 hint=(("Run the forward inside torch.no_grad() (and store output.detach().clone()): the recorded outputs are "
                       "plain tensors, and no graph is kept alive for them."),
                       ("在 torch.no_grad() 中运行前向传播(并保存 output.detach().clone()):记录的输出是普通张量,"
                       "不会为它们保留计算图。")))

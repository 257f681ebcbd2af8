"""Checks for autograd/per_sample_grads, by comparison with the reference on generated models and batches.

Samples differ (repeating the batch gradient, or dividing it by N, shows), N = 1 included; losses
are MSE and cross-entropy; float64 models are compared tightly; the first layer may be frozen (no
entry for it); parameters may already hold a .grad, which must be left as it was, like everything
else about the model, x and y.
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, raises
from torchdojo.checks.strategies.autograd import SampleCase, sample_cases

WHERE = "per_sample_grads"


@settings(max_examples=6)
@given(sample_cases.filter(lambda case: not case.frozen))
@example(SampleCase(3, 4, 2, 3, "mse", False, False, torch.float64, 5))
@example(SampleCase(2, 3, 3, 4, "cross_entropy", False, False, torch.float32, 9))
def test_gradients(compare, case: SampleCase) -> None:
    def scenario(impl):
        model, (x, y) = case.model(), case.batch()
        return {("the per-sample gradients", "逐样本梯度"): impl.per_sample_grads(model, case.loss_fn(), x, y)}

    compare.same(scenario, given=case.describe(), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Row i of each entry is the gradient of loss_fn(model(x[i:i+1]), y[i:i+1]) alone: not the batch's "
                       "gradient repeated or divided by N. vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, x, y) gives "
                       "all rows at once, in the parameters' dtype."),
                       ("每一项的第 i 行只是 loss_fn(model(x[i:i+1]), y[i:i+1]) 的梯度:不是整个批次的梯度重复 N 次或除以 N。"
                       "vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, x, y) 一次给出所有行,dtype 与参数相同。")))


@settings(max_examples=5)
@given(sample_cases.filter(lambda case: case.frozen))
@example(SampleCase(2, 3, 2, 2, "mse", True, True, torch.float32, 3))
def test_frozen_parameters(compare, case: SampleCase) -> None:
    def scenario(impl):
        model, (x, y) = case.model(), case.batch()
        found = impl.per_sample_grads(model, case.loss_fn(), x, y)
        return {("the names in the result", "结果中的名称"): sorted(found) if isinstance(found, dict) else found,
                ("the per-sample gradients", "逐样本梯度"): found}

    compare.same(scenario, given=case.describe(), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Only parameters that require grad get an entry (named as in model.named_parameters()); frozen ones "
                       "still take part in the forward pass with their own values."),
                       "只有需要梯度的参数才有一项(名称与 model.named_parameters() 中的相同);冻结的参数仍以自己的数值参与前向传播。"))


@settings(max_examples=6)
@given(sample_cases)
@example(SampleCase(2, 2, 2, 3, "cross_entropy", False, True, torch.float32, 4))
def test_model_untouched(compare, case: SampleCase) -> None:
    def scenario(impl):
        model, (x, y) = case.model(), case.batch()
        impl.per_sample_grads(model, case.loss_fn(), x, y)
        wide = torch.zeros(case.samples, case.features + 1, dtype=case.dtype)  # the model's first layer refuses it
        return {("per_sample_grads with x one feature too wide", "x 多一个特征时的 per_sample_grads"): raises(
                    lambda: impl.per_sample_grads(model, case.loss_fn(), wide, y)),
                ("the parameters afterwards (values, requires_grad, .grad)", "调用后的参数(数值、requires_grad、.grad)"): list(model.parameters()),
                ("the model's mode afterwards", "调用后模型的模式"): model.training,
                ("x and y afterwards", "调用后的 x 和 y"): (x, y)}

    compare.same(scenario, given=case.describe(), where=WHERE, tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Leave the model as it was: torch.func.grad computes gradients without touching any .grad; a loop "
                       "with loss.backward() fills (and adds to) the parameters' .grad. Let errors of the model reach the caller."),
                       ("保持模型原样:torch.func.grad 计算梯度时不会改动任何 .grad;用 loss.backward() 的循环会填充"
                       "(并累加到)参数的 .grad。让模型的错误传给调用者。")))

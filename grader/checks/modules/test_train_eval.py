"""Checks for modules/train_eval, by comparison with the reference on generated models and inputs.

The model has Dropout (p drawn, never 0) and BatchNorm1d with running statistics far from their
defaults, so output in train mode and in eval mode differ, and running statistics that moved show
in the model's state_dict afterwards. Callers leave it in train mode, in eval mode, or training with
the BatchNorm frozen in eval (a restore of the top-level mode alone unfreezes it); a forward that
raises must still restore every mode; calls also run inside the caller's torch.no_grad().
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.modules.common import outcome
from torchdojo.checks.strategies.modules import EvalModel, eval_models

WHERE = "evaluate"


def _modes(model: torch.nn.Module) -> dict[str, bool]:
    """{module name: module.training}; the model itself is named "model"."""
    return {name or "model": module.training for name, module in model.named_modules()}


@settings(max_examples=6)
@given(eval_models)
@example(EvalModel(3, 0.5, "train", 4, 1))
def test_eval_output(compare, case: EvalModel) -> None:
    def scenario(impl):
        model, x = case.build(), case.x()
        out = impl.evaluate(model, x)
        return {"the result": out.detach() if torch.is_tensor(out) else out,
                ("the running statistics afterwards", "调用后的 running 统计量"): (model[1].running_mean, model[1].running_var),
                ("x afterwards", "调用后的 x"): x}

    compare.same(scenario, given=case.describe(), where=WHERE,
                 hint=(("Call model.eval() before the forward pass: Dropout then does nothing and BatchNorm uses (and does not "
                       "update) its running statistics."),
                       "在前向传播之前调用 model.eval():这样 Dropout 不起作用,BatchNorm 使用(且不更新)running 统计量。"))


@settings(max_examples=6)
@given(eval_models)
@example(EvalModel(2, 0.3, "mixed", 3, 2))
@example(EvalModel(4, 0.8, "eval", 2, 3))
def test_modes_restored(compare, case: EvalModel) -> None:
    def scenario(impl):
        model = case.build()
        impl.evaluate(model, case.x())
        return {("each module's mode afterwards (module.training)", "调用后每个模块的模式(module.training)"): _modes(model)}

    compare.same(scenario, given=case.describe(), where=WHERE,
                 hint=(("Remember every module's mode before model.eval() (e.g. [(m, m.training) for m in model.modules()]) "
                       "and put each one back afterwards: model.train() alone turns an eval model or a frozen BatchNorm to training."),
                       ("在 model.eval() 之前记住每个模块的模式(例如 [(m, m.training) for m in model.modules()]),"
                       "之后逐个恢复:只调用 model.train() 会把评估模式的模型或冻结的 BatchNorm 变成训练模式。")))


@settings(max_examples=4)
@given(eval_models)
@example(EvalModel(3, 0.5, "mixed", 2, 4))
def test_error_restores(compare, case: EvalModel) -> None:
    def scenario(impl):
        model = case.build()
        wrong = torch.zeros(2, case.width + 2)
        return {("evaluate(model, x_with_too_many_features)", "evaluate(model, 特征过多的 x)"): outcome(lambda: impl.evaluate(model, wrong)),
                ("each module's mode afterwards", "之后每个模块的模式"): _modes(model)}

    compare.same(scenario, given=case.describe(), where=WHERE,
                 hint=("Let the error reach the caller, but restore the modes first: try: ... finally: (restore in finally).",
                       "让错误传给调用者,但先恢复模式:try: ... finally:(在 finally 中恢复)。"))


@settings(max_examples=4)
@given(eval_models)
def test_no_graph(compare, case: EvalModel) -> None:
    def scenario(impl):
        model = case.build()
        return {"the result": impl.evaluate(model, case.x().requires_grad_(True))}

    compare.same(scenario, given=case.describe() + " (x requires grad)", where=WHERE,
                 hint=(("Run the forward inside `with torch.no_grad():`: the result is a plain tensor with no graph, and the "
                       "caller's grad mode is back as it was afterwards."),
                       "在 `with torch.no_grad():` 中运行前向传播:结果是没有计算图的普通张量,之后调用者的梯度模式恢复原样。"))

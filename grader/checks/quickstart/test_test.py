"""Checks for quickstart/test, by comparison with the reference run on generated data.

Compared: the accuracy (correct / samples) and the mean batch loss on loaders whose last
batch is mostly smaller than the others, with losses whose reduction is not a plain mean,
and a second call on another loader (no state kept between calls); the model's mode in
the forward passes and afterwards, its buffers (batch norm's running statistics must not
move); grad mode in the forward passes, after the call, and inside the caller's `no_grad`.
"""

import torch
from hypothesis import given, settings
from torch.utils.data import DataLoader

from torchdojo.checks.harness import TrainingLog
from torchdojo.checks.quickstart.common import (
    ERRORS_HINT,
    FEATURES,
    STATE_HINT,
    as_pair,
    blobs,
    modes_seen,
    small_model,
    state,
    unless_unused,
)
from torchdojo.checks.strategies.quickstart import Batches, LossSpec, batches, losses


def _evaluate(impl, plan: Batches, loss: LossSpec, *, mode_layers: bool = False):
    log = TrainingLog()
    model = log.watch_model(small_model(plan.seed, batchnorm=mode_layers, dropout=0.5 if mode_layers else 0.0))
    if mode_layers:
        with torch.no_grad():  # running statistics that differ from any batch's own
            model.get_buffer("1.running_mean").uniform_(-1, 1, generator=torch.Generator().manual_seed(plan.seed))
        model.train()  # as a training epoch before it would leave it
    loader = log.loader(blobs(plan.samples, seed=plan.seed + 1), name="test", batch_size=plan.batch_size)
    return log, model, impl.test(loader, model, loss.make())


def _given(plan: Batches, loss: LossSpec, extra: tuple[str, str] = ("", "")) -> tuple[str, str]:
    en, zh = plan.describe()
    return f"{en}, loss_fn = {loss.name}{extra[0]}", f"{zh},loss_fn = {loss.name}{extra[1]}"


RESULT_TYPE = ("the type of the result", "返回值的类型")


MODE_IN_FORWARD = ("model.training in the forward passes", "前向传播时的 model.training")


@settings(max_examples=12)
@given(batches(min_batches=2), batches(min_batches=1), losses)
def test_accuracy_over_samples(compare, plan: Batches, other: Batches, loss: LossSpec) -> None:
    def scenario(impl):
        _, _, first = _evaluate(impl, plan, loss)
        _, _, second = _evaluate(impl, other, loss)
        return {RESULT_TYPE: type(first).__name__,
                ("the accuracy (the first item of the result)", "准确率(返回值的第一项)"): as_pair(first, 0),
                ("the accuracy of a second call (another loader)", "第二次调用(另一个 DataLoader)的准确率"): as_pair(second, 0)}

    en, zh = _given(plan, loss)

    def mismatch(impl):  # data with 5 features for a model that takes 6: the reference's forward pass raises
        loader = DataLoader(blobs(plan.samples, seed=plan.seed, features=FEATURES - 1), batch_size=plan.batch_size)
        return impl.test(loader, small_model(plan.seed), loss.make())

    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="test",
                 hint=("Return (accuracy, mean_loss) as floats: the accuracy is the number of correct predictions divided by "
                       "the number of samples (len(dataloader.dataset)), a fraction in [0, 1].",
                       "请以 float 返回 (accuracy, mean_loss):准确率是预测正确的个数除以样本数(len(dataloader.dataset)),"
                       "是 [0, 1] 之间的比例。"))
    compare.same(mismatch, state_hint=STATE_HINT, given=f"{en}, data with {FEATURES - 1} features for a model that takes {FEATURES}",
                 given_zh=f"{zh},数据有 {FEATURES - 1} 个特征,而模型需要 {FEATURES} 个", where="test", hint=ERRORS_HINT)


@settings(max_examples=12)
@given(batches(min_batches=2), batches(min_batches=1), losses)
def test_mean_batch_loss(compare, plan: Batches, other: Batches, loss: LossSpec) -> None:
    def scenario(impl):
        _, _, first = _evaluate(impl, plan, loss)
        _, _, second = _evaluate(impl, other, loss)
        return {("the mean loss (the second item of the result)", "平均损失(返回值的第二项)"): as_pair(first, 1),
                ("the mean loss of a second call (another loader)", "第二次调用(另一个 DataLoader)的平均损失"): as_pair(second, 1)}

    en, zh = _given(plan, loss)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="test",
                 hint=("The mean loss is the sum of the batch losses (loss_fn(pred, y).item()) divided by the number of "
                       "batches (len(dataloader)), as the tutorial does.",
                       "平均损失是各批次损失(loss_fn(pred, y).item())之和除以批次数(len(dataloader)),与教程一致。"))


@settings(max_examples=12)
@given(batches(), losses)
def test_eval_mode(compare, plan: Batches, loss: LossSpec) -> None:
    def scenario(impl):
        log, model, _ = _evaluate(impl, plan, loss, mode_layers=True)
        return {
            MODE_IN_FORWARD: modes_seen(log.forward_modes, 0),
            ("the parameters and buffers after the call (batch norm's running statistics)", "调用之后的参数和缓冲区(批归一化的运行统计量)"): state(model),
        }

    en, zh = _given(plan, loss, (", a model with dropout and batch norm, left in training mode by a training epoch",
                                 ",一个带 dropout 和批归一化的模型,之前的训练把它留在了训练模式"))
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="test",
                 hint=unless_unused(MODE_IN_FORWARD, ("Call model.eval() first: dropout off, batch norm uses (and keeps) its running statistics.",
                       "请先调用 model.eval():关闭 dropout,批归一化使用(并保持)其运行统计量。")))


GRAD_IN_FORWARD = ("grad mode (torch.is_grad_enabled()) in the forward passes", "前向传播时的梯度模式(torch.is_grad_enabled())")
NO_GRAD_HINT = ("Evaluate inside `with torch.no_grad():` (a block: grad mode comes back as the caller had it).",
                "请在 `with torch.no_grad():` 代码块中评估(退出代码块时梯度模式恢复为调用者的设置)。")


@settings(max_examples=12)
@given(batches(), losses)
def test_no_grad(compare, plan: Batches, loss: LossSpec) -> None:
    def scenario(impl):
        log, _, _ = _evaluate(impl, plan, loss)
        return {GRAD_IN_FORWARD: modes_seen(log.forward_modes, 1)}

    en, zh = _given(plan, loss)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="test", hint=unless_unused(GRAD_IN_FORWARD, NO_GRAD_HINT))
    compare.same(scenario, state_hint=STATE_HINT, given=en + ", called inside the caller's torch.no_grad()", given_zh=zh + ",在调用者的 torch.no_grad() 中调用",
                 where="test", context=torch.no_grad, context_words=(" (inside the caller's no_grad)", "(在调用者的 no_grad 中)"),
                 hint=unless_unused(GRAD_IN_FORWARD, NO_GRAD_HINT))

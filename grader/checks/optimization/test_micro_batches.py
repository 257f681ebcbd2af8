"""Checks for optimization/micro_batches, by comparison with the reference run (whose gradients equal the big batch's).

Verdicts are by effect, through a `TrainingLog`: what each optimizer.step() found in .grad and the
parameters right after it, over two calls in a row with the same optimizer (momentum and Adam keep
state), the returned loss, and the caller's micro-batches afterwards. The caller's model comes with
stale gradients in .grad (they must not leak in). Drawn: micro-batches of equal and of unequal
sizes (weighing by 1 / count is right only for equal sizes), passed as a list or as a generator.
"""

import torch
from hypothesis import given, settings
from torch import nn

from torchdojo.checks.harness import TrainingLog, explain_steps
from torchdojo.checks.optimization.common import STATE_HINT, raises, values
from torchdojo.checks.quickstart.common import small_model
from torchdojo.checks.strategies.optimization import MicroBatches, micro_batches
from torchdojo.checks.strategies.quickstart import OptimizerSpec, optimizers

STEP_GRADIENTS = ("the gradients each optimizer.step() used (all parameters, flattened)", "每次 optimizer.step() 使用的梯度(全部参数展平)")
STEP_PARAMETERS = ("the parameters after each optimizer.step()", "每次 optimizer.step() 之后的参数")


def _run(impl, first: MicroBatches, second: MicroBatches, optimizer: OptimizerSpec):
    log = TrainingLog()
    model = log.watch_model(small_model(first.seed))
    for p in model.parameters():  # stale gradients from an earlier backward
        p.grad = torch.full_like(p, 0.25)
    opt = log.watch_optimizer(optimizer.make(model.parameters()))
    losses = [impl.accumulated_step(model, batches.argument(), nn.CrossEntropyLoss(), opt) for batches in (first, second)]
    return log, losses


def _given(first: MicroBatches, second: MicroBatches, optimizer: OptimizerSpec) -> str:
    return (f"{first.describe()}, then {second.describe()}, optimizer = {optimizer.describe()}, loss_fn = nn.CrossEntropyLoss(), "
            "stale gradients in .grad before the first call")


def _explain(expected: dict, got: dict) -> tuple[str, str] | None:
    return explain_steps(expected["log"], got["log"])


def _by_effect(compare, first: MicroBatches, second: MicroBatches, optimizer: OptimizerSpec, hint) -> None:
    def scenario(impl):
        log, _ = _run(impl, first, second, optimizer)
        return {"log": log, STEP_GRADIENTS: log.step_gradients, STEP_PARAMETERS: log.step_parameters}

    compare.same(scenario, given=_given(first, second, optimizer), where="accumulated_step", state_hint=STATE_HINT, hint=hint)


WEIGHTS = (("Weigh each micro-batch's loss by len(X) / total (the number of samples of all micro-batches), back-propagate "
           "each, and step once: the gradients then equal the whole batch's."),
           "每个微批次的损失乘以 len(X) / total(所有微批次的样本总数),分别反向传播,最后只更新一次:这样梯度就等于整个批次的梯度。")


def _hint_or(words: tuple[str, str]):
    def hint(expected: dict, got: dict) -> tuple[str, str]:
        return _explain(expected, got) or words

    return hint


@settings(max_examples=4)
@given(micro_batches(equal=True), micro_batches(equal=True), optimizers)
def test_equal_micro_batches(compare, first: MicroBatches, second: MicroBatches, optimizer: OptimizerSpec) -> None:
    _by_effect(compare, first, second, optimizer, _hint_or(WEIGHTS))


@settings(max_examples=4)
@given(micro_batches(equal=False), micro_batches(equal=False), optimizers)
def test_unequal_micro_batches(compare, first: MicroBatches, second: MicroBatches, optimizer: OptimizerSpec) -> None:
    _by_effect(compare, first, second, optimizer, _hint_or((
        f"{WEIGHTS[0]} Dividing by the number of micro-batches is right only when they all have the same size.",
        f"{WEIGHTS[1]}只有当所有微批次大小相同时,除以微批次的个数才正确。")))


@settings(max_examples=3)
@given(micro_batches(equal=False, generator=True), micro_batches(equal=True, generator=True), optimizers)
def test_any_iterable(compare, first: MicroBatches, second: MicroBatches, optimizer: OptimizerSpec) -> None:
    _by_effect(compare, first, second, optimizer, _hint_or((
        ("Read the micro-batches once into a list (list(micro_batches)): a generator is empty the second time, "
        "so counting the samples first and then looping finds nothing to train on."),
        ("请先把微批次读取一次放进列表(list(micro_batches)):生成器第二次读取时是空的,"
        "先统计样本数再循环就没有数据可训练了。"))))


@settings(max_examples=3)
@given(micro_batches(equal=False), micro_batches(equal=True))
def test_returns_whole_batch_loss(compare, first: MicroBatches, second: MicroBatches) -> None:
    optimizer = OptimizerSpec("SGD", 0.0)  # lr 0: the parameters stay, the losses depend on the data alone

    def scenario(impl):
        _, losses = _run(impl, first, second, optimizer)
        inputs = first.make()
        before = values(inputs)
        impl.accumulated_step(small_model(first.seed), inputs, nn.CrossEntropyLoss(), optimizer.make(small_model(0).parameters()))
        wrong = [(X[:, :-1], y) for X, y in first.make()]  # one feature short: the model raises
        failed = raises(lambda: impl.accumulated_step(small_model(first.seed), wrong, nn.CrossEntropyLoss(),
                                                      optimizer.make(small_model(0).parameters())))
        return {("the returned losses of the two calls", "两次调用返回的损失"): losses,
                ("micro-batches with one feature too few (the model raises)", "少一个特征的微批次(模型会报错)"): failed.split(":")[0],
                ("the caller's micro-batches afterwards", "调用后调用者的微批次"): (before, values(inputs))}

    compare.same(scenario, given=_given(first, second, optimizer), where="accumulated_step", state_hint=STATE_HINT,
                 hint=(("Return the whole batch's mean loss as a float: the sum over the micro-batches of loss.item() * len(X) / total "
                       "(not the last micro-batch's loss, not their plain mean); leave the caller's micro-batches as they were."),
                       ("请以 float 返回整个批次的平均损失:各微批次 loss.item() * len(X) / total 之和(不是最后一个微批次的损失,"
                       "也不是它们的简单平均);调用者的微批次保持不变。")))

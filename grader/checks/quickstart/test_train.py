"""Checks for quickstart/train, by comparison with the reference run on generated data.

Verdicts are by effect: what each `optimizer.step()` found in `.grad`, the parameters right
after it, the parameters and buffers after the epoch, the returned value, and the model's
mode during and after the call. The order of calls (recorded by a `TrainingLog`) only names
the cause of a difference: zeroing the gradients first is as right as zeroing them last.
Data: an unequal last batch in most draws; optimizers with learning rates other than the
tutorial's, with momentum and Adam (state that a hand-written update would not keep).
"""

from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import DataLoader

from torchdojo.checks.harness import TrainingLog, explain_steps
from torchdojo.checks.quickstart.common import (
    ERRORS_HINT,
    FEATURES,
    STATE_HINT,
    blobs,
    modes_seen,
    small_model,
    state,
)
from torchdojo.checks.strategies.quickstart import (
    Batches,
    LossSpec,
    OptimizerSpec,
    batches,
    losses,
    optimizers,
)


def _train(impl, plan: Batches, optimizer: OptimizerSpec, loss: LossSpec, *, batchnorm: bool = False,
           start_eval: bool = False, epochs: int = 1):
    log = TrainingLog()
    model = log.watch_model(small_model(plan.seed, batchnorm=batchnorm))
    if start_eval:
        model.eval()  # as an evaluation before it would leave it
    opt = log.watch_optimizer(optimizer.make(model.parameters()))
    loader = log.loader(blobs(plan.samples, seed=plan.seed), name="train", batch_size=plan.batch_size)
    results = [impl.train(loader, model, loss.make(), opt) for _ in range(epochs)]
    return log, model, results


def _given(plan: Batches, optimizer: OptimizerSpec, loss: LossSpec, extra: tuple[str, str] = ("", "")) -> tuple[str, str]:
    en, zh = plan.describe()
    return (f"{en}, optimizer = {optimizer.describe()}, loss_fn = {loss.name}{extra[0]}",
            f"{zh},optimizer = {optimizer.describe()},loss_fn = {loss.name}{extra[1]}")


STEP_GRADIENTS = ("the gradients each optimizer.step() used (all parameters, flattened)", "每次 optimizer.step() 使用的梯度(全部参数展平)")
STEP_PARAMETERS = ("the parameters after each optimizer.step()", "每次 optimizer.step() 之后的参数")


def _explain(expected: dict, got: dict) -> tuple[str, str] | None:
    return explain_steps(expected["log"], got["log"])


@settings(max_examples=12)
@given(st.integers(2, 9), st.integers(0, 3), optimizers, losses, st.integers(0, 2**16))
def test_one_batch_step(compare, samples: int, extra: int, optimizer: OptimizerSpec, loss: LossSpec, seed: int) -> None:
    plan = Batches(samples, samples + extra, seed)  # a single batch, full or not

    def scenario(impl):
        log, _, _ = _train(impl, plan, optimizer, loss)
        return {"log": log, STEP_GRADIENTS: log.step_gradients, STEP_PARAMETERS: log.step_parameters}

    en, zh = _given(plan, optimizer, loss)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="train", hint=_explain)


@settings(max_examples=12)
@given(batches(min_batches=3), optimizers, losses)
def test_zero_grad_each_batch(compare, plan: Batches, optimizer: OptimizerSpec, loss: LossSpec) -> None:
    def scenario(impl):
        log, model, _ = _train(impl, plan, optimizer, loss, batchnorm=True, epochs=2)
        return {"log": log, STEP_GRADIENTS: log.step_gradients, STEP_PARAMETERS: log.step_parameters,
                ("the parameters and buffers after two epochs", "两轮之后的参数和缓冲区"): state(model)}

    en, zh = _given(plan, optimizer, loss, (", two calls (two epochs) with the same optimizer", ",用同一个优化器调用两次(两轮)"))
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="train", hint=_explain)


@settings(max_examples=12)
@given(batches(), batches(min_batches=1), losses)
def test_returns_mean_batch_loss(compare, plan: Batches, other: Batches, loss: LossSpec) -> None:
    # lr=0: the parameters never move, so the batch losses do not depend on the order of the updates.
    optimizer = OptimizerSpec("SGD", 0.0)

    def scenario(impl):
        _, _, (first,) = _train(impl, plan, optimizer, loss)
        _, _, (second,) = _train(impl, other, optimizer, loss)
        return {"the returned value": first,
                ("the value a second call returns (another loader)", "第二次调用(另一个 DataLoader)的返回值"): second}

    en, zh = _given(plan, optimizer, loss)

    def mismatch(impl):  # data with 5 features for a model that takes 6: the reference's forward pass raises
        model = small_model(plan.seed)
        loader = DataLoader(blobs(plan.samples, seed=plan.seed, features=FEATURES - 1), batch_size=plan.batch_size)
        return impl.train(loader, model, loss.make(), optimizer.make(model.parameters()))

    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="train",
                 hint=("Return the mean of the batch losses as a float: the sum of loss.item() divided by the number of "
                       "batches (the last batch may be smaller, and still counts as one batch).",
                       "请以 float 返回各批次损失的平均值:loss.item() 之和除以批次数(最后一个批次可能更小,但仍算一个批次)。"))
    compare.same(mismatch, state_hint=STATE_HINT, given=f"{en}, data with {FEATURES - 1} features for a model that takes {FEATURES}",
                 given_zh=f"{zh},数据有 {FEATURES - 1} 个特征,而模型需要 {FEATURES} 个", where="train", hint=ERRORS_HINT)


@settings(max_examples=12)
@given(batches(), losses)
def test_train_mode(compare, plan: Batches, loss: LossSpec) -> None:
    optimizer = OptimizerSpec("SGD", 0.0)  # the buffers then show the mode alone, not the updates (other checks)

    def scenario(impl):
        log, model, _ = _train(impl, plan, optimizer, loss, batchnorm=True, start_eval=True)
        return {
            ("model.training in the forward passes", "前向传播时的 model.training"): modes_seen(log.forward_modes, 0),
            ("model.training after the call", "调用之后的 model.training"): model.training,
            ("the parameters and buffers after the epoch (batch norm's running statistics)", "一轮之后的参数和缓冲区(批归一化的运行统计量)"): state(model),
        }

    en, zh = _given(plan, optimizer, loss, (", a model with batch norm, left in eval mode by an evaluation",
                                            ",一个带批归一化的模型,之前的评估把它留在了评估模式"))
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="train",
                 hint=("Call model.train() at the start, and leave the model in training mode.",
                       "请在开始时调用 model.train(),并让模型保持训练模式。"))

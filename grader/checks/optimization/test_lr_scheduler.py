"""Checks for optimization/lr_scheduler, by comparison with the reference run on generated data.

Verdicts are by effect, through a `TrainingLog` and a step hook: the learning rate each
optimizer.step() used, what each step found in .grad and the parameters after it, the scheduler's
epoch count afterwards, and the returned rates. Drawn: schedulers that change the rate after the
first epoch (StepLR with step sizes 1 and 2, MultiStepLR, ExponentialLR), 2 to 4 epochs, loaders
with an unequal last batch (more than one batch per epoch: a scheduler stepped per batch shows).
"""

from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn
from torch.utils.data import DataLoader

from torchdojo.checks.harness import TrainingLog, explain_steps
from torchdojo.checks.optimization.common import STATE_HINT, raises
from torchdojo.checks.quickstart.common import FEATURES, blobs, small_model
from torchdojo.checks.strategies.optimization import SchedulerSpec, schedulers
from torchdojo.checks.strategies.quickstart import Batches, OptimizerSpec, batches

RATES = ("the learning rate each optimizer.step() used", "每次 optimizer.step() 使用的学习率")
STEP_PARAMETERS = ("the parameters after each optimizer.step()", "每次 optimizer.step() 之后的参数")
ORDER = (("In each epoch: every batch with loss.backward() and optimizer.step(); then scheduler.step() once, after the epoch's "
         "last optimizer.step() (not before the loop, not once per batch)."),
         ("每一轮:先对每个批次执行 loss.backward() 和 optimizer.step();然后在这一轮最后一次 optimizer.step() 之后调用一次 "
         "scheduler.step()(不要在循环之前调用,也不要每个批次调用一次)。"))


def _run(impl, plan: Batches, spec: SchedulerSpec, epochs: int):
    log = TrainingLog()
    model = log.watch_model(small_model(plan.seed))
    optimizer = log.watch_optimizer(OptimizerSpec("SGD", spec.lr).make(model.parameters()))
    rates: list[float] = []
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: rates.append(opt.param_groups[0]["lr"]))
    scheduler = spec.make(optimizer)
    loader = log.loader(blobs(plan.samples, seed=plan.seed), name="train", batch_size=plan.batch_size)
    returned = impl.train_with_scheduler(model, loader, nn.CrossEntropyLoss(), optimizer, scheduler, epochs)
    return log, rates, scheduler, returned


def _given(plan: Batches, spec: SchedulerSpec, epochs: int) -> tuple[str, str]:
    en, zh = plan.describe()
    return f"{en}, {spec.describe()}, epochs={epochs}", f"{zh},{spec.describe()},epochs={epochs}"


def _hint(words: tuple[str, str]):
    def hint(expected: dict, got: dict) -> tuple[str, str]:
        return explain_steps(expected["log"], got["log"]) or words

    return hint


@settings(max_examples=5)
@given(batches(min_batches=2, max_batches=3), schedulers, st.integers(2, 4))
def test_rate_per_step(compare, plan: Batches, spec: SchedulerSpec, epochs: int) -> None:
    def scenario(impl):
        log, rates, _, _ = _run(impl, plan, spec, epochs)
        return {"log": log, RATES: rates}

    en, zh = _given(plan, spec, epochs)
    compare.same(scenario, given=en, given_zh=zh, where="train_with_scheduler", state_hint=STATE_HINT, hint=_hint(ORDER))


@settings(max_examples=4)
@given(batches(min_batches=2, max_batches=3), schedulers, st.integers(2, 3))
def test_trains_every_batch(compare, plan: Batches, spec: SchedulerSpec, epochs: int) -> None:
    def scenario(impl):
        log, _, _, _ = _run(impl, plan, spec, epochs)
        return {"log": log, STEP_PARAMETERS: log.step_parameters}

    en, zh = _given(plan, spec, epochs)
    compare.same(scenario, given=en, given_zh=zh, where="train_with_scheduler", state_hint=STATE_HINT, hint=_hint((
        ("Per batch: pred = model(X); loss = loss_fn(pred, y); loss.backward(); optimizer.step(); and clear the gradients "
        "(optimizer.zero_grad()) once per batch."),
        ("每个批次:pred = model(X);loss = loss_fn(pred, y);loss.backward();optimizer.step();并且每个批次清空一次梯度"
        "(optimizer.zero_grad())。"))))


@settings(max_examples=4)
@given(batches(min_batches=2, max_batches=3), schedulers, st.integers(1, 4))
def test_one_scheduler_step_per_epoch(compare, plan: Batches, spec: SchedulerSpec, epochs: int) -> None:
    def scenario(impl):
        _, _, scheduler, _ = _run(impl, plan, spec, epochs)
        return {("scheduler.last_epoch after the call (one scheduler.step() per epoch)", "调用之后的 scheduler.last_epoch(每轮一次 scheduler.step())"):
                scheduler.last_epoch}

    en, zh = _given(plan, spec, epochs)
    compare.same(scenario, given=en, given_zh=zh, where="train_with_scheduler", state_hint=STATE_HINT, hint=ORDER)


@settings(max_examples=3)
@given(batches(min_batches=2, max_batches=3), schedulers, st.integers(1, 4))
def test_returns_rates(compare, plan: Batches, spec: SchedulerSpec, epochs: int) -> None:
    def scenario(impl):
        _, _, _, returned = _run(impl, plan, spec, epochs)
        model = small_model(plan.seed)
        optimizer = OptimizerSpec("SGD", spec.lr).make(model.parameters())
        narrow = DataLoader(blobs(plan.samples, seed=plan.seed, features=FEATURES - 1), batch_size=plan.batch_size)  # the model raises
        failed = raises(lambda: impl.train_with_scheduler(model, narrow, nn.CrossEntropyLoss(), optimizer, spec.make(optimizer), epochs))
        return {("the returned learning rates", "返回的学习率"): returned,
                ("data with one feature too few (the model raises)", "少一个特征的数据(模型会报错)"): failed.split(":")[0]}

    en, zh = _given(plan, spec, epochs)
    compare.same(scenario, given=en, given_zh=zh, where="train_with_scheduler", state_hint=STATE_HINT,
                 hint=(("Return a list with one float per epoch: optimizer.param_groups[0][\"lr\"] as the epoch trained with it, "
                       "read before that epoch's scheduler.step(); let errors reach the caller."),
                       "请返回每轮一个 float 的列表:这一轮训练时的 optimizer.param_groups[0][\"lr\"],在这一轮的 scheduler.step() 之前读取;错误要传给调用者。"))

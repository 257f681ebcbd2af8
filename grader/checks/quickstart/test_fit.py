"""Checks for quickstart/fit, by comparison with the reference run on generated data.

The loaders are spies (`TrainingLog`): they record which loader each pass came from and the
parameters each pass began with. Training and test data differ in size, batch size and
distribution, so metrics taken from the wrong loader differ. Compared: the records (a list,
one dict per epoch with exactly the four keys, epochs numbered from 1 — or from 0, which the
spec leaves open), each epoch's train_loss / test_loss / accuracy, the parameters after each
epoch with learning rates other than the tutorial's and with the default, and a real run on
the shipped FashionMNIST stand-in where the model must improve as the reference's does.
"""

from dataclasses import dataclass, field

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.utils.data import Subset

from torchdojo.checks.harness import TrainingLog
from torchdojo.checks.quickstart.common import (
    FEATURES,
    STATE_HINT,
    blobs,
    small_model,
    state,
)
from torchdojo.checks.strategies.quickstart import LEARNING_RATES, Batches, batches

KEYS = ("epoch", "train_loss", "test_loss", "accuracy")
METRICS = KEYS[1:]
DEFAULT = "default"


@dataclass
class _FitLog(TrainingLog):
    """A `TrainingLog` that also keeps, for each forward pass, the loader of the current pass, model.training and grad mode."""

    loader_modes: set[tuple[str, bool, bool]] = field(default_factory=set)


def _fit(impl, train: Batches, test: Batches, epochs: int, lr):
    log = _FitLog()
    model = log.watch_model(small_model(train.seed, batchnorm=True))
    seen = log.loader_modes  # (the loader of the current pass, model.training, grad mode) in each forward pass
    model.register_forward_hook(lambda module, inputs, output: seen.add(
        ((log.passes() or ["none"])[-1], module.training, torch.is_grad_enabled())))
    train_dl = log.loader(blobs(train.samples, seed=train.seed), name="train", batch_size=train.batch_size)
    test_dl = log.loader(blobs(test.samples, seed=test.seed + 1, spread=2.0), name="test", batch_size=test.batch_size)
    history = impl.fit(model, train_dl, test_dl, epochs) if lr == DEFAULT else impl.fit(model, train_dl, test_dl, epochs, lr=lr)
    return log, model, history


def _given(train: Batches, test: Batches, epochs: int, lr) -> tuple[str, str]:
    (train_en, train_zh), (test_en, test_zh) = train.describe(), test.describe()
    call = f"fit(model, train_dl, test_dl, epochs={epochs})" if lr == DEFAULT else f"fit(model, train_dl, test_dl, epochs={epochs}, lr={lr})"
    return (f"{call}, train_dl: {train_en}, test_dl: {test_en}", f"{call},train_dl:{train_zh},test_dl:{test_zh}")


def _records(history) -> list:
    return list(history) if isinstance(history, list) else []


def _epoch_numbers(history) -> object:
    """The epoch numbers, counted from 1; a history counted from 0 is read as counted from 1 (the spec allows both)."""
    if not isinstance(history, list):
        return history
    numbers = [record.get("epoch") if isinstance(record, dict) else record for record in history]
    return [n + 1 for n in numbers] if numbers == list(range(len(numbers))) else numbers


def _shape_of(history, words: tuple[str, str]) -> dict:
    en, zh = words
    return {
        (f"the type of the result{en}", f"返回值{zh}的类型"): type(history).__name__,
        (f"the number of records{en}", f"记录{zh}的条数"): len(history) if isinstance(history, list) else None,
        (f"the keys of each record{en}", f"每条记录{zh}的键"): [sorted(r) if isinstance(r, dict) else type(r).__name__ for r in _records(history)],
        (f"the type of each record{en}", f"每条记录{zh}的类型"): [type(r).__name__ for r in _records(history)],
        (f"the epoch numbers{en}", f"轮次编号{zh}"): _epoch_numbers(history),
    }


@given(batches(min_batches=2, max_batches=3), batches(min_batches=1, max_batches=3), st.integers(0, 3), st.integers(1, 2), LEARNING_RATES)
@settings(max_examples=10)
def test_history_per_epoch(compare, train: Batches, test: Batches, epochs: int, more: int, lr: float) -> None:
    def scenario(impl):
        _, _, history = _fit(impl, train, test, epochs, lr)
        _, _, second = _fit(impl, train, test, more, lr)
        return {**_shape_of(history, ("", "")), **_shape_of(second, (f" of a second call (epochs={more})", f"(第二次调用,epochs={more})"))}

    en, zh = _given(train, test, epochs, lr)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="fit",
                 hint=('Return a list with one dict per epoch, exactly {"epoch": 1, "train_loss": ..., "test_loss": ..., "accuracy": ...}.',
                       '请返回一个 list,每轮一个 dict,恰好为 {"epoch": 1, "train_loss": ..., "test_loss": ..., "accuracy": ...}。'))


PASSES = "passes"
RECORD_METRICS = ("the records' metrics", "记录中的指标")


class Passes:
    """Which loader each pass came from, for the hint only (compared by type, never by value)."""

    def __init__(self, log: TrainingLog) -> None:
        self.order = log.passes()
        self.parameters = log.pass_parameters


def _metrics_hint(expected: dict, got: dict) -> tuple[str, str] | None:
    want, have = expected[PASSES], got[PASSES]
    if have.order != want.order:
        return (f"Your fit iterated the loaders in the order {', '.join(have.order) or 'none'}; each epoch should train on "
                f"train_dl, then evaluate on test_dl ({', '.join(want.order)}).",
                f"你的 fit 遍历 DataLoader 的顺序是 {', '.join(have.order) or '无'};每一轮应先在 train_dl 上训练,"
                f"再在 test_dl 上评估({', '.join(want.order)})。")
    for (_name, a), (_, b) in zip(want.parameters, have.parameters, strict=False):
        if a.shape != b.shape or not torch.allclose(a, b, rtol=1e-4, atol=1e-5):
            return ("The parameters at the start of a pass over test_dl already differ from the reference's: the training "
                    "differs (loss function, optimizer or lr), so the metrics differ too.",
                    "在 test_dl 上评估开始时参数已与参考答案不同:训练过程不同(损失函数、优化器或 lr),所以指标也不同。")
    return _swapped_keys(expected.get(RECORD_METRICS, []), got.get(RECORD_METRICS, []))


def _swapped_keys(want: list, have: object) -> tuple[str, str] | None:
    if not isinstance(have, list):
        return None
    for w, h in zip(want, have, strict=False):
        for key in METRICS:
            value = h.get(key) if isinstance(h, dict) else None
            if not isinstance(value, int | float) or abs(value - w[key]) <= 1e-5 * max(1.0, abs(w[key])):
                continue
            for other in METRICS:
                if other != key and abs(value - w[other]) <= 1e-5 * max(1.0, abs(w[other])):
                    return (f"Your record's '{key}' holds what the reference records as '{other}'.",
                            f"你的记录中 '{key}' 存放的是参考答案中 '{other}' 的值。")
    return None


@given(batches(min_batches=2, max_batches=3), batches(min_batches=1, max_batches=3), st.integers(1, 3), LEARNING_RATES)
@settings(max_examples=10)
def test_metrics_per_epoch(compare, train: Batches, test: Batches, epochs: int, lr: float) -> None:
    def scenario(impl):
        log, _, history = _fit(impl, train, test, epochs, lr)
        metrics = [{key: r.get(key, "missing") for key in METRICS} if isinstance(r, dict) else r for r in _records(history)]
        return {PASSES: Passes(log), RECORD_METRICS: metrics}

    en, zh = _given(train, test, epochs, lr)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="fit", hint=_metrics_hint)

    def mismatch(bad: str):
        def run(impl):  # one loader holds data with 5 features for a model that takes 6: the reference raises there
            log = TrainingLog()
            good = log.loader(blobs(train.samples, seed=train.seed), name="good", batch_size=train.batch_size)
            wrong = log.loader(blobs(train.samples, seed=train.seed, features=FEATURES - 1), name=bad, batch_size=train.batch_size)
            loaders = (wrong, good) if bad == "train_dl" else (good, wrong)
            try:
                impl.fit(small_model(train.seed), *loaders, epochs, lr=lr)
                ended = "returns normally"
            except Exception as error:  # noqa: BLE001 - how the call ends is what is compared
                ended = f"raises {type(error).__name__}"
            return {(f"{bad} was iterated", f"遍历了 {bad}"): bad in log.passes(), ("how the call ends", "调用如何结束"): ended}

        return run

    for bad in ("train_dl", "test_dl"):
        compare.same(mismatch(bad), state_hint=STATE_HINT,
                     given=f"{en}, {bad} with {FEATURES - 1} features for a model that takes {FEATURES}",
                     given_zh=f"{zh},{bad} 的数据有 {FEATURES - 1} 个特征,而模型需要 {FEATURES} 个", where="fit",
                     hint=("Train on train_dl and evaluate on test_dl every epoch, and let errors reach the caller "
                           "(a try/except that hides them turns a mistake into wrong records).",
                           "每一轮都在 train_dl 上训练、在 test_dl 上评估,并让错误传给调用者"
                           "(用 try/except 把错误藏起来,会把错误变成错误的记录)。"))


@given(batches(min_batches=1, max_batches=2), batches(min_batches=1, max_batches=2), st.integers(1, 2), LEARNING_RATES)
@settings(max_examples=6)
def test_evaluation_modes(compare, train: Batches, test: Batches, epochs: int, lr: float) -> None:
    def scenario(impl):
        log, _, _ = _fit(impl, train, test, epochs, lr)
        return {("(loader, model.training, grad mode) in the forward passes", "前向传播时的(DataLoader, model.training, 梯度模式)"):
                sorted(log.loader_modes)}

    en, zh = _given(train, test, epochs, lr)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="fit",
                 hint=("Train on train_dl in training mode, then evaluate on test_dl in eval mode inside torch.no_grad(), "
                       "as the given train and test do.",
                       "请像给出的 train 和 test 那样:在 train_dl 上以训练模式训练,再在 test_dl 上以评估模式、"
                       "在 torch.no_grad() 中评估。"))


@given(batches(min_batches=2, max_batches=3), batches(min_batches=1, max_batches=2), st.integers(1, 2), LEARNING_RATES)
@settings(max_examples=10)
def test_tutorial_loss_and_optimizer(compare, train: Batches, test: Batches, epochs: int, lr: float) -> None:
    def scenario(impl):
        _, model, _ = _fit(impl, train, test, epochs, lr)
        return {("the parameters and buffers after fit", "fit 之后的参数和缓冲区"): state(model)}

    en, zh = _given(train, test, epochs, lr)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="fit",
                 hint=("Train with nn.CrossEntropyLoss() and torch.optim.SGD(model.parameters(), lr=lr), the tutorial's choices.",
                       "请使用教程的选择:nn.CrossEntropyLoss() 和 torch.optim.SGD(model.parameters(), lr=lr)。"))


@given(batches(min_batches=1, max_batches=1), st.sampled_from([DEFAULT, 0.0, 0.05, 0.3, 0.013]))
@settings(max_examples=8)
def test_learning_rate_used(compare, train: Batches, lr) -> None:
    # One batch, one epoch: a single optimizer step, lr x gradient (the same first step with or without momentum).
    test = Batches(7, 4, train.seed)

    def scenario(impl):
        _, model, _ = _fit(impl, train, test, 1, lr)
        return {("the parameters and buffers after one step", "一步之后的参数和缓冲区"): state(model)}

    en, zh = _given(train, test, 1, lr)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="fit",
                 hint=("One SGD step moves each parameter by lr × its gradient: pass fit's lr (default 1e-3) to "
                       "torch.optim.SGD(model.parameters(), lr=lr), with nn.CrossEntropyLoss() (its mean reduction).",
                       "一步 SGD 让每个参数移动 lr × 梯度:请把 fit 的 lr(默认 1e-3)传给 torch.optim.SGD(model.parameters(), lr=lr),"
                       "并使用 nn.CrossEntropyLoss()(默认的 mean 归约)。"))


def _fashion_run(impl, epochs: int):
    from torchdojo.data.fashion import IdxFashion

    log = TrainingLog()
    model = log.watch_model(small_model(5, features=28 * 28, classes=10, hidden=32, flatten=True))
    train_dl = log.loader(Subset(IdxFashion(train=True), range(768)), name="train", batch_size=64)
    test_dl = log.loader(Subset(IdxFashion(train=False), range(250)), name="test", batch_size=64)
    return log, impl.fit(model, train_dl, test_dl, epochs, lr=0.1)


def _improves_hint(expected: dict, got: dict) -> tuple[str, str] | None:
    def accuracies(history) -> list:
        return [round(float(r["accuracy"]), 3) if isinstance(r, dict) and isinstance(r.get("accuracy"), int | float) else "?" for r in _records(history)]

    want, have = accuracies(expected[FASHION_HISTORY]), accuracies(got[FASHION_HISTORY])
    order = _metrics_hint(expected, got) if expected[PASSES].order != got[PASSES].order else None
    en, zh = order or ("", "")
    return (f"Accuracy per epoch on test_dl: the reference reaches {want}, yours {have}. {en}".strip(),
            f"test_dl 上每轮的准确率:参考答案为 {want},你的为 {have}。{zh}")


FASHION_HISTORY = ("the records", "记录")


def test_model_improves(compare) -> None:
    def scenario(impl):
        log, history = _fashion_run(impl, 3)
        return {PASSES: Passes(log), FASHION_HISTORY: [dict(r, epoch=None) if isinstance(r, dict) else r for r in _records(history)]
                if isinstance(history, list) else history}

    observed = compare.same(scenario, state_hint=STATE_HINT, given="3 epochs at lr=0.1 on 768 images of the shipped FashionMNIST stand-in (test: 250 images)",
                            given_zh="在自带的 FashionMNIST 替代数据上以 lr=0.1 训练 3 轮(768 张训练图片,250 张测试图片)",
                            where="fit", hint=_improves_hint)
    accuracy = [r["accuracy"] for r in observed[FASHION_HISTORY]]
    assert accuracy[-1] > accuracy[0] and accuracy[-1] >= 0.5, f"the grader's own run does not learn: {accuracy}"

"""Checks for devices/train_step: compared with the reference on generated training setups.

Setups vary: an MLP or a single layer, classification (integer targets) or regression
(float targets), SGD with and without momentum or Adam, learning rates other than 1,
batch sizes that change from call to call, the batch as a tuple or as a list. Compared:
the returned loss (a Python float, the batch's loss), the parameters after each call (the
gradients left behind are free: zero_grad() first or last are both right), the caller's batch
afterwards; on the accelerator stand-in, where the model's input and the loss's target
were when used.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import MACHINES, MetaDeviceSpy, is_device_mismatch, learner_code, simulated
from torchdojo.checks.strategies.devices import TrainCase, train_cases

ORDER_HINT = ("Per call: pred = model(X); loss = loss_fn(pred, y); loss.backward(); optimizer.step(); optimizer.zero_grad() — "
              "with the optimizer you were given.",
              "每次调用:pred = model(X);loss = loss_fn(pred, y);loss.backward();optimizer.step();optimizer.zero_grad()"
              "——使用传入的优化器。")


def _parameters(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def _device_arg(case: TrainCase) -> object:
    return torch.device("cpu") if case.seed % 2 else "cpu"


@settings(max_examples=8)
@given(train_cases())
def test_returns_float(compare, case: TrainCase) -> None:
    def scenario(impl):
        model, loss_fn, optimizer = case.build()
        return {("the value it returns", "返回值"): impl.train_step(model, case.batches()[0], loss_fn, optimizer, _device_arg(case))}

    def wrong_width(impl):  # the model raises on this batch: so must train_step (no swallowed errors)
        model, loss_fn, optimizer = case.build()
        X, y = case.batches()[0]
        return impl.train_step(model, (torch.cat([X, X], dim=1), y), loss_fn, optimizer, _device_arg(case))

    with learner_code():
        same(compare, wrong_width, {}, ("Let the model's own error reach the caller: don't catch it.", "让模型自己的错误传给调用者:不要捕获它。"),
             given=case.describe() + ", but X has 8 features instead of 4 (the model raises)", where="train_step")
        same(compare, scenario, {}, ("Return the batch's loss as a Python float: loss.item() (not a tensor, not a sum over samples).",
                                     "请以 Python float 返回该批次的损失:loss.item()(不是张量,也不是对样本求和)。"),
             given=case.describe(), where="train_step")


@settings(max_examples=8)
@given(train_cases())
def test_updates_like_reference(compare, case: TrainCase) -> None:
    def scenario(impl):
        model, loss_fn, optimizer = case.build()
        batch = case.batches()[0]
        impl.train_step(model, batch, loss_fn, optimizer, _device_arg(case))
        return {
            ("the parameters after the call", "调用后的参数"): _parameters(model),
            ("the caller's batch afterwards", "调用后调用者的批次"): batch,
        }

    with learner_code():
        same(compare, scenario, {"the caller's batch": ("Don't change the caller's batch: X, y = batch, then move them into new names.",
                                                        "不要改动调用者的批次:X, y = batch,再把移动后的张量赋给新的变量。")},
             ORDER_HINT, given=case.describe(), where="train_step")


@settings(max_examples=8)
@given(train_cases(steps=(2, 3)))
def test_zero_grad_each_step(compare, case: TrainCase) -> None:
    def scenario(impl):
        model, loss_fn, optimizer = case.build()
        after = []
        for batch in case.batches():
            impl.train_step(model, batch, loss_fn, optimizer, _device_arg(case))
            after.append(_parameters(model))
        return {("the parameters after each call", "每次调用后的参数"): after}

    with learner_code():
        same(compare, scenario, {}, ("Clear the gradients every call (optimizer.zero_grad() after the step), so a step "
                                     "never adds the previous batch's gradients. " + ORDER_HINT[0],
                                     "每次调用都要清空梯度(step 之后调用 optimizer.zero_grad()),这样每一步都不会带上"
                                     "上一批次的梯度。" + ORDER_HINT[1]),
             given=case.describe() + f", {len(case.sizes)} calls in a row", where="train_step")


class _Recorded(nn.Module):
    """The caller's loss function, recording where its inputs were."""

    def __init__(self, inner: nn.Module, spy: MetaDeviceSpy, seen: dict) -> None:
        super().__init__()
        self.inner, self.spy, self.seen = inner, spy, seen

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        self.seen["prediction"].append(self.spy.device_of(pred).type)
        self.seen["target"].append((self.spy.device_of(target).type, str(target.dtype).removeprefix("torch.")))
        return self.inner(pred, target)


@settings(max_examples=8)
@given(train_cases(steps=(1, 2)), st.sampled_from(["meta", torch.device("meta")]), st.sampled_from(MACHINES))
def test_moves_inputs_and_targets(compare, case: TrainCase, device: object, machine) -> None:
    case = TrainCase(case.model, case.loss, "SGD", case.lr, case.sizes, case.as_list, case.seed)

    def scenario(impl):
        model, loss_fn, optimizer = case.build("meta")
        spy = MetaDeviceSpy(where=getattr(impl, "train_step", None))
        seen: dict = {"model input": [], "prediction": [], "target": []}
        model.register_forward_pre_hook(lambda module, inputs: seen["model input"].append(spy.device_of(inputs[0]).type))
        batches = case.batches()
        outcome = []
        with simulated(machine):
            for batch in batches:
                try:
                    with spy:
                        impl.train_step(model, batch, _Recorded(loss_fn, spy, seen), optimizer, device)
                    outcome.append("returned")
                except RuntimeError as error:
                    if not is_device_mismatch(error):
                        raise
                    outcome.append("an error: tensors on different devices")
        return {
            ("what happened", "运行结果"): outcome,
            ("the device of the model's input", "模型输入所在的设备"): seen["model input"],
            ("the device and dtype of the target y given to the loss", "传给损失函数的目标 y 的设备和 dtype"): seen["target"],
            ("the caller's batch afterwards (devices)", "调用后调用者的批次(设备)"): [[t.device.type for t in batch] for batch in batches],
        }

    with learner_code():
        same(compare, scenario,
             {"the target": ("Move the targets too, and only their device: y = y.to(device).", "目标也要移动,而且只改变设备:y = y.to(device)。"),
              "the caller's batch": ("Don't write the moved tensors back into the caller's batch.", "不要把移动后的张量写回调用者的批次。")},
             ("Move both X and y to the `device` argument (don't pick your own): X, y = X.to(device), y.to(device).",
              "请把 X 和 y 都移到参数 `device`(不要自己另选设备):X, y = X.to(device), y.to(device)。"),
             given=case.describe() + f", device = {device!r} (the meta device stands in for the accelerator), "
                                     f"on a machine with {machine.describe()[0]}",
             where="train_step")

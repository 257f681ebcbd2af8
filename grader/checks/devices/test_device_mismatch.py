"""Checks for devices/device_mismatch: the input follows the model, the result comes back to the CPU."""

import torch
from torch import nn

from grader.checks.stand_in import MetaDeviceSpy, is_device_mismatch, simulate_accelerator
from grader.checks.support import expect, expect_close, fail, tensor_result


def _model(device: str) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)


def _predict_on_meta(learner, spy: MetaDeviceSpy) -> tuple[torch.Tensor, list[torch.device]]:
    model = _model("meta")
    seen: list[torch.device] = []
    model[0].register_forward_hook(lambda module, inputs, output: seen.append(inputs[0].device))
    try:
        with spy:
            out = learner.predict(model, torch.randn(5, 4))
    except RuntimeError as error:
        if is_device_mismatch(error):
            fail(
                "The model is on the accelerator but the input stayed on the CPU (\"tensors on different devices\"). "
                "Move x to the model's device: next(model.parameters()).device.",
                "模型在加速器上,输入却留在 CPU(\"tensors on different devices\")。"
                "请把 x 移到模型所在的设备:next(model.parameters()).device。",
                learner.predict,
            )
        raise
    return tensor_result(out, "predict", learner.predict), seen


def test_cpu_model_values(learner) -> None:
    model, x = _model("cpu"), torch.randn(5, 4)
    out = tensor_result(learner.predict(model, x), "predict", learner.predict)
    with torch.no_grad():
        expect_close(out, model(x), "predict(model, x) on the CPU", "CPU 上的 predict(model, x)", learner.predict)


def test_input_on_model_device(learner) -> None:
    _, seen = _predict_on_meta(learner, MetaDeviceSpy(where=learner.predict))
    expect(
        bool(seen) and all(device.type == "meta" for device in seen),
        "The model never ran on its own device.",
        "模型没有在它所在的设备上运行。",
        learner.predict,
    )


def test_result_on_cpu(learner) -> None:
    out, _ = _predict_on_meta(learner, MetaDeviceSpy(where=learner.predict))
    expect(
        out.device.type == "cpu",
        f"predict returned a tensor on '{out.device}'; bring the result back with .cpu().",
        f"predict 返回的张量位于 '{out.device}';请用 .cpu() 把结果取回。",
        learner.predict,
    )
    expect(tuple(out.shape) == (5, 3), f"Expected shape (5, 3), got {tuple(out.shape)}.",
           f"期望形状为 (5, 3),实际为 {tuple(out.shape)}。", learner.predict)


def test_device_from_model(learner, monkeypatch) -> None:
    simulate_accelerator(monkeypatch, "cuda")  # a GPU 'exists', yet the model sits elsewhere
    _predict_on_meta(learner, MetaDeviceSpy(where=learner.predict))

"""Checks for devices/channels_last: the batch and the model's 4-D weights in channels_last, shapes unchanged.

Compared with the reference on generated conv models (a Conv2d; two convs, one without bias; a
conv with BatchNorm, pooling and a Linear head, whose 1-D and 2-D parameters have no channels_last
form) and batches (float32 or float64; NCHW, already channels_last, or a strided slice; with or
without requires_grad): the returned batch (values, shape, dtype, requires_grad, and x.grad after a
backward pass through it: returning x itself when it is already channels_last is right too), whether it is
channels_last- and NCHW-contiguous and its strides, the caller's x afterwards (values and
strides); the returned model (the given object), each parameter's values and strides, and the
model's output on the returned batch (values, and whether it kept channels_last). A 3-D x must
raise torch's error. The stride of a dimension of size 1 is never compared: torch leaves it free
(its value changes nothing).
"""

from __future__ import annotations

import torch
from hypothesis import given, settings

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import learner_code
from torchdojo.checks.strategies.devices import LayoutCase, layout_cases

CL = torch.channels_last


def _strides(t: object) -> object:
    """The strides that matter: a size-1 dimension's stride is free (None)."""
    if not isinstance(t, torch.Tensor):
        return type(t).__name__
    return tuple(s if n > 1 else None for n, s in zip(t.shape, t.stride(), strict=True))


def _layout(t: object) -> object:
    if not isinstance(t, torch.Tensor) or t.dim() != 4:
        return None
    return {"channels_last": t.is_contiguous(memory_format=CL), "NCHW-contiguous": t.is_contiguous(), "strides": _strides(t)}


def _pair(result: object) -> tuple[object, object]:
    if isinstance(result, tuple | list) and len(result) == 2:
        return result[0], result[1]
    return None, result


BATCH = ("the returned batch", "返回的批次")
BATCH_LAYOUT = ("the returned batch's memory format (channels_last, NCHW-contiguous, strides)", "返回批次的内存格式(channels_last、NCHW 连续、步幅)")
CALLER_X = ("the caller's x afterwards (values, strides)", "调用后调用者的 x(数值、步幅)")
SAME_MODEL = ("the returned model is the given model", "返回的模型就是传入的模型")
PARAMS = ("each parameter's values afterwards", "调用后每个参数的数值")
PARAM_LAYOUT = ("each parameter's memory format afterwards", "调用后每个参数的内存格式")
OUTPUT = ("the model's output on the returned batch", "模型在返回批次上的输出")
OUTPUT_LAYOUT = ("the memory format of the first convolution's output", "第一个卷积输出的内存格式")

VALUES = (("Return (model, batch): the batch keeps x's shape (N, C, H, W), values and dtype — only the strides change. "
           "Not x.permute(0, 2, 3, 1): that changes the shape. Don't change x itself."),
          ("请返回 (model, batch):批次保持 x 的形状 (N, C, H, W)、数值和 dtype——只有步幅改变。"
           "不要用 x.permute(0, 2, 3, 1):那会改变形状。也不要改动 x 本身。"))
BATCH_HINT = (("x.contiguous(memory_format=torch.channels_last) gives a channels_last copy: for each pixel its channels sit side by "
               "side (stride 1 along C). Plain x.contiguous() keeps NCHW."),
              ("x.contiguous(memory_format=torch.channels_last) 得到 channels_last 副本:每个像素的各个通道挨在一起(C 方向步幅为 1)。"
               "普通的 x.contiguous() 仍是 NCHW。"))
MODEL_HINT = (("Convert the model too: model.to(memory_format=torch.channels_last) changes its 4-D weights in place and returns "
               "the same model; the values stay."),
              "模型也要转换:model.to(memory_format=torch.channels_last) 原地改变它的 4 维权重并返回同一个模型;数值不变。")


def _convert(impl, case: LayoutCase) -> tuple[torch.nn.Module, torch.Tensor, object, object]:
    model, x = case.build(), case.make()
    returned_model, batch = _pair(impl.to_channels_last(model, x))
    return model, x, returned_model, batch


@settings(max_examples=12, deadline=None)
@given(layout_cases)
def test_batch_values(compare, case: LayoutCase) -> None:
    def scenario(impl):
        _, x, _, batch = _convert(impl, case)
        if not isinstance(batch, torch.Tensor):
            return {BATCH: batch}
        seen = {BATCH: batch.detach(), ("the returned batch's requires_grad", "返回批次的 requires_grad"): batch.requires_grad,
                CALLER_X: (x.detach(), _strides(x))}
        if batch.requires_grad and batch.shape == x.shape:  # x itself or a copy on its graph: gradients reach x either way
            weights = torch.arange(batch.numel(), dtype=batch.dtype).reshape(batch.shape)
            (batch * weights).sum().backward()
        seen[("x.grad after a backward pass through the returned batch", "经返回批次反向传播后的 x.grad")] = x.grad
        return seen

    with learner_code():
        same(compare, scenario, {}, VALUES, given=case.describe(), where="to_channels_last")


@settings(max_examples=12, deadline=None)
@given(layout_cases)
def test_batch_channels_last(compare, case: LayoutCase) -> None:
    def scenario(impl):
        _, _, _, batch = _convert(impl, case)
        return {BATCH_LAYOUT: _layout(batch)}

    def three_d(impl):
        return impl.to_channels_last(case.build(), case.make()[0])

    with learner_code():
        same(compare, three_d, {}, ("channels_last needs a 4-D batch: let torch's error reach the caller, don't catch it.",
                                    "channels_last 需要 4 维的批次:让 torch 的错误传给调用者,不要捕获它。"),
             given=f"{case.describe()}, but x is x[0], 3-D (torch raises)", where="to_channels_last")
        same(compare, scenario, {}, BATCH_HINT, given=case.describe(), where="to_channels_last")


@settings(max_examples=8, deadline=None)
@given(layout_cases)
def test_model_channels_last(compare, case: LayoutCase) -> None:
    def scenario(impl):
        model, _, returned, _ = _convert(impl, case)
        return {SAME_MODEL: returned is model,
                PARAMS: {name: p.detach() for name, p in model.named_parameters()},
                PARAM_LAYOUT: {name: (_strides(p), p.dim() == 4 and p.is_contiguous(memory_format=CL))
                               for name, p in model.named_parameters()}}

    with learner_code():
        same(compare, scenario, {}, MODEL_HINT, given=case.describe(), where="to_channels_last")


@settings(max_examples=8, deadline=None)
@given(layout_cases)
def test_conv_keeps_format(compare, case: LayoutCase) -> None:
    def scenario(impl):
        model, _, _, batch = _convert(impl, case)
        first = next(m for m in model.modules() if isinstance(m, torch.nn.Conv2d))
        seen: list[object] = []
        handle = first.register_forward_hook(lambda _m, _i, out: seen.append(_layout(out)))
        try:
            out = model(batch) if isinstance(batch, torch.Tensor) else None
        finally:
            handle.remove()
        return {OUTPUT: out, OUTPUT_LAYOUT: seen}

    with learner_code():
        same(compare, scenario, {}, (f"{BATCH_HINT[0]} {MODEL_HINT[0]}", f"{BATCH_HINT[1]}{MODEL_HINT[1]}"),
             given=case.describe(), where="to_channels_last")

"""Checks for data/transforms, by comparison with the reference (which matches torchvision's ToTensor and Normalize).

Drawn: images whose height, width and channel count all differ (a reshape where a permute is
needed cannot keep the shape, nor mix channels unnoticed), grayscale images, bytes 0 and 255;
per-channel means and stds all different and never 1, float64 inputs; labels that leave the
highest classes out, none at all, and labels out of range. Observed: the results (values,
dtype, shape) and the inputs afterwards.
"""

import torch
from hypothesis import given, settings

from torchdojo.checks.data.common import outcome, values
from torchdojo.checks.harness import Tolerance
from torchdojo.checks.strategies.data import (
    ImageCase,
    NormalizeCase,
    OneHotCase,
    image_cases,
    normalize_cases,
    one_hot_cases,
)

RESULT = ("the result", "返回值")
INPUT = ("the input afterwards", "调用后的输入")
# float64 against float64 tightly: a mean or std rounded to float32 on the way shows
PRECISE = Tolerance(rtol64=1e-12, atol64=1e-14)


def _same(compare, case, scenario, where: str, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where=where, hint=hint)


def _to_tensor(case: ImageCase):
    def scenario(impl):
        image = case.make()
        seen = {RESULT: values(impl.to_tensor(image)), INPUT: image}
        wrong = image.unsqueeze(0) if image.dim() == 3 else image.reshape(-1)  # 4-d, 1-d
        seen[(f"to_tensor of a {wrong.dim()}-d image", f"{wrong.dim()} 维图像的 to_tensor")] = outcome(lambda: impl.to_tensor(wrong)).startswith("raises")
        return seen

    return scenario


TO_TENSOR = (("Like ToTensor: image.permute(2, 0, 1) moves the channels first (a reshape or view would mix the pixels up), "
             "then .float() / 255 gives float32 values in [0, 1]. Leave the image as it was."),
             ("和 `ToTensor` 一样:`image.permute(2, 0, 1)` 把通道移到最前面(`reshape` 或 `view` 会把像素打乱),"
             "再 .float() / 255 得到 [0, 1] 之间的 float32。不要修改原图像。"))


@settings(max_examples=4)
@given(image_cases(color=False))
def test_to_tensor_gray(compare, case: ImageCase) -> None:
    _same(compare, case, _to_tensor(case), "to_tensor",
          ("A grayscale (H, W) image becomes (1, H, W): one channel, added in front (image.unsqueeze(0)).",
           "灰度图 (H, W) 变成 (1, H, W):在最前面加一个通道(image.unsqueeze(0))。"))


@settings(max_examples=6)
@given(image_cases(color=True))
def test_to_tensor_color(compare, case: ImageCase) -> None:
    _same(compare, case, _to_tensor(case), "to_tensor", TO_TENSOR)


@settings(max_examples=8)
@given(normalize_cases())
def test_normalize(compare, case: NormalizeCase) -> None:
    def plain(impl):
        x = case.make()
        return {RESULT: values(impl.normalize(x, list(case.means), list(case.stds))), INPUT: x}

    def tracked(impl):
        leaf = case.make().requires_grad_(True)
        out = impl.normalize(leaf, case.means, case.stds)
        out.sum().backward()
        return {("the result for mean and std given as tuples, x requiring grad", "mean 和 std 为元组、x 需要梯度时的返回值"): out,
                ("x.grad after result.sum().backward()", "result.sum().backward() 之后的 x.grad"): values(leaf.grad)}

    en, zh = case.describe()
    for scenario in (plain, tracked):  # the caller's x first: an in-place change is named as such
        compare.same(scenario, given=en, given_zh=zh, where="normalize", tolerance=PRECISE, hint=NORMALIZE)


NORMALIZE = (("Channel c gets (x[c] - mean[c]) / std[c]: make mean and std tensors of shape (C, 1, 1) in x's dtype so they "
              "broadcast over each channel's H x W, and return a new tensor (x.sub_ would change the caller's x), recorded by autograd."),
             ("第 c 个通道得到 (x[c] - mean[c]) / std[c]:把 mean 和 std 变成 x 的 dtype、形状为 (C, 1, 1) 的张量,"
              "使它们在每个通道的 H x W 上广播;返回由自动求导记录的新张量(x.sub_ 会修改调用者的 x)。"))


@settings(max_examples=8)
@given(one_hot_cases())
def test_one_hot(compare, case: OneHotCase) -> None:
    def scenario(impl):
        labels = case.make()
        return {RESULT: values(impl.one_hot(labels, case.classes)), INPUT: labels}

    _same(compare, case, scenario, "one_hot",
          (("Start from torch.zeros(N, num_classes) (float32) and scatter_(1, labels.unsqueeze(1), 1.0): num_classes columns even "
           "when the highest classes never occur."),
           ("从 torch.zeros(N, num_classes)(float32)开始,再 scatter_(1, labels.unsqueeze(1), 1.0):即使最高的几个类别没有出现,"
           "也要有 num_classes 列。")))


@settings(max_examples=4)
@given(one_hot_cases())
def test_one_hot_errors(compare, case: OneHotCase) -> None:
    def scenario(impl):
        too_high = torch.cat([case.make(), torch.tensor([case.classes])])
        negative = torch.cat([torch.tensor([-1]), case.make()])
        failed = outcome(lambda: impl.one_hot(too_high, case.classes)).startswith("raises")
        failed_negative = outcome(lambda: impl.one_hot(negative, case.classes)).startswith("raises")
        return {("one_hot(labels + [num_classes]) raises", "one_hot(labels + [num_classes]) 抛出错误"): failed,
                ("one_hot([-1] + labels) raises", "one_hot([-1] + labels) 抛出错误"): failed_negative}

    _same(compare, case, scenario, "one_hot",
          ("A label outside [0, num_classes) must raise (scatter_ does by itself): never drop it or wrap it around.",
           "不在 [0, num_classes) 中的标签必须抛出错误(scatter_ 本身就会):不要丢掉它,也不要取模绕回。"))

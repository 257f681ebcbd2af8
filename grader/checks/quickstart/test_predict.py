"""Checks for quickstart/predict, by comparison with the reference run on generated images.

Compared: the class name returned for images of shape (1, 28, 28) and (1, 1, 28, 28) (the
spec allows both), a second call on another image (no state kept between calls), the image
afterwards (not modified), other class lists (list or tuple, other lengths); the model's
mode in the forward pass and afterwards; grad mode in the forward pass, after the call and
inside the caller's `no_grad`.
"""

import torch
from hypothesis import given
from hypothesis import strategies as st

from torchdojo.checks.harness import TrainingLog
from torchdojo.checks.quickstart.common import (
    STATE_HINT,
    modes_seen,
    small_model,
    unless_unused,
)
from torchdojo.checks.strategies.quickstart import IMAGE_SHAPES, class_names
from torchdojo.data.fashion import CLASSES


def _image(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def _model(seed: int, classes: int = 10, dropout: float = 0.0) -> tuple[TrainingLog, torch.nn.Module]:
    log = TrainingLog()
    model = log.watch_model(small_model(seed, features=28 * 28, classes=classes, hidden=16, flatten=True, dropout=dropout))
    return log, model


def _cnn(seed: int) -> torch.nn.Module:
    """A model that needs a batch dimension (Conv2d, then Linear): x of shape (1, 1, 28, 28) goes in as it is."""
    generator = torch.Generator().manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 5, stride=3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(2 * 8 * 8, 10))
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.3)
    return model


def _shape(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


MODE_IN_FORWARD = ("model.training in the forward pass", "前向传播时的 model.training")


@given(IMAGE_SHAPES, IMAGE_SHAPES, st.integers(0, 2**16))
def test_returns_class_name(compare, shape: tuple[int, ...], other_shape: tuple[int, ...], seed: int) -> None:
    def scenario(impl):
        x, other = _image(shape, seed), _image(other_shape, seed + 1)
        first = impl.predict_class(_model(seed)[1], x, list(CLASSES))
        second = impl.predict_class(_model(seed + 1)[1], other, list(CLASSES))
        batched = _image((1, 1, 28, 28), seed + 2)
        convolutional = impl.predict_class(_cnn(seed), batched, list(CLASSES))
        return {"the result": first,
                ("the result of a second call (another model, another image)", "第二次调用(另一个模型、另一张图片)的返回值"): second,
                ("the image x after the call", "调用之后的图片 x"): x,
                ("the result for a convolutional model and an image of shape (1, 1, 28, 28)", "卷积模型、形状为 (1, 1, 28, 28) 的图片的返回值"): convolutional,
                ("that image after the call", "调用之后的该图片"): batched}

    compare.same(scenario, state_hint=STATE_HINT, given=f"an image x of shape {_shape(shape)}, then one of shape {_shape(other_shape)} with another model, "
                 "then one of shape (1, 1, 28, 28) with a convolutional model, the tutorial's classes",
                 given_zh=f"形状为 {_shape(shape)} 的图片 x,然后用另一个模型预测形状为 {_shape(other_shape)} 的图片,"
                 "再用卷积模型预测形状为 (1, 1, 28, 28) 的图片,教程的类别", where="predict_class",
                 hint=("Return the class name, classes[index of the largest logit], for x as given (do not change x in place).",
                       "请返回类别名称 classes[最大 logit 的下标],并且不要原地修改 x。"))


@given(IMAGE_SHAPES, st.integers(0, 2**16))
def test_eval_mode(compare, shape: tuple[int, ...], seed: int) -> None:
    def scenario(impl):
        log, model = _model(seed, dropout=0.5)
        model.train()
        impl.predict_class(model, _image(shape, seed), list(CLASSES))
        return {MODE_IN_FORWARD: modes_seen(log.forward_modes, 0)}

    compare.same(scenario, state_hint=STATE_HINT, given=f"an image of shape {_shape(shape)}, a model with dropout in training mode",
                 given_zh=f"形状为 {_shape(shape)} 的图片,一个带 dropout、处于训练模式的模型", where="predict_class",
                 hint=unless_unused(MODE_IN_FORWARD, ("Call model.eval() before predicting: in training mode dropout makes the answer random.",
                       "预测前请调用 model.eval():训练模式下 dropout 会让结果随机。")))


GRAD_IN_FORWARD = ("grad mode (torch.is_grad_enabled()) in the forward pass", "前向传播时的梯度模式(torch.is_grad_enabled())")
NO_GRAD_HINT = ("Predict inside `with torch.no_grad():` (a block: grad mode comes back as the caller had it).",
                "请在 `with torch.no_grad():` 代码块中预测(退出代码块时梯度模式恢复为调用者的设置)。")


@given(IMAGE_SHAPES, st.integers(0, 2**16))
def test_no_grad(compare, shape: tuple[int, ...], seed: int) -> None:
    def scenario(impl):
        log, model = _model(seed)
        impl.predict_class(model, _image(shape, seed), list(CLASSES))
        return {GRAD_IN_FORWARD: modes_seen(log.forward_modes, 1)}

    given_en, given_zh = f"an image of shape {_shape(shape)}", f"形状为 {_shape(shape)} 的图片"
    compare.same(scenario, state_hint=STATE_HINT, given=given_en, given_zh=given_zh, where="predict_class", hint=unless_unused(GRAD_IN_FORWARD, NO_GRAD_HINT))
    compare.same(scenario, state_hint=STATE_HINT, given=given_en + ", called inside the caller's torch.no_grad()", given_zh=given_zh + ",在调用者的 torch.no_grad() 中调用",
                 where="predict_class", context=torch.no_grad, context_words=(" (inside the caller's no_grad)", "(在调用者的 no_grad 中)"),
                 hint=unless_unused(GRAD_IN_FORWARD, NO_GRAD_HINT))


@given(IMAGE_SHAPES, st.integers(3, 12).flatmap(class_names), st.integers(0, 2**16))
def test_other_class_lists(compare, shape: tuple[int, ...], names, seed: int) -> None:
    def scenario(impl):
        _, model = _model(seed, classes=len(names))
        given_names = type(names)(names)
        result = impl.predict_class(model, _image(shape, seed), given_names)
        return {"the result": result, ("the classes after the call", "调用之后的 classes"): given_names}

    compare.same(scenario, state_hint=STATE_HINT, given=f"an image of shape {_shape(shape)}, classes = {names!r}",
                 given_zh=f"形状为 {_shape(shape)} 的图片,classes = {names!r}", where="predict_class",
                 hint=("Use the `classes` you are given (any length, list or tuple), not a list of your own.",
                       "请使用传入的 `classes`(任意长度,list 或 tuple),不要用你自己的列表。"))
    compare.same(lambda impl: impl.predict_class(_model(seed)[1], _image(shape, seed), type(names)()), state_hint=STATE_HINT,
                 given=f"an image of shape {_shape(shape)}, classes = {type(names)()!r} (no names: classes[index] raises IndexError)",
                 given_zh=f"形状为 {_shape(shape)} 的图片,classes = {type(names)()!r}(没有名称:classes[index] 抛出 IndexError)",
                 where="predict_class", hint=("The name comes from the `classes` you are given (here none, so classes[index] raises IndexError): "
                       "use them, and let errors reach the caller (no try/except that hides them).",
                       "名称来自传入的 `classes`(这里为空,所以 classes[index] 抛出 IndexError):请使用它,"
                       "并让错误传给调用者(不要用 try/except 把错误藏起来)。"))

"""Checks for quickstart/predict: a class name, computed in eval mode without a graph."""

import torch

from grader.checks.quickstart.common import record_modes, small_model
from grader.checks.support import expect, fail, show
from grader.fashion import CLASSES
from grader.quickstart_run import NeuralNetwork


def _image_model(dropout: bool = False):
    torch.manual_seed(0)
    model = NeuralNetwork()
    if dropout:
        model.linear_relu_stack.insert(2, torch.nn.Dropout(0.9))
    return model


def test_returns_class_name(learner) -> None:
    model = _image_model()
    for shape in ((1, 28, 28), (1, 1, 28, 28)):
        x = torch.rand(shape, generator=torch.Generator().manual_seed(1))
        with torch.no_grad():
            want = CLASSES[int(model(x.reshape(1, 1, 28, 28))[0].argmax())]
        got = learner.predict_class(model, x, list(CLASSES))
        if not isinstance(got, str):
            fail(f"predict_class returned {show(got)}; return the class name, classes[index].",
                 f"predict_class 返回了 {show(got)};请返回类别名称 classes[index]。", learner.predict_class)
        expect(got == want, f"For an image of shape {shape} the model predicts '{want}', predict_class returned '{got}'.",
               f"对形状为 {shape} 的图片,模型预测为 '{want}',predict_class 返回了 '{got}'。", learner.predict_class)


def test_eval_mode(learner) -> None:
    model = _image_model(dropout=True)
    model.train()
    seen = record_modes(model)
    learner.predict_class(model, torch.rand(1, 28, 28), list(CLASSES))
    expect(bool(seen) and not any(training for training, _ in seen),
           "The prediction ran in training mode (dropout active: a random answer). Call model.eval() first.",
           "预测时模型处于训练模式(dropout 生效:结果随机)。请先调用 model.eval()。", learner.predict_class)


def test_no_grad(learner) -> None:
    model = _image_model()
    seen = record_modes(model)
    learner.predict_class(model, torch.rand(1, 28, 28), list(CLASSES))
    expect(bool(seen) and not any(grad for _, grad in seen), "Predict inside `with torch.no_grad():`: no graph is needed.",
           "请在 `with torch.no_grad():` 中预测:不需要计算图。", learner.predict_class)


def test_other_class_lists(learner) -> None:
    model = small_model(features=784, classes=10)
    names = [f"class {i}" for i in range(10)]
    x = torch.rand(1, 28, 28)
    with torch.no_grad():
        want = names[int(model(x.reshape(1, 784))[0].argmax())]
    model_flat = torch.nn.Sequential(torch.nn.Flatten(), model)
    expect(learner.predict_class(model_flat, x, names) == want, "predict_class must use the `classes` it is given.",
           "predict_class 必须使用传入的 `classes`。", learner.predict_class)

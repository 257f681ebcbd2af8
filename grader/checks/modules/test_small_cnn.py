"""Checks for modules/small_cnn, by comparison with the reference on generated sizes and inputs.

The layout is the learner's (attributes, nn.Sequential, any names): parameters are compared by
shape and the reference's values are placed into the learner's layers (`common.aligned`). The
number of classes is drawn (the default 10 included), batches have 1 to 4 images (a stray squeeze
shows at 1), pixel values are negative and positive (a missing ReLU shows), and outputs are
compared in training and eval mode. feature_shape gets odd sizes (pooling floors them) and models
in either mode, which it must leave as they were.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.modules.common import (
    aligned,
    attempt,
    outcome,
    shapes_text,
    state_shapes_text,
    values,
)
from torchdojo.checks.strategies.modules import SEEDS, randn

WHERE = "SmallCNN.forward"
classes_st = st.sampled_from([None, 10, 3, 7])


def _make(classes: int | None):
    return lambda impl: impl.SmallCNN() if classes is None else impl.SmallCNN(classes)


def _name(classes: int | None) -> str:
    return "SmallCNN()" if classes is None else f"SmallCNN({classes})"


@settings(max_examples=4)
@given(classes_st)
@example(None)
def test_layers(compare, classes: int | None) -> None:
    def scenario(impl):
        model = _make(classes)(impl)
        return {("the shapes in model.parameters() (sorted)", "model.parameters() 中的形状(排序后)"): shapes_text(model),
                ("the shapes in model.state_dict() (sorted)", "model.state_dict() 中的形状(排序后)"): state_shapes_text(model)}

    compare.same(scenario, given=_name(classes), where="SmallCNN.__init__",
                 hint=(("Conv2d(1, 8, 3, padding=1), Conv2d(8, 16, 3, padding=1) and Linear(16 * 7 * 7, num_classes) (10 by "
                       "default), registered as attributes or in nn.Sequential; ReLU, MaxPool2d(2) and Flatten hold no parameters."),
                       ("Conv2d(1, 8, 3, padding=1)、Conv2d(8, 16, 3, padding=1) 和 Linear(16 * 7 * 7, num_classes)(默认 10),"
                       "注册为属性或放在 nn.Sequential 中;ReLU、MaxPool2d(2) 和 Flatten 没有参数。")))


@settings(max_examples=5)
@given(classes_st, st.integers(1, 4), SEEDS)
@example(None, 1, 3)
def test_forward(compare, classes: int | None, batch: int, seed: int) -> None:
    model_of = aligned(compare, _make(classes), randn((2, 1, 28, 28), seed + 1), given=f"{_name(classes)} with the reference's weights",
                       given_zh=f"{_name(classes)}(使用参考答案的权重)", where="SmallCNN.__init__", seed=seed, scale=0.3)
    x = randn((batch, 1, 28, 28), seed + 2)

    def scenario(impl):
        model, _ = model_of.build(impl)
        x_in = x.clone()
        seen = {("model(x) in training mode", "训练模式下的 model(x)"): values(model(x_in)), ("x after the call", "调用后的 x"): x_in}
        model.eval()
        seen[("model(x) in eval mode", "评估模式下的 model(x)")] = values(model(x.clone()))
        seen[("model(z) for z of shape (2, 1, 32, 32)", "形状为 (2, 1, 32, 32) 的 z 的 model(z)")] = outcome(
            lambda: model(torch.zeros(2, 1, 32, 32)))
        return seen

    compare.same(scenario, given=f"{_name(classes)}, x of shape {tuple(x.shape)}", where=WHERE,
                 hint=(("conv -> ReLU -> MaxPool2d(2), twice, then Flatten and the Linear layer; return the logits of shape "
                       "(N, num_classes) for any N, 1 included (no softmax, no squeeze)."),
                       ("卷积 -> ReLU -> MaxPool2d(2),两次,然后 Flatten 和 Linear 层;对任何 N(包括 1)返回形状为 "
                       "(N, num_classes) 的 logits(不要 softmax,不要 squeeze)。")))


@settings(max_examples=3)
@given(SEEDS)
def test_gradients(compare, seed: int) -> None:
    model_of = aligned(compare, _make(None), randn((2, 1, 28, 28), seed + 1), given="SmallCNN() with the reference's weights",
                       given_zh="SmallCNN()(使用参考答案的权重)", where="SmallCNN.__init__", seed=seed, scale=0.3)
    x = randn((3, 1, 28, 28), seed + 2)
    targets = torch.tensor([seed % 10, (seed + 3) % 10, (seed + 7) % 10])

    def scenario(impl):
        model, params = model_of.build(impl)
        x_in = x.clone().requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(model(x_in), targets)
        seen: dict = {("cross_entropy(model(x), y).backward()", "cross_entropy(model(x), y).backward()"): attempt(loss.backward),
                      ("x.grad", "x.grad"): x_in.grad}
        for (en, zh), param in zip(model_of.labels, params, strict=True):
            seen[(f"the gradient of {en}", f"{zh}的梯度")] = param.grad
        return seen

    compare.same(scenario, given="SmallCNN(), x of shape (3, 1, 28, 28) (requires grad), loss = cross_entropy(model(x), y)",
                 given_zh="SmallCNN(),x 的形状为 (3, 1, 28, 28)(需要梯度),损失 = cross_entropy(model(x), y)", where=WHERE,
                 hint=("Gradients reach the image and every layer: no torch.no_grad(), .detach() or .data in forward.",
                       "梯度传到图像和每一层:forward 中不要使用 torch.no_grad()、.detach() 或 .data。"))


@settings(max_examples=5)
@given(st.sampled_from([(28, 28), (32, 20), (15, 9), (8, 30)]), st.booleans())
@example((15, 9), False)
def test_feature_shape(compare, size: tuple[int, int], training: bool) -> None:
    def scenario(impl):
        model = impl.SmallCNN().train(training)
        before = {k: v.clone() for k, v in model.state_dict().items()}
        modes: list[bool] = []
        probe = torch.nn.modules.module.register_module_forward_hook(lambda module, args, output: modes.append(torch.is_grad_enabled()))
        try:  # a global hook (not on the model): it sees the grad mode while each layer ran
            shape = impl.feature_shape(model, *size)
        finally:
            probe.remove()
        return {("grad mode while the layers ran", "各层运行时的梯度模式"): sorted(set(modes)),
                ("feature_shape(model, 2, 2) (too small for two poolings)", "feature_shape(model, 2, 2)(太小,无法池化两次)"): outcome(
                    lambda: impl.feature_shape(model, 2, 2)),
                (f"feature_shape(model, {size[0]}, {size[1]})", f"feature_shape(model, {size[0]}, {size[1]})"): shape,
                ("the model's mode afterwards", "调用后模型的模式"): model.training,
                ("the parameters are unchanged", "参数没有改变"): all(torch.equal(before[k], v) for k, v in model.state_dict().items()),
                ("a parameter got a .grad", "有参数得到了 .grad"): any(p.grad is not None for p in model.parameters())}

    compare.same(scenario, given=f"a new SmallCNN() in {'training' if training else 'eval'} mode",
                 given_zh=f"一个新的 SmallCNN()({'训练' if training else '评估'}模式)", where="feature_shape",
                 hint=(("Run only the two conv stages on torch.zeros(1, 1, height, width) inside torch.no_grad() and return "
                       "tuple(out.shape): (1, 16, height // 4, width // 4) for these sizes (each pooling floors)."),
                       ("在 torch.no_grad() 中只对 torch.zeros(1, 1, height, width) 运行两个卷积阶段,返回 tuple(out.shape):"
                       "对这些尺寸是 (1, 16, height // 4, width // 4)(每次池化都向下取整)。")))

"""Checks for modules/residual_block, by comparison with the reference on generated sizes and inputs.

The layout is the learner's (attributes, nn.Sequential, any names), so parameters are compared by
shape and the reference's values are placed into the learner's layers (`common.aligned`; the two
convolutions and the two batch norms have equal shapes, the pairing that fits is searched for).
Inputs have negative values (a ReLU before the addition, or none after it, shows), square and
non-square H x W, batches of 2 to 4; the block runs in training mode, then in eval mode (the running
statistics its training forward left show there), and gradients reach the input and every parameter.
"""

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

WHERE = "ResidualBlock.forward"
channels_st = st.integers(1, 4)
sizes_st = st.sampled_from([(5, 5), (4, 6), (3, 7), (6, 3)])


def _aligned(compare, channels: int, seed: int, size: tuple[int, int]):
    return aligned(compare, lambda impl: impl.ResidualBlock(channels), randn((2, channels, *size), seed + 1),
                   given=f"ResidualBlock({channels}) with the reference's weights placed into your layers",
                   given_zh=f"ResidualBlock({channels})(把参考答案的权重放入你的层中)", where="ResidualBlock.__init__", seed=seed)


@settings(max_examples=4)
@given(channels_st)
@example(3)
def test_layers(compare, channels: int) -> None:
    def scenario(impl):
        block = impl.ResidualBlock(channels)
        return {("the shapes in block.parameters() (sorted)", "block.parameters() 中的形状(排序后)"): shapes_text(block),
                ("the shapes in block.state_dict() (sorted)", "block.state_dict() 中的形状(排序后)"): state_shapes_text(block)}

    compare.same(scenario, given=f"ResidualBlock({channels})", where="ResidualBlock.__init__",
                 hint=(("Two nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False) and two nn.BatchNorm2d(channels), "
                       "registered as attributes (or in nn.Sequential): nothing else holds parameters."),
                       ("两个 nn.Conv2d(channels, channels, kernel_size=3, padding=1, bias=False) 和两个 "
                       "nn.BatchNorm2d(channels),注册为属性(或放在 nn.Sequential 中):没有其他带参数的层。")))


@settings(max_examples=5)
@given(channels_st, sizes_st, st.integers(2, 4), SEEDS)
@example(2, (4, 6), 3, 1)
def test_forward(compare, channels: int, size: tuple[int, int], batch: int, seed: int) -> None:
    block_of = _aligned(compare, channels, seed, size)
    x = randn((batch, channels, *size), seed + 2)
    wrong = randn((2, channels + 1, *size), seed + 3)

    def scenario(impl):
        block, _ = block_of.build(impl)
        x_in = x.clone()
        seen = {("block(x) in training mode", "训练模式下的 block(x)"): values(block(x_in)), ("x after the call", "调用后的 x"): x_in}
        block.eval()
        seen[("block(x) in eval mode, after that training forward", "那次训练模式前向之后,评估模式下的 block(x)")] = values(block(x.clone()))
        seen[(f"block(z) for z with {channels + 1} channels", f"有 {channels + 1} 个通道的 z 的 block(z)")] = outcome(lambda: block(wrong))
        return seen

    compare.same(scenario, given=f"ResidualBlock({channels}), x of shape {tuple(x.shape)}", where=WHERE,
                 hint=(("forward computes relu(bn2(conv2(relu(bn1(conv1(x))))) + x): a ReLU between the two halves, the input "
                       "added before the last ReLU, padding=1 so the shape is kept; the input itself is not changed."),
                       ("forward 计算 relu(bn2(conv2(relu(bn1(conv1(x))))) + x):两半之间一个 ReLU,在最后的 ReLU 之前加上输入,"
                       "padding=1 保持形状;不改动输入本身。")))


@settings(max_examples=4)
@given(channels_st, sizes_st, SEEDS)
def test_gradients(compare, channels: int, size: tuple[int, int], seed: int) -> None:
    block_of = _aligned(compare, channels, seed, size)
    x = randn((3, channels, *size), seed + 2)
    weights = randn((3, channels, *size), seed + 4, scale=1.0)

    def scenario(impl):
        block, params = block_of.build(impl)
        x_in = x.clone().requires_grad_(True)
        out = block(x_in)
        seen: dict = {("(block(x) * w).sum().backward()", "(block(x) * w).sum().backward()"): attempt(lambda: (out * weights).sum().backward()),
                      ("x.grad", "x.grad"): x_in.grad}
        for (en, zh), param in zip(block_of.labels, params, strict=True):
            seen[(f"the gradient of {en}", f"{zh}的梯度")] = param.grad
        return seen

    compare.same(scenario, given=f"ResidualBlock({channels}), x of shape {tuple(x.shape)} (requires grad), loss = (block(x) * w).sum()",
                 given_zh=f"ResidualBlock({channels}),x 的形状为 {tuple(x.shape)}(需要梯度),损失 = (block(x) * w).sum()",
                 where=WHERE,
                 hint=(("Gradients reach x through both paths (the layers and the skip connection) and every parameter: no "
                       "torch.no_grad(), .detach() or in-place change of x in forward."),
                       ("梯度经过两条路径(各层和跳跃连接)传到 x,也传到每个参数:forward 中不要使用 torch.no_grad()、"
                       ".detach(),也不要原地修改 x。")))

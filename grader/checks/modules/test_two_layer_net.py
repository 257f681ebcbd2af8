"""Checks for modules/two_layer_net: registered layers, the right size, a real non-linearity."""

import torch

from grader.checks.support import expect, expect_close, fail, is_affine, linear_layers, tensor_result


def _net(learner, sizes=(5, 7, 3)):
    return learner.TwoLayerNet(*sizes)


def test_output_shape(learner) -> None:
    torch.manual_seed(0)
    out = tensor_result(_net(learner)(torch.randn(4, 5)), "TwoLayerNet(5, 7, 3)(x)", learner.TwoLayerNet)
    expect(tuple(out.shape) == (4, 3), f"Expected output shape (4, 3), got {tuple(out.shape)}.",
           f"期望输出形状为 (4, 3),实际为 {tuple(out.shape)}。", learner.TwoLayerNet.forward)


def test_layers_registered(learner) -> None:
    net = _net(learner)
    params = list(net.parameters())
    expect(
        len(params) == 4 and len(net.state_dict()) == 4,
        f"net.parameters() lists {len(params)} tensors; expected 4 (two weights, two biases). "
        "Assign each layer to an attribute (self.fc1 = nn.Linear(...)) so PyTorch registers it.",
        f"net.parameters() 中有 {len(params)} 个张量;应为 4 个(两个权重、两个偏置)。"
        "请把每一层赋值给属性(self.fc1 = nn.Linear(...)),PyTorch 才会注册它。",
        learner.TwoLayerNet.__init__,
    )
    moved = net.to("meta")
    expect(all(p.device.type == "meta" for p in moved.parameters()), "Some parameters did not move with .to().",
           "有些参数没有随 .to() 移动。", learner.TwoLayerNet.__init__)


def test_parameter_count(learner) -> None:
    for sizes in ((5, 7, 3), (784, 128, 10)):
        net = _net(learner, sizes)
        count = sum(p.numel() for p in net.parameters())
        i, h, o = sizes
        want = i * h + h + h * o + o
        expect(count == want, f"TwoLayerNet{sizes} has {count} parameters; Linear({i},{h}) + Linear({h},{o}) with biases have {want}.",
               f"TwoLayerNet{sizes} 有 {count} 个参数;带偏置的 Linear({i},{h}) + Linear({h},{o}) 应有 {want} 个。",
               learner.TwoLayerNet.__init__)


def test_has_activation(learner) -> None:
    net = _net(learner)
    expect(
        not is_affine(net, 5),
        "The network is affine: without an activation between them, two Linear layers are just one. Add ReLU.",
        "这个网络是仿射的:两个 Linear 层之间没有激活函数,就等价于一个。请加上 ReLU。",
        learner.TwoLayerNet.forward,
    )


def test_linear_relu_linear(learner) -> None:
    torch.manual_seed(1)
    net = _net(learner)
    layers = linear_layers(net)
    first = [l for l in layers if l.in_features == 5]
    second = [l for l in layers if l.out_features == 3 and l.in_features == 7]
    if len(layers) != 2 or not first or not second:
        fail("Expected exactly two nn.Linear layers: (5 -> 7) and (7 -> 3).",
             "应该恰好有两个 nn.Linear 层:(5 -> 7) 和 (7 -> 3)。", learner.TwoLayerNet.__init__)
    x = torch.randn(6, 5) * 3
    with torch.no_grad():
        expect_close(net(x), second[0](torch.relu(first[0](x))), "net(x) compared with fc2(relu(fc1(x)))",
                     "net(x) 与 fc2(relu(fc1(x))) 的比较", learner.TwoLayerNet.forward)

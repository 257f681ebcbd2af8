"""Checks for modules/dynamic_mlp: layers built in a loop are registered; ReLU between, not after."""

import torch

from grader.checks.support import expect, expect_close, fail, linear_layers, tensor_result

SIZES = [6, 9, 5, 3]


def test_output_shape(learner) -> None:
    out = tensor_result(learner.MLP(SIZES)(torch.randn(4, 6)), "MLP([6, 9, 5, 3])(x)", learner.MLP)
    expect(tuple(out.shape) == (4, 3), f"Expected output shape (4, 3), got {tuple(out.shape)}.",
           f"期望输出形状为 (4, 3),实际为 {tuple(out.shape)}。", learner.MLP.forward)


def test_parameters_visible(learner) -> None:
    mlp = learner.MLP(SIZES)
    params = list(mlp.parameters())
    expect(
        len(params) == 6,
        f"mlp.parameters() lists {len(params)} tensors; expected 6. Layers kept in a plain Python list are invisible "
        "to PyTorch: use nn.ModuleList (or nn.Sequential).",
        f"mlp.parameters() 中有 {len(params)} 个张量;应为 6 个。放在普通 Python list 里的层 PyTorch 看不见:"
        "请使用 nn.ModuleList(或 nn.Sequential)。",
        learner.MLP.__init__,
    )
    expect(len(mlp.state_dict()) == 6, "state_dict() misses some layers, so saving would lose them.",
           "state_dict() 缺少一些层,保存时会丢失它们。", learner.MLP.__init__)
    mlp.to("meta")
    expect(all(p.device.type == "meta" for p in mlp.parameters()) and len(list(mlp.parameters())) == 6,
           "Some layers did not move with .to().", "有些层没有随 .to() 移动。", learner.MLP.__init__)


def test_relu_between_not_after(learner) -> None:
    torch.manual_seed(0)
    mlp = learner.MLP(SIZES)
    layers = linear_layers(mlp)
    if [(l.in_features, l.out_features) for l in layers] != [(6, 9), (9, 5), (5, 3)]:
        fail("MLP([6, 9, 5, 3]) should hold Linear(6, 9), Linear(9, 5), Linear(5, 3), registered in that order.",
             "MLP([6, 9, 5, 3]) 应依次注册 Linear(6, 9)、Linear(9, 5)、Linear(5, 3)。", learner.MLP.__init__)
    x = torch.randn(16, 6) * 2
    with torch.no_grad():
        expected = layers[2](torch.relu(layers[1](torch.relu(layers[0](x)))))
        got = mlp(x)
        if (got >= 0).all() and (expected < 0).any():
            fail("The output is never negative: there is a ReLU after the last layer. Logits need no activation.",
                 "输出从不为负:最后一层之后多了 ReLU。logits 不需要激活函数。", learner.MLP.forward)
        expect_close(got, expected, "MLP output compared with Linear-ReLU-Linear-ReLU-Linear",
                     "MLP 输出与 Linear-ReLU-Linear-ReLU-Linear 的比较", learner.MLP.forward)


def test_any_depth(learner) -> None:
    for sizes in ([4, 2], [3, 8, 8, 8, 8, 1]):
        mlp = learner.MLP(sizes)
        out = tensor_result(mlp(torch.randn(2, sizes[0])), f"MLP({sizes})(x)", learner.MLP)
        expect(tuple(out.shape) == (2, sizes[-1]) and len(linear_layers(mlp)) == len(sizes) - 1,
               f"MLP({sizes}) should have {len(sizes) - 1} Linear layers and output (2, {sizes[-1]}).",
               f"MLP({sizes}) 应有 {len(sizes) - 1} 个 Linear 层,输出形状为 (2, {sizes[-1]})。", learner.MLP.__init__)

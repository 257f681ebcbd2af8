"""Checks for modules/two_layer_net, by comparison with the reference on generated sizes and inputs.

The layout is the learner's choice (attributes, nn.Sequential, layers created in any
order), so nothing here reads attribute names: parameters are compared as a multiset of
shapes, and outputs and gradients with the reference's weights placed into the learner's
layers (see `common.aligned`). Every forward check runs in training and in eval mode, on
batches of different sizes (one sample included), and looks at the input afterwards.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.modules.common import aligned, attempt, outcome, shapes_text, state_shapes_text, values
from torchdojo.checks.strategies import CallerTensor
from torchdojo.checks.strategies.modules import BATCH_SIZES, SEEDS, randn, two_layer_sizes
from torchdojo.checks.support import is_affine, show

WHERE = "TwoLayerNet.forward"


def _words(sizes: tuple[int, int, int]) -> tuple[str, str]:
    en = f"TwoLayerNet{sizes} with the reference's weights placed into your layers"
    zh = f"TwoLayerNet{sizes}(把参考答案的权重放入你的层中)"
    return en, zh


def _aligned(compare, sizes: tuple[int, int, int], seed: int):
    en, zh = _words(sizes)
    return aligned(compare, lambda impl: impl.TwoLayerNet(*sizes), randn((8, sizes[0]), seed + 1), given=en, given_zh=zh,
                   where="TwoLayerNet.__init__", seed=seed)


@settings(max_examples=6)
@given(two_layer_sizes, st.sampled_from([(1,), (4,), (), (2, 3)]))
@example((5, 7, 1), (1,))
@example((3, 4, 2), ())
def test_output_shape(compare, sizes: tuple[int, int, int], batch: tuple[int, ...]) -> None:
    x = randn((*batch, sizes[0]), len(batch))
    compare.same(
        lambda impl: {("the output's shape", "输出的形状"): tuple(impl.TwoLayerNet(*sizes)(x.clone()).shape)},
        given=f"TwoLayerNet{sizes} and x of shape {tuple(x.shape)}",
        given_zh=f"TwoLayerNet{sizes},x 的形状为 {tuple(x.shape)}",
        where=WHERE,
        hint=("Like nn.Linear, an input of shape (*, in_features) gives (*, out_features): (N, out_features) for a batch, "
              "N = 1 included (no squeeze, no view).",
              "与 nn.Linear 一样,形状为 (*, in_features) 的输入得到 (*, out_features):批次得到 (N, out_features),"
              "N = 1 时也一样(不要 squeeze,也不要 view)。"),
    )


@settings(max_examples=5)
@given(two_layer_sizes, SEEDS)
@example((5, 7, 3), 0)
def test_layers_registered(compare, sizes: tuple[int, int, int], seed: int) -> None:
    x = randn((3, sizes[0]), seed)

    def scenario(impl):
        net = impl.TwoLayerNet(*sizes)
        seen = {
            ("the shapes in net.parameters() (sorted)", "net.parameters() 中的形状(排序后)"): shapes_text(net),
            ("the shapes in net.state_dict() (sorted)", "net.state_dict() 中的形状(排序后)"): state_shapes_text(net),
            ("net.parameters() all require grad", "net.parameters() 全都需要梯度"): all(p.requires_grad for p in net.parameters()),
            ("how many parameters a second TwoLayerNet shares with the first", "第二个 TwoLayerNet 与第一个共享的参数个数"): len(
                {id(p) for p in net.parameters()} & {id(p) for p in impl.TwoLayerNet(*sizes).parameters()}),
        }
        net.to(torch.float64)
        seen[("the dtypes of the parameters after net.to(torch.float64)", "net.to(torch.float64) 之后参数的 dtype")] = sorted(
            {str(p.dtype) for p in net.parameters()})
        seen[("the output's dtype after net.to(torch.float64), for a float64 x", "net.to(torch.float64) 之后、float64 输入的输出 dtype")] = (
            attempt(lambda: str(net(x.double()).dtype)))
        return seen

    compare.same(
        scenario,
        given=f"TwoLayerNet{sizes}",
        where="TwoLayerNet.__init__",
        hint=("Assign each layer to an attribute of self (or put them in nn.Sequential / nn.ModuleList): only then does "
              "PyTorch register them, so that .parameters(), .to() and state_dict() see them and the optimizer trains them. "
              "In forward, let the input keep its dtype (no x.float()): after net.to(torch.float64) it is float64.",
              "请把每一层赋值给 self 的属性(或放进 nn.Sequential / nn.ModuleList):只有这样 PyTorch 才会注册它们,"
              ".parameters()、.to() 和 state_dict() 才能看到它们,优化器才会训练它们。forward 中不要改变输入的 dtype"
              "(不要 x.float()):net.to(torch.float64) 之后输入就是 float64。"),
    )


@given(st.sampled_from([(5, 7, 3), (784, 128, 10), (1, 1, 1), (4, 9, 4), (6, 2, 6)]))
def test_parameter_count(compare, sizes: tuple[int, int, int]) -> None:
    compare.same(
        lambda impl: {("the number of parameters (sum of numel)", "参数个数(numel 之和)"): sum(p.numel() for p in impl.TwoLayerNet(*sizes).parameters())},
        given=f"TwoLayerNet{sizes}",
        where="TwoLayerNet.__init__",
        hint=("Two nn.Linear layers with their biases: in_features -> hidden, then hidden -> out_features.",
              "两个带偏置的 nn.Linear 层:in_features -> hidden,然后 hidden -> out_features。"),
    )


@settings(max_examples=4)
@given(st.sampled_from([(5, 7, 3), (3, 6, 1), (2, 8, 8), (4, 5, 2)]), SEEDS)
def test_has_activation(compare, sizes: tuple[int, int, int], seed: int) -> None:
    net_of = _aligned(compare, sizes, seed)
    en, zh = _words(sizes)
    compare.same(
        lambda impl: {("the network is affine (f(a) + f(b) - f(0) == f(a + b))", "网络是仿射的(f(a) + f(b) - f(0) == f(a + b))"):
                      is_affine(net_of.build(impl)[0], sizes[0], seed)},
        given=en,
        given_zh=zh,
        where=WHERE,
        hint=("Without an activation between them, two Linear layers are one affine map. Put a ReLU between them.",
              "两个 Linear 层之间没有激活函数,就只是一个仿射映射。请在它们之间加上 ReLU。"),
    )


@settings(max_examples=8)
@given(two_layer_sizes, BATCH_SIZES, BATCH_SIZES, SEEDS)
@example((5, 7, 3), 4, 1, 0)
@example((4, 4, 4), 3, 2, 1)
def test_linear_relu_linear(compare, sizes: tuple[int, int, int], batch: int, other_batch: int, seed: int) -> None:
    net_of = _aligned(compare, sizes, seed)
    x = randn((batch, sizes[0]), seed + 2)
    x2 = randn((other_batch, sizes[0]), seed + 3)
    wrong = randn((2, sizes[0] + 1), seed + 4)
    deep = randn((2, 3, sizes[0]), seed + 5)

    def scenario(impl):  # values only: graph attachment is the gradients check's
        net, _ = net_of.build(impl)
        x_in = x.clone()
        seen = {"net(x) in training mode": values(net(x_in)), ("x after the call", "调用后的 x"): x_in}
        seen[("net(x2) for a second batch x2", "第二个批次 x2 的 net(x2)")] = values(net(x2.clone()))
        net.eval()
        seen[("net(x) in eval mode", "评估模式下的 net(x)")] = values(net(x.clone()))
        seen[(f"net(s) for one sample s of shape ({sizes[0]},)", f"单个样本 s(形状 ({sizes[0]},))的 net(s)")] = values(net(x[0].clone()))
        seen[(f"net(z) for z of shape (2, 3, {sizes[0]})", f"形状为 (2, 3, {sizes[0]}) 的 z 的 net(z)")] = values(net(deep.clone()))
        seen[("net(x.T.contiguous().T) (a non-contiguous batch)", "net(x.T.contiguous().T)(非连续的批次)")] = values(net(x.T.contiguous().T))
        seen[(f"net(x) for x with {sizes[0] + 1} features instead of {sizes[0]}",
              f"输入有 {sizes[0] + 1} 个特征(而不是 {sizes[0]} 个)时的 net(x)")] = outcome(lambda: net(wrong.clone()))
        return seen

    en, zh = _words(sizes)
    compare.same(
        scenario,
        given=f"{en}, x = {show(x)}, x2 = {show(x2)}",
        given_zh=f"{zh},x = {show(x)},x2 = {show(x2)}",
        where=WHERE,
        hint=("forward should compute fc2(relu(fc1(x))): a ReLU between the layers, nothing after the last one "
              "(the output can be negative), no dropout, no reshaping (like nn.Linear, any leading dimensions), "
              "and the input left as it was.",
              "forward 应计算 fc2(relu(fc1(x))):层之间一个 ReLU,最后一层之后什么也没有(输出可以为负),"
              "没有 dropout,不改变形状(与 nn.Linear 一样,前导维度任意),并且不改动输入。"),
    )


@settings(max_examples=6)
@given(two_layer_sizes, BATCH_SIZES, SEEDS, st.sampled_from(["requires_grad", "leaf_with_grad", "non_leaf"]))
@example((5, 7, 3), 3, 0, "requires_grad")
def test_gradients(compare, sizes: tuple[int, int, int], batch: int, seed: int, state: str) -> None:
    net_of = _aligned(compare, sizes, seed)
    x = CallerTensor(randn((batch, sizes[0]), seed + 2), state)  # type: ignore[arg-type]  # `state` is drawn from CallerState's values; annotating it would change this test's derandomized examples (hypothesis seeds from its source)
    weights = randn((batch, sizes[2]), seed + 5, scale=1.0)

    def scenario(impl):
        net, params = net_of.build(impl)
        x_in = x.make()
        out = net(x_in)
        seen: dict = {("net(x) is attached to a graph (has a grad_fn)", "net(x) 连接在计算图上(有 grad_fn)"): getattr(out, "grad_fn", None) is not None}
        seen[("(net(x) * w).sum().backward()", "(net(x) * w).sum().backward()")] = attempt(lambda: (out * weights).sum().backward())
        seen[("x after backward", "反向传播后的 x")] = x_in
        for (en, zh), param in zip(net_of.labels, params, strict=True):
            seen[(f"the gradient of {en}", f"{zh}的梯度")] = param.grad
        with torch.no_grad():
            seen[("net(x) inside the caller's torch.no_grad()", "在调用者的 torch.no_grad() 中的 net(x)")] = net(x.make())
        return seen

    en, zh = _words(sizes)
    x_en, x_zh = x.describe()
    compare.same(
        scenario,
        given=f"{en}, x = {x_en}, loss = (net(x) * w).sum()",
        given_zh=f"{zh},x = {x_zh},损失 = (net(x) * w).sum()",
        where=WHERE,
        hint=("Gradients must reach the input and both layers: no torch.no_grad(), .detach() or .data in forward.",
              "梯度必须能传到输入和两个层:forward 中不要使用 torch.no_grad()、.detach() 或 .data。"),
    )

"""Checks for modules/quickstart_model, by comparison with the reference (the tutorial's model).

Here the exercise fixes the state_dict (the tutorial's names and shapes), so a checkpoint
in the tutorial's format must load strictly. The forward checks place the checkpoint's
weights into the learner's layers by shape (see `common.aligned`), so a naming mistake is
reported once, by the state_dict check, and not again as "wrong logits". Inputs are
batches of 1x28x28 images (one image included) and batches without the channel dimension.
"""

import io

import torch
from torch import nn

from torchdojo.checks.modules.common import aligned, attempt, compact, outcome, same_state, values
from torchdojo.checks.strategies import CallerTensor
from torchdojo.checks.support import fail, show

WHERE = "NeuralNetwork.forward"
_sum = torch.sum
_allclose = torch.allclose


class TutorialNetwork(nn.Module):
    """The quickstart's model, written out here so that the checkpoint does not depend on any solution file."""

    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def _checkpoint(seed: int = 7) -> bytes:
    """A tutorial-format checkpoint: torch.save(model.state_dict(), "model.pth")."""
    generator = torch.Generator().manual_seed(seed)
    model = TutorialNetwork()
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=generator) * 0.05)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    return buffer.getvalue()


def _load(data: bytes) -> dict:
    return torch.load(io.BytesIO(data), weights_only=True)


def images(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """Pixels in [0, 1], like ToTensor() gives."""
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


GIVEN = ("NeuralNetwork() with the weights of a tutorial checkpoint placed into your layers",
         "NeuralNetwork()(把教程检查点的权重放入你的层中)")


def _aligned(compare, seed: int = 7):
    """Built once per run (the learner's file does not change while it is graded): a NeuralNetwork is not cheap. Kept on
    the run's `compare`, not in a module global, which would keep the run's objects for every later submission to reach."""
    key = f"aligned {seed}"
    if key not in compare.kept:
        state = _load(_checkpoint(seed))
        values = [state[name] for name, _ in compare.reference.NeuralNetwork().named_parameters()]
        compare.kept[key] = aligned(compare, lambda impl: impl.NeuralNetwork(), images((4, 1, 28, 28), seed), given=GIVEN[0],
                                    given_zh=GIVEN[1], where="NeuralNetwork.__init__", values=values)
    return compare.kept[key]


def test_state_dict_matches_tutorial(compare) -> None:
    data = _checkpoint()

    def keys(impl):
        return {("its state_dict() (keys and shapes)", "其 state_dict()(键和形状)"): {
            k: str(tuple(v.shape)) for k, v in impl.NeuralNetwork().state_dict().items()}}

    hint = ("Name the layers as the tutorial does: self.flatten = nn.Flatten() and self.linear_relu_stack = nn.Sequential("
            "Linear(784, 512), ReLU(), Linear(512, 512), ReLU(), Linear(512, 10)); the names and the order give the keys. "
            "Each instance needs layers of its own (made in __init__).",
            "请按教程命名:self.flatten = nn.Flatten(),self.linear_relu_stack = nn.Sequential(Linear(784, 512), ReLU(), "
            "Linear(512, 512), ReLU(), Linear(512, 10));名字和顺序决定了这些键。每个实例都要有自己的层(在 __init__ 中创建)。")
    compare.same(keys, given="NeuralNetwork()", where="NeuralNetwork.__init__", hint=hint)

    def load(impl):
        model = impl.NeuralNetwork()
        other = impl.NeuralNetwork()
        before = {k: v.detach().clone() for k, v in other.state_dict().items()}
        state = _load(data)
        result = attempt(lambda: model.load_state_dict(state))
        loaded = "loads" if not isinstance(result, str) else "does not load"
        return {("model.load_state_dict(torch.load('model.pth', weights_only=True)) (strict)",
                 "model.load_state_dict(torch.load('model.pth', weights_only=True))(严格模式)"): loaded,
                ("its state_dict() afterwards, compared with the checkpoint", "加载之后的 state_dict() 与检查点相比"):
                    same_state(state, dict(model.state_dict())),
                ("the state_dict() of a second NeuralNetwork() afterwards, compared with before", "之后第二个 NeuralNetwork() 的 state_dict() 与之前相比"):
                    same_state(before, dict(other.state_dict()))}

    compare.same(load, given="a checkpoint saved by the tutorial's code (torch.save(model.state_dict(), 'model.pth'))",
                 given_zh="教程代码保存的检查点(torch.save(model.state_dict(), 'model.pth'))",
                 where="NeuralNetwork.__init__", hint=hint)


def test_parameter_count(compare) -> None:
    compare.same(
        lambda impl: {("the number of parameters (sum of numel)", "参数个数(numel 之和)"): sum(p.numel() for p in impl.NeuralNetwork().parameters())},
        given="NeuralNetwork()",
        where="NeuralNetwork.__init__",
        hint=("784 -> 512 -> 512 -> 10 with biases has 669,706 parameters.", "带偏置的 784 -> 512 -> 512 -> 10 共有 669,706 个参数。"),
    )


def test_forward_logits(compare) -> None:
    net_of = _aligned(compare)
    x = images((4, 1, 28, 28), 0)
    one = images((1, 1, 28, 28), 1)
    flat = images((3, 28, 28), 2)
    colour = images((2, 3, 28, 28), 3)
    _no_softmax(net_of, x)

    def scenario(impl):  # values only: graph attachment is the gradients check's
        model, _ = net_of.build(impl)
        model.eval()
        x_in = x.clone()
        seen = {("model(x) in eval mode", "评估模式下的 model(x)"): values(model(x_in)), ("x after the call", "调用后的 x"): x_in}
        seen[("model(x) for a batch of one image", "只有一张图片的批次的 model(x)")] = values(model(one.clone()))
        seen[("model(x) for images of shape 28x28 (no channel dimension)", "形状为 28x28(没有通道维度)的图片的 model(x)")] = values(model(flat.clone()))
        seen[("model(x.transpose(2, 3)) (a non-contiguous batch)", "model(x.transpose(2, 3))(非连续的批次)")] = values(model(x.transpose(2, 3)))
        model.train()
        seen[("model(x) in training mode", "训练模式下的 model(x)")] = values(model(x.clone()))
        seen[("model(x) for 3x28x28 (colour) images", "3x28x28(彩色)图片的 model(x)")] = outcome(lambda: model(colour.clone()))
        return seen

    compare.same(scenario, given=f"{GIVEN[0]}, x = {show(x)}", given_zh=f"{GIVEN[1]},x = {show(x)}", where=WHERE,
                 hint=("forward returns the logits of the last Linear layer: flatten, then the stack; no softmax, "
                       "no activation after the last layer, no dropout.",
                       "forward 返回最后一个 Linear 层的 logits:先 flatten,再经过 stack;不要 softmax,"
                       "最后一层之后没有激活函数,也没有 dropout。"))


def _no_softmax(net_of, x: torch.Tensor) -> None:
    """Name the mistake when the learner's forward returns probabilities."""
    try:
        model, _ = net_of.build(net_of.compare.learner)
        with torch.no_grad():
            out = model(x.clone())
        probabilities = torch.is_tensor(out) and out.shape == (x.shape[0], 10) and bool((out >= 0).all()) and bool(
            _allclose(_sum(out, dim=1), torch.ones(x.shape[0]), atol=1e-4))
    except Exception:  # noqa: BLE001 - the comparison reports errors with their line
        return
    if probabilities:
        fail("forward returns probabilities (each row sums to 1: a softmax). Return the logits: nn.CrossEntropyLoss applies "
             "log-softmax itself, and predictions only need argmax.",
             "forward 返回的是概率(每行之和为 1:用了 softmax)。请返回 logits:nn.CrossEntropyLoss 会自己做 log-softmax,"
             "预测也只需要 argmax。", net_of.compare.where(WHERE))


def test_gradients(compare) -> None:
    net_of = _aligned(compare)
    xs = [CallerTensor(images((3, 1, 28, 28), 4), "requires_grad"), CallerTensor(images((2, 1, 28, 28), 5), "leaf_with_grad"),
          CallerTensor(images((1, 1, 28, 28), 6), "non_leaf")]
    labels = [torch.tensor([4, 9, 3]), torch.tensor([0, 7]), torch.tensor([5])]

    def scenario(impl):
        model, params = net_of.build(impl)
        seen: dict = {}
        for k, (x, y) in enumerate(zip(xs, labels, strict=True)):
            x_in = x.make()
            out = model(x_in)
            seen[(f"model(x{k + 1}) is attached to a graph (has a grad_fn)", f"model(x{k + 1}) 连接在计算图上(有 grad_fn)")] = (
                getattr(out, "grad_fn", None) is not None)
            seen[(f"nn.CrossEntropyLoss()(model(x{k + 1}), y{k + 1}).backward()", f"nn.CrossEntropyLoss()(model(x{k + 1}), y{k + 1}).backward()")] = (
                attempt(lambda: nn.CrossEntropyLoss()(out, y).backward()))  # noqa: B023 - called at once
            seen[(f"x{k + 1} after backward", f"反向传播后的 x{k + 1}")] = x_in
            if k == 0:
                for (en, zh), param in zip(net_of.labels, params, strict=True):
                    seen[(f"the gradient of {en} (every k-th value)", f"{zh}的梯度(每隔 k 个取一个值)")] = compact(param.grad)
        return seen

    words = "; ".join(f"x{k + 1} = {x.describe()[0]}, y{k + 1} = {y.tolist()}" for k, (x, y) in enumerate(zip(xs, labels, strict=True)))
    words_zh = ";".join(f"x{k + 1} = {x.describe()[1]},y{k + 1} = {y.tolist()}" for k, (x, y) in enumerate(zip(xs, labels, strict=True)))
    compare.same(scenario, given=f"{GIVEN[0]}, {words}", given_zh=f"{GIVEN[1]},{words_zh}", where=WHERE,
                 hint=("Gradients must reach the input and every layer: no torch.no_grad(), .detach() or .data in forward.",
                       "梯度必须能传到输入和每一层:forward 中不要使用 torch.no_grad()、.detach() 或 .data。"))

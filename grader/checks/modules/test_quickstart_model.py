"""Checks for modules/quickstart_model: a tutorial checkpoint loads, logits come out."""

import io

import torch
from torch import nn

from grader.checks.support import expect, expect_close, fail, tensor_result

TUTORIAL_KEYS = {
    "linear_relu_stack.0.weight": (512, 784), "linear_relu_stack.0.bias": (512,),
    "linear_relu_stack.2.weight": (512, 512), "linear_relu_stack.2.bias": (512,),
    "linear_relu_stack.4.weight": (10, 512), "linear_relu_stack.4.bias": (10,),
}  # fmt: skip


class TutorialNetwork(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def _checkpoint() -> tuple[TutorialNetwork, dict]:
    """A tutorial-format checkpoint, through torch.save / torch.load(weights_only=True) like model.pth."""
    torch.manual_seed(7)
    reference = TutorialNetwork()
    buffer = io.BytesIO()
    torch.save(reference.state_dict(), buffer)
    buffer.seek(0)
    return reference, torch.load(buffer, weights_only=True)


def test_state_dict_matches_tutorial(learner) -> None:
    keys = {k: tuple(v.shape) for k, v in learner.NeuralNetwork().state_dict().items()}
    if keys != TUTORIAL_KEYS:
        missing = sorted(set(TUTORIAL_KEYS) - set(keys))
        extra = sorted(set(keys) - set(TUTORIAL_KEYS))
        fail(f"state_dict keys differ from the tutorial's, so its model.pth would not load. Missing: {missing}; unexpected: {extra}.",
             f"state_dict 的键与教程不同,教程的 model.pth 无法加载。缺少:{missing};多余:{extra}。", learner.NeuralNetwork.__init__)
    _, state = _checkpoint()
    result = learner.NeuralNetwork().load_state_dict(state)
    expect(not result.missing_keys and not result.unexpected_keys, "The tutorial checkpoint did not load cleanly.",
           "教程的检查点没有干净地加载。", learner.NeuralNetwork.__init__)


def test_parameter_count(learner) -> None:
    count = sum(p.numel() for p in learner.NeuralNetwork().parameters())
    expect(count == 669_706, f"NeuralNetwork has {count:,} parameters; the tutorial's has 669,706.",
           f"NeuralNetwork 有 {count:,} 个参数;教程中的模型有 669,706 个。", learner.NeuralNetwork.__init__)


def test_forward_logits(learner) -> None:
    reference, state = _checkpoint()
    model = learner.NeuralNetwork()
    try:
        model.load_state_dict(state)
    except RuntimeError:
        fail("The tutorial checkpoint does not load, so outputs cannot be compared (see the state_dict check).",
             "教程的检查点无法加载,因此无法比较输出(见 state_dict 检查)。", learner.NeuralNetwork.__init__)
    x = torch.rand(5, 1, 28, 28)
    with torch.no_grad():
        got = tensor_result(model(x), "NeuralNetwork()(x)", learner.NeuralNetwork.forward)
        want = reference(x)
    if got.shape == want.shape and torch.allclose(got.sum(dim=1), torch.ones(5), atol=1e-4):
        fail("forward returns probabilities (softmax). Return the logits: nn.CrossEntropyLoss applies log-softmax itself.",
             "forward 返回的是概率(softmax)。请返回 logits:nn.CrossEntropyLoss 会自己做 log-softmax。", learner.NeuralNetwork.forward)
    expect_close(got, want, "logits for a batch of 1x28x28 images", "一批 1x28x28 图片的 logits", learner.NeuralNetwork.forward)

"""Small, deterministic data and models shared by the quickstart checks."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset

FEATURES, CLASSES = 6, 3

# The checks' tensors are tiny: extra intra-op threads only spin against each other (and against the
# other processes of a busy machine), ten times slower than one thread here.
torch.set_num_threads(1)


class IndexDataset(Dataset[tuple[torch.Tensor, int]]):
    """Sample i is (tensor([i]), i): batches reveal the order a loader visits the data in."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.tensor([float(index)]), index


def blobs(count: int, seed: int = 0, features: int = FEATURES, classes: int = CLASSES, spread: float = 1.0) -> TensorDataset:
    """Gaussian blobs around fixed centres: learnable, and a fresh model gets some of them right."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randperm(count, generator=generator) % classes
    centres = torch.randn(classes, features, generator=torch.Generator().manual_seed(99)) * 1.5
    return TensorDataset(centres[labels] + spread * torch.randn(count, features, generator=generator), labels)


def small_model(
    seed: int = 0, *, batchnorm: bool = False, dropout: float = 0.0, features: int = FEATURES, classes: int = CLASSES, hidden: int = 8, flatten: bool = False
) -> nn.Module:
    """A small MLP, the same for every implementation (its own generator: the global RNG is left alone)."""
    layers: list[nn.Module] = [nn.Flatten()] if flatten else []
    layers.append(nn.Linear(features, hidden))
    if batchnorm:
        layers.append(nn.BatchNorm1d(hidden))
    layers.append(nn.ReLU())
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(hidden, classes))
    model = nn.Sequential(*layers)
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                module.weight.copy_(torch.randn(module.weight.shape, generator=generator) / module.in_features**0.5)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
            elif isinstance(module, nn.BatchNorm1d):
                module.weight.copy_(1 + torch.randn(module.weight.shape, generator=generator) * 0.1)
                module.bias.copy_(torch.randn(module.bias.shape, generator=generator) * 0.1)
    return model


def state(model: nn.Module) -> dict[str, torch.Tensor]:
    """Parameters and buffers as plain tensors (their .grad is free: zeroing first leaves one, the tutorial none)."""
    return {key: value.detach().clone() for key, value in model.state_dict().items()}


def modes_seen(modes: list[tuple[bool, bool]], which: int) -> list[bool]:
    """The distinct model.training (which=0) or grad-mode (which=1) values seen by the forward passes."""
    return sorted({mode[which] for mode in modes})


def as_pair(result: object, index: int) -> object:
    """One element of a (accuracy, loss)-like pair, or the whole result when it is not a pair (the message then says so)."""
    if isinstance(result, tuple | list) and len(result) == 2:
        return result[index]
    return result


MODEL_NOT_CALLED = (
    "Your code never ran the model it was given in this call (a copy, or an answer kept from an earlier call?): run the caller's model on this call's input.",
    "这次调用中你的代码没有运行传入的模型(用了副本,或沿用了之前调用的结果?):请用调用者的模型处理这次的输入。",
)


def unless_unused(key: object, hint: tuple[str, str]):
    """A hint for `compare.same`: `hint`, or MODEL_NOT_CALLED when the learner's forward passes (under `key`) are none."""

    def choose(expected: dict, got: dict) -> tuple[str, str]:
        return MODEL_NOT_CALLED if isinstance(got, dict) and got.get(key) == [] and expected.get(key) != [] else hint

    return choose


ERRORS_HINT = (
    "Let errors reach the caller: a try/except that hides them turns a mistake into a wrong answer.",
    "请让错误传给调用者:用 try/except 把错误藏起来,会把错误变成一个错误的答案。",
)

STATE_HINT = (
    "Leave grad mode as the caller had it: turn gradients off with a `with torch.no_grad():` block (it restores the "
    "mode on exit), not with torch.set_grad_enabled(...) as a statement.",
    "请保持调用者的梯度模式:用 `with torch.no_grad():` 代码块关闭梯度(退出时会恢复),不要把 torch.set_grad_enabled(...) 当作单独的语句使用。",
)

"""Small, deterministic data and models shared by the quickstart checks."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import Dataset, TensorDataset


class IndexDataset(Dataset[tuple[torch.Tensor, int]]):
    """Sample i is (tensor([i]), i): batches reveal the order a loader visits the data in."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return torch.tensor([float(index)]), index


def blobs(count: int, seed: int = 0, features: int = 8, classes: int = 3) -> TensorDataset:
    """Well separated Gaussian blobs: a model can learn them in a few steps."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(count) % classes
    centres = torch.randn(classes, features, generator=torch.Generator().manual_seed(99)) * 3
    return TensorDataset(centres[labels] + torch.randn(count, features, generator=generator), labels)


def small_model(seed: int = 0, dropout: float = 0.0, features: int = 8, classes: int = 3) -> nn.Module:
    torch.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(features, 16), nn.ReLU()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(16, classes))
    return nn.Sequential(*layers)


def record_modes(model: nn.Module) -> list[tuple[bool, bool]]:
    """(model.training, grad enabled) seen by every forward pass from now on."""
    seen: list[tuple[bool, bool]] = []
    model.register_forward_hook(lambda module, inputs, output: seen.append((module.training, torch.is_grad_enabled())))
    return seen

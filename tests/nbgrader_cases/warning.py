import warnings

import torch

warnings.warn("a warning in the learner's own cell", UserWarning)


def gradient_of(f, x):
    with torch.enable_grad():
        leaf = torch.tensor(x).requires_grad_(True)  # torch warns: copy construct from a tensor
        y = f(leaf)
        if y.numel() != 1:
            raise ValueError("f(x) must be a scalar")
        y.backward()
    return leaf.grad

import torch


def gradient_of(f, x):
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        y = f(leaf)
        if y.numel() != 1:
            raise ValueError("f(x) must be a scalar")
        return torch.autograd.grad(y.reshape(()), leaf)[0]

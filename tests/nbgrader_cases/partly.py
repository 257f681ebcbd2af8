import torch


def gradient_of(f, x):
    x.requires_grad_(True)
    y = f(x)
    if y.numel() != 1:
        raise ValueError("f(x) must be a scalar")
    y.backward()
    return x.grad

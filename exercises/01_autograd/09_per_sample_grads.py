"""Per-sample gradients with `torch.func` (`functional_call`, `grad`, `vmap`).

EN: `loss.backward()` gives the gradient of the whole batch's loss; some
methods (differential privacy, gradient-noise studies) need one gradient per
sample. `torch.func` composes function transforms: `functional_call(model,
params, (x,))` runs the model with the parameters you pass as a dict;
`grad(f)` is a new function returning the gradient of the scalar `f` with
respect to its first argument; `vmap(f, in_dims=(None, 0, 0))` maps `f` over
dim 0 of the 2nd and 3rd arguments at once, without a Python loop.
`per_sample_grads(model, loss_fn, x, y)` returns {name: gradient} for every
parameter of `model` that requires grad (names as in `named_parameters()`),
each of shape (N, *param.shape): row i is the gradient of
`loss_fn(model(x[i:i+1]), y[i:i+1])`, the loss of sample i as a batch of one.
Nothing about the model changes: its parameters, their `.grad`, its buffers
and its mode stay as they were; the results carry no graph.

中文: `loss.backward()` 给出整个批次损失的梯度;有些方法(差分隐私、梯度噪声研究)
需要每个样本各自的梯度。`torch.func` 组合函数变换:`functional_call(model, params, (x,))`
用你以字典传入的参数运行模型;`grad(f)` 是一个新函数,返回标量 `f` 对其第一个参数的梯度;
`vmap(f, in_dims=(None, 0, 0))` 同时在第 2 和第 3 个参数的第 0 维上映射 `f`,不需要 Python 循环。
`per_sample_grads(model, loss_fn, x, y)` 返回 {名称: 梯度},包含 `model` 中每个需要梯度的参数
(名称与 `named_parameters()` 中的相同),形状为 (N, *param.shape):第 i 行是
`loss_fn(model(x[i:i+1]), y[i:i+1])`(把样本 i 作为大小为 1 的批次的损失)的梯度。
模型的一切都不改变:参数、参数的 `.grad`、缓冲区和模式都保持原样;结果不带计算图。
"""

from collections.abc import Callable

import torch  # noqa: F401 - yours to use
from torch import Tensor, nn
from torch.func import functional_call, grad, vmap  # noqa: F401 - yours to use


def per_sample_grads(model: nn.Module, loss_fn: Callable[[Tensor, Tensor], Tensor], x: Tensor, y: Tensor) -> dict[str, Tensor]:
    """{name: (N, *param.shape) tensor}: the gradient of each sample's own loss, for every parameter that requires grad."""
    # TODO: params = {name: p.detach() for name, p in model.named_parameters() if p.requires_grad};
    # def sample_loss(params, xi, yi): run functional_call(model, params, (xi.unsqueeze(0),)), return loss_fn(out, yi.unsqueeze(0));
    # return vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, x, y)
    # TODO: params = {name: p.detach() for name, p in model.named_parameters() if p.requires_grad};
    # def sample_loss(params, xi, yi):运行 functional_call(model, params, (xi.unsqueeze(0),)),返回 loss_fn(out, yi.unsqueeze(0));
    # return vmap(grad(sample_loss), in_dims=(None, 0, 0))(params, x, y)
    raise NotImplementedError("per_sample_grads is not written yet / per_sample_grads 还没有完成")

"""Jacobians and Hessians with `torch.func` (`jacrev`, `vmap`, `hessian`).

EN: For a function f from R^n to R^m, the Jacobian at x is the (m, n)
matrix J with J[i, j] = d f(x)[i] / d x[j]: row i is the gradient of the
i-th output. `loss.backward()` and `torch.autograd.grad` give one
vector-Jacobian product at a time (the gradient of f(x).sum() is the
column sum of J, not J). `torch.func.jacrev(f)` is a new function that
returns the whole Jacobian, one row per output, computed in reverse mode
(`jacfwd` gives the same matrix in forward mode). Transforms compose:
`vmap(jacrev(f))` takes a batch of inputs, one Jacobian each, without a
Python loop, and the Hessian of a scalar function is the Jacobian of its
gradient, `jacrev(jacrev(f))`, which `torch.func.hessian(f)` also gives.
Here f takes ONE sample, a 1-D tensor of shape (n,); it need not accept a
batch. Write:
- `jacobian(f, x)`: the (m, n) Jacobian of f at x (x has shape (n,), f(x)
  has shape (m,));
- `batch_jacobians(f, xs)`: for xs of shape (B, n), the (B, m, n) tensor
  whose entry b is the Jacobian of f at xs[b];
- `hessian_of(f, x)`: for an f whose value is a 0-d scalar, the (n, n)
  Hessian H[i, j] = d^2 f / d x[i] d x[j] at x (all zeros for a linear f).
All three return plain tensors in x's dtype, with no graph, even when x
requires grad (f here depends on x alone: any weights it has do not
require grad); the caller's x, its `requires_grad` and its `.grad` stay as
they were; they work inside the caller's `torch.no_grad()` and leave grad
mode as it was; an error raised by f reaches the caller.

中文: 对从 R^n 到 R^m 的函数 f,它在 x 处的雅可比矩阵是 (m, n) 的矩阵 J,
J[i, j] = d f(x)[i] / d x[j]:第 i 行是第 i 个输出的梯度。`loss.backward()` 和
`torch.autograd.grad` 一次只给出一个向量-雅可比积(f(x).sum() 的梯度是 J 的列和,而不是 J)。
`torch.func.jacrev(f)` 是一个新函数,用反向模式计算并返回完整的雅可比矩阵,每个输出一行
(`jacfwd` 用前向模式给出同一个矩阵)。变换可以组合:`vmap(jacrev(f))` 接受一批输入,
每个输入得到一个雅可比矩阵,不需要 Python 循环;标量函数的 Hessian 矩阵就是其梯度的雅可比矩阵
`jacrev(jacrev(f))`,`torch.func.hessian(f)` 也给出它。这里 f 只接受一个样本,即形状为 (n,)
的一维张量;它不一定接受批次。请写出:
- `jacobian(f, x)`:f 在 x 处的 (m, n) 雅可比矩阵(x 的形状为 (n,),f(x) 的形状为 (m,));
- `batch_jacobians(f, xs)`:对形状为 (B, n) 的 xs,返回 (B, m, n) 的张量,
  第 b 项是 f 在 xs[b] 处的雅可比矩阵;
- `hessian_of(f, x)`:对值为 0 维标量的 f,返回 x 处 (n, n) 的 Hessian 矩阵
  H[i, j] = d^2 f / d x[i] d x[j](线性 f 的 Hessian 全为 0)。
三个函数都返回普通张量,dtype 与 x 相同,不带计算图,即使 x 需要梯度也是如此(这里的 f 只依赖 x:
它若有权重,权重不需要梯度);调用者的 x、
它的 `requires_grad` 和 `.grad` 都保持不变;在调用者的 `torch.no_grad()` 中也能工作,
并保持梯度模式不变;f 抛出的错误要传给调用者。
"""

from collections.abc import Callable

from torch import Tensor
from torch.func import jacrev, vmap


def jacobian(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """The (m, n) Jacobian of f at x: row i is the gradient of f(x)[i]; a plain tensor, x unchanged."""
    # torch.func differentiates its own copy of x: detaching it keeps the result out of the caller's graph.
    return jacrev(f)(x.detach())


def batch_jacobians(f: Callable[[Tensor], Tensor], xs: Tensor) -> Tensor:
    """(B, m, n): the Jacobian of f at each row xs[b], for an f that takes one sample."""
    return vmap(jacrev(f))(xs.detach())


def hessian_of(f: Callable[[Tensor], Tensor], x: Tensor) -> Tensor:
    """The (n, n) Hessian of a scalar f at x: the Jacobian of its gradient."""
    return jacrev(jacrev(f))(x.detach())

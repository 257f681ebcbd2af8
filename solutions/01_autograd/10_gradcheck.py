"""Check a custom Function with `torch.autograd.gradcheck`.

EN: A hand-written `backward` can be wrong in ways no error shows.
`torch.autograd.gradcheck(fn, (x,))` compares the gradients autograd gets
from your `backward` with finite differences of `forward`
((f(x + eps) - f(x - eps)) / (2 eps)), element by element. Finite
differences need double precision: in float32 even a correct backward fails,
so run it on a float64 copy of the input that requires grad. Here:
- `Softplus` is softplus(x) = log(1 + exp(x)) as a `torch.autograd.Function`,
  computed without overflow (for x = 100, exp(x) is inf in float32; use
  max(x, 0) + log1p(exp(-|x|)), which is the same number), with the
  derivative sigmoid(x) in `backward`, from the tensor saved with
  `ctx.save_for_backward`. The result keeps x's dtype and shape.
- `passes_gradcheck(fn, x)` returns True when gradcheck accepts `fn` at x
  (with eps=1e-6, atol=1e-5) and False when it does not, instead of raising;
  it works on a float64 copy of x (a float32 x included), and leaves the
  caller's x, its `requires_grad` and its `.grad` as they were.

中文: 手写的 `backward` 可能出错,却不会报任何错误。`torch.autograd.gradcheck(fn, (x,))`
逐元素比较自动求导从你的 `backward` 得到的梯度与 `forward` 的有限差分
((f(x + eps) - f(x - eps)) / (2 eps))。有限差分需要双精度:在 float32 下即使正确的 backward
也会失败,所以要在输入的一个需要梯度的 float64 副本上运行。这里:
- `Softplus` 把 softplus(x) = log(1 + exp(x)) 写成 `torch.autograd.Function`,计算时不溢出
  (x = 100 时 float32 的 exp(x) 是 inf;使用 max(x, 0) + log1p(exp(-|x|)),数值相同),
  `backward` 中导数为 sigmoid(x),使用 `ctx.save_for_backward` 保存的张量。结果保持 x 的 dtype 和形状。
- `passes_gradcheck(fn, x)` 在 gradcheck 接受 `fn`(eps=1e-6,atol=1e-5)时返回 True,不接受时返回 False,
  而不是抛出错误;它在 x 的 float64 副本上运行(x 为 float32 时也是),不改变调用者的 x、
  它的 `requires_grad` 和 `.grad`。
"""

from collections.abc import Callable

import torch
from torch import Tensor


class Softplus(torch.autograd.Function):
    """softplus(x) = log(1 + exp(x)), without overflow; d/dx = sigmoid(x)."""

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        ctx.save_for_backward(x)
        return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))

    @staticmethod
    def backward(ctx, grad_output: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)


def passes_gradcheck(fn: Callable[[Tensor], Tensor], x: Tensor) -> bool:
    """Whether torch.autograd.gradcheck accepts fn at a float64 copy of x (eps=1e-6, atol=1e-5); never raises for a mismatch."""
    x64 = x.detach().to(torch.float64).requires_grad_(True)
    return torch.autograd.gradcheck(fn, (x64,), eps=1e-6, atol=1e-5, raise_exception=False)

"""Tensor hooks: change a gradient on its way back.

EN: `t.register_hook(fn)` asks autograd to call `fn(grad)` when the gradient
of `t` has been computed during backward; when `fn` returns a tensor, that
tensor replaces the gradient and flows on to whatever `t` was computed from.
Hooks are how gradient reversal, per-branch gradient scaling and gradient
logging are written. Here `scale_grad(x, factor)` returns a new tensor with
x's values (x itself is not changed) whose gradient is multiplied by `factor`
on its way back to x. Register the hook on the new tensor, not on x: a hook on
x would also scale every other use of x, and stay on x for later backward
passes. Return a new tensor from the hook (never change `grad` in place: it
may be shared with other branches). A tensor that does not require grad (or
one made inside `torch.no_grad()`) cannot have hooks: then just return the
copy.

中文: `t.register_hook(fn)` 让自动求导在反向传播中算出 `t` 的梯度时调用 `fn(grad)`;
若 `fn` 返回一个张量,它会替换这个梯度,并继续传给计算出 `t` 的那些张量。
梯度反转、按分支缩放梯度、记录梯度都是用钩子(hook)写的。这里
`scale_grad(x, factor)` 返回一个数值与 x 相同的新张量(不修改 x 本身),
它的梯度在传回 x 的路上乘以 `factor`。把钩子注册在新张量上,而不是 x 上:
注册在 x 上会同时缩放 x 的其他所有用途,并且在以后的反向传播中一直留在 x 上。
钩子要返回新的张量(不要原地修改 `grad`:它可能被其他分支共享)。
不需要梯度的张量(或在 `torch.no_grad()` 中创建的张量)不能注册钩子:这时直接返回副本即可。
"""

from torch import Tensor


def scale_grad(x: Tensor, factor: float) -> Tensor:
    """A new tensor equal to x; in backward, x receives factor * the gradient that reaches it."""
    y = x.clone()
    if y.requires_grad:
        y.register_hook(lambda grad: grad * factor)
    return y

"""In-place operations and the `_` suffix.

EN: A method whose name ends in `_` changes its tensor in place and returns that same
tensor: `x.clamp_(min=0)`, `x.add_(y)`, `x.mul_(2)`; `x += y` is in place too. The
versions without `_` (`x.clamp(min=0)`, `x + y`) build a new tensor and leave `x` alone,
and `x = x + y` only rebinds your local name: the caller's tensor is unchanged. An
in-place result keeps `x`'s shape and dtype, so `y` must broadcast to `x`'s shape and
the result must fit `x`'s dtype, or PyTorch raises. Autograd records in-place operations
on tensors it tracks (so never go through `x.data`), and refuses them on a leaf tensor
that requires grad.

中文: 名字以 `_` 结尾的方法会原地修改张量,并返回同一个张量:`x.clamp_(min=0)`、`x.add_(y)`、
`x.mul_(2)`;`x += y` 也是原地操作。不带 `_` 的版本(`x.clamp(min=0)`、`x + y`)会创建新张量,
不改动 `x`;而 `x = x + y` 只是让你的局部变量指向新张量:调用者的张量不变。原地操作的结果保持
`x` 的形状和数据类型,所以 `y` 必须能广播成 `x` 的形状,结果也必须能放进 `x` 的数据类型,否则
PyTorch 会报错。自动求导会记录它所跟踪的张量上的原地操作(所以不要经过 `x.data`),并拒绝对需要
梯度的叶子张量做原地操作。
"""

from torch import Tensor


def relu_(x: Tensor) -> Tensor:
    """Set every negative element of `x` to 0, in place, and return `x` itself.

    Autograd must see the change (a non-leaf that requires grad gets the right gradient); on a
    leaf that requires grad, PyTorch's own error must reach the caller.
    原地把 `x` 中所有负的元素置为 0,并返回 `x` 本身。
    自动求导必须能看到这次修改(需要梯度的非叶子张量要得到正确的梯度);对需要梯度的叶子张量,
    PyTorch 自己的错误必须传给调用者。
    """
    return x.clamp_(min=0)


def add_scaled_(x: Tensor, y: Tensor, alpha: float) -> Tensor:
    """Add `alpha * y` to `x` in place and return `x` itself.

    `y` broadcasts to x's shape; when it cannot (y is larger than x) or the result does not fit
    x's dtype (a float added to an int64 `x`), PyTorch's error must reach the caller.
    原地把 `alpha * y` 加到 `x` 上,并返回 `x` 本身。
    `y` 广播成 `x` 的形状;不能广播时(y 比 x 大),或结果放不进 `x` 的数据类型时(把浮点数加到 int64 的
    `x` 上),PyTorch 的错误必须传给调用者。
    """
    return x.add_(y, alpha=alpha)

"""Broadcasting: how PyTorch lines up two shapes.

EN: An elementwise operation such as `a - b` works on tensors of different shapes when they
broadcast. Line the two shapes up from the right (the trailing dimensions); a shape that is
shorter counts as having size 1 in the missing leading dimensions. Each pair of sizes must be
equal, or one of them must be 1, which is stretched to the other (so 1 with 0 gives 0). Any
other pair is an error. Broadcasting copies no memory, and it is how you compare every row of
`a` with every row of `b` without a loop: `a[:, None, :] - b[None, :, :]` has shape (n, m, d).

中文: 像 `a - b` 这样的逐元素运算,在两个形状能够广播时也能用于不同形状的张量。把两个形状从右边
(末尾的维度)对齐;较短的形状在缺少的前导维度上按大小 1 计。每一对大小必须相等,或者其中一个为 1,
大小为 1 的那一个会被扩展成另一个(所以 1 和 0 得到 0)。其他情况都是错误。广播不会复制内存,
不用循环就能把 `a` 的每一行和 `b` 的每一行相比较,靠的就是它:`a[:, None, :] - b[None, :, :]`
的形状是 (n, m, d)。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """Return the shape of `x op y` for tensors x of shape `a` and y of shape `b`, by the broadcasting rules.

    Work it out from the rules, without making tensors. Shapes that do not broadcast raise
    ValueError (with a message that names the two sizes that clash).
    按广播规则返回形状为 `a` 的张量 x 与形状为 `b` 的张量 y 做 `x op y` 的结果形状,
    不要创建张量。不能广播的形状抛出 ValueError(信息中写出冲突的两个大小)。
    """
    # TODO: pad the shorter shape with 1s on the left, then take each pair of sizes from the right.
    # TODO: 在较短形状的左边补 1,然后从右边逐对比较大小。
    raise NotImplementedError("broadcast_shape is not written yet / broadcast_shape 还没有完成")


def pairwise_differences(a: Tensor, b: Tensor) -> Tensor:
    """Return every row of `a` minus every row of `b`: out[i, j] = a[i] - b[j], of shape (n, m, d).

    `a` has shape (n, d) and `b` has shape (m, d); use broadcasting, not a loop. The result stays
    in the autograd graph; `a` and `b` are not changed. Rows of different lengths d raise
    (PyTorch's error reaches the caller).
    返回 `a` 的每一行减去 `b` 的每一行:out[i, j] = a[i] - b[j],形状为 (n, m, d)。
    `a` 的形状是 (n, d),`b` 的形状是 (m, d);用广播,不要用循环。结果留在自动求导的计算图中;
    不修改 `a` 和 `b`。行长度 d 不同时报错(PyTorch 的错误传给调用者)。
    """
    # TODO: give a and b a size-1 dimension each so that they broadcast to (n, m, d).
    # TODO: 给 a 和 b 各加一个大小为 1 的维度,使它们广播成 (n, m, d)。
    raise NotImplementedError("pairwise_differences is not written yet / pairwise_differences 还没有完成")

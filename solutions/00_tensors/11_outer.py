"""Puzzle: the outer product, by broadcasting.

EN: Broadcasting lines two shapes up from the right, and a dimension of size 1
stretches to match the other one. Indexing with `None` adds such a dimension:
for `a` of shape (n,), `a[:, None]` has shape (n, 1). So (n, 1) times (1, m)
gives (n, m) — every product, with no loop and no copy of the inputs.

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only indexing (`[]`, `None`, `:`) and arithmetic operators: no torch functions or
methods.

中文: 广播从右向左对齐两个形状,大小为 1 的维度会扩展成另一个的大小。用 `None` 索引可以
加上这样的维度:形状为 (n,) 的 `a`,`a[:, None]` 的形状是 (n, 1)。所以 (n, 1) 乘
(1, m) 得到 (n, m)——所有乘积都有了,不需要循环,也不复制输入。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用索引(`[]`、`None`、`:`)和算术运算符:不用任何 torch 函数或方法。
"""

import torch  # noqa: F401 - not needed: indexing and operators are enough
from torch import Tensor


def outer(a: Tensor, b: Tensor) -> Tensor:
    """Return the (n, m) tensor with out[i, j] = a[i] * b[j], for 1-D `a` (n,) and `b` (m,).

    The same as torch.outer(a, b) (dtypes promote as in `a * b`), without calling it.
    返回形状为 (n, m) 的张量,out[i, j] = a[i] * b[j];`a` 的形状是 (n,),`b` 的形状是 (m,)。
    与 torch.outer(a, b) 相同(数据类型按 `a * b` 的规则提升),但不调用它。
    """
    return a[:, None] * b[None, :]

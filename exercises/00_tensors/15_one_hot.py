"""Puzzle: one-hot encoding by comparison.

EN: A one-hot row has a 1 at the label's position and 0 elsewhere. Compare the labels,
with a new last dimension (`labels[..., None]`), against `arange(num_classes)`: the
comparison broadcasts to (*labels.shape, num_classes). `...` stands for all the
dimensions the labels have, so any shape works, even a 0-d label. Convert the booleans
to int64 (`.long()`), the dtype `torch.nn.functional.one_hot` returns.

Puzzle rules (checked on your code, with their own points): the body is one `return`
expression — no loops, comprehensions, `if`, assignments, lambdas or Python lists —
and it uses only `torch.arange`, `.long()`, `.to()`, indexing (`...` too), comparison
operators, `.shape`, `.dtype` and `.device`.

中文: one-hot 行在标签对应的位置为 1,其余为 0。给标签加一个新的最后维度(`labels[..., None]`),再与
`arange(num_classes)` 比较:比较结果会广播成 (*labels.shape, num_classes)。`...` 代表标签原有的
所有维度,所以任何形状都可以,0 维的标签也行。再把布尔值转成 int64(`.long()`),这正是
`torch.nn.functional.one_hot` 返回的数据类型。

谜题规则(会检查你的代码,单独计分):函数体只有一个 `return` 表达式——不用循环、推导式、
`if`、赋值、lambda 或 Python 列表——并且只能使用`torch.arange`、`.long()`、`.to()`、索引(包括 `...`)、比较运算符、`.shape`、`.dtype` 和 `.device`。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor


def one_hot(labels: Tensor, num_classes: int) -> Tensor:
    """Return the one-hot encoding of the int64 `labels` (any shape, values in [0, num_classes)).

    The same as torch.nn.functional.one_hot(labels, num_classes): shape
    (*labels.shape, num_classes), dtype int64, on labels' device.
    返回 int64 标签 `labels`(任意形状,取值在 [0, num_classes) 内)的 one-hot 编码。
    与 torch.nn.functional.one_hot(labels, num_classes) 相同:形状为 (*labels.shape, num_classes),
    数据类型为 int64,在标签所在的设备上。
    """
    # TODO: compare labels[..., None] with a counter of the classes, then make it int64.
    # TODO: 把 labels[..., None] 与类别计数器比较,再转成 int64。
    raise NotImplementedError("one_hot is not written yet / one_hot 还没有完成")

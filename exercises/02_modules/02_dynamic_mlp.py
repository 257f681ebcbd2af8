"""An MLP of any depth: register layers you create in a loop.

EN: `MLP([784, 256, 64, 10])` has three Linear layers with a ReLU between each
pair and none after the last (the output is logits). Layers made in a loop
must be registered: keep them in `nn.ModuleList` or `nn.Sequential`, not in a
plain Python list — a plain list hides them from `.parameters()`, `.to()` and
`state_dict()`, so the optimizer never trains them. `sizes` may be any sequence
(a list or a tuple) and is left as it was. Like `nn.Linear`, the network takes
inputs of shape `(*, sizes[0])`: one sample, a batch, or more leading dimensions.

中文: `MLP([784, 256, 64, 10])` 有三个 Linear 层,相邻两层之间有 ReLU,最后一层之后没有
(输出是 logits)。在循环里创建的层也必须注册:放进 `nn.ModuleList` 或 `nn.Sequential`,
不要放进普通的 Python list —— 普通 list 会让它们从 `.parameters()`、`.to()` 和
`state_dict()` 中消失,优化器也就永远不会训练它们。`sizes` 可以是任意序列(list 或 tuple),
且不能被修改。与 `nn.Linear` 一样,网络接受形状为 `(*, sizes[0])` 的输入:单个样本、一个批次,
或有更多前导维度。
"""

from collections.abc import Sequence

import torch
from torch import Tensor, nn


class MLP(nn.Module):
    """Linear layers sizes[0] -> sizes[1] -> ... -> sizes[-1], ReLU between them."""

    def __init__(self, sizes: Sequence[int]) -> None:
        super().__init__()
        # TODO: one nn.Linear per consecutive pair of sizes, registered (nn.ModuleList or nn.Sequential).
        # TODO: 每对相邻的 size 一个 nn.Linear,并注册(nn.ModuleList 或 nn.Sequential)。
        raise NotImplementedError("MLP.__init__ is not written yet / MLP.__init__ 还没有完成")

    def forward(self, x: Tensor) -> Tensor:
        # TODO: ReLU after every layer except the last.
        # TODO: 除最后一层外,每层之后接 ReLU。
        raise NotImplementedError("MLP.forward is not written yet / MLP.forward 还没有完成")

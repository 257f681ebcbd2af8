"""`nn.ModuleDict`: one shared trunk, one head per task.

EN: A module is only part of a model when it is registered: assigned as an
attribute, or kept in `nn.ModuleList` / `nn.ModuleDict`. Layers in a plain
Python dict or list are invisible to `.parameters()` (the optimizer never
trains them), `.to()` and `state_dict()`. `nn.ModuleDict` keeps modules by
name, in insertion order, and registers each one under `<attribute>.<name>`.
`MultiTaskNet(in_features, hidden, tasks)` has a shared `trunk`
(`nn.Linear(in_features, hidden)`, followed by ReLU in forward) and `heads`,
an `nn.ModuleDict` with one `nn.Linear(hidden, size)` per entry of `tasks`
(a dict {task name: output size}, in that order). Its `state_dict()` keys are
exactly `trunk.weight`, `trunk.bias`, `heads.<task>.weight`,
`heads.<task>.bias`, so that a saved checkpoint loads. `forward(x)` returns a
dict {task: head output} for every task, in the order of `tasks`;
`forward(x, task)` returns that task's output only, and an unknown task name
raises KeyError.

中文: 模块只有注册后才是模型的一部分:赋值为属性,或放在 `nn.ModuleList` / `nn.ModuleDict` 中。
放在普通 Python dict 或 list 里的层对 `.parameters()`(优化器永远不会训练它们)、`.to()` 和
`state_dict()` 都不可见。`nn.ModuleDict` 按名称、按插入顺序保存模块,并把每个模块注册为
`<属性名>.<名称>`。`MultiTaskNet(in_features, hidden, tasks)` 有一个共享的 `trunk`
(`nn.Linear(in_features, hidden)`,在 forward 中后接 ReLU)和 `heads`:一个 `nn.ModuleDict`,
`tasks`(字典 {任务名: 输出大小},按其顺序)中每一项对应一个 `nn.Linear(hidden, size)`。
它的 `state_dict()` 键恰好是 `trunk.weight`、`trunk.bias`、`heads.<任务>.weight`、
`heads.<任务>.bias`,这样保存的检查点才能加载。`forward(x)` 返回字典 {任务: 该头的输出},
包含每个任务,顺序与 `tasks` 相同;`forward(x, task)` 只返回该任务的输出,未知的任务名抛出 KeyError。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor, nn


class MultiTaskNet(nn.Module):
    """A shared Linear + ReLU trunk and an nn.ModuleDict of Linear heads, one per task."""

    def __init__(self, in_features: int, hidden: int, tasks: dict[str, int]) -> None:
        super().__init__()
        # TODO: self.trunk = nn.Linear(in_features, hidden);
        # self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) for name, size in tasks.items()})
        # TODO: self.trunk = nn.Linear(in_features, hidden);
        # self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) for name, size in tasks.items()})
        raise NotImplementedError("MultiTaskNet.__init__ is not written yet / MultiTaskNet.__init__ 还没有完成")

    def forward(self, x: Tensor, task: str | None = None) -> dict[str, Tensor] | Tensor:
        # TODO: features = torch.relu(self.trunk(x)); one task: self.heads[task](features);
        # all tasks: {name: head(features) for name, head in self.heads.items()}
        # TODO: features = torch.relu(self.trunk(x));单个任务:self.heads[task](features);
        # 所有任务:{name: head(features) for name, head in self.heads.items()}
        raise NotImplementedError("MultiTaskNet.forward is not written yet / MultiTaskNet.forward 还没有完成")

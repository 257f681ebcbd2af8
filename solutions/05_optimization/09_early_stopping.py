"""Early stopping: stop training when the validation loss stops improving.

EN: Training longer than needed overfits: the training loss keeps falling while
the validation loss turns back up. Early stopping watches one number per epoch
(usually the validation loss) and stops when it has not improved for `patience`
epochs in a row. "Improved" means better than the best value so far by more than
`min_delta` (lower for `mode="min"`, higher for `mode="max"`, e.g. accuracy);
an equal value is not an improvement. Keep the best value and the epoch it came
from: that is the checkpoint to keep.

中文: 训练得比需要的更久会过拟合:训练损失继续下降,而验证损失开始回升。早停每轮观察一个数
(通常是验证损失),当它连续 `patience` 轮没有改善时就停止训练。"改善"是指比目前最好的值好出
`min_delta` 以上(`mode="min"` 时更小,`mode="max"` 时更大,例如准确率);相等不算改善。
请记录最好的值以及它出现在哪一轮:那就是应该保留的检查点。
"""

from torch import Tensor


class EarlyStopping:
    """Decide after each epoch whether to stop.

    After each `step(value)` call: `best` is the best value so far (a float), `best_epoch` the index
    of the call that gave it (0 for the first call), `bad_epochs` the number of calls in a row since
    then without an improvement. Before the first call `best` is None, `best_epoch` -1, `bad_epochs` 0.
    Each instance keeps its own state.

    在每轮之后决定是否停止。
    每次调用 `step(value)` 之后:`best` 是目前最好的值(float),`best_epoch` 是得到它的那次调用的序号
    (第一次调用为 0),`bad_epochs` 是此后连续没有改善的调用次数。第一次调用之前 `best` 为 None,
    `best_epoch` 为 -1,`bad_epochs` 为 0。每个实例保存自己的状态。
    """

    def __init__(self, patience: int = 3, min_delta: float = 0.0, mode: str = "min") -> None:
        """`mode` is "min" (for a loss) or "max" (for an accuracy); any other value raises ValueError.

        `mode` 取 "min"(用于损失)或 "max"(用于准确率);其他取值抛出 ValueError。
        """
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', not {mode!r}")
        self.patience = patience
        self.min_delta = min_delta
        self.mode = mode
        self.best: float | None = None
        self.best_epoch = -1
        self.bad_epochs = 0
        self.epochs = 0

    def step(self, value: float | Tensor) -> bool:
        """Record this epoch's value (a float or a 0-d tensor); return True when training should stop.

        The first value is always an improvement. Stop once `bad_epochs >= patience`; later calls go on
        counting (and return True again unless the value improves).

        记录这一轮的值(float 或 0 维张量);应当停止训练时返回 True。
        第一个值总是算作改善。一旦 `bad_epochs >= patience` 就停止;之后的调用继续计数(除非值有改善,
        否则再次返回 True)。
        """
        value = float(value)
        if self.best is None:
            improved = True
        elif self.mode == "min":
            improved = value < self.best - self.min_delta
        else:
            improved = value > self.best + self.min_delta
        if improved:
            self.best = value
            self.best_epoch = self.epochs
            self.bad_epochs = 0
        else:
            self.bad_epochs += 1
        self.epochs += 1
        return self.bad_epochs >= self.patience

"""Quickstart, step 3: evaluation.

EN: Put the model in evaluation mode (`model.eval()`) and turn gradients off
(`with torch.no_grad():`). Count correct predictions (`pred.argmax(1) == y`)
over all samples and divide by the number of *samples* (the last batch may be
smaller!); average the loss over the number of *batches*, as the tutorial does.
Return `(accuracy, mean_loss)` with accuracy in [0, 1].

中文: 把模型设为评估模式(`model.eval()`)并关闭梯度(`with torch.no_grad():`)。统计所有
样本中预测正确的个数(`pred.argmax(1) == y`),除以 *样本* 数(最后一个批次可能更小!);
损失按 *批次* 数求平均,与教程一致。返回 `(accuracy, mean_loss)`,accuracy 在 [0, 1] 内。
"""

import torch
from torch import nn
from torch.utils.data import DataLoader


def test(dataloader: DataLoader, model: nn.Module, loss_fn: nn.Module) -> tuple[float, float]:
    """(accuracy in [0, 1], mean batch loss) of model on dataloader.

    返回模型在 `dataloader` 上的 (准确率, 平均批次损失)。
    """
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0.0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return correct / size, test_loss / num_batches

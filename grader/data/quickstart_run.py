"""Run a learner's finished quickstart `fit` for real: data, progress bar, the tutorial's lines.

Used by `python exercises/04_quickstart/04_fit.py` and `torchdojo run quickstart`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from typing import Any

import torch
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from torch import nn
from torch.utils.data import DataLoader, Dataset

from torchdojo.data.fashion import CLASSES, IdxFashion, load_fashion_mnist

TUTORIAL_LR = 1e-3
STAND_IN_LR = 0.1  # the stand-in has 3,000 images; at the tutorial's 1e-3 it barely moves in 5 epochs


class NeuralNetwork(nn.Module):
    """The quickstart's model."""

    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear_relu_stack(self.flatten(x))


class _Tracked:
    """A DataLoader look-alike that advances a progress bar as the learner's code iterates it."""

    def __init__(self, loader: DataLoader, progress: Progress, description: str) -> None:
        self.loader = loader
        self.dataset = loader.dataset
        self.batch_size = loader.batch_size
        self.progress = progress
        self.task = progress.add_task(description, total=len(loader), visible=False)

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Iterator[Any]:
        self.progress.reset(self.task, total=len(self.loader), visible=True)
        for batch in self.loader:
            yield batch
            self.progress.advance(self.task)
        self.progress.update(self.task, visible=False)


def run(fit: Callable[..., list[dict]], argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the quickstart model with your fit().")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--lr", type=float, default=None, help="default: 1e-3 on FashionMNIST, 0.1 on the stand-in")
    parser.add_argument("--offline", action="store_true", help="use the shipped stand-in even if torchvision works")
    args = parser.parse_args(argv)
    console = Console()
    torch.manual_seed(0)

    training: Dataset
    test: Dataset
    if args.offline:
        training, test = IdxFashion(train=True), IdxFashion(train=False)
        source = f"Using torchdojo's offline stand-in ({len(training)} / {len(test)} synthetic images)."
    else:
        with console.status("Loading FashionMNIST…"):
            training, test, source = load_fashion_mnist()
    stand_in = isinstance(training, IdxFashion)
    lr = args.lr if args.lr is not None else (STAND_IN_LR if stand_in else TUTORIAL_LR)
    console.print(f"[bold]{source}[/]")
    console.print(f"Learning rate {lr:g}" + (" (the stand-in is small; the tutorial's 1e-3 needs 60,000 images)" if stand_in and args.lr is None else ""))

    train_dl = DataLoader(training, batch_size=64, shuffle=True)
    test_dl = DataLoader(test, batch_size=64)
    model = NeuralNetwork()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=console, transient=True) as progress:
            tracked_train = _Tracked(train_dl, progress, "train")
            tracked_test = _Tracked(test_dl, progress, "test ")
            for epoch in range(1, args.epochs + 1):
                console.print(f"Epoch {epoch}\n-------------------------------")
                (record,) = fit(model, tracked_train, tracked_test, 1, lr)[-1:]
                console.print(f"train loss: {record['train_loss']:>7f}")
                console.print(f"Test Error: \n Accuracy: {100 * record['accuracy']:>0.1f}%, Avg loss: {record['test_loss']:>8f} \n")
    except NotImplementedError:
        console.print("[yellow]fit is not written yet: run `torchdojo check quickstart/fit` first.[/]")
        return 1
    console.print("Done!")
    model.eval()
    x, y = test[0]
    with torch.no_grad():
        predicted = CLASSES[model(x.unsqueeze(0))[0].argmax(0).item()]
    console.print(f'Predicted: "{predicted}", Actual: "{CLASSES[y]}"')
    return 0

"""The offline FashionMNIST stand-in: format, determinism, learnability, and the runnable quickstart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from tests.conftest import ROOT
from torchdojo.data.fashion import CLASSES, RAW_FILES, SHIPPED_ROOT, IdxFashion, generate, load_fashion_mnist, read_idx
from torchdojo.data.quickstart_run import STAND_IN_LR, NeuralNetwork

RAW = SHIPPED_ROOT / "FashionMNIST" / "raw"


def test_shipped_files_are_idx_in_torchvision_layout() -> None:
    for (_split, kind), name in RAW_FILES.items():
        data = (RAW / name).read_bytes()
        magic = int.from_bytes(data[:4], "big")
        assert magic == (2051 if kind == "images" else 2049), name
    images = read_idx(RAW / RAW_FILES[("train", "images")])
    assert images.shape[1:] == (28, 28) and images.dtype.name == "uint8"
    size = sum((RAW / name).stat().st_size for name in RAW_FILES.values())
    assert size < 4_000_000, "a few MB at most"


def test_shipped_files_are_exactly_what_the_generator_makes(tmp_path: Path) -> None:
    regenerated = generate(tmp_path)
    for name in RAW_FILES.values():
        assert (regenerated / name).read_bytes() == (RAW / name).read_bytes(), name


def test_dataset_matches_fashion_mnist_shapes_and_classes() -> None:
    train, test = IdxFashion(train=True), IdxFashion(train=False)
    X, y = next(iter(DataLoader(train, batch_size=64)))
    assert X.shape == (64, 1, 28, 28) and X.dtype == torch.float32
    assert y.shape == (64,) and y.dtype == torch.int64
    assert 0.0 <= float(X.min()) and float(X.max()) <= 1.0
    assert train.classes == list(CLASSES) and len(CLASSES) == 10 and CLASSES[9] == "Ankle boot"
    assert torch.bincount(test.targets, minlength=10).tolist() == [100] * 10


def test_tutorial_model_learns_the_stand_in_within_five_epochs() -> None:
    torch.manual_seed(0)
    train = DataLoader(IdxFashion(train=True), batch_size=64, shuffle=True)
    test = DataLoader(IdxFashion(train=False), batch_size=64)
    model = NeuralNetwork()
    optimizer = torch.optim.SGD(model.parameters(), lr=STAND_IN_LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(5):
        model.train()
        for X, y in train:
            loss_fn(model(X), y).backward()
            optimizer.step()
            optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        correct = sum(int((model(X).argmax(1) == y).sum()) for X, y in test)
    assert correct / len(test.dataset) >= 0.70


def test_loader_says_which_data_it_uses() -> None:
    training, test, source = load_fashion_mnist()
    if isinstance(training, IdxFashion):
        assert "offline stand-in" in source and "synthetic" in source
    else:  # torchvision and its data happen to be present
        assert "FashionMNIST from torchvision" in source


def test_finished_quickstart_runs_as_a_script() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "solutions" / "04_quickstart" / "04_fit.py"), "--epochs", "2", "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "offline stand-in" in done.stdout
    assert "Epoch 2\n-------------------------------" in done.stdout
    assert "Accuracy:" in done.stdout and "Avg loss:" in done.stdout and "Predicted:" in done.stdout


def test_unfinished_quickstart_script_says_what_to_do() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "exercises" / "04_quickstart" / "04_fit.py"), "--epochs", "1", "--offline"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 1 and "fit is not written yet" in done.stdout

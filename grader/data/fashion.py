"""An offline stand-in for FashionMNIST, in FashionMNIST's own format.

FashionMNIST cannot be downloaded where torchdojo runs (no internet in many
classrooms, none in CI). This module makes — deterministically — a small data
set with the same shape and format: IDX files under `FashionMNIST/raw/`,
1x28x28 grayscale images in [0, 1], 10 classes with the tutorial's names.
Each class has its own silhouette, shifted, scaled and noised per sample, so a
model can learn it, but it is *not* FashionMNIST: the numbers you get are not
the tutorial's. torchvision's `datasets.FashionMNIST(root)` also reads these
files, because it only checks that the four raw files exist.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

CLASSES = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
SHIPPED_ROOT = Path(__file__).resolve().parent
RAW_FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}
SIZES = {"train": 3000, "test": 1000}
IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049


# -- IDX format ----------------------------------------------------------------------


def write_idx(path: Path, array: np.ndarray) -> None:
    """IDX: magic (0, 0, type 0x08 = ubyte, ndim), big-endian sizes, raw bytes."""
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def read_idx(path: Path) -> np.ndarray:
    data = path.read_bytes()
    (magic,) = struct.unpack(">I", data[:4])
    if magic >> 8 != 0x08 or magic & 0xFF not in (1, 3):
        raise ValueError(f"{path} is not an IDX ubyte file (magic {magic})")
    ndim = magic & 0xFF
    shape = struct.unpack(f">{ndim}I", data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


# -- the synthetic garments ----------------------------------------------------------


def _silhouettes() -> np.ndarray:
    """Ten 28x28 class templates, drawn from simple shapes that recall each garment."""
    yy, xx = np.mgrid[0:28, 0:28].astype(np.float32)
    t = np.zeros((10, 28, 28), dtype=np.float32)

    def box(k: int, top: int, bottom: int, left: int, right: int, value: float = 1.0) -> None:
        t[k, top:bottom, left:right] = np.maximum(t[k, top:bottom, left:right], value)

    # T-shirt: short sleeves
    box(0, 6, 24, 9, 19)
    box(0, 6, 12, 3, 25)
    # Trouser: two legs
    box(1, 4, 26, 9, 13)
    box(1, 4, 26, 15, 19)
    box(1, 4, 8, 9, 19)
    # Pullover: long sleeves
    box(2, 6, 24, 8, 20)
    box(2, 6, 22, 3, 7)
    box(2, 6, 22, 21, 25)
    # Dress
    t[3] = ((np.abs(xx - 14) < 3 + (yy - 4) * 0.35) & (yy > 4) & (yy < 26)).astype(np.float32)
    # Coat
    box(4, 5, 25, 7, 21, 0.8)
    box(4, 5, 24, 2, 6)
    box(4, 5, 24, 22, 26)
    box(4, 5, 25, 13, 15, 0.3)
    # Sandal
    box(5, 18, 22, 3, 25, 0.6)
    box(5, 12, 18, 5, 8, 0.6)
    box(5, 12, 18, 12, 15, 0.6)
    box(5, 12, 18, 19, 22, 0.6)
    # Shirt
    box(6, 6, 24, 8, 20, 0.7)
    box(6, 6, 20, 4, 8, 0.7)
    box(6, 6, 20, 20, 24, 0.7)
    box(6, 6, 10, 12, 16, 0.2)
    # Sneaker
    box(7, 14, 22, 3, 25)
    box(7, 10, 14, 12, 25)
    # Bag
    box(8, 10, 25, 4, 24, 0.9)
    t[8] = np.maximum(t[8], ((np.hypot(xx - 14, yy - 9) < 5) & (np.hypot(xx - 14, yy - 9) > 3)).astype(np.float32))
    # Ankle boot
    box(9, 4, 22, 14, 21)
    box(9, 16, 23, 4, 22)
    return t


def make_split(count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` images and labels: template, random shift and contrast, blur-free noise, uint8."""
    rng = np.random.default_rng(seed)
    templates = _silhouettes()
    labels = np.arange(count) % 10
    rng.shuffle(labels)
    images = np.empty((count, 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        image = np.roll(templates[label], shift=(rng.integers(-2, 3), rng.integers(-2, 3)), axis=(0, 1))
        other = templates[rng.integers(0, 10)]  # a faint second garment makes classes overlap a little
        image = image * rng.uniform(0.55, 1.0) + other * rng.uniform(0.0, 0.35)
        image = image + rng.normal(0.0, 0.18, size=(28, 28))
        images[i] = np.clip(image * 255.0, 0, 255).astype(np.uint8)
    return images, labels.astype(np.uint8)


def generate(root: Path) -> Path:
    """Write the four IDX files under `root/FashionMNIST/raw/` (deterministic)."""
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split, seed in (("train", 2017), ("test", 2018)):
        images, labels = make_split(SIZES[split], seed)
        write_idx(raw / RAW_FILES[(split, "images")], images)
        write_idx(raw / RAW_FILES[(split, "labels")], labels)
    return raw


# -- loading -------------------------------------------------------------------------


class IdxFashion(Dataset[tuple[torch.Tensor, int]]):
    """FashionMNIST-format data from IDX files: (1x28x28 float image in [0, 1], label)."""

    classes = list(CLASSES)

    def __init__(self, root: Path = SHIPPED_ROOT, train: bool = True) -> None:
        split = "train" if train else "test"
        raw = Path(root) / "FashionMNIST" / "raw"
        images = read_idx(raw / RAW_FILES[(split, "images")])
        labels = read_idx(raw / RAW_FILES[(split, "labels")])
        if images.shape[1:] != (28, 28) or len(images) != len(labels):
            raise ValueError(f"{raw} does not hold FashionMNIST-shaped data")
        self.data = torch.from_numpy(images.copy())
        self.targets = torch.from_numpy(labels.astype(np.int64))

    def __len__(self) -> int:
        return len(self.targets)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        return self.data[index].unsqueeze(0).float().div(255.0), int(self.targets[index])


def load_fashion_mnist(root: Path | str = "data") -> tuple[Dataset, Dataset, str]:
    """The real FashionMNIST through torchvision when possible, else the shipped stand-in.

    Returns (training_data, test_data, a sentence saying which data it is).
    """
    try:
        from torchvision import datasets  # optional: not in the dev venv (pyproject.toml tells mypy)
        from torchvision.transforms import ToTensor

        training = datasets.FashionMNIST(root=str(root), train=True, download=True, transform=ToTensor())
        test = datasets.FashionMNIST(root=str(root), train=False, download=True, transform=ToTensor())
        return training, test, f"FashionMNIST from torchvision ({len(training)} training images)."
    except ModuleNotFoundError as error:
        reason = "torchvision is not installed" if (error.name or "").startswith("torchvision") else f"{error.name} is missing"
    except Exception as error:  # noqa: BLE001 - no network, or a broken install
        reason = f"torchvision could not download it: {type(error).__name__}"
    training, test = IdxFashion(SHIPPED_ROOT, train=True), IdxFashion(SHIPPED_ROOT, train=False)
    return (
        training,
        test,
        f"FashionMNIST could not be loaded ({reason}); using torchdojo's offline stand-in "
        f"({len(training)} training / {len(test)} test synthetic images in FashionMNIST's format).",
    )

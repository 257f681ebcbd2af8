"""Strategies for the device checks: simulated machines, nested batches, models, training setups, transfers.

The awkward legal cases are drawn on purpose: every accelerator kind (cuda, mps, xpu and a
custom backend), a second device as the current one, builds that know an accelerator they
cannot use; namedtuples, OrderedDicts, tuples of one element, strings and modules inside a
batch; float64 and integer inputs (embeddings), batch sizes that change between calls;
optimizers with momentum and learning rates other than 1; float targets (regression);
non-contiguous, 0-d, half-precision and requires-grad tensors; devices as strings and as
`torch.device` objects, with and without an index.
"""

from __future__ import annotations

import copy
from collections import OrderedDict, namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from hypothesis import strategies as st
from torch import nn

from torchdojo.checks.stand_in import CUSTOM, MACHINES, NO_ACCELERATOR, Machine
from torchdojo.checks.support import manual_seed, show

# -- machines -------------------------------------------------------------------------------------

WITHOUT = tuple(m for m in MACHINES if m.kind is None)
CUDA = tuple(m for m in MACHINES if m.kind == "cuda")
OTHER_KINDS = tuple(m for m in MACHINES if m.kind not in (None, "cuda"))
BEFORE = (NO_ACCELERATOR, Machine("cuda"), Machine(CUSTOM))  # a first call, to catch answers cached across calls


def machine_runs(last: tuple[Machine, ...]) -> list[tuple[Machine, ...]]:
    """Every `last` machine alone and after each of `BEFORE` (hidden state across calls)."""
    return [(m,) for m in last] + [(first, m) for m in last for first in BEFORE if first != m]


def describe_run(run: tuple[Machine, ...]) -> tuple[str, str]:
    en = ", then ".join(m.describe()[0] for m in run)
    zh = ",然后".join(m.describe()[1] for m in run)
    return f"a call on a machine with {en}", f"在这样的机器上调用:{zh}"


# -- move_batch -----------------------------------------------------------------------------------

Batch = namedtuple("Batch", ["images", "labels", "name"])
Pair = namedtuple("Pair", ["x", "y"])


class Note:
    """A plain object inside a batch: it must come back as the very same object."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Note({self.text!r})"


@st.composite
def batch_tensors(draw: st.DrawFn) -> torch.Tensor:
    shape = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    dtype = draw(st.sampled_from([torch.float32, torch.float64, torch.int64, torch.bool]))
    seed = draw(st.integers(0, 2**16))
    values = torch.randn(shape, generator=torch.Generator().manual_seed(seed)) * 3
    tensor = values.to(dtype)
    if dtype.is_floating_point and draw(st.booleans()):
        tensor.requires_grad_(True)
    return tensor


LEAVES = st.one_of(
    batch_tensors(),
    st.sampled_from([7, 0, -1.5, "cat", "", None, True, b"raw"]),
    st.builds(Note, st.sampled_from(["n", "label"])),
    st.just("a module").map(lambda _: nn.Linear(2, 2)),  # has .to, but is not a tensor: kept as it is
)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(["x", "y", "mask", "meta", 3])
    return st.one_of(
        st.lists(children, max_size=3),
        st.lists(children, max_size=3).map(tuple),
        st.dictionaries(keys, children, max_size=3),
        st.dictionaries(keys, children, max_size=3).map(lambda d: OrderedDict(reversed(list(d.items())))),
        st.builds(Batch, children, children, st.sampled_from(["cats", "dogs"])),
        st.builds(Pair, children, children),
    )


batches = st.recursive(LEAVES, _containers, max_leaves=8)
nested_batches = _containers(batches)  # always a container at the top
DEVICES_META = st.sampled_from(["meta", torch.device("meta")])
TARGETS = st.sampled_from(["meta", torch.device("meta"), "cpu", torch.device("cpu")])


def tensors_in(obj: Any) -> list[torch.Tensor]:
    """Every tensor inside nested containers, in order."""
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, dict):
        return [t for value in obj.values() for t in tensors_in(value)]
    if isinstance(obj, list | tuple):
        return [t for value in obj for t in tensors_in(value)]
    return []


def containers_in(obj: Any) -> list[Any]:
    """Every container inside (the object itself first), in order."""
    if isinstance(obj, dict):
        return [obj] + [c for value in obj.values() for c in containers_in(value)]
    if isinstance(obj, list | tuple):
        return [obj] + [c for value in obj for c in containers_in(value)]
    return []


def skeleton(obj: Any, depth: int = 0) -> Any:
    """The shape of a nested value: container types and keys, non-tensor values; tensors as 'a tensor'."""
    if depth > 20:
        return "…"
    if isinstance(obj, torch.Tensor):
        return "a tensor"
    if isinstance(obj, dict):
        return (type(obj).__name__, [(repr(key), skeleton(value, depth + 1)) for key, value in obj.items()])
    if isinstance(obj, list | tuple):
        return (type(obj).__name__, [skeleton(value, depth + 1) for value in obj])
    if isinstance(obj, nn.Module):
        return f"a module on {next(obj.parameters()).device.type}"
    return (type(obj).__name__, repr(obj))


def copy_batch(obj: Any) -> Any:
    """An independent copy of a generated batch (tensors cloned, requires_grad kept, other leaves shared)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone().requires_grad_(obj.requires_grad)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return type(obj)(*(copy_batch(v) for v in obj))
    if isinstance(obj, dict):
        return type(obj)((k, copy_batch(v)) for k, v in obj.items())
    if isinstance(obj, list | tuple):
        return type(obj)(copy_batch(v) for v in obj)
    if isinstance(obj, nn.Module):
        return copy.deepcopy(obj)
    return obj


def describe_batch(obj: Any, limit: int = 160) -> str:
    text = _describe(obj)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(obj: Any) -> str:
    if isinstance(obj, torch.Tensor):
        return f"tensor{tuple(obj.shape)}"
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return f"{type(obj).__name__}(" + ", ".join(_describe(v) for v in obj) + ")"
    if isinstance(obj, OrderedDict):
        return "OrderedDict(" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in obj.items()) + ")"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{k!r}: {_describe(v)}" for k, v in obj.items()) + "}"
    if isinstance(obj, list):
        return "[" + ", ".join(_describe(v) for v in obj) + "]"
    if isinstance(obj, tuple):
        return "(" + ", ".join(_describe(v) for v in obj) + ("," if len(obj) == 1 else "") + ")"
    if isinstance(obj, nn.Module):
        return "nn.Linear(2, 2)"
    return repr(obj)


# -- models (device_mismatch, train_step) ----------------------------------------------------------


@dataclass(frozen=True)
class ModelCase:
    """A model kind and an input for it; `make` builds it identically for learner and reference."""

    name: str
    build: Callable[[], nn.Module]
    make_input: Callable[[torch.Generator, int], torch.Tensor]
    dtype: torch.dtype = torch.float32

    def make(self, seed: int) -> nn.Module:
        manual_seed(seed)
        return self.build()


MODEL_CASES = [
    ModelCase(
        "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))",
        lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)),
        lambda g, n: torch.randn(n, 4, generator=g) * 2,
    ),
    ModelCase(
        "nn.Linear(3, 2).double() (float64)", lambda: nn.Linear(3, 2).double(), lambda g, n: torch.randn(n, 3, generator=g, dtype=torch.float64), torch.float64
    ),
    ModelCase(
        "nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(8, 2)) (integer token ids)",
        lambda: nn.Sequential(nn.Embedding(10, 4), nn.Flatten(), nn.Linear(8, 2)),
        lambda g, n: torch.randint(0, 10, (n, 2), generator=g),
        torch.int64,
    ),
    ModelCase(
        "nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 2)) in eval mode",
        lambda: nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Linear(4, 2)).eval(),
        lambda g, n: torch.randn(n, 4, generator=g),
    ),
]
model_cases = st.sampled_from(MODEL_CASES)
batch_sizes = st.integers(1, 6)


@dataclass(frozen=True)
class TrainCase:
    """A model, a loss, an optimizer and batches for train_step."""

    model: str
    loss: str
    optimizer: str
    lr: float
    sizes: tuple[int, ...]
    as_list: bool
    seed: int

    def describe(self) -> str:
        kind = "list" if self.as_list else "tuple"
        return (
            f"model {self.model}, loss {self.loss}, optimizer {self.optimizer}(lr={self.lr}), "
            f"batches of {', '.join(map(str, self.sizes))} samples given as a {kind} (X, y)"
        )

    def build(self, device: str | torch.device = "cpu") -> tuple[nn.Module, nn.Module, torch.optim.Optimizer]:
        manual_seed(self.seed)
        outputs = 3 if self.loss == "nn.CrossEntropyLoss()" else 1
        model = (nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, outputs)) if self.model == "mlp" else nn.Linear(4, outputs)).to(device)
        loss = nn.CrossEntropyLoss() if self.loss == "nn.CrossEntropyLoss()" else nn.MSELoss()
        if self.optimizer == "SGD":
            optimizer: torch.optim.Optimizer = torch.optim.SGD(model.parameters(), lr=self.lr)
        elif self.optimizer == "SGD with momentum 0.9":
            optimizer = torch.optim.SGD(model.parameters(), lr=self.lr, momentum=0.9)
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=self.lr)
        return model, loss, optimizer

    def batches(self) -> list[Any]:
        generator = torch.Generator().manual_seed(self.seed + 1)
        made = []
        for size in self.sizes:
            X = torch.randn(size, 4, generator=generator)
            if self.loss == "nn.CrossEntropyLoss()":
                y = torch.randint(0, 3, (size,), generator=generator)
            else:
                y = torch.randn(size, 1, generator=generator) * 1.7
            made.append([X, y] if self.as_list else (X, y))
        return made


def train_cases(steps: tuple[int, int] = (1, 1)) -> st.SearchStrategy[TrainCase]:
    return st.builds(
        TrainCase,
        st.sampled_from(["mlp", "linear"]),
        st.sampled_from(["nn.CrossEntropyLoss()", "nn.MSELoss()"]),
        st.sampled_from(["SGD", "SGD with momentum 0.9", "Adam"]),
        st.sampled_from([0.1, 0.3, 0.05]),
        st.lists(st.integers(2, 6), min_size=steps[0], max_size=steps[1]).map(tuple),
        st.booleans(),
        st.integers(0, 1000),
    )


# -- transfer_options -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """A tensor to transfer: dtype, shape, layout and autograd state vary."""

    dtype: torch.dtype
    shape: tuple[int, ...]
    transposed: bool
    requires_grad: bool
    seed: int

    def make(self) -> torch.Tensor:
        values = torch.randn(self.shape, generator=torch.Generator().manual_seed(self.seed)) * 3
        x = values.to(self.dtype)
        if self.transposed and x.dim() == 2:
            x = x.t()
        if self.requires_grad and self.dtype.is_floating_point:
            x = x.detach().requires_grad_(True)
        return x

    def describe(self) -> str:
        words = []
        if self.transposed and len(self.shape) == 2:
            words.append("non-contiguous (a transpose)")
        if self.requires_grad and self.dtype.is_floating_point:
            words.append("requires grad")
        extra = f" ({', '.join(words)})" if words else ""
        return f"x = {show(self.make().detach())}{extra}"


sources = st.builds(
    Source,
    st.sampled_from([torch.float32, torch.float64, torch.float16, torch.int64]),
    st.sampled_from([(), (3,), (2, 3), (4, 2)]),
    st.booleans(),
    st.booleans(),
    st.integers(0, 2**16),
)
target_dtypes = st.sampled_from([torch.float16, torch.float32, torch.float64, torch.int32, torch.bfloat16])
CPU_TARGETS = st.sampled_from(["cpu", torch.device("cpu")])
META_TARGETS = st.sampled_from(["meta", torch.device("meta")])
CUDA_DEVICES = ("cuda", "cuda:0", torch.device("cuda"), torch.device("cuda", 0), "cuda:1", torch.device("cuda", 1))
CUDA_TARGETS = st.sampled_from(CUDA_DEVICES)


# -- autocast, grad_scaler, channels_last ---------------------------------------------------------


AMP_MODELS: dict[str, Callable[[], nn.Module]] = {
    "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))": lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)),
    "nn.Linear(4, 3)": lambda: nn.Linear(4, 3),
    # Ends in a LayerNorm: autocast runs layer_norm in float32, so the output is float32 inside the region too.
    "nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3), nn.LayerNorm(3))": lambda: nn.Sequential(
        nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3), nn.LayerNorm(3)
    ),
    # A convolution: input (n, 2, 4) viewed as (n, 4) features by the first Unflatten.
    "nn.Sequential(nn.Unflatten(1, (2, 2)), nn.Conv1d(2, 3, 2), nn.Flatten(), nn.Linear(3, 3))": lambda: nn.Sequential(
        nn.Unflatten(1, (2, 2)), nn.Conv1d(2, 3, 2), nn.Flatten(), nn.Linear(3, 3)
    ),
}


@dataclass(frozen=True)
class AmpCase:
    """A model with 4 inputs and 3 outputs, a batch (x, y) and a seed: rebuilt identically for each side."""

    model: str
    batch: int
    scale: float
    seed: int

    def build(self) -> nn.Module:
        manual_seed(self.seed)
        return AMP_MODELS[self.model]()

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(self.seed + 1)
        x = torch.randn(self.batch, 4, generator=generator) * self.scale
        y = torch.randn(self.batch, 3, generator=generator) * 2
        return x, y

    def describe(self) -> str:
        return f"model {self.model}, x of shape ({self.batch}, 4) (values about ±{self.scale}), y of shape ({self.batch}, 3)"


amp_cases = st.builds(AmpCase, st.sampled_from(sorted(AMP_MODELS)), st.integers(1, 6), st.sampled_from([1.0, 3.0, 10.0]), st.integers(0, 10_000))


@dataclass(frozen=True)
class ScalerCase:
    """A model, an optimizer, a `torch.amp.GradScaler("cpu", ...)` and batches for scaled_step.

    `overflow` makes the scaled gradients overflow float32 (a huge init_scale and large targets), so that
    the scaler must skip the step and back off; otherwise init_scale is small enough for finite gradients.
    """

    model: str
    optimizer: str
    lr: float
    init_exponent: int
    growth_factor: float
    backoff_factor: float
    growth_interval: int
    max_norm: float
    steps: int
    overflow: bool
    seed: int

    def build(self) -> tuple[nn.Module, torch.optim.Optimizer, torch.amp.GradScaler]:
        manual_seed(self.seed)
        model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)) if self.model == "mlp" else nn.Linear(3, 2)
        if self.optimizer == "Adam":
            optimizer: torch.optim.Optimizer = torch.optim.Adam(model.parameters(), lr=self.lr)
        else:
            optimizer = torch.optim.SGD(model.parameters(), lr=self.lr, momentum=0.9)
        scaler = torch.amp.GradScaler(
            "cpu",
            init_scale=2.0**self.init_exponent,
            growth_factor=self.growth_factor,
            backoff_factor=self.backoff_factor,
            growth_interval=self.growth_interval,
        )
        return model, optimizer, scaler

    def batches(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        generator = torch.Generator().manual_seed(self.seed + 1)
        made = []
        for _ in range(self.steps):
            x = torch.randn(4, 3, generator=generator)
            y = torch.randn(4, 2, generator=generator) * (1e6 if self.overflow else 2.0)
            made.append((x, y))
        return made

    def describe(self) -> str:
        model = "nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))" if self.model == "mlp" else "nn.Linear(3, 2)"
        optimizer = f"Adam(lr={self.lr})" if self.optimizer == "Adam" else f"SGD(lr={self.lr}, momentum=0.9)"
        size = "targets about ±1e6, so the scaled gradients overflow" if self.overflow else "batches of 4"
        return (
            f'model {model}, {optimizer}, GradScaler("cpu", init_scale=2**{self.init_exponent}, growth_factor={self.growth_factor}, '
            f"backoff_factor={self.backoff_factor}, growth_interval={self.growth_interval}), max_norm={self.max_norm}, "
            f"{self.steps} call(s), {size}"
        )


def scaler_cases(max_norms: tuple[float, ...], steps: tuple[int, int] = (1, 3), overflow: bool = False) -> st.SearchStrategy[ScalerCase]:
    return st.builds(
        ScalerCase,
        st.sampled_from(["mlp", "linear"]),
        st.sampled_from(["SGD", "Adam"]),
        st.sampled_from([0.1, 0.03]),
        st.just(125) if overflow else st.sampled_from([3, 7, 12]),
        st.sampled_from([2.0, 4.0]),
        st.sampled_from([0.5, 0.25]),
        st.sampled_from([1, 2]),
        st.sampled_from(max_norms),
        st.integers(*steps),
        st.just(overflow),
        st.integers(0, 10_000),
    )


CONV_MODELS: dict[str, Callable[[], nn.Module]] = {
    "nn.Conv2d(3, 4, 3)": lambda: nn.Conv2d(3, 4, 3),
    "nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 1, bias=False))": lambda: nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Conv2d(4, 2, 1, bias=False)
    ),
    "nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))": lambda: nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2)
    ),
}


@dataclass(frozen=True)
class LayoutCase:
    """A conv model and an (N, 3, H, W) batch whose layout varies: NCHW, already channels_last, or a strided slice."""

    model: str
    batch: int
    height: int
    width: int
    layout: str
    dtype: torch.dtype
    requires_grad: bool
    seed: int

    def build(self) -> nn.Module:
        manual_seed(self.seed)
        return CONV_MODELS[self.model]().to(self.dtype)

    def make(self) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed + 1)
        if self.layout == "a slice x[..., ::2] (not contiguous)":
            x = torch.randn(self.batch, 3, self.height, 2 * self.width, generator=generator, dtype=self.dtype)[..., ::2]
        else:
            x = torch.randn(self.batch, 3, self.height, self.width, generator=generator, dtype=self.dtype)
        if self.layout == "already channels_last":
            x = x.contiguous(memory_format=torch.channels_last)
        return x.requires_grad_(self.requires_grad)

    def describe(self) -> str:
        grad = ", requires grad" if self.requires_grad else ""
        dtype = str(self.dtype).removeprefix("torch.")
        return f"model {self.model}, x of shape ({self.batch}, 3, {self.height}, {self.width}), {dtype}, {self.layout}{grad}"


layout_cases = st.builds(
    LayoutCase,
    st.sampled_from(sorted(CONV_MODELS)),
    st.integers(1, 3),
    st.integers(3, 5),
    st.integers(3, 6),
    st.sampled_from(["NCHW (contiguous)", "already channels_last", "a slice x[..., ::2] (not contiguous)"]),
    st.sampled_from([torch.float32, torch.float64]),
    st.booleans(),
    st.integers(0, 10_000),
)


# -- compile ------------------------------------------------------------------------------------------


def _no_break(x: torch.Tensor) -> torch.Tensor:
    return torch.relu(x) * 2 + 1


def _explicit_break(x: torch.Tensor) -> torch.Tensor:
    y = x * 2
    torch._dynamo.graph_break()
    return y + 1


def _two_breaks(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    y = x @ w
    torch._dynamo.graph_break()
    y = y.tanh()
    torch._dynamo.graph_break()
    return y.sum()


def _branch(x: torch.Tensor) -> torch.Tensor:
    if x.sum() > 0:
        return x * 2
    return x - 1


def _item(x: torch.Tensor) -> torch.Tensor:
    return x * x.abs().max().item()


def _two_args(x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    return (x @ w).sigmoid()


def _grad_mode_break(x: torch.Tensor) -> torch.Tensor:
    y = x * 2
    if torch.is_grad_enabled():  # known while tracing: a break only in the caller's grad mode
        torch._dynamo.graph_break()
    return y + 1


# name shown to the learner -> (function, does it take the second tensor w)
BREAK_FUNCTIONS: dict[str, tuple[Callable[..., torch.Tensor], bool]] = {
    "torch.relu(x) * 2 + 1": (_no_break, False),
    "y = x * 2; torch._dynamo.graph_break(); return y + 1": (_explicit_break, False),
    "y = x @ w; graph_break(); y = y.tanh(); graph_break(); return y.sum()": (_two_breaks, True),
    "if x.sum() > 0: return x * 2 / else: return x - 1": (_branch, False),
    "x * x.abs().max().item()": (_item, False),
    "(x @ w).sigmoid()": (_two_args, True),
    "y = x * 2; if torch.is_grad_enabled(): graph_break(); return y + 1": (_grad_mode_break, False),
}


@dataclass(frozen=True)
class BreakCase:
    """A function from BREAK_FUNCTIONS and the tensors to call it with."""

    function: str
    rows: int
    seed: int

    def call_args(self) -> tuple[torch.Tensor, ...]:
        generator = torch.Generator().manual_seed(self.seed)
        x = torch.randn(self.rows, 3, generator=generator)
        return (x, torch.randn(3, 2, generator=generator)) if BREAK_FUNCTIONS[self.function][1] else (x,)

    def describe(self) -> str:
        args = "x, w" if BREAK_FUNCTIONS[self.function][1] else "x"
        return f"fn({args}) = {self.function}, x of shape ({self.rows}, 3)" + (", w of shape (3, 2)" if args == "x, w" else "")


break_cases = st.builds(BreakCase, st.sampled_from(sorted(BREAK_FUNCTIONS)), st.integers(1, 4), st.integers(0, 10_000))


@dataclass(frozen=True)
class NormalizeInput:
    """x for normalize: any sign, all zeros, one element, float64, requiring grad."""

    shape: tuple[int, ...]
    kind: str
    dtype: torch.dtype
    requires_grad: bool
    seed: int

    def make(self) -> torch.Tensor:
        generator = torch.Generator().manual_seed(self.seed)
        x = torch.randn(self.shape, generator=generator, dtype=self.dtype) * 5
        if self.kind == "all zeros":
            x = torch.zeros(self.shape, dtype=self.dtype)
        elif self.kind == "all negative":
            x = -x.abs() - 0.5
        elif self.kind == "small (max |x| below 1)":
            x = x / (x.abs().max() + 1) * 0.9
        return x.requires_grad_(self.requires_grad)

    def describe(self) -> str:
        grad = ", requires grad" if self.requires_grad else ""
        return f"x = {show(self.make().detach())} ({self.kind}{grad})"


normalize_inputs = st.builds(
    NormalizeInput,
    st.sampled_from([(4,), (2, 3), (), (1,)]),
    st.sampled_from(["mixed signs", "all zeros", "all negative", "small (max |x| below 1)"]),
    st.sampled_from([torch.float32, torch.float64]),
    st.booleans(),
    st.integers(0, 10_000),
)


# -- ddp ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DdpCase:
    """One data-parallel training run: ranks, data, model and hyper-parameters.

    Sizes are drawn so that the awkward cases come up: a dataset that does not split evenly over the
    ranks (DistributedSampler pads it), a rank's share that does not split evenly into batches (the
    last batch is smaller), three ranks as well as two, a hidden layer, several epochs (set_epoch).
    """

    world_size: int
    samples: int
    features: int
    outputs: int
    hidden: int
    batch_size: int
    epochs: int
    lr: float
    seed: int
    data_seed: int

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        generator = torch.Generator().manual_seed(self.data_seed)
        x = torch.randn(self.samples, self.features, generator=generator)
        y = torch.randn(self.samples, self.outputs, generator=generator)
        return x, y

    def model(self, start: int = 0) -> nn.Module:
        """The model, its parameters drawn from `start` (the same start gives the same parameters)."""
        if self.hidden:
            model: nn.Module = nn.Sequential(nn.Linear(self.features, self.hidden), nn.Tanh(), nn.Linear(self.hidden, self.outputs))
        else:
            model = nn.Linear(self.features, self.outputs)
        generator = torch.Generator().manual_seed(self.data_seed * 31 + start * 7919 + 1)
        with torch.no_grad():
            for parameter in model.parameters():
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.5)
        return model

    def model_words(self) -> str:
        if self.hidden:
            return f"Sequential(Linear({self.features}, {self.hidden}), Tanh(), Linear({self.hidden}, {self.outputs}))"
        return f"Linear({self.features}, {self.outputs})"

    def describe(self) -> tuple[str, str]:
        settings_ = f"batch_size={self.batch_size}, epochs={self.epochs}, lr={self.lr}, seed={self.seed}"
        en = (
            f"{self.world_size} ranks, a dataset of {self.samples} samples (x with {self.features} features, y with {self.outputs}), "
            f"model {self.model_words()}, {settings_}"
        )
        zh = f"{self.world_size} 个进程,{self.samples} 个样本的数据集(x 有 {self.features} 个特征,y 有 {self.outputs} 个),模型 {self.model_words()},{settings_}"
        return en, zh


ddp_cases = st.builds(
    DdpCase,
    world_size=st.sampled_from([2, 2, 3]),
    samples=st.integers(5, 13),
    features=st.integers(1, 3),
    outputs=st.integers(1, 2),
    hidden=st.sampled_from([0, 3]),
    batch_size=st.integers(2, 4),
    epochs=st.integers(2, 3),
    lr=st.sampled_from([0.05, 0.1, 0.2, 0.3]),
    seed=st.integers(0, 1000),
    data_seed=st.integers(0, 10_000),
)

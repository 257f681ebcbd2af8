"""Strategies for the optimization checks: inputs where a wrong formula cannot pass for the right one.

Drawn on purpose: class weights that are not all equal (dividing a weighted sum by N
instead of by the sum of the weights shows), label smoothing other than 0, batches of one
and of none, large logits, logits that are not contiguous (a transposed view), float64 next to float32.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from typing import cast

import torch
from hypothesis import strategies as st

from torchdojo.checks.support import manual_seed, show


def _short(t: torch.Tensor) -> str:
    """A tensor in a few characters: its values when there are few, else its shape; always its dtype."""
    dtype = str(t.dtype).removeprefix("torch.")
    if t.numel() <= 4:
        return f"tensor({[round(v, 4) if isinstance(v, float) else v for v in t.reshape(-1).tolist()]}, shape={tuple(t.shape)}, {dtype})"
    return f"tensor of shape {tuple(t.shape)}, {dtype}"


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# -- losses -------------------------------------------------------------------------------------------

REDUCTIONS = ("mean", "sum", "none")


@dataclass(frozen=True)
class LossCase:
    """Logits, targets and (maybe) class weights. `samples` = -1: one sample, logits (C,) and a 0-d target."""

    samples: int
    classes: int
    dtype: torch.dtype
    seed: int
    weighted: bool = False
    reduction: str = "mean"
    smoothing: float = 0.0
    transposed: bool = False
    large: bool = False  # logits in the hundreds: log(softmax(x)) overflows in float32

    def make(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        g = _generator(self.seed)
        if self.samples < 0:
            logits = torch.randn(self.classes, generator=g, dtype=self.dtype) * 3
            target = torch.randint(0, self.classes, (), generator=g)
        elif self.transposed:  # a (N, C) view of a (C, N) tensor: not contiguous
            logits = (torch.randn(self.classes, self.samples, generator=g, dtype=self.dtype) * 3).t()
            target = torch.randint(0, self.classes, (self.samples,), generator=g)
        else:
            logits = torch.randn(self.samples, self.classes, generator=g, dtype=self.dtype) * 3
            target = torch.randint(0, self.classes, (self.samples,), generator=g)
        weight = torch.rand(self.classes, generator=g, dtype=self.dtype) * 2 + 0.2 if self.weighted else None
        return (logits * 40 if self.large else logits), target, weight

    def with_leaf(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """(the leaf the gradient reaches, the logits passed: that leaf or a transposed view of it, target, weight)."""
        logits, target, weight = self.make()
        if self.transposed:
            leaf = logits.t().clone().requires_grad_(True)
            return leaf, leaf.t(), target, weight
        leaf = logits.clone().requires_grad_(True)
        return leaf, leaf, target, weight

    def kwargs(self, weight: torch.Tensor | None) -> dict[str, object]:
        """Only the arguments that differ from the defaults: the defaults are tried as such."""
        given: dict[str, object] = {}
        if weight is not None:
            given["weight"] = weight
        if self.reduction != "mean":
            given["reduction"] = self.reduction
        if self.smoothing:
            given["label_smoothing"] = self.smoothing
        return given

    def describe(self) -> str:
        logits, target, weight = self.make()
        note = " (not contiguous: a transposed view)" if self.transposed else " (large values)" if self.large else ""
        words = [f"logits = {_short(logits)}{note}", f"target = {show(target, 60)}"]
        words += [f"{key} = {show(value, 60) if torch.is_tensor(value) else repr(value)}" for key, value in self.kwargs(weight).items()]
        return ", ".join(words)


@st.composite
def loss_cases(
    draw: st.DrawFn, weighted: bool | None = None, smoothing: bool | None = None, reductions: tuple[str, ...] = REDUCTIONS, odd: bool = False
) -> LossCase:
    """Mostly ordinary batches; with `odd`, one sample (C,), an empty batch, or a transposed view."""
    layout = draw(st.sampled_from(["single", "empty", "transposed", "large"])) if odd else draw(st.sampled_from(["batch", "batch", "transposed"]))
    samples = {"single": -1, "empty": 0}.get(layout, draw(st.integers(2, 7)))
    classes = draw(st.integers(2, 6))
    use_weights = draw(st.booleans()) if weighted is None else weighted
    smooth = draw(st.sampled_from([0.0, 0.1, 0.35, 0.8])) if smoothing is None else draw(st.sampled_from([0.1, 0.35, 0.8, 0.05])) if smoothing else 0.0
    return LossCase(
        samples,
        classes,
        draw(st.sampled_from([torch.float32, torch.float64])),
        draw(st.integers(0, 2**16)),
        use_weights,
        draw(st.sampled_from(reductions)),
        smooth,
        layout == "transposed",
        layout == "large",
    )


# -- optimizers written by hand (SGD with momentum, Adam) ------------------------------------------

SHAPES = ((3,), (), (2, 3), (4, 1), (1,))


@dataclass(frozen=True)
class Params:
    """Leaf parameters that require grad, and the gradients a caller gives them before each step.

    `missing[i]`: "never" (its .grad stays None), "late" (None before the second step), or "" (a gradient each step).
    Gradients after the first are written into the existing `.grad` in place (as backward() does after
    zero_grad(set_to_none=False)): a buffer that is `p.grad` itself shows. The first 2-d parameter is a
    transposed (not contiguous) leaf when `transposed`.
    """

    shapes: tuple[tuple[int, ...], ...]
    dtype: torch.dtype
    seed: int
    missing: tuple[str, ...]
    transposed: bool = False

    def make(self) -> list[torch.Tensor]:
        g = _generator(self.seed)
        made = []
        for shape in self.shapes:
            if self.transposed and len(shape) == 2:
                made.append(torch.randn(shape[::-1], generator=g, dtype=self.dtype).t().requires_grad_(True))
            else:
                made.append(torch.randn(shape, generator=g, dtype=self.dtype).requires_grad_(True))
        return made

    def give_gradients(self, params: list[torch.Tensor], step: int) -> None:
        g = _generator(self.seed * 31 + step + 1)
        for p, missing in zip(params, self.missing, strict=True):
            grad = torch.randn(p.shape, generator=g, dtype=p.dtype) * 1.5
            if missing == "never" or (missing == "late" and step == 0):
                continue
            if p.grad is None:
                p.grad = grad
            else:
                p.grad.copy_(grad)

    def describe(self) -> str:
        dtype = str(self.dtype).removeprefix("torch.")
        words = [f"{len(self.shapes)} parameters of shapes {', '.join(str(s) for s in self.shapes)} ({dtype})"]
        if self.transposed and any(len(s) == 2 for s in self.shapes):
            words.append("the first 2-d one not contiguous")
        never = [str(i) for i, m in enumerate(self.missing) if m == "never"]
        late = [str(i) for i, m in enumerate(self.missing) if m == "late"]
        if never:
            words.append(f".grad of parameter {', '.join(never)} always None")
        if late:
            words.append(f".grad of parameter {', '.join(late)} None before the second step")
        return ", ".join(words)


@st.composite
def parameter_sets(draw: st.DrawFn, missing: bool = False) -> Params:
    count = draw(st.integers(1, 3)) + (1 if missing else 0)
    shapes = tuple(draw(st.sampled_from(SHAPES)) for _ in range(count))
    if missing:
        absent = draw(st.sampled_from([("never", "late"), ("late",), ("never",)]))
        kinds = list(absent) + [""] * (count - len(absent))
        gaps = tuple(draw(st.permutations(kinds)))
    else:
        gaps = ("",) * count
    return Params(shapes, draw(st.sampled_from([torch.float32, torch.float64])), draw(st.integers(0, 2**16)), gaps, draw(st.booleans()))


@dataclass(frozen=True)
class SgdSettings:
    lr: float
    momentum: float
    dampening: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0

    def call(self, impl: ModuleType, params: list[torch.Tensor], buffers: list[torch.Tensor | None]) -> object:
        """The defaults are left out when they hold: a wrong default shows."""
        extra: dict[str, object] = {}
        if self.dampening:
            extra["dampening"] = self.dampening
        if self.nesterov:
            extra["nesterov"] = True
        if self.weight_decay:
            extra["weight_decay"] = self.weight_decay
        return impl.sgd_momentum_step(params, buffers, self.lr, self.momentum, **extra)

    def describe(self) -> str:
        words = [f"lr={self.lr}", f"momentum={self.momentum}"]
        words += [f"{name}={getattr(self, name)}" for name in ("dampening", "nesterov", "weight_decay") if getattr(self, name)]
        return ", ".join(words)


LRS = st.sampled_from([0.1, 0.03, 0.7, 0.25])
MOMENTA = st.sampled_from([0.9, 0.37, 0.5, 0.81, 0.2])  # never 0.5 only: there (1 - m) == m hides a swapped formula


@st.composite
def sgd_settings(draw: st.DrawFn, dampening: bool = True, nesterov: bool | None = False, weight_decay: bool = False) -> SgdSettings:
    nest = draw(st.booleans()) if nesterov is None else nesterov
    damp = draw(st.sampled_from([0.0, 0.1, 0.6])) if dampening and not nest else 0.0
    decay = draw(st.sampled_from([0.01, 0.3, 0.05])) if weight_decay else 0.0
    return SgdSettings(draw(LRS), draw(MOMENTA), damp, nest, decay)


@dataclass(frozen=True)
class AdamSettings:
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0

    def call(self, impl: ModuleType, params: list[torch.Tensor], exp_avgs: list[torch.Tensor], exp_avg_sqs: list[torch.Tensor], step: int) -> object:
        """The defaults are left out when they hold: a wrong default shows."""
        given = {name: getattr(self, name) for name in ("lr", "betas", "eps", "weight_decay") if getattr(self, name) != getattr(AdamSettings, name)}
        return impl.adam_step(params, exp_avgs, exp_avg_sqs, step, **given)

    def describe(self) -> str:
        given = [f"{name}={getattr(self, name)}" for name in ("lr", "betas", "eps", "weight_decay") if getattr(self, name) != getattr(AdamSettings, name)]
        return ", ".join(given) or "the default lr, betas, eps and weight_decay"


@st.composite
def adam_settings(draw: st.DrawFn, weight_decay: bool = False) -> AdamSettings:
    # A large eps and low betas make a misplaced eps or a missing bias correction show in a few steps.
    return AdamSettings(
        draw(st.sampled_from([1e-3, 0.05, 0.3])),
        draw(st.sampled_from([(0.9, 0.999), (0.8, 0.95), (0.5, 0.7)])),
        draw(st.sampled_from([1e-8, 0.1, 0.5])),
        draw(st.sampled_from([0.02, 0.4])) if weight_decay else 0.0,
    )


# -- gradient clipping ----------------------------------------------------------------------------------

NORM_TYPES = st.sampled_from([2.0, 1.0, float("inf"), 3.0])


@dataclass(frozen=True)
class ClipCase:
    """Parameters with gradients, passed as a list, a generator (readable once) or one tensor."""

    params: Params
    max_norm: float
    norm_type: float = 2.0
    form: str = "list"
    scale: float = 1.0  # gradients multiplied by it (1e-6: where torch's + 1e-6 in the factor shows)

    def argument(self, params: list[torch.Tensor]) -> object:
        if self.form == "generator":
            return (p for p in params)
        if self.form == "tensor":
            return params[0]
        return list(params)

    def give_gradients(self, params: list[torch.Tensor]) -> None:
        self.params.give_gradients(params, 0)
        for p in params:
            if p.grad is not None:
                p.grad.mul_(self.scale)

    def call(self, impl: ModuleType, params: list[torch.Tensor]) -> object:
        extra = {} if self.norm_type == 2.0 else {"norm_type": self.norm_type}
        return impl.clip_grad_norm(self.argument(params), self.max_norm, **extra)

    def describe(self) -> str:
        form = {"list": "a list", "generator": "a generator (readable once)", "tensor": "the first one, as a single tensor"}[self.form]
        norm = "" if self.norm_type == 2.0 else f", norm_type={self.norm_type}"
        scale = f", gradients of size about {self.scale:g}" if self.scale != 1.0 else ""
        return f"{self.params.describe()}{scale}, passed as {form}; max_norm={self.max_norm}{norm}"


@st.composite
def clip_cases(
    draw: st.DrawFn,
    max_norms: tuple[float, ...],
    norm_types: st.SearchStrategy[float] | None = None,
    forms: tuple[str, ...] = ("list",),
    missing: bool = False,
    tiny: bool = False,
) -> ClipCase:
    params = draw(parameter_sets(missing=missing))
    form = draw(st.sampled_from(forms))
    if form == "tensor":  # a single tensor that has a gradient
        params = Params(params.shapes[:1], params.dtype, params.seed, ("",), params.transposed)
    norm_type = draw(norm_types) if norm_types is not None else 2.0
    scale = draw(st.sampled_from([1.0, 1e-6])) if tiny else 1.0
    return ClipCase(params, draw(st.sampled_from(max_norms)) * scale, norm_type, form, scale)


# -- gradient accumulation ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MicroBatches:
    """Micro-batches of the given sizes cut from one batch of blobs; `generator`: passed as a generator."""

    sizes: tuple[int, ...]
    seed: int
    generator: bool = False

    def make(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        from torchdojo.checks.quickstart.common import blobs

        data = blobs(sum(self.sizes), seed=self.seed)
        X, y = data.tensors
        cut, start = [], 0
        for size in self.sizes:
            cut.append((X[start : start + size], y[start : start + size]))
            start += size
        return cut

    def argument(self) -> object:
        made = self.make()
        return (pair for pair in made) if self.generator else made

    def describe(self) -> str:
        form = " (as a generator)" if self.generator else ""
        return f"micro-batches of sizes {list(self.sizes)}{form}"


@st.composite
def micro_batches(draw: st.DrawFn, equal: bool, generator: bool = False) -> MicroBatches:
    count = draw(st.integers(2, 4))
    if equal:
        sizes = (draw(st.integers(2, 5)),) * count
    else:
        sizes = tuple(draw(st.lists(st.integers(1, 7), min_size=count, max_size=count, unique=True)))
    return MicroBatches(sizes, draw(st.integers(0, 2**16)), generator)


# -- early stopping -----------------------------------------------------------------------------------

# Multiples of 1/8: every difference and every best - min_delta is exact in floating point, so
# "better by more than min_delta" has one answer whichever way a correct solution writes it.
METRICS = st.sampled_from([2.0, 1.75, 1.5, 1.625, 1.25, 1.0, 0.875, 1.125, 0.75])


@dataclass(frozen=True)
class StopCase:
    values: tuple[float, ...]
    patience: int = 3
    min_delta: float = 0.0
    mode: str = "min"
    tensors: bool = False  # each value given as a 0-d tensor (loss rather than loss.item())

    def kwargs(self) -> dict[str, object]:
        given: dict[str, object] = {}
        if self.patience != 3:
            given["patience"] = self.patience
        if self.min_delta:
            given["min_delta"] = self.min_delta
        if self.mode != "min":
            given["mode"] = self.mode
        return given

    def inputs(self) -> list[object]:
        return [torch.tensor(v, requires_grad=True) * 1.0 if self.tensors else v for v in self.values]

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs().items())
        kind = " (as 0-d tensors attached to a graph)" if self.tensors else ""
        return f"EarlyStopping({args}), values {list(self.values)}{kind}"


@st.composite
def stop_cases(draw: st.DrawFn, min_delta: bool = False, mode: str | None = "min", tensors: bool = False) -> StopCase:
    values = tuple(draw(st.lists(METRICS, min_size=4, max_size=12)))
    return StopCase(
        values,
        draw(st.sampled_from([1, 2, 3, 4])),
        draw(st.sampled_from([0.125, 0.25])) if min_delta else 0.0,
        draw(st.sampled_from(["min", "max"])) if mode is None else mode,
        tensors,
    )


# -- parameter groups --------------------------------------------------------------------------------


class _GroupNet(torch.nn.Module):
    """A body and a head; drawn: a norm layer (1-d weight), a layer without bias, a frozen layer, a tied weight."""

    def __init__(self, norm: str, bias: bool, frozen: bool, tied: bool, seed: int) -> None:
        super().__init__()
        manual_seed(seed)
        layers: list[torch.nn.Module] = [torch.nn.Linear(4, 6)]
        if norm == "layernorm":
            layers.append(torch.nn.LayerNorm(6))
        elif norm == "batchnorm":
            layers.append(torch.nn.BatchNorm1d(6))
        layers += [torch.nn.ReLU(), torch.nn.Linear(6, 5, bias=bias)]
        self.body = torch.nn.Sequential(*layers)
        self.head = torch.nn.Sequential(torch.nn.Linear(5, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
        if tied:  # one parameter, two modules: model.parameters() gives it once
            self.extra = torch.nn.Linear(6, 5, bias=False)
            self.extra.weight = cast(torch.nn.Linear, self.body[-1]).weight  # the Linear(6, 5) appended above
        if frozen:
            for p in self.body[0].parameters():
                p.requires_grad_(False)


@dataclass(frozen=True)
class GroupCase:
    norm: str
    bias: bool
    frozen: bool
    tied: bool
    seed: int
    lr: float
    head_lr: float
    weight_decay: float

    def make(self) -> torch.nn.Module:
        return _GroupNet(self.norm, self.bias, self.frozen, self.tied, self.seed)

    def describe(self) -> str:
        parts = [
            (
                f"a model with body = Linear(4, 6){', ' + {'layernorm': 'LayerNorm(6)', 'batchnorm': 'BatchNorm1d(6)'}[self.norm] if self.norm else ''}, "
                f"ReLU, Linear(6, 5{'' if self.bias else ', bias=False'}) and head = Linear(5, 3), ReLU, Linear(3, 2)"
            )
        ]
        if self.frozen:
            parts.append("the first layer frozen")
        if self.tied:
            parts.append("model.extra shares the body's last weight")
        return ", ".join(parts) + f"; lr={self.lr}, head_lr={self.head_lr}, weight_decay={self.weight_decay}"


@st.composite
def group_cases(draw: st.DrawFn, frozen: bool | None = False, tied: bool | None = False) -> GroupCase:
    lr = draw(st.sampled_from([1e-3, 0.01, 0.05]))
    return GroupCase(
        draw(st.sampled_from(["", "layernorm", "batchnorm"])),
        draw(st.booleans()),
        draw(st.booleans()) if frozen is None else frozen,
        draw(st.booleans()) if tied is None else tied,
        draw(st.integers(0, 2**16)),
        lr,
        draw(st.sampled_from([lr * 10, lr * 3, 0.5])),
        draw(st.sampled_from([0.01, 0.1, 0.05])),
    )


# -- learning-rate schedulers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SchedulerSpec:
    """A scheduler that changes the rate after the first epoch (so a skipped first rate shows)."""

    kind: str
    lr: float

    def make(self, optimizer: torch.optim.Optimizer) -> torch.optim.lr_scheduler.LRScheduler:
        schedulers = torch.optim.lr_scheduler
        if self.kind == "StepLR(step_size=1, gamma=0.5)":
            return schedulers.StepLR(optimizer, step_size=1, gamma=0.5)
        if self.kind == "StepLR(step_size=2, gamma=0.3)":
            return schedulers.StepLR(optimizer, step_size=2, gamma=0.3)
        if self.kind == "MultiStepLR(milestones=[1, 3], gamma=0.2)":
            return schedulers.MultiStepLR(optimizer, milestones=[1, 3], gamma=0.2)
        return schedulers.ExponentialLR(optimizer, gamma=0.7)

    def describe(self) -> str:
        return f"torch.optim.SGD(model.parameters(), lr={self.lr}), scheduler = {self.kind}"


schedulers = st.builds(
    SchedulerSpec,
    st.sampled_from(
        ["StepLR(step_size=1, gamma=0.5)", "StepLR(step_size=2, gamma=0.3)", "MultiStepLR(milestones=[1, 3], gamma=0.2)", "ExponentialLR(gamma=0.7)"]
    ),
    st.sampled_from([0.1, 0.3, 0.05]),
)


# -- checkpoint and resume -----------------------------------------------------------------------------


class _DropoutNet(torch.nn.Module):
    """A small model with dropout: its training draws from torch's default generator, so a resumed run without the RNG
    state draws other masks."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.body = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Dropout(p), torch.nn.Linear(5, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


@dataclass(frozen=True)
class TrainRun:
    """A training run as the caller writes it, with the epoch after which it is checkpointed.

    Every epoch shuffles with torch.randperm and scales each batch's loss by random.uniform (both generators
    matter), steps the optimizer per batch and the StepLR scheduler per epoch. The scheduler's step_size is at
    least 2 (with 1, a fresh StepLR decays at the same epochs as the saved one). `saved_after` leaves at least
    one epoch after the checkpoint; the optimizer has state to lose (momentum, or Adam's moments and steps).
    """

    optimizer: str
    lr: float
    momentum: float
    step_size: int
    gamma: float
    dropout: float
    epochs: int
    saved_after: int
    data_seed: int

    def build(self, init_seed: int) -> tuple[torch.nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
        """Fresh objects, initialised from `init_seed` without touching the caller's generators."""
        with torch.random.fork_rng(devices=[]):
            manual_seed(init_seed)
            model = _DropoutNet(self.dropout)
        if self.optimizer == "sgd":
            optimizer: torch.optim.Optimizer = torch.optim.SGD(model.parameters(), lr=self.lr, momentum=self.momentum)
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=self.lr)
        return model, optimizer, torch.optim.lr_scheduler.StepLR(optimizer, self.step_size, self.gamma)

    def data(self) -> tuple[torch.Tensor, torch.Tensor]:
        generator = _generator(self.data_seed)
        x = torch.randn(8, 3, generator=generator)
        return x, x.sum(dim=1, keepdim=True) + 0.1 * torch.randn(8, 1, generator=generator)

    def describe(self) -> str:
        opt = f"SGD(lr={self.lr}, momentum={self.momentum})" if self.optimizer == "sgd" else f"Adam(lr={self.lr})"
        return (
            f"{opt}, StepLR(step_size={self.step_size}, gamma={self.gamma}), dropout {self.dropout}, "
            f"{self.epochs} epochs (0 to {self.epochs - 1}), checkpoint after epoch {self.saved_after}"
        )

    def describe_zh(self) -> str:
        opt = f"SGD(lr={self.lr}, momentum={self.momentum})" if self.optimizer == "sgd" else f"Adam(lr={self.lr})"
        return (
            f"{opt},StepLR(step_size={self.step_size}, gamma={self.gamma}),dropout {self.dropout},"
            f"共 {self.epochs} 轮(0 到 {self.epochs - 1}),在第 {self.saved_after} 轮之后保存检查点"
        )


@st.composite
def train_runs(draw: st.DrawFn) -> TrainRun:
    epochs = draw(st.integers(3, 5))
    return TrainRun(
        draw(st.sampled_from(["sgd", "adam"])),
        draw(st.sampled_from([0.05, 0.1])),
        draw(st.sampled_from([0.6, 0.9])),
        draw(st.sampled_from([2, 3])),
        draw(st.sampled_from([0.5, 0.3])),
        draw(st.sampled_from([0.25, 0.5])),
        epochs,
        draw(st.integers(0, epochs - 2)),
        draw(st.integers(0, 2**16)),
    )

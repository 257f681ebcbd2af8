"""Strategies for the autograd checks: inputs where a wrong formula cannot coincide with the right one.

Every strategy here draws the awkward legal cases on purpose: float64 next to float32,
0-d tensors, zeros and negative values (where x * |x|, y ** (1/3) or y / x go wrong),
learning rates and upstream gradients that are not 1 (where a forgotten factor hides),
outputs of another shape than the input (where v ⊙ grad or v.t() hides), parameters
given as a generator (exhausted by a first pass), and frozen tensors that still carry
a `.grad`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from hypothesis import strategies as st
from torch import nn

from torchdojo.checks.strategies import DTYPES, CallerState, CallerTensor, random_tensors
from torchdojo.checks.support import manual_seed, show


def _short(t: torch.Tensor) -> str:
    """A tensor in a few characters: its shape and dtype, and its values when there are few."""
    dtype = str(t.dtype).removeprefix("torch.")
    if t.numel() <= 3:
        return f"tensor({[round(v, 4) for v in t.reshape(-1).tolist()]}, shape={tuple(t.shape)}, {dtype})"
    return f"tensor of shape {tuple(t.shape)}, {dtype}"


def _seeded(seed: int, shape: tuple[int, ...], dtype: torch.dtype, scale: float = 1.0, shift: float = 0.0) -> torch.Tensor:
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) * scale + shift


# -- gradient_of: scalar functions -----------------------------------------------------------------


@dataclass(frozen=True)
class Function:
    name: str
    f: Callable[[torch.Tensor], torch.Tensor]


# No function here has a gradient that equals x, 2x or 1 everywhere: a hand-written
# formula or a stale gradient cannot coincide with the right answer.
FUNCTIONS = [
    Function("sum(x**3)", lambda x: (x**3).sum()),
    Function("sum(sin(x) * x)", lambda x: (torch.sin(x) * x).sum()),
    Function("mean(x)", lambda x: x.mean()),
    Function("sum(exp(x / 4))", lambda x: torch.exp(x / 4).sum()),
]
functions = st.sampled_from(FUNCTIONS)


# -- leaf_tensors: plain Python numbers ------------------------------------------------------------

# Python ints are legal where floats are asked for (`list[float]` accepts them): torch.tensor
# would infer int64 from them unless the dtype is given.
_number = st.one_of(st.floats(-50, 50, allow_nan=False, allow_infinity=False, width=32), st.integers(-6, 6))
value_lists = st.lists(_number, min_size=1, max_size=6)
# Two values or more: mean(x**2) and sum(x**2) agree on a single value.
several_values = st.lists(_number, min_size=2, max_size=6).filter(lambda v: any(abs(float(a)) > 0.05 for a in v))
# The caller's default dtype: torch.Tensor(values) and friends follow it, float32 must not.
default_dtypes = st.sampled_from([torch.float32, torch.float64])


# -- accumulation: parameters, gradients, learning rates -------------------------------------------

# None of these is 1 (lr ignored), 0.5 or 2 (lr squared, halved or doubled): wrong formulas differ.
LEARNING_RATES = [0.1, 0.3, 0.07, 1.7, 3.0]
learning_rates = st.sampled_from(LEARNING_RATES)

ParamState = Literal["with_grad", "no_grad_yet", "frozen", "frozen_with_grad"]
Container = Literal["list", "tuple", "generator", "module.parameters()"]


@dataclass(frozen=True)
class Param:
    """One tensor a caller passes to sgd_step: values, its .grad (or None) and requires_grad."""

    values: torch.Tensor
    grad: torch.Tensor | None
    requires_grad: bool

    def make(self) -> torch.Tensor:
        p = self.values.detach().clone().requires_grad_(self.requires_grad)
        if self.grad is not None:
            p.grad = self.grad.detach().clone()
        return p

    def describe(self) -> str:
        state = "grad None" if self.grad is None else "with a .grad"
        frozen = "" if self.requires_grad else ", requires_grad=False"
        return f"{_short(self.values)} ({state}{frozen})"


@st.composite
def params(draw: st.DrawFn, state: ParamState | None = None) -> Param:
    shape = draw(st.sampled_from([(), (3,), (2, 3)]))
    dtype = draw(DTYPES)
    seed = draw(st.integers(0, 2**16))
    state = state or draw(st.sampled_from(["with_grad", "with_grad", "with_grad", "no_grad_yet", "frozen", "frozen_with_grad"]))
    values = _seeded(seed, shape, dtype, 2.0)
    # Gradients away from 0 and 1 (and of both signs): p - lr * g differs from every slip.
    grad = _seeded(seed + 1, shape, dtype, 1.5, 0.3)
    grad = grad + torch.where(grad >= 0, 0.2, -0.2).to(dtype)
    with_grad = state in ("with_grad", "frozen_with_grad")
    return Param(values, grad if with_grad else None, state in ("with_grad", "no_grad_yet"))


class _Holder(nn.Module):
    def __init__(self, tensors: list[torch.Tensor]) -> None:
        super().__init__()
        self.weights = nn.ParameterList()
        for t in tensors:
            parameter = nn.Parameter(t.detach().clone(), requires_grad=t.requires_grad)
            if t.grad is not None:
                parameter.grad = t.grad.detach().clone()
            self.weights.append(parameter)


@dataclass(frozen=True)
class ParamSet:
    """Parameters as a caller hands them over: in a list, a tuple, a generator or `module.parameters()`."""

    items: tuple[Param, ...]
    container: Container

    def make(self) -> tuple[list[torch.Tensor], object]:
        """(the tensors, the argument to pass): fresh for each implementation under comparison."""
        tensors_ = [p.make() for p in self.items]
        if self.container == "module.parameters()":
            holder = _Holder(tensors_)
            tensors_ = list(holder.weights)
            return tensors_, holder.parameters()
        if self.container == "generator":
            return tensors_, (t for t in tensors_)
        if self.container == "tuple":
            return tensors_, tuple(tensors_)
        return tensors_, list(tensors_)

    def describe(self) -> str:
        words = {"list": "a list", "tuple": "a tuple", "generator": "a generator", "module.parameters()": "module.parameters() (a generator)"}
        return f"params = {words[self.container]} of [" + "; ".join(p.describe() for p in self.items) + "]"


@st.composite
def param_sets(draw: st.DrawFn, containers: tuple[Container, ...] = ("list", "tuple", "generator", "module.parameters()")) -> ParamSet:
    items = draw(st.lists(params(), min_size=2, max_size=4))
    # At least two tensors with a gradient, one of them last (a loop that stops early shows),
    # and one without a gradient before it (a `break` instead of `continue` shows).
    items = [items[0], draw(params("no_grad_yet")), *items[1:], draw(params("with_grad"))]
    return ParamSet(tuple(items), draw(st.sampled_from(containers)))


# -- no_grad: models and inputs --------------------------------------------------------------------

ModelKind = Literal["linear", "mlp", "batchnorm", "partly frozen"]


@dataclass(frozen=True)
class Model:
    """A small model, rebuilt identically (seeded) for each implementation."""

    kind: ModelKind
    training: bool
    seed: int

    def make(self) -> nn.Module:
        manual_seed(self.seed)
        if self.kind == "linear":
            model: nn.Module = nn.Linear(4, 3)
        elif self.kind == "mlp":
            model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
        elif self.kind == "batchnorm":  # training mode uses the batch's statistics and moves the running ones
            model = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Tanh())
        else:
            model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
            model[0].requires_grad_(False)  # a frozen first layer: its requires_grad must stay False
        return model.train(self.training)

    def describe(self) -> tuple[str, str]:
        mode = ("training mode", "训练模式") if self.training else ("eval mode", "评估模式")
        words = {
            "linear": ("nn.Linear(4, 3)", "nn.Linear(4, 3)"),
            "mlp": ("Linear-ReLU-Linear", "Linear-ReLU-Linear"),
            "batchnorm": ("Linear-BatchNorm1d-Tanh", "Linear-BatchNorm1d-Tanh"),
            "partly frozen": ("Linear-ReLU-Linear with its first layer frozen (requires_grad=False)", "第一层被冻结(requires_grad=False)的 Linear-ReLU-Linear"),
        }[self.kind]
        return f"{words[0]} in {mode[0]}", f"{mode[1]}下的 {words[1]}"


models = st.builds(Model, st.sampled_from(["linear", "mlp", "batchnorm", "partly frozen"]), st.booleans(), st.integers(0, 2**10))


@dataclass(frozen=True)
class Batch:
    values: torch.Tensor
    requires_grad: bool

    def make(self) -> torch.Tensor:
        return self.values.detach().clone().requires_grad_(self.requires_grad)

    def describe(self) -> str:
        return show(self.values, 80) + (" (requires grad)" if self.requires_grad else "")


batches = st.builds(Batch, random_tensors(st.sampled_from([(3, 4), (5, 4)]), st.just(torch.float32), scale=1.5), st.booleans())


# -- vjp: functions whose output has another shape, and upstream vectors -----------------------------

_A = torch.tensor([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]], dtype=torch.float64)
_B = torch.tensor([[1.0, -1.0], [2.0, 0.5], [0.0, 3.0]], dtype=torch.float64)


@dataclass(frozen=True)
class VjpCase:
    name: str
    f: Callable[[torch.Tensor], torch.Tensor]
    x_shape: tuple[int, ...]


# Same-shape outputs with a non-diagonal Jacobian (cumsum), shape-changing ones, a 0-d output
# (v is 0-d) and a 1-D -> 2-D one: v ⊙ grad, v @ J, v.t() and ones_like(y) all go wrong somewhere.
VJP_CASES = [
    VjpCase("sin(x) * x", lambda x: torch.sin(x) * x, (4,)),
    VjpCase("cumsum(x**2, 0)", lambda x: torch.cumsum(x**2, 0), (3,)),
    VjpCase("A @ x with A of shape (2, 3)", lambda x: _A.to(x.dtype) @ x, (3,)),
    VjpCase("x @ B with B of shape (3, 2)", lambda x: x @ _B.to(x.dtype), (2, 3)),
    VjpCase("x.sum(dim=0) * x[0]", lambda x: x.sum(dim=0) * x[0], (2, 3)),
    VjpCase("(x**3).sum() (a 0-d output)", lambda x: (x**3).sum(), (2, 2)),
    VjpCase("outer(x, x)", lambda x: torch.outer(x, x), (3,)),
    VjpCase("x * 2 (x is 0-d)", lambda x: x * 2, ()),
    VjpCase("x.t() @ x", lambda x: x.t() @ x, (3, 2)),
]


@dataclass(frozen=True)
class Vjp:
    case: VjpCase
    x: torch.Tensor
    v: torch.Tensor

    def describe(self) -> str:
        return f"f(x) = {self.case.name}, x = {show(self.x, 70)}, v = {show(self.v, 70)}"


@st.composite
def vjps(draw: st.DrawFn, cases: list[VjpCase] = VJP_CASES) -> Vjp:
    case = draw(st.sampled_from(cases))
    dtype = draw(DTYPES)
    seed = draw(st.integers(0, 2**16))
    x = _seeded(seed, case.x_shape, dtype, 1.5)
    out_shape = tuple(case.f(x).shape)
    v = _seeded(seed + 1, out_shape, dtype, 2.0, 0.5)  # not ones: a forgotten v shows
    return Vjp(case, x, v)


# -- custom_function: inputs with zeros and negatives, upstream gradients --------------------------


CUBE_SHAPES = st.sampled_from([(), (4,), (2, 3)])


@st.composite
def cube_inputs(draw: st.DrawFn, shapes: st.SearchStrategy[tuple[int, ...]] = CUBE_SHAPES) -> torch.Tensor:
    """Negative values always, and a zero where there is room for one (3 * y / x is 0/0 there)."""
    shape = draw(shapes)
    x = draw(random_tensors(st.just(shape), DTYPES, scale=1.5))
    if x.dim() == 0:
        return -x.abs() - 0.5 if draw(st.booleans()) else x
    flat = x.reshape(-1).clone()
    flat[0] = -abs(float(flat[0])) - 0.5
    if flat.numel() > 2 and draw(st.booleans()):
        flat[1] = 0.0
    return flat.reshape(shape)


def upstream(like: torch.Tensor, seed: int) -> torch.Tensor:
    """An upstream gradient (grad_output, v) of `like`'s shape and dtype: not ones."""
    return _seeded(seed, tuple(like.shape), like.dtype, 1.5, 0.4)


# -- tensor_hooks: factors where a wrong formula cannot coincide -----------------------------------

# Never 1 (no hook at all), and both signs (gradient reversal is -1); 2.5 vs 0.4 tell grad * f from grad / f.
HOOK_FACTORS = st.sampled_from([2.5, -1.0, 0.4, -0.3, 3.0, 0.0])


# -- higher_order: element-wise functions whose first and second derivatives differ -----------------

# f' and f'' never coincide with each other or with f; one linear function (f' has no graph, f'' = 0)
# and one quadratic (f'' constant, f' still in the graph).
SECOND_FUNCTIONS = [
    Function("sin(x) * x", lambda x: torch.sin(x) * x),
    Function("x ** 3", lambda x: x**3),
    Function("exp(x / 2)", lambda x: torch.exp(x / 2)),
    Function("tanh(x)", torch.tanh),
    Function("0.5 * x ** 2 - x", lambda x: 0.5 * x**2 - x),
]
LINEAR_FUNCTIONS = [Function("3 * x + 1", lambda x: 3 * x + 1), Function("-2 * x", lambda x: -2 * x)]


# -- per_sample_grads: small models, two losses, frozen layers, parameters that already have a .grad ---


@dataclass(frozen=True)
class SampleCase:
    """Linear(F, H) -> Tanh -> Linear(H, C) with seeded weights, a batch (x, y) of N samples and a loss.

    Samples differ (so repeating the batch gradient, or dividing it by N, shows); the loss is MSE
    (float targets) or cross-entropy (class indices); the first layer may be frozen; parameters may
    already hold a .grad the call must leave alone.
    """

    features: int
    hidden: int
    classes: int
    samples: int
    loss: Literal["mse", "cross_entropy"]
    frozen: bool
    with_grad: bool
    dtype: torch.dtype
    seed: int

    def model(self) -> nn.Module:
        model = nn.Sequential(nn.Linear(self.features, self.hidden), nn.Tanh(), nn.Linear(self.hidden, self.classes)).to(self.dtype)
        generator = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=generator, dtype=self.dtype))
                if self.with_grad:
                    p.grad = torch.full_like(p, 0.25)
        if self.frozen:
            model[0].requires_grad_(False)
        return model

    def loss_fn(self) -> nn.Module:
        return nn.MSELoss() if self.loss == "mse" else nn.CrossEntropyLoss()

    def batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        x = _seeded(self.seed + 1, (self.samples, self.features), self.dtype, 1.5)
        if self.loss == "mse":
            return x, _seeded(self.seed + 2, (self.samples, self.classes), self.dtype)
        return x, torch.randint(0, self.classes, (self.samples,), generator=torch.Generator().manual_seed(self.seed + 2))

    def describe(self) -> str:
        frozen = " with its first Linear frozen (requires_grad False)" if self.frozen else ""
        grads = ", parameters that already have a .grad" if self.with_grad else ""
        loss = "nn.MSELoss()" if self.loss == "mse" else "nn.CrossEntropyLoss()"
        dtype = str(self.dtype).removeprefix("torch.")
        return (
            f"model = Sequential(Linear({self.features}, {self.hidden}), Tanh(), Linear({self.hidden}, {self.classes})) "
            f"in {dtype}{frozen}{grads}, loss_fn = {loss}, {self.samples} samples"
        )


sample_cases = st.builds(
    SampleCase,
    st.integers(1, 4),
    st.integers(2, 4),
    st.integers(2, 3),
    st.integers(1, 4),
    st.sampled_from(["mse", "cross_entropy"]),
    st.booleans(),
    st.booleans(),
    DTYPES,
    st.integers(0, 2**16),
)


# -- gradcheck: inputs with large magnitudes (where log(1 + exp(x)) overflows) -----------------------


@st.composite
def softplus_inputs(draw: st.DrawFn) -> torch.Tensor:
    """Small values of both signs, and (where there is room) one large positive and one large negative value."""
    x = draw(random_tensors(st.sampled_from([(), (4,), (2, 3)]), DTYPES, scale=2.0))
    if x.dim() == 0:
        return x * 40 if draw(st.booleans()) else x
    flat = x.reshape(-1).clone()
    flat[0] = draw(st.sampled_from([95.0, 120.0, 60.0]))
    flat[-1] = -draw(st.sampled_from([95.0, 120.0, 60.0]))
    return flat.reshape(x.shape)


# -- jacobian: maps R^n -> R^m written for one sample, scalar functions, batches -----------------------

# Dense, non-symmetric Jacobians that change with x: a transposed Jacobian, a column sum
# (autograd.grad of f(x).sum()) or a diagonal cannot coincide with the right one. Every map is
# written for ONE sample (matrix-vector products, a sum over the sample): it need not accept a batch.
VECTOR_KINDS = ("A @ x", "W2 @ tanh(W1 @ x + b)", "softmax(A @ x)", "sin(A @ x) * (x @ x)")
# Scalar functions: curved ones with non-diagonal Hessians, and a linear one (its Hessian is all zeros).
SCALAR_KINDS = ("c @ tanh(W @ x + b)", "x @ A @ x (A not symmetric)", "logsumexp(W @ x)", "c @ x + 1 (linear)")
HIDDEN = 3


@dataclass(frozen=True)
class VectorMap:
    """f built from seeded weights: R^n -> R^m for a vector kind, R^n -> a 0-d scalar for a scalar kind."""

    kind: str
    n: int
    m: int
    seed: int

    def f(self, dtype: torch.dtype) -> Callable[[torch.Tensor], torch.Tensor]:
        g = torch.Generator().manual_seed(self.seed)
        rows = self.m if self.kind in VECTOR_KINDS else HIDDEN
        a = torch.randn(rows, self.n, generator=g, dtype=torch.float64).to(dtype)
        w2 = torch.randn(self.m, HIDDEN, generator=g, dtype=torch.float64).to(dtype)
        b = torch.randn(rows, generator=g, dtype=torch.float64).to(dtype) * 0.5
        c = torch.randn(rows, generator=g, dtype=torch.float64).to(dtype)
        square = torch.randn(self.n, self.n, generator=g, dtype=torch.float64).to(dtype)
        c_n = torch.randn(self.n, generator=g, dtype=torch.float64).to(dtype)
        w1 = a if rows == HIDDEN else torch.randn(HIDDEN, self.n, generator=g, dtype=torch.float64).to(dtype)
        b1 = b if rows == HIDDEN else torch.randn(HIDDEN, generator=g, dtype=torch.float64).to(dtype) * 0.5
        maps: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
            "A @ x": lambda x: a @ x,
            "W2 @ tanh(W1 @ x + b)": lambda x: w2 @ torch.tanh(w1 @ x + b1),
            "softmax(A @ x)": lambda x: torch.softmax(a @ x, dim=0),
            "sin(A @ x) * (x @ x)": lambda x: torch.sin(a @ x) * (x @ x),
            "c @ tanh(W @ x + b)": lambda x: c @ torch.tanh(a @ x + b),
            "x @ A @ x (A not symmetric)": lambda x: x @ square @ x,
            "logsumexp(W @ x)": lambda x: torch.logsumexp(a @ x, dim=0),
            "c @ x + 1 (linear)": lambda x: c_n @ x + 1,
        }
        return maps[self.kind]

    def describe(self) -> tuple[str, str]:
        if self.kind in VECTOR_KINDS:
            return (f"f(x) = {self.kind} from R^{self.n} to R^{self.m} (seeded weights)", f"f(x) = {self.kind},从 R^{self.n} 到 R^{self.m}(权重由种子生成)")
        return (f"f(x) = {self.kind}, a scalar of x in R^{self.n} (seeded weights)", f"f(x) = {self.kind},x ∈ R^{self.n} 的标量函数(权重由种子生成)")


# (n, m): mostly m != n (a transposed Jacobian has the wrong shape), one square map (it has the wrong
# values), m == 1 (a column sum has the right numbers there, not the shape (1, n)) and n == 1.
SIZES = [(3, 2), (2, 3), (4, 2), (2, 4), (3, 3), (3, 1), (1, 3)]


@dataclass(frozen=True)
class JacobianCase:
    """A map and where to take its Jacobian: x of shape (n,), or a batch xs of shape (batch, n) when batch > 0."""

    f_of: VectorMap
    dtype: torch.dtype
    batch: int
    seed: int
    state: CallerState = "plain"

    def f(self) -> Callable[[torch.Tensor], torch.Tensor]:
        return self.f_of.f(self.dtype)

    def x(self) -> CallerTensor:
        shape = (self.batch, self.f_of.n) if self.batch else (self.f_of.n,)
        return CallerTensor(_seeded(self.seed, shape, self.dtype, 1.2), self.state)

    def describe(self) -> tuple[str, str]:
        name = "xs" if self.batch else "x"
        (f_en, f_zh), (en, zh) = self.f_of.describe(), self.x().describe()
        return f"{f_en}, {name} = {en}", f"{f_zh},{name} = {zh}"


@st.composite
def jacobian_cases(draw: st.DrawFn, scalar: bool = False, batched: bool = False, states: tuple[CallerState, ...] = ("plain",)) -> JacobianCase:
    n, m = draw(st.sampled_from(SIZES))
    kind = draw(st.sampled_from(SCALAR_KINDS if scalar else VECTOR_KINDS))
    # Batches of 1 and of sizes other than n (vmap over the wrong dim, a batch taken for a sample, show).
    batch = draw(st.sampled_from([b for b in (1, 2, 3, 5) if b != n])) if batched else 0
    return JacobianCase(VectorMap(kind, n, m, draw(st.integers(0, 2**16))), draw(DTYPES), batch, draw(st.integers(0, 2**16)), draw(st.sampled_from(states)))

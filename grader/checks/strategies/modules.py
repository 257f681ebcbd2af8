"""Strategies for the modules checks: layer sizes, batches, momenta.

The awkward legal cases are drawn on purpose (and pinned with `@example` in the checks):
sizes where widths repeat (the last width equal to the one before it, all widths equal),
size lists of length 2 (one Linear layer, no ReLU at all) and of length 5 and 6, an
output width of 1 and batches of one sample (where a stray `.squeeze()` changes the
shape), batches of unequal sizes, momenta other than 0.5 (where `m * x` and
`(1 - m) * x` coincide) and the default momentum.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from hypothesis import strategies as st

WIDTHS = st.integers(1, 7)
BATCH_SIZES = st.integers(1, 6)
SEEDS = st.integers(0, 2**16)


def randn(shape: tuple[int, ...], seed: int, scale: float = 2.0, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """A seeded tensor with negative and positive values (the global RNG is left alone)."""
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed), dtype=dtype) * scale


two_layer_sizes = st.tuples(WIDTHS, WIDTHS, WIDTHS)
"""(in_features, hidden, out_features), equal widths included."""


@st.composite
def mlp_sizes(draw: st.DrawFn, min_size: int = 2, max_size: int = 6) -> list[int]:
    """A size list for MLP; often its last width repeats the one before it."""
    sizes = draw(st.lists(WIDTHS, min_size=min_size, max_size=max_size))
    if len(sizes) >= 3 and draw(st.booleans()):
        sizes[-1] = sizes[-2]
    return sizes


@dataclass(frozen=True)
class Momentum:
    """How Standardize is built: `value` None means the default (the argument left out)."""

    value: float | None
    positional: bool = False

    @property
    def effective(self) -> float:
        return 0.1 if self.value is None else self.value

    def build(self, cls: type, num_features: int) -> torch.nn.Module:
        if self.value is None:
            return cls(num_features)
        if self.positional:
            return cls(num_features, self.value)
        return cls(num_features, momentum=self.value)

    def describe(self, num_features: int) -> str:
        if self.value is None:
            return f"Standardize({num_features})"
        if self.positional:
            return f"Standardize({num_features}, {self.value})"
        return f"Standardize({num_features}, momentum={self.value})"


# Never only 0.5: there `m * x + (1 - m) * r` and `(1 - m) * x + m * r` are the same number.
momenta = st.builds(Momentum, st.sampled_from([None, 0.1, 0.25, 0.7, 0.9, 1.0, 0.5]), st.booleans())

batch_size_lists = st.lists(BATCH_SIZES, min_size=2, max_size=3)


# -- attention: queries, keys, values and masks ----------------------------------------------------


@dataclass(frozen=True)
class AttentionCase:
    """q (*batch, L, E), k (*batch, S, E), v (*batch, S, Ev) and a bool mask (or None), all seeded.

    L, S, E and Ev are drawn apart (sqrt(E) vs sqrt(Ev) or sqrt(L), and a softmax over the wrong
    dim, then give other numbers); every query row of a mask allows at least one key.
    """

    batch: tuple[int, ...]
    queries: int
    keys: int
    embed: int
    value_dim: int
    dtype: torch.dtype
    mask_kind: str
    seed: int

    def tensors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Fresh q, k, v and mask (each call builds new ones, so every implementation gets its own)."""
        b, length, keys = self.batch, self.queries, self.keys
        q = randn((*b, length, self.embed), self.seed, 1.5, self.dtype)
        k = randn((*b, keys, self.embed), self.seed + 1, 1.5, self.dtype)
        v = randn((*b, keys, self.value_dim), self.seed + 2, 2.0, self.dtype)
        return q, k, v, self.mask()

    def mask(self) -> torch.Tensor | None:
        if self.mask_kind == "none":
            return None
        if self.mask_kind == "causal":
            return torch.ones(self.queries, self.keys, dtype=torch.bool).tril(diagonal=max(0, self.keys - self.queries))
        shape = (self.queries, self.keys) if self.mask_kind == "broadcast" else (*self.batch, self.queries, self.keys)
        mask = torch.rand(shape, generator=torch.Generator().manual_seed(self.seed + 3)) > 0.4
        first = torch.randint(0, self.keys, shape[:-1], generator=torch.Generator().manual_seed(self.seed + 4))
        return mask.scatter(-1, first.unsqueeze(-1), True)  # every query may see at least one key

    def describe(self) -> str:
        q, k, v, mask = (tuple(t.shape) if t is not None else None for t in self.tensors())
        dtype = str(self.dtype).removeprefix("torch.")
        words = {
            "none": "mask=None",
            "causal": f"a causal bool mask of shape {mask}",
            "broadcast": f"a bool mask of shape {mask} (broadcast over the batch)",
            "full": f"a bool mask of shape {mask}",
        }
        return f"q of shape {q}, k of shape {k}, v of shape {v} ({dtype}) and {words[self.mask_kind]}"


@st.composite
def attention_cases(draw: st.DrawFn, masks: tuple[str, ...] = ("none", "broadcast", "full", "causal")) -> AttentionCase:
    batch = draw(st.sampled_from([(), (2,), (2, 3)]))
    embed = draw(st.integers(2, 6))
    queries = draw(st.integers(1, 5).filter(lambda n: n != embed))
    keys = draw(st.integers(1, 5))
    value_dim = draw(st.integers(1, 5).filter(lambda n: n != embed))
    return AttentionCase(
        batch, queries, keys, embed, value_dim, draw(st.sampled_from([torch.float32, torch.float64])), draw(st.sampled_from(masks)), draw(SEEDS)
    )


# -- activation_hooks: models with nested names, in-place layers and layers that never run ----------


class _Block(torch.nn.Module):
    """A custom module with named children, one of which its forward never calls."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.fc = torch.nn.Linear(width, width)
        self.act = torch.nn.Tanh()
        self.unused = torch.nn.Linear(width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.fc(x)) + x


@dataclass(frozen=True)
class HookModel:
    """A model for record_activations, built fresh (under the harness's seed) for each implementation."""

    kind: str
    width: int
    batch: int
    mode: str

    def build(self) -> torch.nn.Module:
        w = self.width
        if self.kind == "inplace":  # ReLU(inplace=True) overwrites the Linear's output after its hook ran
            model: torch.nn.Module = torch.nn.Sequential(torch.nn.Linear(w, w + 1), torch.nn.ReLU(inplace=True), torch.nn.Linear(w + 1, 2))
        elif self.kind == "nested":
            model = torch.nn.Sequential(
                torch.nn.Sequential(torch.nn.Linear(w, 3), torch.nn.Sigmoid()), torch.nn.BatchNorm1d(3), torch.nn.Dropout(0.5), torch.nn.Linear(3, w)
            )
        elif self.kind == "block":
            model = torch.nn.Sequential(_Block(w), torch.nn.Linear(w, 2))
        else:  # one leaf: the model itself, named ""
            model = torch.nn.Linear(w, 3)
        return model.train(self.mode == "train")

    def x(self, seed: int) -> torch.Tensor:
        return randn((self.batch, self.width), seed)

    def describe(self) -> str:
        w = self.width
        model = {
            "inplace": f"Sequential(Linear({w}, {w + 1}), ReLU(inplace=True), Linear({w + 1}, 2))",
            "nested": f"Sequential(Sequential(Linear({w}, 3), Sigmoid()), BatchNorm1d(3), Dropout(0.5), Linear(3, {w}))",
            "block": f"Sequential(Block(fc=Linear({w}, {w}), act=Tanh(), unused=Linear({w}, 1)), Linear({w}, 2))",
            "single": f"Linear({w}, 3)",
        }[self.kind]
        return f"model = {model} in {self.mode} mode, x of shape {(self.batch, self.width)}"


hook_models = st.builds(
    HookModel, st.sampled_from(["inplace", "nested", "block", "single"]), st.integers(2, 5), st.integers(2, 4), st.sampled_from(["train", "eval"])
)


# -- init_weights: models mixing the layers to initialise with layers to leave alone ----------------


@dataclass(frozen=True)
class InitModel:
    """A model for init_weights: nested containers, layers with and without bias, a Linear subclass, other layers.

    Every parameter starts at seeded values far from any init scheme (biases non-zero, norm weights not
    ones), so a layer that should be left alone, or a bias not zeroed, shows.
    """

    kind: str
    width: int
    bias: bool
    seed: int

    def build(self) -> torch.nn.Module:
        w, b = self.width, self.bias
        if self.kind == "mlp":
            model: torch.nn.Module = torch.nn.Sequential(
                torch.nn.Linear(w, w + 2, bias=b),
                torch.nn.LayerNorm(w + 2),
                torch.nn.ReLU(),
                torch.nn.Sequential(torch.nn.Linear(w + 2, 3), torch.nn.Linear(3, 2, bias=b)),
            )
        elif self.kind == "cnn":
            model = torch.nn.Sequential(
                torch.nn.Conv2d(1, w, 3, bias=b),
                torch.nn.BatchNorm2d(w),
                torch.nn.ReLU(),
                torch.nn.Sequential(torch.nn.Conv2d(w, 2, 1)),
                torch.nn.Flatten(),
                torch.nn.Linear(2 * 4, 3, bias=b),
            )
        else:  # attention: out_proj is a Linear subclass; in_proj_weight is a bare parameter (left alone)
            model = torch.nn.ModuleDict(
                {"embed": torch.nn.Embedding(5, 2 * w), "attn": torch.nn.MultiheadAttention(2 * w, 2, bias=b), "head": torch.nn.Linear(2 * w, 1)}
            )
        generator = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.3 + 0.7)
            for buffer in model.buffers():
                if buffer.is_floating_point():
                    buffer.copy_(torch.rand(buffer.shape, generator=generator) + 0.5)
        return model

    def describe(self) -> str:
        w, b = self.width, self.bias
        return {
            "mlp": f"Sequential(Linear({w}, {w + 2}, bias={b}), LayerNorm({w + 2}), ReLU(), Sequential(Linear({w + 2}, 3), Linear(3, 2, bias={b})))",
            "cnn": f"Sequential(Conv2d(1, {w}, 3, bias={b}), BatchNorm2d({w}), ReLU(), Sequential(Conv2d({w}, 2, 1)), Flatten(), Linear(8, 3, bias={b}))",
            "attention": f"ModuleDict(embed=Embedding(5, {2 * w}), attn=MultiheadAttention({2 * w}, 2, bias={b}), head=Linear({2 * w}, 1))",
        }[self.kind] + " (parameters set to values no init gives)"


init_models = st.builds(InitModel, st.sampled_from(["mlp", "cnn", "attention"]), st.integers(2, 4), st.booleans(), SEEDS)


# -- train_eval: dropout and batch norm with stored statistics, in train, eval and mixed modes ---------


@dataclass(frozen=True)
class EvalModel:
    """Linear -> BatchNorm1d -> ReLU -> Dropout(p) -> Linear, running statistics far from their defaults.

    `mode` is how the caller left it: "train", "eval", or "mixed" (training, with the BatchNorm and the last layer in eval).
    """

    width: int
    p: float
    mode: str
    batch: int
    seed: int

    def build(self) -> torch.nn.Module:
        w = self.width
        model = torch.nn.Sequential(torch.nn.Linear(w, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Dropout(self.p), torch.nn.Linear(4, 2))
        generator = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for p in model.parameters():
                p.copy_(torch.randn(p.shape, generator=generator))
            model[1].get_buffer("running_mean").copy_(torch.randn(4, generator=generator))
            model[1].get_buffer("running_var").copy_(torch.rand(4, generator=generator) * 3 + 0.5)
        model.train(self.mode != "eval")
        if self.mode == "mixed":  # the frozen modules include the last one that model.modules() visits
            model[1].eval()
            model[4].eval()
        return model

    def x(self) -> torch.Tensor:
        return randn((self.batch, self.width), self.seed + 1)

    def describe(self) -> str:
        mode = {"train": "in train mode", "eval": "in eval mode", "mixed": "in train mode with its BatchNorm1d and last Linear in eval mode"}
        return (
            f"model = Sequential(Linear({self.width}, 4), BatchNorm1d(4), ReLU(), Dropout({self.p}), Linear(4, 2)) "
            f"{mode[self.mode]}, x of shape {(self.batch, self.width)}"
        )


eval_models = st.builds(EvalModel, st.integers(2, 5), st.sampled_from([0.3, 0.5, 0.8]), st.sampled_from(["train", "eval", "mixed"]), st.integers(2, 5), SEEDS)


# -- multihead_attention: seeded nn.MultiheadAttention, self- and cross-attention, masks --------------


@dataclass(frozen=True)
class MhaCase:
    """A seeded nn.MultiheadAttention(E, heads, batch_first=True) and inputs (N, L, E) / (N, S, E).

    Every weight and bias is drawn (the default zero biases would hide a bias copied to the wrong
    projection); L and S differ, and cross-attention uses three different tensors (a swapped key and
    value shows); masks are bool (L, S) with True = not allowed, each query keeping at least one key.
    """

    embed: int
    heads: int
    batch: int
    queries: int
    keys: int
    cross: bool
    masked: bool
    dtype: torch.dtype
    seed: int

    def torch_module(self) -> torch.nn.MultiheadAttention:
        mha = torch.nn.MultiheadAttention(self.embed, self.heads, batch_first=True).to(self.dtype)
        generator = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for p in mha.parameters():
                p.copy_(torch.randn(p.shape, generator=generator, dtype=self.dtype) * 0.5)
        return mha

    def inputs(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
        n, e = self.batch, self.embed
        q = randn((n, self.queries, e), self.seed + 1, 1.0, self.dtype)
        if self.cross:
            k = randn((n, self.keys, e), self.seed + 2, 1.0, self.dtype)
            v = randn((n, self.keys, e), self.seed + 3, 1.0, self.dtype)
        else:
            k = v = q
        mask = None
        if self.masked:
            keys = k.shape[1]
            mask = torch.rand((self.queries, keys), generator=torch.Generator().manual_seed(self.seed + 4)) < 0.5
            keep = torch.randint(0, keys, (self.queries,), generator=torch.Generator().manual_seed(self.seed + 5))
            mask[torch.arange(self.queries), keep] = False  # True = not allowed: every query keeps one key
        return q, k, v, mask

    def describe(self) -> str:
        q, k, _, mask = self.inputs()
        kind = f"cross-attention: q {tuple(q.shape)}, k and v {tuple(k.shape)}" if self.cross else f"self-attention: q = k = v of shape {tuple(q.shape)}"
        masked = f", a bool attn_mask of shape {tuple(mask.shape)} (True = not allowed)" if mask is not None else ""
        dtype = str(self.dtype).removeprefix("torch.")
        return f"mha = nn.MultiheadAttention({self.embed}, {self.heads}, batch_first=True) in {dtype}, {kind}{masked}"


@st.composite
def mha_cases(draw: st.DrawFn, heads: str = "any", masked: bool | None = None) -> MhaCase:
    pairs = {"one": [(3, 1), (4, 1), (5, 1)], "many": [(4, 2), (6, 3), (6, 2), (8, 4)]}
    embed, count = draw(st.sampled_from(pairs["one"] + pairs["many"] if heads == "any" else pairs[heads]))
    queries = draw(st.integers(1, 4))
    keys = draw(st.integers(1, 5).filter(lambda s: s != queries))
    return MhaCase(
        embed,
        count,
        draw(st.integers(1, 3)),
        queries,
        keys,
        draw(st.booleans()),
        draw(st.booleans()) if masked is None else masked,
        draw(st.sampled_from([torch.float32, torch.float64])),
        draw(SEEDS),
    )


# -- module_dict: task dicts whose order is not sorted, sizes that repeat -----------------------------


@st.composite
def task_dicts(draw: st.DrawFn) -> dict[str, int]:
    """{task: output size}, 1 to 3 tasks, never in sorted order when there are several (a sorted dict shows)."""
    names = draw(st.permutations(["sentiment", "topic", "lang"]).map(lambda names: names[: draw(st.integers(1, 3))]))
    if len(names) > 1 and list(names) == sorted(names):
        names = list(reversed(names))
    return {name: draw(st.integers(1, 4)) for name in names}

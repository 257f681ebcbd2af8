"""Checks for modules/parameters_buffers, by comparison with the reference on generated batches.

The exercise names the state (parameters `scale` and `shift`, buffer `running_mean`),
so those names are read; their registration order and any extra attribute are free.
`scale` and `shift` are set to random values first (a scale of exactly 1 and a shift of
0 hide formulas that apply them wrongly). Momenta other than 0.5 are used (at 0.5,
`m * new + (1 - m) * old` and `(1 - m) * new + m * old` coincide), the default momentum
too, over several batches of unequal sizes, in training mode, in eval mode and back.
"""

from typing import cast

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.modules.common import attempt, outcome, values
from torchdojo.checks.strategies import CallerTensor
from torchdojo.checks.strategies.modules import SEEDS, Momentum, batch_size_lists, momenta, randn
from torchdojo.checks.support import show

WHERE = "Standardize.forward"
NAMES = ("scale", "shift", "running_mean")
FEATURES = st.integers(1, 5)
_torch_equal = torch.equal


def _require_names(compare, features: int) -> None:
    """The checks read scale, shift and running_mean: say so first if they are missing."""
    compare.same(
        lambda impl: {("its tensor attributes among scale, shift, running_mean", "scale、shift、running_mean 中存在的张量属性"):
                      _present(impl.Standardize(features))},
        given=f"Standardize({features})",
        where="Standardize.__init__",
        hint=("The exercise names them: parameters `scale` and `shift`, buffer `running_mean`.",
              "练习规定了它们的名字:参数 `scale` 和 `shift`,缓冲区 `running_mean`。"),
    )


def _present(module: torch.nn.Module) -> str:
    return ", ".join(n for n in NAMES if torch.is_tensor(getattr(module, n, None))) or "none"


def _equal(a: object, b: object) -> bool:
    return torch.is_tensor(a) and torch.is_tensor(b) and a.shape == b.shape and bool(_torch_equal(a.detach().cpu(), b.detach().cpu()))


def _affine(module: torch.nn.Module, features: int, seed: int) -> None:
    """Random scale and shift (never all ones / zeros)."""
    with torch.no_grad():
        cast(torch.Tensor, module.scale).copy_(randn((features,), seed + 11, scale=1.5))
        cast(torch.Tensor, module.shift).copy_(randn((features,), seed + 12, scale=1.5))


@settings(max_examples=5)
@given(FEATURES)
@example(3)
def test_initial_state(compare, features: int) -> None:
    def scenario(impl):
        m = impl.Standardize(features)
        return {name: getattr(m, name, None) for name in NAMES} | {
            ("a new module's mode", "新模块的模式"): "training" if m.training else "eval"}

    compare.same(
        scenario,
        given=f"Standardize({features})",
        where="Standardize.__init__",
        hint=("Start with scale = nn.Parameter(torch.ones(num_features)), shift = nn.Parameter(torch.zeros(num_features)) "
              "and a buffer running_mean = torch.zeros(num_features).",
              "初始时 scale = nn.Parameter(torch.ones(num_features)),shift = nn.Parameter(torch.zeros(num_features)),"
              "缓冲区 running_mean = torch.zeros(num_features)。"),
    )


@settings(max_examples=5)
@given(FEATURES, SEEDS)
@example(3, 0)
def test_mean_is_buffer(compare, features: int, seed: int) -> None:
    x = randn((4, features), seed)

    def scenario(impl):
        m = impl.Standardize(features)
        seen: dict = {
            ("the names in named_parameters() (sorted)", "named_parameters() 中的名字(排序后)"): ", ".join(sorted(n for n, _ in m.named_parameters())) or "none",
            ("running_mean is in named_buffers()", "running_mean 在 named_buffers() 中"): "running_mean" in dict(m.named_buffers()),
            ("which of scale, shift, running_mean are in state_dict()", "state_dict() 中有 scale、shift、running_mean 中的哪些"):
                ", ".join(n for n in NAMES if n in m.state_dict()) or "none",
        }
        m.train()
        attempt(lambda: m(x.clone()))
        state = m.state_dict()
        seen[("after one batch, state_dict()['running_mean'] equals running_mean", "一个批次之后 state_dict()['running_mean'] 等于 running_mean")] = (
            _equal(state.get("running_mean"), getattr(m, "running_mean", None)))
        fresh = impl.Standardize(features)
        attempt(lambda: fresh.load_state_dict(state, strict=False))
        seen[("a new Standardize gets that running_mean from load_state_dict(state_dict())",
              "新的 Standardize 通过 load_state_dict(state_dict()) 得到该 running_mean")] = _equal(
            getattr(fresh, "running_mean", None), getattr(m, "running_mean", None))
        m.to(torch.float64)
        seen[("running_mean's dtype after .to(torch.float64)", ".to(torch.float64) 之后 running_mean 的 dtype")] = str(
            getattr(getattr(m, "running_mean", None), "dtype", None))
        seen[("the output's dtype for a float64 batch after .to(torch.float64)", ".to(torch.float64) 之后 float64 批次的输出 dtype")] = (
            attempt(lambda: str(m(x.double()).dtype)))
        m.to("meta")
        seen[("running_mean's device after .to('meta')", ".to('meta') 之后 running_mean 的设备")] = str(getattr(getattr(m, "running_mean", None), "device", None))
        return seen

    compare.same(
        scenario,
        given=f"Standardize({features}), x = {show(x)}",
        where="Standardize.__init__",
        hint=("Make running_mean a buffer: self.register_buffer('running_mean', torch.zeros(num_features)). A parameter would be "
              "trained by the optimizer; a plain attribute is neither saved in state_dict() nor moved by .to().",
              "请把 running_mean 注册为缓冲区:self.register_buffer('running_mean', torch.zeros(num_features))。"
              "参数会被优化器训练;普通属性既不会保存在 state_dict() 中,也不会随 .to() 移动。"),
    )


@settings(max_examples=8)
@given(FEATURES, momenta, batch_size_lists, SEEDS, st.sampled_from(["plain", "requires_grad", "non_leaf"]))
@example(3, Momentum(0.25), [4, 1, 3], 0, "non_leaf")
@example(2, Momentum(None), [3, 5], 1, "plain")
@example(4, Momentum(0.9, positional=True), [2, 6, 1], 2, "requires_grad")
def test_training_update(compare, features: int, momentum: Momentum, sizes: list[int], seed: int, state: str) -> None:
    _require_names(compare, features)
    batches = [CallerTensor(randn((n, features), seed + k) + k, state) for k, n in enumerate(sizes)]  # type: ignore[arg-type]  # `state` is drawn from CallerState's values; annotating it would change this test's derandomized examples (hypothesis seeds from its source)

    def scenario(impl):
        other = impl.Standardize(features)  # built first, with the default momentum
        m = momentum.build(impl.Standardize, features)
        _affine(m, features, seed)
        m.train()
        seen: dict = {}
        for k, batch in enumerate(batches, 1):
            x_in = batch.make()
            out = values(m(x_in))  # values only: graph attachment is the gradients check's
            seen[(f"running_mean after batch {k}", f"第 {k} 个批次之后的 running_mean")] = m.running_mean.clone()
            seen[(f"the output for batch {k}", f"第 {k} 个批次的输出")] = out
            seen[(f"batch {k} after the call", f"调用后的第 {k} 个批次")] = x_in
        with torch.no_grad():
            seen[("the output inside the caller's torch.no_grad()", "在调用者的 torch.no_grad() 中的输出")] = values(m(batches[0].make()))
        seen[("running_mean after that call inside torch.no_grad()", "在 torch.no_grad() 中调用之后的 running_mean")] = m.running_mean.clone()
        other.train()
        other(batches[-1].make())
        seen[("running_mean of a second Standardize(num_features) after one batch", "另一个 Standardize(num_features) 一个批次之后的 running_mean")] = (
            other.running_mean.clone())
        return seen

    batch_words = ", ".join(show(b.values) for b in batches)
    kind = {"plain": ("plain tensors", "普通张量"), "requires_grad": ("leaves that require grad", "需要梯度的叶子张量"),
            "non_leaf": ("non-leaf tensors", "非叶子张量")}[state]
    compare.same(
        scenario,
        given=f"{momentum.describe(features)} in training mode, random scale and shift, batches ({kind[0]}) {batch_words}",
        given_zh=f"训练模式下的 {momentum.describe(features)},随机的 scale 和 shift,批次({kind[1]}){batch_words}",
        where=WHERE,
        hint=("In training mode use the batch mean over dim 0, and update running_mean = (1 - momentum) * running_mean "
              "+ momentum * batch_mean in place under torch.no_grad() (or from mean.detach()), with this module's own momentum.",
              "训练模式下使用 dim 0 上的批次均值,并在 torch.no_grad() 中(或用 mean.detach())原地更新 "
              "running_mean = (1 - momentum) * running_mean + momentum * batch_mean,使用本模块自己的 momentum。"),
    )


@settings(max_examples=6)
@given(FEATURES, momenta, batch_size_lists, SEEDS)
@example(3, Momentum(0.25), [4, 1, 3], 0)
def test_eval_uses_running_mean(compare, features: int, momentum: Momentum, sizes: list[int], seed: int) -> None:
    _require_names(compare, features)
    train = [randn((n, features), seed + k) + 1 for k, n in enumerate(sizes)]
    evals = [randn((n + 1, features), seed + 10 + k) for k, n in enumerate(sizes)]
    wrong = randn((2, features + 1), seed + 20)

    def scenario(impl):
        m = momentum.build(impl.Standardize, features)
        _affine(m, features, seed)
        m.train()
        for x in train:
            m(x.clone())
        m.eval()
        seen: dict = {}
        for k, x in enumerate(evals, 1):
            out = values(m(x.clone()))
            seen[(f"running_mean after eval batch {k}", f"评估模式第 {k} 个批次之后的 running_mean")] = m.running_mean.clone()
            seen[(f"the output in eval mode for batch {k}", f"评估模式下第 {k} 个批次的输出")] = out
        seen[(f"a batch with {features + 1} features instead of {features}", f"有 {features + 1} 个特征(而不是 {features} 个)的批次")] = (
            outcome(lambda: m(wrong.clone())))
        m.train()
        out = values(m(train[0].clone()))
        seen[("running_mean after that training batch", "该训练批次之后的 running_mean")] = m.running_mean.clone()
        seen[("the output back in training mode", "回到训练模式后的输出")] = out
        return seen

    compare.same(
        scenario,
        given=f"{momentum.describe(features)}, random scale and shift, trained on {len(train)} batches, then in eval mode on {', '.join(show(x) for x in evals)}",
        given_zh=f"{momentum.describe(features)},随机的 scale 和 shift,先训练 {len(train)} 个批次,再在评估模式下处理 {', '.join(show(x) for x in evals)}",
        where=WHERE,
        hint=("In eval mode (not self.training) subtract running_mean and leave it unchanged; only training mode updates it.",
              "评估模式下(self.training 为 False)减去 running_mean,并且不修改它;只有训练模式才更新它。"),
    )


@settings(max_examples=6)
@given(FEATURES, st.integers(1, 5), SEEDS, st.sampled_from(["requires_grad", "leaf_with_grad", "non_leaf"]), st.booleans())
@example(3, 4, 0, "requires_grad", True)
@example(3, 4, 0, "requires_grad", False)
def test_gradients_reach_parameters(compare, features: int, batch: int, seed: int, state: str, training: bool) -> None:
    _require_names(compare, features)
    x = CallerTensor(randn((batch, features), seed) + 1, state)  # type: ignore[arg-type]  # `state` is drawn from CallerState's values; annotating it would change this test's derandomized examples (hypothesis seeds from its source)
    warm = randn((3, features), seed + 1)
    weights = randn((batch, features), seed + 2, scale=1.0)

    def scenario(impl):
        m = impl.Standardize(features, momentum=0.3)
        _affine(m, features, seed)
        m.train()
        m(warm.clone())
        m.train(training)
        x_in = x.make()
        out = m(x_in)
        seen: dict = {("the output is attached to a graph (has a grad_fn)", "输出连接在计算图上(有 grad_fn)"): getattr(out, "grad_fn", None) is not None}
        seen[("(output * w).sum().backward()", "(output * w).sum().backward()")] = attempt(lambda: (out * weights).sum().backward())
        seen[("x after backward", "反向传播后的 x")] = x_in
        seen[("scale.grad", "scale.grad")] = m.scale.grad
        seen[("shift.grad", "shift.grad")] = m.shift.grad
        seen[("running_mean after backward", "反向传播后的 running_mean")] = m.running_mean
        return seen

    mode = ("training", "训练") if training else ("eval", "评估")
    en, zh = x.describe()
    compare.same(
        scenario,
        given=f"Standardize({features}, momentum=0.3) in {mode[0]} mode, random scale and shift, x = {en}, loss = (output * w).sum()",
        given_zh=f"{mode[1]}模式下的 Standardize({features}, momentum=0.3),随机的 scale 和 shift,x = {zh},损失 = (output * w).sum()",
        where=WHERE,
        hint=("Gradients flow to x (through the batch mean too), scale and shift; running_mean gets none. Keep only the "
              "update of running_mean out of autograd.",
              "梯度会传到 x(也经过批次均值)、scale 和 shift;running_mean 没有梯度。只有 running_mean 的更新不记录在自动求导中。"),
    )

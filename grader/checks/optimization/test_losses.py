"""Checks for optimization/losses, by comparison with the reference on generated logits and targets.

Every scenario also looks at the caller's tensors afterwards (a loss must not change them) and
calls the function a second time on other inputs (a module-level cache shows). Drawn: reductions,
class weights that differ from one another (mean = weighted sum / sum of the targets' weights, not / N),
label smoothing other than 0 (with and without weights), float64, transposed (not contiguous)
logits, large logits (where log(softmax) overflows), one sample of shape (C,) with a 0-d target, and an empty batch.
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.optimization.common import PRECISE, STATE_HINT, values
from torchdojo.checks.strategies.optimization import LossCase, loss_cases

LOSS = ("the loss", "损失")
SECOND = ("the loss of a second call on other inputs", "用其他输入第二次调用得到的损失")
INPUTS = ("the caller's logits, target and weight afterwards", "调用后调用者的 `logits`、`target` 和 `weight`")


def _call(impl, case: LossCase, logits: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None) -> object:
    return impl.cross_entropy(logits, target, **case.kwargs(weight))


def _losses(case: LossCase, other: LossCase, hint: tuple[str, str]) -> dict[str, object]:
    def scenario(impl):
        logits, target, weight = case.make()
        first = values(_call(impl, case, logits, target, weight))
        second = values(_call(impl, other, *other.make()))
        return {LOSS: first, SECOND: second, INPUTS: (logits, target, weight)}

    return {"scenario": scenario, "given": f"{case.describe()} (then {other.describe()})", "where": "cross_entropy",
            "tolerance": PRECISE, "state_hint": STATE_HINT, "hint": hint}


@settings(max_examples=8)
@given(loss_cases(weighted=False, smoothing=False), loss_cases(weighted=False, smoothing=False))
def test_plain_cross_entropy(compare, case: LossCase, other: LossCase) -> None:
    compare.same(**_losses(case, other, (
        ("Per sample the loss is -log_softmax(logits)[target] (log_softmax over the classes, the last dimension); "
        "\"mean\" averages over the samples, \"sum\" adds them up, \"none\" returns one loss per sample. Leave the inputs as they were."),
        ("每个样本的损失是 -log_softmax(logits)[target](在类别维度,也就是最后一维上做 log_softmax);"
        "\"mean\" 对样本求平均,\"sum\" 求和,\"none\" 返回每个样本的损失。输入保持不变。"))))


@settings(max_examples=8)
@given(loss_cases(weighted=True, smoothing=False), loss_cases(weighted=True, smoothing=False))
def test_class_weights(compare, case: LossCase, other: LossCase) -> None:
    compare.same(**_losses(case, other, (
        ("Multiply each sample's loss by weight[target]; with reduction=\"mean\" divide the sum by the sum of weight[target] "
        "over the samples (not by the number of samples)."),
        "把每个样本的损失乘以 weight[target];reduction=\"mean\" 时,总和要除以所有样本的 weight[target] 之和(而不是样本数)。")))


@settings(max_examples=8)
@given(loss_cases(smoothing=True), loss_cases(smoothing=True))
def test_label_smoothing(compare, case: LossCase, other: LossCase) -> None:
    compare.same(**_losses(case, other, (
        ("With label_smoothing=s the loss is (1 - s) * nll + s * smooth, where smooth = -(log_probs * weight).sum(-1) / C "
        "(without weights: -log_probs.mean(-1)); for \"mean\" divide by the same sum of weight[target] as without smoothing."),
        ("label_smoothing=s 时损失为 (1 - s) * nll + s * smooth,其中 smooth = -(log_probs * weight).sum(-1) / C"
        "(没有权重时为 -log_probs.mean(-1));\"mean\" 时除以与不平滑时相同的 weight[target] 之和。"))))


@settings(max_examples=8)
@given(loss_cases(weighted=False, smoothing=False), st.integers(0, 2**16))
def test_gradients(compare, case: LossCase, seed: int) -> None:
    # Plain cases only: a wrong weighting or smoothing formula is the other checks' business.
    def scenario(impl):
        leaf, logits, target, weight = case.with_leaf()
        loss = _call(impl, case, logits, target, weight)
        seen: dict[object, object] = {("requires_grad of the loss", "损失的 requires_grad"): getattr(loss, "requires_grad", loss)}
        if torch.is_tensor(loss) and loss.requires_grad:
            upstream = torch.rand(loss.shape, generator=torch.Generator().manual_seed(seed), dtype=loss.dtype) + 0.5
            loss.backward(upstream)
            seen[("the gradient reaching logits after loss.backward(v)", "loss.backward(v) 之后传到 logits 的梯度")] = leaf.grad
        return seen

    compare.same(scenario, given=case.describe(), where="cross_entropy", tolerance=PRECISE, state_hint=STATE_HINT,
                 hint=(("Build the loss from logits with differentiable tensor operations (no .item(), .detach(), .data or "
                       "torch.no_grad()), so that loss.backward() reaches the logits."),
                       ("请用可求导的张量运算从 logits 构造损失(不要用 .item()、.detach()、.data 或 torch.no_grad()),"
                       "这样 loss.backward() 才能传到 logits。")))


@settings(max_examples=8)
@example(LossCase(4, 3, torch.float32, 7, large=True), LossCase(-1, 5, torch.float64, 3, reduction="sum"))
@given(loss_cases(odd=True), loss_cases(odd=True))
def test_odd_shapes(compare, case: LossCase, other: LossCase) -> None:
    compare.same(**_losses(case, other, (
        ("Work on the last dimension (dim=-1) so that one sample of shape (C,) with a 0-d target works, and use no Python "
        "loop over the samples or .view() (a transposed view is not contiguous); log_softmax, not log(softmax), which "
        "overflows for large logits; an empty batch gives nan for \"mean\" (0 / 0), "
        "0 for \"sum\" and an empty tensor for \"none\"."),
        ("请在最后一维(dim=-1)上计算,这样形状为 (C,) 的单个样本配 0 维 target 也能工作;不要对样本写 Python 循环,"
        "也不要用 .view()(转置得到的视图不连续);请用 log_softmax,不要用 log(softmax),后者在 logits 很大时会溢出;空批次时 \"mean\" 得到 nan(0 / 0),\"sum\" 得到 0,\"none\" 得到空张量。"))))


@settings(max_examples=3)
@given(loss_cases(reductions=("mean",)), st.sampled_from(["avg", "batchmean", "Mean", "sum "]))
def test_bad_reduction_raises(compare, case: LossCase, reduction: str) -> None:
    def scenario(impl):
        logits, target, weight = case.make()
        return impl.cross_entropy(logits, target, weight=weight, reduction=reduction)

    compare.same(scenario, given=f"{case.describe()}, reduction = {reduction!r}", where="cross_entropy",
                 hint=(("Raise ValueError (with a message) for a reduction other than \"mean\", \"sum\" or \"none\": "
                       "a silent default hides the caller's typo."),
                       "reduction 不是 \"mean\"、\"sum\" 或 \"none\" 时请抛出 ValueError(并附上说明):默默使用默认值会掩盖调用者的笔误。"))

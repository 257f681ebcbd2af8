"""Checks for optimization/param_groups, by comparison with the reference on generated models.

Verdicts are per parameter, whatever the grouping: how many groups hold it, and the lr and
weight_decay of its group. Drawn: a norm layer (a 1-d weight: "bias" in the name is not the
rule), a layer without bias, a frozen first layer (in no group), a weight shared by two modules
(once), learning rates and weight decays other than the defaults. Observed too: the groups'
form (dicts with "params", "lr" and "weight_decay"), the model afterwards, and a second call.
"""

import torch
from hypothesis import given, settings

from torchdojo.checks.optimization.common import STATE_HINT, raises, values
from torchdojo.checks.strategies.optimization import GroupCase, group_cases

SETTINGS = ("each parameter's (groups holding it, lr, weight_decay)", "每个参数的(所属参数组个数、lr、weight_decay)")


def _per_parameter(model: torch.nn.Module, groups: object) -> object:
    """name -> (how many groups hold it, its group's lr, its group's weight_decay); the groups' form if it is wrong."""
    if not isinstance(groups, list | tuple) or not all(isinstance(g, dict) for g in groups):
        return f"not a list of dicts: {type(groups).__name__}"
    missing = sorted({key for g in groups for key in ("params", "lr", "weight_decay") if key not in g})
    if missing:
        return f"a group without {', '.join(repr(k) for k in missing)}"
    seen: dict[str, object] = {}
    for name, p in model.named_parameters():
        holding = [g for g in groups for q in list(g["params"]) if q is p]
        first = holding[0] if holding else {}
        seen[name] = (len(holding), first.get("lr"), first.get("weight_decay"))
    return seen


def _scenario(case: GroupCase, observe: tuple[str, ...]):
    def scenario(impl):
        model = case.make()
        groups = impl.param_groups(model, case.lr, case.head_lr, case.weight_decay)
        full = _per_parameter(model, groups)
        seen: dict[object, object] = {}
        if isinstance(full, dict):
            part = {name: tuple(v for v, keep in zip(value, ("count", "lr", "weight_decay"), strict=True) if keep in observe)
                    for name, value in full.items()}
            seen[SETTINGS] = part
        else:
            seen[("the returned groups", "返回的参数组")] = full
        return seen

    return scenario


def _same(compare, case: GroupCase, observe: tuple[str, ...], hint: tuple[str, str]) -> None:
    compare.same(_scenario(case, observe), given=case.describe(), where="param_groups", state_hint=STATE_HINT, hint=hint)


@settings(max_examples=8)
@given(group_cases(frozen=None, tied=None))
def test_every_parameter_once(compare, case: GroupCase) -> None:
    _same(compare, case, ("count",), (
        ("Go over model.parameters() once (it gives a shared parameter once), skip those with requires_grad False, and put "
        "each remaining parameter in exactly one group (the head's parameters are in model.parameters() too: do not add "
        "model.head.parameters() again). Return a list of dicts with \"params\", \"lr\" and \"weight_decay\"."),
        ("请只遍历一次 model.parameters()(共享的参数只出现一次),跳过 requires_grad 为 False 的参数,把其余每个参数恰好放进一个"
        "参数组(head 的参数也在 model.parameters() 中:不要再加一遍 model.head.parameters())。返回由包含 \"params\"、\"lr\" 和 "
        "\"weight_decay\" 的 dict 组成的列表。")))


@settings(max_examples=8)
@given(group_cases())
def test_head_learning_rate(compare, case: GroupCase) -> None:
    _same(compare, case, ("count", "lr"), (
        "Parameters of model.head (all of them: weights and biases of every layer in it) get head_lr; every other parameter gets lr.",
        "model.head 的参数(其中每一层的权重和偏置)使用 head_lr;其他所有参数使用 lr。"))


@settings(max_examples=8)
@given(group_cases())
def test_no_decay_for_biases_and_norms(compare, case: GroupCase) -> None:
    _same(compare, case, ("count", "weight_decay"), (
        ("Decide by the number of dimensions, not by the name: p.dim() >= 2 gets weight_decay, anything else (biases, the "
        "weights of LayerNorm or BatchNorm) gets 0.0."),
        "请按维度数判断,不要按名字:p.dim() >= 2 的参数使用 weight_decay,其他参数(偏置、LayerNorm 或 BatchNorm 的权重)使用 0.0。"))


@settings(max_examples=4)
@given(group_cases(frozen=True, tied=True))
def test_model_untouched(compare, case: GroupCase) -> None:
    def scenario(impl):
        model = case.make()
        first = _per_parameter(model, impl.param_groups(model, case.lr, case.head_lr, case.weight_decay))
        second = _per_parameter(model, impl.param_groups(model, case.lr * 2, case.head_lr * 2, case.weight_decay * 2))
        doubled: object = second
        if isinstance(first, dict) and isinstance(second, dict):  # the same rule again, with this call's numbers
            doubled = {name: (a[0] == b[0], (b[1] or 0) == 2 * (a[1] or 0), (b[2] or 0) == 2 * (a[2] or 0))
                       for (name, a), b in zip(first.items(), second.values(), strict=True)}
        headless = raises(lambda: impl.param_groups(torch.nn.Linear(2, 2), case.lr, case.head_lr, case.weight_decay)).split(":")[0]
        return {("param_groups(a model without .head) (it must raise)", "param_groups(没有 .head 的模型)(必须报错)"): headless,
                ("the model's parameters and requires_grad flags afterwards", "调用后模型的参数及其 requires_grad"):
                    {name: (values(p), p.requires_grad) for name, p in model.named_parameters()},
                ("a second call with lr, head_lr and weight_decay doubled: (same groups, lr doubled, weight_decay doubled)",
                 "lr、head_lr 和 weight_decay 加倍后的第二次调用:(参数组相同、lr 加倍、weight_decay 加倍)"): doubled}

    compare.same(scenario, given=case.describe(), where="param_groups", state_hint=STATE_HINT,
                 hint=(("Only read the model: do not change requires_grad (a frozen layer stays frozen) or any value, and build "
                       "new groups from this call's arguments each time; let errors (a model without .head) reach the caller."),
                       ("请只读取模型:不要修改 requires_grad(冻结的层保持冻结)或任何数值,每次都用这次调用的参数构造新的参数组;"
                        "让错误(没有 .head 的模型)传给调用者。")))

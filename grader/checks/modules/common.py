"""What the modules checks share: the learner's module with the reference's weights, whatever its layout.

The exercises leave the layout free: attributes, `nn.Sequential`, `nn.ModuleList`, layers
created in any order (so a seeded init differs). To compare outputs and gradients, the
same parameter values are put into both modules: values drawn for the reference's
parameters, and each of the learner's parameters gets the value of the reference
parameter with the same shape. Where shapes repeat (equal widths), the assignment that
makes the learner's module compute what the reference computes is searched for, so a
learner who registered equal-shaped layers in another order is not penalised.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import torch
from torch import nn

from torchdojo.checks.harness import Compare

_allclose = torch.allclose
_is_tensor = torch.is_tensor
_equal = torch.equal
_MAX_ORDERS = 720


def shapes_text(module: nn.Module) -> str:
    """The shapes of a module's parameters, sorted: '4 tensors: (3,), (3, 7), (7,), (7, 5)'."""
    shapes = sorted(tuple(p.shape) for p in module.parameters())
    if not shapes:
        return "0 tensors"
    return f"{len(shapes)} tensor{'s' if len(shapes) != 1 else ''}: " + ", ".join(str(s) for s in shapes)


def state_shapes_text(module: nn.Module) -> str:
    """The shapes of the tensors in a module's state_dict, sorted."""
    shapes = sorted(tuple(v.shape) for v in module.state_dict().values() if _is_tensor(v))
    if not shapes:
        return "0 tensors"
    return f"{len(shapes)} tensor{'s' if len(shapes) != 1 else ''}: " + ", ".join(str(s) for s in shapes)


def outcome(call: Callable[[], Any]) -> str:
    """'raises an error' or 'returns normally' (any exception type: the spec does not fix one)."""
    try:
        call()
    except NotImplementedError:
        raise  # an unfinished stub never matches an expected error
    except Exception:  # noqa: BLE001 - the kind of error is the learner's choice
        return "raises an error"
    return "returns normally"


def attempt(call: Callable[[], Any]) -> Any:
    """What `call()` returns, or 'raises <ErrorType>' (so an error in the learner's code reads as an observation)."""
    try:
        return call()
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - reported as a difference, with the reference's outcome next to it
        return f"raises {type(error).__name__}"


def values(result: Any) -> Any:
    """A returned tensor without its graph (values, shape, dtype, device): where attachment is another check's business."""
    return result.detach() if _is_tensor(result) else result


def same_state(expected: Any, got: Any) -> str:
    """'the same keys and values' or the first difference between two state_dicts (torch.equal: saved values are exact)."""
    if not isinstance(got, dict):
        return f"not a dict but a {type(got).__name__}"
    missing = [k for k in expected if k not in got]
    extra = [k for k in got if k not in expected]
    if missing or extra:
        return f"other keys (missing: {missing[:3]}, unexpected: {extra[:3]})"
    for key, value in expected.items():
        other = got[key]
        if not (_is_tensor(other) and other.shape == value.shape and other.dtype == value.dtype):
            return f"a different shape or dtype for {key!r}"
        if not _equal(other.detach().cpu(), value.detach().cpu()):
            return f"different values for {key!r}"
    return "the same keys and values"


def compact(tensor: Any, limit: int = 4096) -> Any:
    """A large tensor by every k-th value (at most about `limit` of them): cheap to compare, still sensitive."""
    if not _is_tensor(tensor) or tensor.numel() <= limit:
        return tensor
    step = tensor.numel() // limit + 1
    return tensor.detach().flatten()[::step]


def parameter_labels(module: nn.Module) -> list[tuple[str, str]]:
    """Words for each parameter of a reference module: "Linear layer 2's weight" / "第 2 个 Linear 层的权重"."""
    linear = {name: k for k, (name, m) in enumerate((n, m) for n, m in module.named_modules() if isinstance(m, nn.Linear))}
    labels = []
    for name, _ in module.named_parameters():
        prefix, _, kind = name.rpartition(".")
        if prefix in linear and kind in ("weight", "bias"):
            k = linear[prefix] + 1
            labels.append((f"Linear layer {k}'s {kind}", f"第 {k} 个 Linear 层的{'权重' if kind == 'weight' else '偏置'}"))
        else:
            labels.append((f"parameter {name}", f"参数 {name}"))
    return labels


@dataclass
class Aligned:
    """Build a module of either implementation holding the same parameter values."""

    compare: Compare
    make: Callable[[ModuleType], nn.Module]
    values: list[torch.Tensor]
    labels: list[tuple[str, str]]
    order: list[int]

    def build(self, impl: ModuleType) -> tuple[nn.Module, list[torch.Tensor]]:
        """A fresh module with the shared values, and its parameters in the reference's order."""
        module = self.make(impl)
        params = list(module.parameters())
        order = self.order if impl is self.compare.learner else list(range(len(params)))
        in_reference_order: list[torch.Tensor] = list(params)
        with torch.no_grad():
            for param, index in zip(params, order, strict=True):
                param.copy_(self.values[index])
                in_reference_order[index] = param
        return module, in_reference_order


def aligned(
    compare: Compare,
    make: Callable[[ModuleType], nn.Module],
    probe: torch.Tensor,
    given: str,
    given_zh: str,
    where: str,
    seed: int = 0,
    scale: float = 0.6,
    values: list[torch.Tensor] | None = None,
) -> Aligned:
    """The reference's parameter values, placed into the learner's module by shape.

    Fails first (a check that names the real cause) when the learner's parameters do not
    have the reference's shapes: outputs cannot be compared with the same weights then.
    """
    compare.same(
        lambda impl: {("the shapes of its parameters (sorted)", "其参数的形状(排序后)"): shapes_text(make(impl))},
        given=given,
        given_zh=given_zh,
        where=where,
        hint=(
            "Outputs are compared with the same weights loaded into your layers, so the layers must be registered "
            "(attributes, nn.Sequential or nn.ModuleList, not a plain list) and have the sizes the exercise gives.",
            "比较输出时会把相同的权重加载到你的层中,所以这些层必须已注册(属性、nn.Sequential 或 nn.ModuleList,不能是普通 list),并且大小与练习给出的一致。",
        ),
    )
    reference_module = make(compare.reference)
    reference_params = list(reference_module.parameters())
    if values is None:
        generator = torch.Generator().manual_seed(seed)
        values = [torch.randn(p.shape, generator=generator, dtype=p.dtype) * scale for p in reference_params]
    result = Aligned(compare, make, values, parameter_labels(reference_module), [])
    result.order = _find_order(result, reference_module, probe)
    return result


def _units(named: Sequence[tuple[str, torch.Tensor]], by_module: bool) -> list[tuple[tuple, list[int]]]:
    """Groups of parameter indices that move together: a module's parameters (weight with its bias), or each alone."""
    if not by_module:
        return [((tuple(p.shape),), [i]) for i, (_, p) in enumerate(named)]
    owners: dict[str, list[int]] = {}
    for i, (name, _) in enumerate(named):
        owners.setdefault(name.rpartition(".")[0], []).append(i)
    return [(tuple(tuple(named[i][1].shape) for i in indices), indices) for indices in owners.values()]


def _candidates(reference: list[tuple[tuple, list[int]]], learner: list[tuple[tuple, list[int]]], size: int) -> list[list[int]] | None:
    """Orders (learner parameter j gets values[order[j]]) that pair units of the same shapes: registration order first,
    then the reverse, then every other permutation while there are few."""
    if sorted(sig for sig, _ in reference) != sorted(sig for sig, _ in learner):
        return None
    signatures = list(dict.fromkeys(sig for sig, _ in reference))
    per_signature = []
    total = 1
    for sig in signatures:
        units = [indices for s, indices in reference if s == sig]
        for k in range(2, len(units) + 1):
            total *= k
        per_signature.append(units)
    choices = []
    for units in per_signature:
        ordered = [tuple(range(len(units))), tuple(reversed(range(len(units))))]
        if total <= _MAX_ORDERS:
            ordered += list(itertools.permutations(range(len(units))))
        choices.append(list(dict.fromkeys(ordered)))
    orders = []
    for choice in itertools.product(*choices):
        order = [0] * size
        for sig, units, permutation in zip(signatures, per_signature, choice, strict=True):
            mine = [indices for s, indices in learner if s == sig]
            for positions, k in zip(mine, permutation, strict=True):
                for j, index in zip(positions, units[k], strict=True):
                    order[j] = index
        orders.append(order)
        if len(orders) > _MAX_ORDERS:
            break
    return orders


def _find_order(alignment: Aligned, reference_module: nn.Module, probe: torch.Tensor) -> list[int]:
    """learner parameter j gets values[order[j]]: registration order, unless another pairing of equal shapes fits."""
    learner_named = list(alignment.make(alignment.compare.learner).named_parameters())
    reference_named = list(reference_module.named_parameters())
    orders = None
    for by_module in (True, False):
        orders = _candidates(_units(reference_named, by_module), _units(learner_named, by_module), len(learner_named))
        if orders:
            break
    if not orders:
        return list(range(len(learner_named)))
    if len(orders) == 1:
        return orders[0]
    try:
        reference, _ = alignment.build(alignment.compare.reference)
        with torch.no_grad():
            want = reference(probe.clone())
        for order in orders:
            alignment.order = order
            module, _ = alignment.build(alignment.compare.learner)
            with torch.no_grad():
                got = module(probe.clone())
            if _is_tensor(got) and got.shape == want.shape and bool(_allclose(got.to(want.dtype), want, rtol=1e-4, atol=1e-5)):
                return order
    except Exception:  # noqa: BLE001 - the learner's errors are reported by the comparison itself
        pass
    return orders[0]

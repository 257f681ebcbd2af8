"""Checks for devices/move_batch: compared with the reference on generated nested batches.

Batches nest dicts, OrderedDicts, lists, tuples (of one element too) and namedtuples, with
tensors of every dtype (some requiring grad, some 0-d) and other values (numbers, strings,
bytes, None, plain objects) at any depth; devices are given as strings and as
`torch.device` (the meta device stands in for the accelerator, and the CPU is tried too).
Compared: the tensors of the result (in order: device, dtype, shape, values), the
structure of the result (container types, keys, the other values), and the caller's batch
afterwards (its tensors and containers unchanged, the very same objects).
"""

import torch
from hypothesis import example, given, settings
from torch import nn

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import learner_code
from torchdojo.checks.strategies.devices import (
    DEVICES_META,
    TARGETS,
    batch_tensors,
    containers_in,
    copy_batch,
    describe_batch,
    nested_batches,
    skeleton,
    tensors_in,
)


def _plain(tensors: list) -> list:
    """Tensors as values plus requires_grad: the tensor itself or a copy of it (copy=True) are both right."""
    return [(t.detach(), t.requires_grad) if isinstance(t, torch.Tensor) else t for t in tensors]


def _given(batch, device) -> str:
    return f"obj = {describe_batch(batch)}, device = {device!r}"


@settings(max_examples=12)
@given(batch_tensors(), TARGETS)
def test_moves_tensor(compare, tensor: torch.Tensor, device: object) -> None:
    def scenario(impl):
        result = impl.to_device(copy_batch(tensor), device)
        return {"the result": _plain([result])[0] if isinstance(result, torch.Tensor) else result}

    with learner_code():
        same(compare, lambda impl: impl.to_device([copy_batch(tensor)], "gpu"), {},
             ("Let .to's own error reach the caller: don't catch it.", "让 .to 自己的错误传给调用者:不要捕获它。"),
             given="obj = [a tensor], device = 'gpu' (not a device name: .to raises)", where="to_device")
        same(compare, scenario, {}, ("A tensor is moved with tensor.to(device): same values, dtype and requires_grad.",
                                     "张量用 tensor.to(device) 移动:数值、dtype 和 requires_grad 都不变。"),
             given=f"obj = tensor{tuple(tensor.shape)} of dtype {str(tensor.dtype).removeprefix('torch.')}"
                   f"{' (requires grad)' if tensor.requires_grad else ''}, device = {device!r}", where="to_device")


@settings(max_examples=15)
@given(nested_batches, DEVICES_META)
def test_moves_nested(compare, batch, device: object) -> None:
    def scenario(impl):
        return {("the tensors inside the result, in order", "返回值中的张量(按顺序)"): _plain(tensors_in(impl.to_device(copy_batch(batch), device)))}

    with learner_code():
        same(compare, scenario, {}, ("Recurse: every tensor at any depth inside dicts, lists, tuples and namedtuples must be moved.",
                                     "请递归处理:dict、list、tuple 和 namedtuple 中任意深度的张量都要移动。"),
             given=_given(batch, device), where="to_device")


@settings(max_examples=15)
@given(nested_batches, TARGETS)
@example({"x": torch.ones(2), "head": nn.Linear(2, 2)}, "meta")  # a module has .to too, and moves in place
def test_keeps_containers(compare, batch, device: object) -> None:
    def scenario(impl):
        result = impl.to_device(copy_batch(batch), device)
        return {("the structure of the result", "返回值的结构"): skeleton(result)}

    with learner_code():
        same(compare, scenario, {}, ("Rebuild each container with its own type (type(obj)(...); a namedtuple with type(obj)(*values)), "
                                     "keep keys and order, and return other values as they are.",
                                     "请用容器自己的类型重建(type(obj)(...);namedtuple 用 type(obj)(*values)),保留键及顺序,"
                                     "其他值原样返回。"),
             given=_given(batch, device), where="to_device")


@settings(max_examples=15)
@given(nested_batches, TARGETS)
@example({"x": torch.ones(2), "head": nn.Linear(2, 2)}, "meta")  # a module has .to too, and moves in place
def test_input_not_mutated(compare, batch, device: object) -> None:
    def scenario(impl):
        caller = copy_batch(batch)
        containers = containers_in(caller)
        before = [tensors_in(c)[:] if isinstance(c, list | dict) else None for c in containers]
        snapshot = [list(c.items()) if isinstance(c, dict) else list(c) for c in containers]
        impl.to_device(caller, device)
        after = [list(c.items()) if isinstance(c, dict) else list(c) for c in containers]
        same_items = [len(a) == len(b) and all((x[1] if isinstance(c, dict) else x) is (y[1] if isinstance(c, dict) else y)
                                                for x, y in zip(a, b, strict=False))
                      for c, a, b in zip(containers, snapshot, after, strict=True)]
        del before
        return {
            ("the caller's batch afterwards", "调用后调用者的批次"): skeleton(caller),
            ("the tensors of the caller's batch afterwards", "调用后调用者批次中的张量"): _plain(tensors_in(caller)),
            ("each container of the caller's batch still holds the very same items", "调用者批次的每个容器仍持有原来的对象"): same_items,
        }

    with learner_code():
        same(compare, scenario, {}, ("Build new containers and never assign into the caller's (no obj[k] = ..., no .data swaps): "
                                     "the caller's batch must stay exactly as it was.",
                                     "请构建新的容器,不要给调用者的容器赋值(不要 obj[k] = ...,也不要替换 .data):"
                                     "调用者的批次必须保持原样。"),
             given=_given(batch, device), where="to_device")

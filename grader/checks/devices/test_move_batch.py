"""Checks for devices/move_batch: nested containers moved to the meta stand-in, types kept, input untouched."""

from collections import namedtuple

import torch

from grader.checks.support import expect, show

Batch = namedtuple("Batch", ["images", "labels", "name"])
META = torch.device("meta")


def _nested() -> dict:
    return {
        "x": [torch.ones(2), (torch.zeros(3), {"deep": torch.arange(4)})],
        "batch": Batch(torch.ones(2, 2), torch.tensor([1, 0]), "cats"),
        "step": 7,
        "note": None,
    }


def _tensors(obj) -> list[torch.Tensor]:
    if isinstance(obj, torch.Tensor):
        return [obj]
    if isinstance(obj, dict):
        return [t for v in obj.values() for t in _tensors(v)]
    if isinstance(obj, list | tuple):
        return [t for v in obj for t in _tensors(v)]
    return []


def test_moves_tensor(learner) -> None:
    for device in (META, "meta"):
        moved = learner.to_device(torch.ones(3), device)
        expect(
            isinstance(moved, torch.Tensor) and moved.device.type == "meta",
            f"to_device(tensor, {device!r}) returned {show(moved)}, not a tensor on meta.",
            f"to_device(tensor, {device!r}) 返回了 {show(moved)},而不是位于 meta 的张量。",
            learner.to_device,
        )


def test_moves_nested(learner) -> None:
    moved = learner.to_device(_nested(), META)
    left = [t for t in _tensors(moved) if t.device.type != "meta"]
    expect(
        len(_tensors(moved)) == 5 and not left,
        f"{len(left)} tensor(s) inside the batch stayed on the CPU: only the top level was moved? "
        "Recurse into dicts, lists, tuples and namedtuples.",
        f"批次中有 {len(left)} 个张量留在了 CPU 上:是不是只处理了最外层?请递归处理 dict、list、tuple 和 namedtuple。",
        learner.to_device,
    )


def test_keeps_containers(learner) -> None:
    moved = learner.to_device(_nested(), META)
    expect(isinstance(moved, dict) and list(moved) == ["x", "batch", "step", "note"],
           "The dict (its keys and their order) was not kept.", "没有保留 dict(键及其顺序)。", learner.to_device)
    expect(
        type(moved["batch"]) is Batch,
        f"A namedtuple came back as {type(moved['batch']).__name__}: rebuild it with type(obj)(*values), so fields like .images still work.",
        f"namedtuple 变成了 {type(moved['batch']).__name__}:请用 type(obj)(*values) 重建,这样 .images 等字段仍然可用。",
        learner.to_device,
    )
    expect(
        type(moved["x"]) is list and type(moved["x"][1]) is tuple and type(moved["x"][1][1]) is dict,
        "Lists must stay lists and tuples must stay tuples.",
        "list 必须仍是 list,tuple 必须仍是 tuple。",
        learner.to_device,
    )
    expect(
        moved["step"] == 7 and moved["note"] is None and moved["batch"].name == "cats",
        "Values that are not tensors must be kept as they are.",
        "非张量的值必须保持不变。",
        learner.to_device,
    )


def test_input_not_mutated(learner) -> None:
    original = _nested()
    inner_list, first = original["x"], original["x"][0]
    learner.to_device(original, META)
    expect(
        original["x"] is inner_list and inner_list[0] is first and all(t.device.type == "cpu" for t in _tensors(original)),
        "to_device changed its input: the caller's batch now holds moved tensors. Build new containers instead.",
        "to_device 修改了输入:调用者的批次里现在是移动后的张量。请构建新的容器。",
        learner.to_device,
    )

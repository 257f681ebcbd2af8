"""Checks for modules/save_load, by comparison with the reference.

save_weights and load_weights are checked apart, each through files the other did not
write (a state_dict saved by the tutorial's own code), so a message names the function
that is wrong. What is compared: what the file holds (read with weights_only=True), the
caller's model afterwards, str and Path paths, a second call (a module-level cache or
one shared loaded model would show there), a model with buffers, and what happens with a
file that must not load (hidden code, other keys): an error, and no code run.
"""

import itertools
import os
import warnings
from pathlib import Path

import torch
from torch import nn

from torchdojo.checks.modules.common import attempt, outcome, same_state
from torchdojo.checks.support import manual_seed, show

_Mapping = dict
_FORCE_UNSAFE = "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"
_counter = itertools.count()


class TutorialNetwork(nn.Module):
    """The quickstart's model, as the tutorial writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def _state(seed: int) -> dict:
    """A tutorial-format state_dict with values of its own."""
    generator = torch.Generator().manual_seed(seed)
    model = TutorialNetwork()
    with torch.no_grad():
        for param in model.parameters():
            param.copy_(torch.randn(param.shape, generator=generator) * 0.05)
    return model.state_dict()


def _with_buffers(seed: int) -> nn.Module:
    """A small model with buffers (BatchNorm's running statistics, an int64 counter) that a forward pass has changed."""
    manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model(torch.randn(5, 3, generator=torch.Generator().manual_seed(seed)))
    return model


def _file(folder: Path, name: str) -> Path:
    return folder / f"{next(_counter)}_{name}"


def _holds(path: Path, expected: dict) -> str:
    """What a file holds, read the safe way, compared with the state_dict it should hold."""
    if not path.exists():
        return "no file at that path"
    try:
        content = torch.load(path, weights_only=True)
    except Exception as error:  # noqa: BLE001 - described to the learner
        return f"a file that torch.load(path, weights_only=True) refuses ({type(error).__name__}): a pickled object, not a state_dict"
    if isinstance(content, _Mapping):
        return "a dict with " + same_state(expected, dict(content)) + " as model.state_dict()"
    return f"a {type(content).__name__}, not a state_dict"


def _snapshot(model: nn.Module) -> dict:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _mode(model: nn.Module) -> str:
    return "training" if model.training else "eval"


class _Payload:
    """An object whose unpickling has a side effect: what a malicious checkpoint would do."""

    ran = False

    def __reduce__(self):
        return (_mark, ())


def _mark() -> str:
    _Payload.ran = True
    return "code ran"


def test_saves_state_dict_only(compare, tmp_path) -> None:
    def scenario(impl):
        manual_seed(0)
        model = impl.NeuralNetwork()
        before = _snapshot(model)
        first = _file(tmp_path, "model.pth")
        impl.save_weights(model, str(first))
        seen: dict = {("what the file holds", "文件中的内容"): _holds(first, before),
                      ("the model's mode afterwards", "之后模型的模式"): _mode(model),
                      ("the model's state_dict() afterwards, compared with before", "之后模型的 state_dict() 与之前相比"):
                          same_state(before, dict(model.state_dict()))}
        other = _with_buffers(1).eval()
        before = _snapshot(other)
        second = _file(tmp_path, "buffers.pth")
        impl.save_weights(other, second)
        seen[("what a second file holds, for nn.Sequential(Linear, BatchNorm1d, ReLU, Linear) with its buffers, path given as a Path",
              "第二个文件(带缓冲区的 nn.Sequential(Linear, BatchNorm1d, ReLU, Linear),路径为 Path)中的内容")] = _holds(second, before)
        seen[("that model's mode afterwards (it was in eval mode)", "之后该模型的模式(原为评估模式)")] = _mode(other)
        again = _with_buffers(2)
        impl.save_weights(again, second)
        seen[("the second file after saving another model to the same path", "向同一路径保存另一个模型之后第二个文件的内容")] = (
            _holds(second, _snapshot(again)))
        seen[("save_weights(model, path) where path is an existing folder", "path 是已存在的文件夹时的 save_weights(model, path)")] = (
            outcome(lambda: impl.save_weights(again, tmp_path)))
        return seen

    compare.same(
        scenario,
        given="a NeuralNetwork saved to a str path, then a small model with buffers (in eval mode) saved twice to a Path",
        given_zh="一个 NeuralNetwork 保存到 str 路径,然后一个带缓冲区的小模型(评估模式)两次保存到同一个 Path",
        where="save_weights",
        hint=("Save exactly model.state_dict() to the path you are given: torch.save(model.state_dict(), path). Not the model "
              "itself (pickled), not only the parameters (buffers are state too), leave the model as it was, and let errors "
              "reach the caller.",
              "把 model.state_dict() 原样保存到给定的路径:torch.save(model.state_dict(), path)。不要保存整个模型(pickle),"
              "也不要只保存参数(缓冲区也是状态),不要改动模型,并让错误传给调用者。"),
    )


def test_round_trip(compare, tmp_path) -> None:
    first, second = _file(tmp_path, "first.pth"), _file(tmp_path, "second.pth")
    states = [_state(0), _state(1)]
    torch.save(states[0], first)
    torch.save(states[1], second)
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    colour = torch.rand(2, 3, 28, 28, generator=torch.Generator().manual_seed(1))

    def scenario(impl):
        one = impl.load_weights(str(first))
        seen: dict = {("what load_weights returns", "load_weights 的返回值"): type(one).__name__}
        if not isinstance(one, nn.Module):
            return seen
        seen[("its state_dict(), compared with the file", "它的 state_dict() 与文件相比")] = same_state(states[0], dict(one.state_dict()))
        seen[("its parameters require grad (a model ready to train)", "它的参数需要梯度(可以继续训练的模型)")] = all(
            p.requires_grad for p in one.parameters())
        one.eval()
        seen[("its output in eval mode", "它在评估模式下的输出")] = one(x.clone())
        seen[("its output for 3x28x28 (colour) images", "它对 3x28x28(彩色)图片的输出")] = outcome(lambda: one(colour.clone()))
        two = impl.load_weights(second)
        seen[("load_weights(path) for another file (given as a Path) returns a new model", "对另一个文件(Path)调用 load_weights(path) 返回新模型")] = (
            two is not one)
        seen[("the second model's state_dict(), compared with its file", "第二个模型的 state_dict() 与其文件相比")] = attempt(
            lambda: same_state(states[1], dict(two.state_dict())))
        seen[("the first model's state_dict() after the second load", "第二次加载之后第一个模型的 state_dict()")] = same_state(
            states[0], dict(one.state_dict()))
        return seen

    compare.same(
        scenario,
        given=f"two checkpoints saved with torch.save(model.state_dict(), path), one path as a str and one as a Path, x = {show(x)}",
        given_zh=f"两个用 torch.save(model.state_dict(), path) 保存的检查点,一个路径为 str,一个为 Path,x = {show(x)}",
        where="load_weights",
        hint=("Make a new NeuralNetwork on every call and load the file into it: model = NeuralNetwork(); "
              "model.load_state_dict(torch.load(path, weights_only=True)); return model.",
              "每次调用都新建一个 NeuralNetwork 并把文件加载进去:model = NeuralNetwork();"
              "model.load_state_dict(torch.load(path, weights_only=True));return model。"),
    )


def test_safe_load(compare, tmp_path) -> None:
    path = _file(tmp_path, "untrusted.pth")
    torch.save({**_state(5), "surprise": _Payload()}, path)

    def scenario(impl):
        _Payload.ran = False
        result = outcome(lambda: impl.load_weights(path))
        seen = {("code hidden in the file ran", "文件中隐藏的代码被执行了"): _Payload.ran, ("load_weights(path)", "load_weights(path)"): result}
        # Where torch.load's default is weights_only=False (PyTorch before 2.6, or this variable set),
        # only an explicit weights_only=True keeps the file's code from running.
        _Payload.ran = False
        before = os.environ.get(_FORCE_UNSAFE)
        os.environ[_FORCE_UNSAFE] = "1"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = outcome(lambda: impl.load_weights(path))
        finally:
            if before is None:
                os.environ.pop(_FORCE_UNSAFE, None)
            else:
                os.environ[_FORCE_UNSAFE] = before
        seen[("code hidden in the file ran, where torch.load defaults to weights_only=False (PyTorch < 2.6)",
              "在 torch.load 默认 weights_only=False 的环境(PyTorch < 2.6)中,文件中隐藏的代码被执行了")] = _Payload.ran
        seen[("load_weights(path) there", "该环境中的 load_weights(path)")] = result
        return seen

    compare.same(
        scenario,
        given="a file with the model's weights and a pickled object whose loading runs code",
        given_zh="一个包含模型权重和一个加载时会执行代码的 pickle 对象的文件",
        where="load_weights",
        hint=("Load with torch.load(path, weights_only=True), written out (the default differs between PyTorch versions and "
              "settings): it refuses such a file with an error. Let that error reach the caller instead of catching it.",
              "请用 torch.load(path, weights_only=True) 加载,并显式写出 weights_only=True(默认值随 PyTorch 版本和设置而不同):"
              "它会报错拒绝这样的文件。让这个错误传给调用者,不要捕获它。"),
    )


def test_wrong_file_raises(compare, tmp_path) -> None:
    for kind in ("extra", "missing", "shape", "other model"):
        _wrong_file(compare, tmp_path, kind)


def _wrong_file(compare, tmp_path: Path, kind: str) -> None:
    state = dict(_state(9))
    if kind == "extra":
        state["linear_relu_stack.6.weight"] = torch.zeros(10, 10)
    elif kind == "missing":
        del state["linear_relu_stack.4.bias"]
    elif kind == "shape":
        state["linear_relu_stack.4.weight"] = torch.zeros(11, 512)
        state["linear_relu_stack.4.bias"] = torch.zeros(11)
    else:
        state = dict(_with_buffers(0).state_dict())
    path = _file(tmp_path, f"{kind.replace(' ', '_')}.pth")
    torch.save(state, path)
    words = {"extra": ("a checkpoint with one key too many", "多了一个键的检查点"),
             "missing": ("a checkpoint with one key missing", "少了一个键的检查点"),
             "shape": ("a checkpoint for 11 classes instead of 10", "11 个类别(而不是 10 个)的检查点"),
             "other model": ("the state_dict of another model", "另一个模型的 state_dict")}[kind]
    compare.same(
        lambda impl: {("load_weights(path)", "load_weights(path)"): outcome(lambda: impl.load_weights(path))},
        given=words[0],
        given_zh=words[1],
        where="load_weights",
        hint=("load_state_dict is strict by default: a file that does not hold this model's weights raises an error. "
              "Keep strict=True and do not catch the error: a half-loaded model would silently give wrong answers.",
              "load_state_dict 默认是严格模式:文件中不是这个模型的权重时会报错。请保持 strict=True,也不要捕获这个错误:"
              "只加载了一半的模型会悄悄给出错误的结果。"),
    )

"""Checks for modules/save_load: a state_dict on disk, a faithful round trip, and a safe load."""

import pickle

import torch

from grader.checks.support import expect, expect_close, fail


class _Payload:
    """An object whose unpickling has a side effect: what a malicious checkpoint would do."""

    ran = False

    def __reduce__(self):
        return (_mark, ())


def _mark() -> str:
    _Payload.ran = True
    return "code ran"


def test_saves_state_dict_only(learner, tmp_path) -> None:
    path = tmp_path / "model.pth"
    learner.save_weights(learner.NeuralNetwork(), path)
    try:
        state = torch.load(path, weights_only=True)
    except pickle.UnpicklingError:
        fail("The file holds a pickled model, not a state_dict: save model.state_dict(), which loads with weights_only=True.",
             "文件中保存的是 pickle 的整个模型,而不是 state_dict:请保存 model.state_dict(),它可以用 weights_only=True 加载。",
             learner.save_weights)
    expect(isinstance(state, dict) and "linear_relu_stack.0.weight" in state,
           f"The file should hold the model's state_dict; it holds {type(state).__name__}.",
           f"文件中应是模型的 state_dict;实际是 {type(state).__name__}。", learner.save_weights)


def test_round_trip(learner, tmp_path) -> None:
    torch.manual_seed(3)
    model = learner.NeuralNetwork()
    path = tmp_path / "weights.pth"
    torch.save(model.state_dict(), path)
    loaded = learner.load_weights(path)
    expect(isinstance(loaded, torch.nn.Module), f"load_weights should return the model, got {type(loaded).__name__}.",
           f"load_weights 应返回模型,实际返回 {type(loaded).__name__}。", learner.load_weights)
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        expect_close(loaded(x), model(x), "outputs of the loaded model", "加载后模型的输出", learner.load_weights)


def test_safe_load(learner, tmp_path) -> None:
    path = tmp_path / "untrusted.pth"
    state = learner.NeuralNetwork().state_dict()
    torch.save({**state, "surprise": _Payload()}, path)
    _Payload.ran = False
    try:
        learner.load_weights(path)
    except NotImplementedError:
        raise
    except Exception:  # noqa: BLE001 - refusing the file is the right answer
        pass
    expect(not _Payload.ran, "load_weights ran code hidden in the checkpoint file. Load with torch.load(path, weights_only=True).",
           "load_weights 执行了检查点文件中隐藏的代码。请用 torch.load(path, weights_only=True) 加载。", learner.load_weights)

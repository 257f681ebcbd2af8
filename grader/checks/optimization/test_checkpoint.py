"""Checks for optimization/checkpoint: a resumed run continues bit-identically, by comparison with the reference.

The caller's training (strategies.optimization.TrainRun) draws from both generators every epoch
(torch.randperm and dropout; random.uniform), steps an SGD-with-momentum or Adam optimizer per batch
and a StepLR scheduler (step_size 2 or 3) per epoch. It is checkpointed after a drawn epoch, runs on
to the end (the uninterrupted run), then "a new process" (other seeds, freshly built objects with
other weights) loads the checkpoint and trains from the returned epoch to the end. Observed right
after loading: the epoch returned, the model's parameters, the optimizer's state and learning rate,
the scheduler's state, whether each generator is back where it was at the save; then the resumed
run's parameters and whether they equal the uninterrupted run's exactly. The in-memory checkpoint
is also restored after training went on (live state_dict tensors show) and restored twice. Files:
what save_checkpoint writes must open with torch.load(weights_only=True), str and Path paths both;
load_checkpoint must refuse a file with a pickled object, and run none of its code. Errors must reach
the caller: a missing file, a folder that does not exist, another model's checkpoint.
"""

import copy
import os
import random
import warnings
from pathlib import Path
from typing import Any

import torch
from hypothesis import example, given, settings

from torchdojo.checks.strategies.optimization import TrainRun, train_runs
from torchdojo.checks.support import manual_seed

_FORCE_UNSAFE = "TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD"

RETURNED = ("the epoch it returns (the next one to run)", "它返回的轮次(下一个要运行的轮次)")
PARAMS = ("the model's parameters right after loading", "加载之后模型的参数")
OPT_STATE = ("the optimizer's state right after loading (momentum buffers, Adam's moments and steps)",
             "加载之后优化器的状态(动量缓冲区、Adam 的矩估计和步数)")
LR = ("the learning rate right after loading", "加载之后的学习率")
SCHED = ("the scheduler's state_dict() right after loading", "加载之后调度器的 state_dict()")
TORCH_RNG = ("is torch's generator right after loading where it was at the save (torch.get_rng_state())",
             "加载之后 torch 的随机数生成器是否回到保存时的状态(torch.get_rng_state())")
PY_RNG = ("is Python's random right after loading where it was at the save (random.getstate())",
          "加载之后 Python 的 random 是否回到保存时的状态(random.getstate())")
STRAIGHT = ("the uninterrupted run's final parameters (saving must change nothing)", "不中断训练的最终参数(保存不能改变任何东西)")
RESUMED = ("the resumed run's final parameters", "恢复后训练的最终参数")
IDENTICAL = ("does the resumed run end bit-identical to the uninterrupted one", "恢复后的训练是否与不中断的训练逐位相同")

_HINTS: dict[tuple[str, str], tuple[str, str]] = {
    RETURNED: ("Return the saved epoch + 1: the epoch saved is the one just finished, and it must not run twice.",
               "返回保存的轮次 + 1:保存的是刚刚完成的轮次,它不能再运行一次。"),
    PARAMS: ("Save model.state_dict() and load it with model.load_state_dict(...).",
             "保存 model.state_dict(),并用 model.load_state_dict(...) 加载。"),
    OPT_STATE: (("Save optimizer.state_dict() too and load it with optimizer.load_state_dict(...): without the momentum buffers "
                "(or Adam's moments and step counts) the first steps after resuming are different steps."),
                ("也要保存 optimizer.state_dict(),并用 optimizer.load_state_dict(...) 加载:没有动量缓冲区(或 Adam 的矩估计和步数),"
                "恢复后的头几步就是不同的步了。")),
    LR: ("The learning rate lives in the optimizer's state_dict (param_groups): load it.",
         "学习率保存在优化器的 state_dict(param_groups)中:要加载它。"),
    SCHED: (("Save scheduler.state_dict() and load it with scheduler.load_state_dict(...): a fresh scheduler starts its schedule "
            "again and decays the learning rate at other epochs."),
            "保存 scheduler.state_dict(),并用 scheduler.load_state_dict(...) 加载:新建的调度器会从头开始计划,在别的轮次衰减学习率。"),
    TORCH_RNG: (("Save torch.get_rng_state() and put it back with torch.set_rng_state(...): dropout and shuffling draw from it. "
                "Do not reseed it while saving."),
                "保存 torch.get_rng_state(),并用 torch.set_rng_state(...) 恢复:dropout 和打乱顺序都从它取随机数。保存时不要重新设种子。"),
    PY_RNG: ("Save random.getstate() and put it back with random.setstate(...).",
             "保存 random.getstate(),并用 random.setstate(...) 恢复。"),
    STRAIGHT: ("Saving must change nothing: not the model, not the optimizer, not the random number generators.",
               "保存不能改变任何东西:不改变模型、优化器,也不改变随机数生成器。"),
}
SNAPSHOT_HINT = (("state_dict() returns the live tensors: training on changes them, and optimizer.load_state_dict keeps the tensors "
                 "it is given. Copy them (copy.deepcopy) when you take the snapshot and when you restore it."),
                 ("state_dict() 返回的是正在使用的张量:继续训练会改变它们,而 optimizer.load_state_dict 会直接使用传给它的张量。"
                 "拍快照时和恢复时都要复制它们(copy.deepcopy)。"))


def _flat(model: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1).clone() for p in model.parameters()])


def _epoch(run: TrainRun, model, optimizer, scheduler) -> None:
    """One epoch as the caller trains: shuffled by torch, each batch's loss scaled by Python's random."""
    x, y = run.data()
    model.train()
    order = torch.randperm(len(x))
    for start in range(0, len(x), 4):
        batch = order[start:start + 4]
        scale = random.uniform(0.5, 1.5)
        loss = ((model(x[batch]) - y[batch]) ** 2).mean() * scale
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    scheduler.step()


def _train(run: TrainRun, objects: tuple, epochs: range) -> None:
    for _ in epochs:
        _epoch(run, *objects)


def _resume_from(run: TrainRun, start: Any, objects: tuple) -> Any:
    """Train from the returned epoch to the end; a returned value that is no epoch of this run is not trained from."""
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= run.epochs:
        return f"not trained: the returned epoch {start!r} is not one of this run's"
    _train(run, objects, range(start, run.epochs))
    return _flat(objects[0])


def _after_loading(start: Any, objects: tuple, saved_rng: tuple[torch.Tensor, object]) -> dict[tuple[str, str], Any]:
    model, optimizer, scheduler = objects
    return {
        RETURNED: start,
        PARAMS: _flat(model),
        OPT_STATE: copy.deepcopy(optimizer.state_dict()["state"]),  # a copy: the resumed run changes the live buffers
        LR: [group["lr"] for group in optimizer.param_groups],
        SCHED: copy.deepcopy(scheduler.state_dict()),
        TORCH_RNG: bool(torch.equal(torch.get_rng_state(), saved_rng[0])),
        PY_RNG: random.getstate() == saved_rng[1],
    }


def _new_process() -> None:
    """What a new process starts from: other seeds than the saved run's."""
    manual_seed(12345)
    random.seed(54321)


def _hint(expected: dict, got: dict) -> tuple[str, str] | None:
    for label, hint in _HINTS.items():
        if label in expected and not _same(expected[label], got.get(label)):
            return hint
    return None


def _same(a: Any, b: Any) -> bool:
    if torch.is_tensor(a) or torch.is_tensor(b):
        return torch.is_tensor(a) and torch.is_tensor(b) and a.shape == b.shape and bool(torch.equal(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _file_scenario(run: TrainRun, folder: Path, as_str: bool):
    def scenario(impl):
        path: str | Path = folder / f"{impl.__name__.replace('.', '_')}_{run.data_seed}.pt"
        if as_str:
            path = str(path)
        objects = run.build(1)
        _train(run, objects, range(run.saved_after + 1))
        impl.save_checkpoint(path, *objects, run.saved_after)
        saved_rng = (torch.get_rng_state(), random.getstate())
        _train(run, objects, range(run.saved_after + 1, run.epochs))
        straight = _flat(objects[0])
        _new_process()
        fresh = run.build(2)
        start = impl.load_checkpoint(path, *fresh)
        seen: dict[tuple[str, str], Any] = _after_loading(start, fresh, saved_rng)
        seen[STRAIGHT] = straight
        resumed = _resume_from(run, start, fresh)
        seen[RESUMED] = resumed
        seen[IDENTICAL] = _same(resumed, straight)
        return seen

    return scenario


@settings(max_examples=6, deadline=None)
@example(run=TrainRun("sgd", 0.1, 0.9, 2, 0.5, 0.25, 4, 1, 7))
@example(run=TrainRun("adam", 0.05, 0.6, 3, 0.3, 0.5, 5, 2, 8))
@given(run=train_runs())
def test_resume_from_file(compare, tmp_path, run: TrainRun) -> None:
    compare.same(_file_scenario(run, tmp_path, as_str=run.data_seed % 2 == 0), given=run.describe(), given_zh=run.describe_zh(),
                 where="load_checkpoint", hint=_hint)


def _memory_scenario(run: TrainRun):
    def scenario(impl):
        objects = run.build(1)
        _train(run, objects, range(run.saved_after + 1))
        before = (torch.get_rng_state(), random.getstate())
        checkpoint = impl.snapshot(*objects, run.saved_after)
        seen: dict[tuple[str, str], Any] = {
            ("are both generators where they were before snapshot(...)", "snapshot(...) 之后两个随机数生成器是否保持原状"):
                bool(torch.equal(torch.get_rng_state(), before[0])) and random.getstate() == before[1],
        }
        _train(run, objects, range(run.saved_after + 1, run.epochs))
        straight = _flat(objects[0])
        seen[STRAIGHT] = straight
        for label in (("restored after training went on", "在继续训练之后恢复"), ("restored a second time", "第二次恢复")):
            _new_process()
            fresh = run.build(2)
            start = impl.restore(checkpoint, *fresh)
            resumed = _resume_from(run, start, fresh)
            seen[(f"the epoch restore returns, {label[0]}", f"{label[1]}时 restore 返回的轮次")] = start
            seen[(f"the resumed run's final parameters, {label[0]}", f"{label[1]}后训练的最终参数")] = resumed
            seen[(f"does it end bit-identical to the uninterrupted run, {label[0]}", f"{label[1]}后是否与不中断的训练逐位相同")] = \
                _same(resumed, straight)
        return seen

    return scenario


@settings(max_examples=5, deadline=None)
@example(run=TrainRun("sgd", 0.05, 0.6, 2, 0.3, 0.5, 4, 0, 9))
@example(run=TrainRun("adam", 0.1, 0.9, 3, 0.5, 0.25, 3, 1, 10))
@given(run=train_runs())
def test_snapshot_restore(compare, run: TrainRun) -> None:
    compare.same(_memory_scenario(run), given=run.describe(), given_zh=run.describe_zh(), where="restore", hint=SNAPSHOT_HINT)


class _Payload:
    """An object whose unpickling has a side effect: what a malicious checkpoint would do."""

    ran = False

    def __reduce__(self):
        return (_mark, ())


def _mark() -> str:
    _Payload.ran = True
    return "code ran"


def _opens(path: Path) -> str:
    if not path.exists():
        return "no file at that path"
    try:
        content = torch.load(path, weights_only=True)
    except Exception as error:  # noqa: BLE001 - described to the learner
        return f"torch.load(path, weights_only=True) refuses it ({type(error).__name__}): it holds a pickled object"
    return "it opens" if isinstance(content, dict) else f"it opens, but holds a {type(content).__name__}"


def _outcome(action) -> Any:
    try:
        return action()
    except NotImplementedError:
        raise
    except Exception as error:  # noqa: BLE001 - the exception is the observation
        return error


def _loud(result: Any) -> str:
    """Any error is right where the spec asks for one (the file's or PyTorch's own); returning is not."""
    return "raises an error" if isinstance(result, Exception) else f"returns {result!r}"


def test_safe_files(compare, tmp_path) -> None:
    run = TrainRun("sgd", 0.1, 0.9, 2, 0.5, 0.25, 3, 0, 11)
    untrusted = tmp_path / "untrusted.pt"
    with torch.random.fork_rng(devices=[]):
        objects = run.build(3)
        torch.save({"model": objects[0].state_dict(), "surprise": _Payload()}, untrusted)

    def scenario(impl):
        seen: dict[tuple[str, str], Any] = {}
        for kind, path in (("a Path", tmp_path / f"{impl.__name__.replace('.', '_')}.pt"),
                           ("a str", str(tmp_path / f"{impl.__name__.replace('.', '_')}_str.pt"))):
            objects = run.build(1)
            _train(run, objects, range(1))
            impl.save_checkpoint(path, *objects, 0)
            seen[(f"the file save_checkpoint wrote to {kind}, opened with torch.load(path, weights_only=True)",
                  f"用 torch.load(path, weights_only=True) 打开 save_checkpoint 写到 {kind} 的文件")] = _opens(Path(path))
        _Payload.ran = False
        before = os.environ.get(_FORCE_UNSAFE)
        os.environ[_FORCE_UNSAFE] = "1"  # where torch.load defaults to weights_only=False: only an explicit True is safe
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = _outcome(lambda: impl.load_checkpoint(untrusted, *run.build(2)))
        finally:
            if before is None:
                os.environ.pop(_FORCE_UNSAFE, None)
            else:
                os.environ[_FORCE_UNSAFE] = before
        seen[("code hidden in an untrusted file ran while loading it", "加载不可信文件时其中隐藏的代码被执行了")] = _Payload.ran
        seen[("load_checkpoint(untrusted file, ...)", "load_checkpoint(不可信文件, ...)")] = _loud(result)
        seen[("load_checkpoint(a file that does not exist, ...)", "load_checkpoint(不存在的文件, ...)")] = \
            _loud(_outcome(lambda: impl.load_checkpoint(tmp_path / "missing.pt", *run.build(2))))
        seen[("save_checkpoint(a path in a folder that does not exist, ...)", "save_checkpoint(不存在的文件夹中的路径, ...)")] = \
            _loud(_outcome(lambda: impl.save_checkpoint(tmp_path / "no_such_folder" / "c.pt", *run.build(1), 0)))
        other = torch.nn.Linear(3, 1)  # another model: other parameter names and shapes
        other_optimizer = torch.optim.SGD(other.parameters(), lr=0.1, momentum=0.9)
        foreign = impl.snapshot(other, other_optimizer, torch.optim.lr_scheduler.StepLR(other_optimizer, 2), 0)
        seen[("restore(a checkpoint of another model, ...)", "restore(另一个模型的检查点, ...)")] = \
            _loud(_outcome(lambda: impl.restore(foreign, *run.build(2))))
        return seen

    compare.same(scenario, given=f"{run.describe()}; a file with a pickled object whose loading runs code; a missing file; another model",
                 given_zh=f"{run.describe_zh()};一个包含加载时会执行代码的 pickle 对象的文件;不存在的文件;另一个模型", where="load_checkpoint",
                 hint=(("Save plain state_dicts, numbers and RNG states (no model or optimizer objects), and load with "
                       "torch.load(path, weights_only=True), written out: it refuses a file with a pickled object. Let errors "
                       "reach the caller: a missing file or another model's checkpoint must not quietly start training over."),
                       ("只保存普通的 state_dict、数字和随机数状态(不要保存模型或优化器对象),并用 torch.load(path, weights_only=True) "
                       "加载,显式写出 weights_only=True:它会拒绝包含 pickle 对象的文件。让错误传给调用者:文件不存在或"
                       "是另一个模型的检查点时,不能悄悄地从头开始训练。")))

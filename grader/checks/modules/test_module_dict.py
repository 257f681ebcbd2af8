"""Checks for modules/module_dict, by comparison with the reference on generated task dicts and inputs.

Task dicts are never in sorted order (sorting the names shows), sizes repeat (heads shared by
size show), one task alone is tried (a model with no dict at all shows). The learner's model gets
the reference's state_dict (the keys are fixed by the exercise, so a checkpoint must load), and
outputs for all tasks and for one, gradients per head and an unknown task are compared.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.modules.common import attempt, values
from torchdojo.checks.strategies.modules import SEEDS, randn, task_dicts

WHERE = "MultiTaskNet.forward"


def _words(in_features: int, tasks: dict[str, int]) -> str:
    return f"MultiTaskNet({in_features}, 5, {tasks})"


def _loaded(impl, in_features: int, tasks: dict[str, int], seed: int):
    """A model of `impl` given the state_dict the exercise describes, with seeded values (its keys are the contract)."""
    shapes = {"trunk.weight": (5, in_features), "trunk.bias": (5,)}
    for name, size in tasks.items():
        shapes[f"heads.{name}.weight"] = (size, 5)
        shapes[f"heads.{name}.bias"] = (size,)
    generator = torch.Generator().manual_seed(seed)
    state = {key: torch.randn(shape, generator=generator) for key, shape in shapes.items()}
    model = impl.MultiTaskNet(in_features, 5, dict(tasks))
    return model, attempt(lambda: str(model.load_state_dict(state)))


@settings(max_examples=5)
@given(st.integers(1, 4), task_dicts())
def test_registered(compare, in_features: int, tasks: dict[str, int]) -> None:
    def scenario(impl):
        model = impl.MultiTaskNet(in_features, 5, dict(tasks))
        seen = {("model.state_dict() keys and shapes", "model.state_dict() 的键和形状"): [(k, tuple(v.shape)) for k, v in model.state_dict().items()],
                ("the number of tensors in model.parameters()", "model.parameters() 中张量的个数"): len(list(model.parameters()))}
        model.to(torch.float64)
        seen[("the dtypes after model.to(torch.float64)", "model.to(torch.float64) 之后的 dtype")] = sorted({str(p.dtype) for p in model.parameters()})
        return seen

    compare.same(scenario, given=_words(in_features, tasks), where="MultiTaskNet.__init__",
                 hint=(("self.trunk = nn.Linear(in_features, hidden) and self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) "
                       "for name, size in tasks.items()}): a plain dict is not registered, and the names give the state_dict keys."),
                       ("self.trunk = nn.Linear(in_features, hidden),self.heads = nn.ModuleDict({name: nn.Linear(hidden, size) "
                       "for name, size in tasks.items()}):普通 dict 不会被注册,名称决定 state_dict 的键。")))


@settings(max_examples=5)
@given(st.integers(1, 4), task_dicts(), st.integers(1, 3), SEEDS)
def test_forward_all(compare, in_features: int, tasks: dict[str, int], batch: int, seed: int) -> None:
    x = randn((batch, in_features), seed + 1)

    def scenario(impl):
        model, loaded = _loaded(impl, in_features, tasks, seed)
        out = model(x.clone())
        return {("load_state_dict with the exercise's keys", "用练习规定的键调用 load_state_dict"): loaded,
                ("the task names of model(x), in order", "model(x) 中的任务名(按顺序)"): list(out) if isinstance(out, dict) else out,
                ("model(x)", "model(x)"): {k: values(v) for k, v in out.items()} if isinstance(out, dict) else out}

    compare.same(scenario, given=f"{_words(in_features, tasks)}, x of shape {tuple(x.shape)}", where=WHERE,
                 hint=(("forward(x) returns {task: head(relu(trunk(x)))} for every task, in the order of tasks (iterate over "
                       "self.heads.items(): nn.ModuleDict keeps that order)."),
                       ("forward(x) 返回 {任务: head(relu(trunk(x)))},包含每个任务,顺序与 tasks 相同(遍历 "
                       "self.heads.items():nn.ModuleDict 保持该顺序)。")))


@settings(max_examples=5)
@given(st.integers(1, 4), task_dicts(), SEEDS, st.data())
def test_one_task(compare, in_features: int, tasks: dict[str, int], seed: int, data: st.DataObject) -> None:
    task = data.draw(st.sampled_from(list(tasks)))
    x = randn((3, in_features), seed + 2)

    def scenario(impl):
        model, _ = _loaded(impl, in_features, tasks, seed)
        x_in = x.clone().requires_grad_(True)
        out = model(x_in, task)
        ended = attempt(lambda: out.sum().backward())
        return {(f"model(x, {task!r})", f"model(x, {task!r})"): values(out),
                ("out.sum().backward()", "out.sum().backward()"): ended,
                ("which heads got a gradient", "哪些头得到了梯度"): sorted(
                    name.split(".")[1] for name, p in model.named_parameters() if name.startswith("heads.") and p.grad is not None),
                ("x.grad", "x.grad"): x_in.grad,
                ("model(x, 'no_such_task')", "model(x, 'no_such_task')"): attempt(lambda: model(x, "no_such_task"))}

    compare.same(scenario, given=f"{_words(in_features, tasks)}, task = {task!r}", where=WHERE,
                 hint=(("forward(x, task) runs the trunk and that one head only (self.heads[task]), so only it gets gradients; "
                       "an unknown task raises KeyError (nn.ModuleDict does that for you)."),
                       ("forward(x, task) 只运行 trunk 和该任务的头(self.heads[task]),所以只有它得到梯度;"
                       "未知任务抛出 KeyError(nn.ModuleDict 会替你抛出)。")))

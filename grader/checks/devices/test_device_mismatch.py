"""Checks for devices/device_mismatch: compared with the reference on generated models and inputs.

Models vary (an MLP, a float64 layer, an embedding that takes integer token ids, a model with
dropout in eval mode) and so do batch sizes between calls. The `meta` device plays the
accelerator (`MetaDeviceSpy`); every simulated machine kind is tried while the model sits
elsewhere, so a guessed device is caught. Compared: the result (values, dtype, shape,
device, graph), what the model received (device, dtype) and grad mode while it ran, the
caller's x and model afterwards, grad mode after the call and inside the caller's blocks.
"""

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import MACHINES, MetaDeviceSpy, is_device_mismatch, learner_code, on_stand_in, simulated
from torchdojo.checks.strategies.devices import ModelCase, batch_sizes, model_cases

META_HINT = ("Move x to the model's device, read from the model: next(model.parameters()).device — don't guess it, and leave the model where it is.",
             "请把 x 移到从模型读取的设备:next(model.parameters()).device——不要猜,也不要移动模型。")


def _watch(model: torch.nn.Module, spy: MetaDeviceSpy | None = None) -> dict[str, list]:
    """What the model's first layer receives: device, dtype, and grad mode, call by call."""
    seen: dict[str, list] = {"devices": [], "dtypes": [], "grad": []}
    first = next(iter(model.children()), model)

    def hook(module, inputs, output):
        x = inputs[0]
        seen["devices"].append((spy.device_of(x) if spy else x.device).type)
        seen["dtypes"].append(str(x.dtype).removeprefix("torch."))
        seen["grad"].append(torch.is_grad_enabled())

    first.register_forward_hook(hook)
    return seen


def _given(case: ModelCase, sizes: tuple[int, ...], where: str) -> tuple[str, str]:
    batches = " then ".join(f"x with {n} row{'s' if n != 1 else ''}" for n in sizes)
    zh = ",然后".join(f"{n} 行的 x" for n in sizes)
    return f"model = {case.name} on {where}, {batches}", f"model = {case.name},位于 {where};输入依次为 {zh}"


def _call(impl, model, x, spy):
    """predict, with the 'tensors on different devices' error turned into an observation."""
    try:
        with spy:
            result = impl.predict(model, x)
    except RuntimeError as error:
        if is_device_mismatch(error):
            return "an error: the model and its input are on different devices"
        raise
    return result


@settings(max_examples=12)
@given(model_cases, st.lists(batch_sizes, min_size=2, max_size=2), st.integers(0, 100))
def test_cpu_model_values(compare, case: ModelCase, sizes: list[int], seed: int) -> None:
    def scenario(impl):
        model = case.make(seed)
        generator = torch.Generator().manual_seed(seed)
        inputs = [case.make_input(generator, n) for n in sizes]
        results = [impl.predict(model, x) for x in inputs]
        return {
            ("the result", "返回值"): [r.detach() if isinstance(r, torch.Tensor) else r for r in results],
            ("the caller's x afterwards", "调用后调用者的 x"): inputs,
            ("the model afterwards", "调用后的模型"): model,
        }

    en, zh = _given(case, tuple(sizes), "the CPU")

    def wrong_width(impl):  # the model itself raises: so must predict (no swallowed errors, no None)
        model = case.make(seed)
        x = case.make_input(torch.Generator().manual_seed(seed), 2)
        return impl.predict(model, torch.cat([x, x], dim=1) if case.dtype != torch.int64 else x.float() + 0.5)

    with learner_code():
        same(compare, wrong_width, {}, ("Let the model's own error reach the caller: don't catch it.", "让模型自己的错误传给调用者:不要捕获它。"),
             given=f"model = {case.name} on the CPU, an input of the wrong width (the model raises)", where="predict")
        result_hint = ("Return model(x) itself, computed with x as given (no dtype change) on the model's device.",
                       "请返回 model(x) 本身:x 保持原来的 dtype,在模型所在的设备上计算。")
        same(compare, scenario, {"the result": result_hint}, ("Don't change the caller's x or model.", "不要改动调用者的 x 或模型。"),
             result_hint, given=en, given_zh=zh, where="predict")


@settings(max_examples=10)
@given(model_cases, batch_sizes, st.booleans(), st.integers(0, 100))
def test_runs_without_graph(compare, case: ModelCase, n: int, x_requires_grad: bool, seed: int) -> None:
    def scenario(impl):
        model = case.make(seed)
        seen = _watch(model)
        x = case.make_input(torch.Generator().manual_seed(seed), n)
        if x_requires_grad and x.is_floating_point():
            x.requires_grad_(True)
        result = impl.predict(model, x)
        with torch.no_grad():
            impl.predict(model, x)
            inside_no_grad = torch.is_grad_enabled()
        with torch.enable_grad():
            impl.predict(model, x)
            inside_enable_grad = torch.is_grad_enabled()
        return {
            ("grad mode while the model ran", "模型运行时的梯度模式"): seen["grad"][:1],
            ("the result", "返回值"): result,
            ("grad mode inside the caller's torch.no_grad() after the call", "调用后调用者 torch.no_grad() 块中的梯度模式"): inside_no_grad,
            ("grad mode inside the caller's torch.enable_grad() after the call", "调用后调用者 torch.enable_grad() 块中的梯度模式"): inside_enable_grad,
        }

    en, zh = _given(case, (n,), "the CPU")
    with learner_code():
        same(compare, scenario, {}, ("Run the model inside `with torch.no_grad():` (a with-block restores grad mode afterwards); "
                           "detaching the result afterwards still builds the graph.",
                           "请在 `with torch.no_grad():` 中运行模型(with 块结束后会恢复梯度模式);"
                           "事后再 detach 结果,计算图仍然已经建好了。"), given=en + (" (x requires grad)" if x_requires_grad else ""), given_zh=zh,
             where="predict")


def _on_meta(impl, case: ModelCase, sizes: tuple[int, ...], seed: int, machine) -> dict:
    model = on_stand_in(case.make(seed))
    generator = torch.Generator().manual_seed(seed)
    inputs = [case.make_input(generator, n) for n in sizes]
    spy = MetaDeviceSpy(where=getattr(impl, "predict", None), carry_data=True)
    seen = _watch(model, spy)
    with simulated(machine):
        results = [_call(impl, model, x, spy) for x in inputs]
    return {"seen": seen, "results": results, "inputs": inputs, "model": model, "spy": spy}


@settings(max_examples=10)
@given(model_cases, st.lists(batch_sizes, min_size=1, max_size=2), st.sampled_from(MACHINES), st.integers(0, 100))
def test_input_on_model_device(compare, case: ModelCase, sizes: list[int], machine, seed: int) -> None:
    def scenario(impl):
        run = _on_meta(impl, case, tuple(sizes), seed, machine)
        return {
            ("what happened", "运行结果"): [r if isinstance(r, str) else "returned" for r in run["results"]],
            ("the device of the input the model received", "模型收到的输入所在的设备"): run["seen"]["devices"],
            ("the dtype of the input the model received", "模型收到的输入的 dtype"): run["seen"]["dtypes"],
            ("the caller's x afterwards", "调用后调用者的 x"): run["inputs"],
        }

    en, zh = _given(case, tuple(sizes), "the accelerator (the meta device stands in)")
    with learner_code():
        same(compare, scenario, {"the caller's x": ("Don't change the caller's x: x.to(device) returns a new tensor.",
                                                    "不要改动调用者的 x:x.to(device) 会返回新的张量。")}, META_HINT,
             given=f"{en}, on a machine with {machine.describe()[0]}", given_zh=f"{zh},机器上有{machine.describe()[1]}", where="predict")


@settings(max_examples=10)
@given(model_cases, batch_sizes, st.sampled_from(MACHINES), st.integers(0, 100))
def test_result_on_cpu(compare, case: ModelCase, n: int, machine, seed: int) -> None:
    def scenario(impl):
        run = _on_meta(impl, case, (n,), seed, machine)
        result = run["results"][0]
        if isinstance(result, torch.Tensor):
            return {("the device of the result", "返回值所在的设备"): run["spy"].device_of(result).type,
                    ("the result's shape and dtype", "返回值的形状和 dtype"): (tuple(result.shape), str(result.dtype))}
        return {("the device of the result", "返回值所在的设备"): result if isinstance(result, str) else type(result).__name__}

    en, zh = _given(case, (n,), "the accelerator (the meta device stands in)")
    with learner_code():
        same(compare, scenario, {}, ("Bring the result back to the CPU: return out.cpu().", "请把结果取回 CPU:return out.cpu()。"),
             given=en, given_zh=zh, where="predict")


@settings(max_examples=10)
@given(model_cases, st.sampled_from([m for m in MACHINES if m.kind]), st.booleans(), st.integers(0, 100))
def test_device_from_model(compare, case: ModelCase, machine, meta_first: bool, seed: int) -> None:
    order = ("meta", "cpu") if meta_first else ("cpu", "meta")

    def scenario(impl):
        spy = MetaDeviceSpy(where=getattr(impl, "predict", None), carry_data=True)
        models = [on_stand_in(case.make(seed)) if place == "meta" else case.make(seed) for place in order]
        seen = [_watch(model, spy) for model in models]
        generator = torch.Generator().manual_seed(seed)
        with simulated(machine):
            results = [_call(impl, model, case.make_input(generator, 3), spy) for model in models]
        return {
            ("what happened", "运行结果"): [r if isinstance(r, str) else "returned" for r in results],
            ("the device of the input each model received", "每个模型收到的输入所在的设备"): [s["devices"] for s in seen],
            ("the models afterwards", "调用后的模型"): models,
        }

    first, then = ("the accelerator (meta)", "the CPU") if meta_first else ("the CPU", "the accelerator (meta)")
    with learner_code():
        same(compare, scenario, {}, META_HINT,
             given=f"model = {case.name}, first on {first} then on {then}, on a machine with {machine.describe()[0]}",
             given_zh=f"model = {case.name},先在 {first} 上,再在 {then} 上;机器上有{machine.describe()[1]}", where="predict")

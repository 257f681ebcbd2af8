"""Checks for devices/pick_device: compared with the reference on every simulated machine.

Each machine kind is simulated (no accelerator, a build that knows one it cannot use,
cuda with one or two devices, mps, xpu with two devices, a custom backend), alone and
after a first call on another machine (an answer cached across calls is caught). The
answer is compared as a device (an index is fine when it is the current one), and the
default device must be left alone.
"""

import torch

from torchdojo.checks.stand_in import GraderLimit, Machine, default_device, is_genuine, learner_code, simulated
from torchdojo.checks.strategies.devices import CUDA, MACHINES, OTHER_KINDS, WITHOUT, describe_run, machine_runs


def _as_device(result: object, machine: Machine) -> object:
    """The answer as a device (a string costs only `returns_device_object`); the current index counts as no index."""
    if isinstance(result, str):
        try:
            result = torch.device(result)
        except RuntimeError:
            return result
    if isinstance(result, torch.device):
        if result.index is not None and machine.kind == result.type and result.index == machine.index:
            return torch.device(result.type)
        return result
    return f"{type(result).__name__}: {result!r}"


def _compare_runs(compare, runs, hint) -> None:
    """Every run is compared; a run the stand-in cannot simulate is skipped, and its limit reported only
    when no other run failed (a grader limit never hides a mistake)."""
    limited: list[GraderLimit] = []
    for run in runs:
        def scenario(impl, run=run):
            answers = []
            for machine in run:
                with simulated(machine):
                    answers.append(_as_device(impl.pick_device(), machine))
            return {("the device it returns", "返回的设备"): answers[-1]}

        en, zh = describe_run(run)
        try:
            compare.same(scenario, given=en, given_zh=zh, where="pick_device", hint=hint)
        except GraderLimit as error:
            if not is_genuine(error):
                raise
            limited.append(error)

    def after(impl):
        left = []
        for run in runs:
            with simulated(run[-1]):
                impl.pick_device()
                left.append(default_device())
        return {("the default device after each call (torch.get_default_device())", "每次调用后的默认设备(torch.get_default_device())"): left}

    if limited:
        raise limited[0]
    compare.same(after, given="calls on each machine of this check", given_zh="在本项检查的每台机器上调用时", where="pick_device",
                 hint=("pick_device only answers: don't call torch.set_default_device, which changes where every later tensor is made.",
                       "pick_device 只负责回答:不要调用 torch.set_default_device,它会改变之后所有张量的创建位置。"))


def test_returns_device_object(compare) -> None:
    with learner_code():
        for machine in MACHINES:
            def scenario(impl, machine=machine):
                with simulated(machine):
                    result = impl.pick_device()
                return {("the type of what it returns", "返回值的类型"): type(result).__name__}

            en, zh = describe_run((machine,))
            compare.same(scenario, given=en, given_zh=zh, where="pick_device",
                         hint=("Return a torch.device (torch.device(\"cpu\"), or what current_accelerator() gives), not a string.",
                               "请返回 torch.device(torch.device(\"cpu\") 或 current_accelerator() 的返回值),而不是字符串。"))


def test_cpu_without_accelerator(compare) -> None:
    with learner_code():
        _compare_runs(compare, machine_runs(WITHOUT),
                      ("Ask torch.accelerator.is_available() first: current_accelerator() alone names the accelerator the "
                       "build knows even when none is usable. Ask again on every call.",
                       "请先询问 torch.accelerator.is_available():只调用 current_accelerator() 时,即使没有可用的加速器,"
                       "它也会给出版本所支持的加速器。每次调用都要重新询问。"))


def test_accelerator_when_available(compare) -> None:
    with learner_code():
        _compare_runs(compare, machine_runs(CUDA),
                      ("When torch.accelerator.is_available(), return torch.accelerator.current_accelerator(); ask on every call.",
                       "当 torch.accelerator.is_available() 为真时,返回 torch.accelerator.current_accelerator();每次调用都要询问。"))


def test_not_hard_coded(compare) -> None:
    with learner_code():
        _compare_runs(compare, machine_runs(OTHER_KINDS),
                      ("Don't hard-code \"cuda\" or list backends yourself (mps, xpu and custom backends exist): "
                       "return torch.accelerator.current_accelerator().",
                       "不要写死 \"cuda\",也不要自己列举后端(还有 mps、xpu 和自定义后端):"
                       "请返回 torch.accelerator.current_accelerator()。"))

"""Device exercises are graded without a GPU: simulated machines of every kind, the meta stand-in
that accepts every `.to()` form, grader limits that only the grader can raise, and `needs_gpu`
checks that are neither failed nor passed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from torch import nn

from tests.conftest import FIXTURES, ROOT, grade_file, run_cli
from torchdojo.checks.stand_in import CUSTOM, KINDS, MACHINES, GraderLimit, Machine, MetaDeviceSpy, is_genuine, limit, parse_to, simulate_accelerator, simulated
from torchdojo.checks.support import CheckFailed

SOLUTIONS = ROOT / "solutions" / "03_devices"
REAL_IS_AVAILABLE = torch.accelerator.is_available
EXERCISES = {
    "devices/pick_device": "01_pick_device.py",
    "devices/move_batch": "02_move_batch.py",
    "devices/device_mismatch": "03_device_mismatch.py",
    "devices/train_step": "04_train_step.py",
    "devices/transfer_options": "05_transfer_options.py",
}


def _load(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"devices_solution_{name[:2]}", SOLUTIONS / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _grade_source(tmp_path: Path, exercise: str, source: str, name: str = "submission.py"):
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return grade_file(exercise, path)


# -- the stand-ins themselves (in process, fast) -----------------------------------------------------


def test_hard_coded_cuda_is_named_in_the_message() -> None:
    report = grade_file("devices/pick_device", FIXTURES / "devices" / "pick_device" / "wrong_always_cuda.py")
    message = next(c.message.en for c in report.checks if c.name == "not_hard_coded")
    assert 'hard-code "cuda"' in message and "expected device(type='mps'), yours gives device(type='cuda')" in message
    report = grade_file("devices/device_mismatch", FIXTURES / "devices" / "device_mismatch" / "wrong_hard_coded.py")
    message = next(c.message.en for c in report.checks if c.name == "device_from_model")
    assert "moved a tensor to 'cuda'" in message and "Don't hard-code" in message


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: the check runs for real")
def test_gpu_only_check_is_neither_failed_nor_passed_without_gpu() -> None:
    solution = str(SOLUTIONS / "05_transfer_options.py")
    report = grade_file("devices/transfer_options", SOLUTIONS / "05_transfer_options.py")
    outcome = {c.name: c.outcome for c in report.checks}
    assert outcome["pinned_to_on_gpu"] == "needs_gpu" and outcome["pinned_to_cuda_target"] == "passed"
    assert report.all_passed and report.score == report.max_score == 7  # 9 points, 2 need a GPU
    done = run_cli("check", "devices/transfer_options", "--file", solution)
    assert done.returncode == 0
    assert "needs a GPU, not graded here" in done.stdout
    as_json = json.loads(run_cli("check", "devices/transfer_options", "--json", "--file", solution).stdout)
    assert [c["outcome"] for c in as_json["checks"]].count("needs_gpu") == 1 and as_json["max_score"] == 7


def test_meta_spy_hands_back_placeholder_data_and_rejects_other_devices() -> None:
    y = torch.nn.Linear(3, 2).to("meta")(torch.ones(4, 3, device="meta"))
    with MetaDeviceSpy() as spy:
        back = y.cpu()
        also = y.to("cpu", torch.float64)
        number = y.sum().item()
        listed = y.tolist()
        array = y.detach().numpy()
    assert back.device.type == "cpu" and back.shape == (4, 2) and back.requires_grad  # still attached, like a real copy
    assert also.dtype == torch.float64 and number == 0.0 and len(listed) == 4 and array.shape == (4, 2)
    assert spy.copies_to_cpu == 4 and spy.items == 1
    with pytest.raises(CheckFailed, match="moved a tensor to 'cuda'"), MetaDeviceSpy():
        torch.ones(2).to("cuda")
    with pytest.raises(CheckFailed, match="moved a tensor to 'xpu'"), MetaDeviceSpy():
        torch.zeros(2, device="xpu")


TO_FORMS = [
    (("meta",), {}),
    ((), {"device": "meta"}),
    ((torch.device("meta"), torch.float16), {}),
    ((), {"dtype": torch.float16, "device": "meta", "non_blocking": True}),
    (("meta", torch.float16, False, True), {}),
    (("meta",), {"copy": True, "memory_format": torch.preserve_format}),
    (("meta",), {"non_blocking": False, "copy": False}),
    ((torch.empty(0, device="meta", dtype=torch.float64),), {}),
    ((torch.empty(0, device="meta"),), {"non_blocking": True, "copy": True}),
    ((torch.float64,), {"copy": True}),
]


@pytest.mark.parametrize(("args", "kwargs"), TO_FORMS)
def test_every_to_form_is_accepted_and_recorded(args, kwargs) -> None:
    x = torch.arange(6.0).reshape(2, 3)
    expected = x.to(*args, **kwargs)
    with MetaDeviceSpy() as spy:
        moved = x.to(*args, **kwargs)
        back = moved.to("cpu", copy=True) if moved.device.type == "meta" else moved
    assert (moved.device, moved.dtype, moved.shape) == (expected.device, expected.dtype, expected.shape)
    call = parse_to(*args, **kwargs)
    assert call.copy == bool(kwargs.get("copy", args[3] if len(args) > 3 else False))
    assert back.device.type == "cpu"
    if call.device is not None:
        assert spy.transfers[0].device == call.device and spy.transfers[0].copy == call.copy


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: f"{m.kind}-{m.built}-{m.count}")
def test_simulated_machine_answers_the_whole_accelerator_api(machine: Machine) -> None:
    with simulated(machine):
        assert torch.accelerator.is_available() == (machine.kind is not None)
        assert torch.accelerator.current_accelerator() == machine.accelerator
        assert torch.accelerator.current_accelerator(check_available=True) == (torch.device(machine.kind) if machine.kind else None)
        assert torch.accelerator.device_count() == (machine.count if machine.kind else 0)
        assert torch.cuda.is_available() == (machine.kind == "cuda")
        assert torch.xpu.is_available() == (machine.kind == "xpu")
        assert torch.backends.mps.is_available() == (machine.kind == "mps")
        if machine.kind:
            assert torch.accelerator.current_device_index() == machine.index == torch.accelerator.current_device_idx()
            torch.accelerator.synchronize()
            with torch.accelerator.device_index(0):
                assert torch.accelerator.current_device_index() == 0
            assert torch.accelerator.current_device_index() == machine.index
            assert torch.accelerator.memory_allocated() == 0 and torch.accelerator.max_memory_allocated() == 0
            with pytest.raises(GraderLimit) as raised:
                torch.accelerator.get_device_capability()
            assert is_genuine(raised.value)
        if machine.kind == "cuda":
            assert torch.cuda.current_device() == machine.index and torch.cuda.device_count() == machine.count
            torch.cuda.synchronize()
        elif machine.kind != "cuda":
            with pytest.raises(AssertionError, match="not compiled with CUDA"):
                torch.cuda.current_device()
    assert torch.accelerator.is_available is REAL_IS_AVAILABLE  # restored after the block


def test_simulated_accelerator_with_monkeypatch(monkeypatch: pytest.MonkeyPatch) -> None:
    simulate_accelerator(monkeypatch, "mps")
    assert torch.accelerator.is_available() and torch.accelerator.current_accelerator() == torch.device("mps")
    assert not torch.cuda.is_available() and torch.backends.mps.is_available()
    simulate_accelerator(monkeypatch, None)
    assert not torch.accelerator.is_available() and torch.accelerator.current_accelerator() is None


def test_custom_backend_is_a_real_device_name() -> None:
    assert CUSTOM in KINDS and torch.device(CUSTOM).type == CUSTOM


# -- every reference solution under every simulated kind (in process) ---------------------------------


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: f"{m.kind}-{m.built}-{m.count}")
def test_reference_solutions_under_each_kind(machine: Machine) -> None:
    pick, move, mismatch, train, transfer = (_load(name) for name in EXERCISES.values())
    with simulated(machine):
        assert pick.pick_device() == (torch.device(machine.kind) if machine.kind else torch.device("cpu"))
        spy = MetaDeviceSpy(machine=machine, redirect={"cuda"})
        with spy:
            moved = move.to_device({"x": [torch.ones(2)], "t": (torch.zeros(1),)}, "meta")
            model = nn.Linear(3, 2).to("meta")
            out = mismatch.predict(model, torch.randn(4, 3))
            model = nn.Linear(3, 2).to("meta")
            loss = train.train_step(
                model, (torch.randn(4, 3), torch.randn(4, 2)), nn.MSELoss(), torch.optim.SGD(model.parameters(), lr=0.1), torch.device("meta")
            )
            half = transfer.to_device_as(torch.ones(2, 2), "meta", torch.float16)
            plain = transfer.pinned_to(torch.ones(2), "meta")
            if machine.kind == "cuda":
                cuda = transfer.pinned_to(torch.ones(2), "cuda")
                assert spy.device_of(cuda).type == "cuda" and spy.transfers[-1].pinned_source and spy.transfers[-1].non_blocking
    assert moved["x"][0].device.type == "meta" and type(moved["t"]) is tuple
    assert out.device.type == "cpu" and out.shape == (4, 2) and isinstance(loss, float)
    assert half.dtype == torch.float16 and plain.device.type == "meta"


# -- graded: every reference under each kind is inside each check; each kind really matters -----------


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_reference_gets_full_marks(exercise: str) -> None:
    report = grade_file(exercise, SOLUTIONS / EXERCISES[exercise])
    assert report.all_passed and report.score == report.max_score, [(c.name, c.outcome, c.message) for c in report.checks]


@pytest.mark.parametrize("kind", [*KINDS, "none"])
def test_each_simulated_kind_is_graded(tmp_path: Path, kind: str) -> None:
    """A pick_device wrong on one kind only loses points: every kind is tried by the checks."""
    if kind == "none":
        body = "    if not torch.accelerator.is_available():\n        return torch.device('meta')\n"
    else:
        body = f"    if torch.accelerator.is_available() and torch.accelerator.current_accelerator().type == {kind!r}:\n        return torch.device('cpu')\n"
    source = (
        "import torch\n\n\ndef pick_device():\n" + body + "    if torch.accelerator.is_available():\n        return torch.accelerator.current_accelerator()\n"
        "    return torch.device('cpu')\n"
    )
    report = _grade_source(tmp_path, "devices/pick_device", source)
    assert report.score < report.max_score


# -- every .to() form the exercises allow: generated variants of the references get full marks ----------

VARIANTS = {
    "devices/move_batch": [
        ("return obj.to(device)", "return obj.to(device=device, copy=True)"),
        ("return obj.to(device)", "return obj.to(torch.device(device), None, False, False, memory_format=torch.preserve_format)"),
        ("return obj.to(device)", "return obj.to(device, non_blocking=True)"),
    ],
    "devices/device_mismatch": [
        ("return model(x.to(device)).cpu()", 'return model(x.to(device=device, copy=True)).to("cpu", copy=True)'),
        (
            "return model(x.to(device)).cpu()",
            'return model(x.to(torch.empty(0, device=device, dtype=x.dtype), non_blocking=True)).to(device=torch.device("cpu"))',
        ),
        (
            "return model(x.to(device)).cpu()",
            "return model(x.to(device, x.dtype, False, False, memory_format=torch.preserve_format)).cpu(memory_format=torch.preserve_format)",
        ),
    ],
    "devices/train_step": [
        ("X, y = X.to(device), y.to(device)", "X, y = X.to(device=device, copy=True), y.to(device, non_blocking=True)"),
        ("X, y = X.to(device), y.to(device)", "X, y = X.to(torch.empty(0, device=device, dtype=X.dtype)), y.to(torch.device(device), None, False, True)"),
    ],
    "devices/transfer_options": [
        ("return x.to(device, dtype)", "return x.to(dtype=dtype, device=device, copy=True)"),
        ("return x.to(device, dtype)", "return x.to(torch.empty(0, device=device, dtype=dtype), non_blocking=False)"),
        ("return x.to(device, dtype)", "return x.to(device, dtype, False, False, memory_format=torch.preserve_format)"),
        ("return x.pin_memory().to(device, non_blocking=True)", "return x.pin_memory().to(device=device, non_blocking=True, copy=True)"),
        ("return x.pin_memory().to(device, non_blocking=True)", "return x.pin_memory().cuda(torch.device(device), non_blocking=True)"),
    ],
}
VARIANT_CASES = [(exercise, old, new) for exercise, forms in VARIANTS.items() for old, new in forms]


@pytest.mark.parametrize(("exercise", "old", "new"), VARIANT_CASES, ids=[f"{e.split('/')[1]}-{i}" for i, (e, _, _) in enumerate(VARIANT_CASES)])
def test_every_to_form_gets_full_marks(tmp_path: Path, exercise: str, old: str, new: str) -> None:
    source = (SOLUTIONS / EXERCISES[exercise]).read_text(encoding="utf-8")
    assert old in source
    report = _grade_source(tmp_path, exercise, source.replace(old, new), EXERCISES[exercise])
    assert report.score == report.max_score, [(c.name, c.outcome, c.message and c.message.en) for c in report.checks]


# -- grader-only exceptions: raising them yourself gains nothing ------------------------------------------

CHEATS = {
    "grader_limit": "from torchdojo.checks.support import GraderLimit\n\n\ndef pick_device():\n    raise GraderLimit('no', 'no')\n",
    "skip_needs_gpu": "import pytest\n\n\ndef pick_device():\n    pytest.skip('needs_gpu: this check needs a CUDA GPU')\n",
    "stand_in_limit": "from torchdojo.checks.stand_in import limit\n\n\ndef pick_device():\n    limit('no', 'no')\n",
    "forged_frame": (
        "import torchdojo.checks.stand_in as s\nfrom torchdojo.checks.support import GraderLimit\n\n\n"
        "def pick_device():\n    exec(compile('raise GraderLimit(\"a\", \"b\")', s.__file__, 'exec'), {'GraderLimit': GraderLimit})\n"
    ),
}


@pytest.mark.parametrize("cheat", list(CHEATS))
def test_raising_grader_exceptions_gains_nothing(tmp_path: Path, cheat: str) -> None:
    report = _grade_source(tmp_path, "devices/pick_device", CHEATS[cheat])
    full = sum(c.points for c in __import__("torchdojo.core.catalog").core.catalog.load_catalog().resolve("devices/pick_device").checks)
    assert report.score == 0 and report.max_score == full
    assert all(c.outcome in ("failed", "error") for c in report.checks)


def test_skip_inside_the_gpu_check_gains_nothing(tmp_path: Path) -> None:
    source = (
        (SOLUTIONS / "05_transfer_options.py")
        .read_text(encoding="utf-8")
        .replace(
            '    if torch.device(device).type == "cuda":\n',
            "    if torch.device(device).type == \"cuda\":\n        import pytest; pytest.skip('needs_gpu: no')\n",
        )
    )
    report = _grade_source(tmp_path, "devices/transfer_options", source)
    outcome = {c.name: c.outcome for c in report.checks}
    assert outcome["pinned_to_cuda_target"] == "failed" and report.score < report.max_score


def test_a_real_grader_limit_is_not_graded_and_never_hides_a_mistake(tmp_path: Path) -> None:
    """Code the stand-in cannot simulate (CUDA device properties) is the grader's limit: no points either way,
    and a limit met on one machine never hides a mistake made on another."""
    probe = "    if torch.cuda.is_available():\n        torch.cuda.get_device_properties(0)\n"
    right = (
        "import torch\n\n\ndef pick_device():\n" + probe + "    if torch.accelerator.is_available():\n"
        "        return torch.accelerator.current_accelerator()\n    return torch.device('cpu')\n"
    )
    report = _grade_source(tmp_path, "devices/pick_device", right)
    outcomes = {c.name: c.outcome for c in report.checks}
    assert set(outcomes.values()) <= {"passed", "not_graded"} and "not_graded" in outcomes.values()
    message = next(c.message.en for c in report.checks if c.outcome == "not_graded")
    assert "cannot simulate this here" in message and "torch.cuda" in message
    wrong = "import torch\n\n\ndef pick_device():\n" + probe + "    return torch.device('cpu')\n"
    report = _grade_source(tmp_path, "devices/pick_device", wrong, "wrong.py")
    outcomes = {c.name: c.outcome for c in report.checks}
    assert outcomes["not_hard_coded"] == "failed" and report.score < report.max_score


def test_genuine_limits_are_marked() -> None:
    """Only the stand-in's own code makes a genuine limit: not a direct call, not a forged file name."""
    with pytest.raises(GraderLimit) as raised, simulated("cuda"):
        torch.cuda.get_device_properties(0)
    assert is_genuine(raised.value) and not is_genuine(GraderLimit("x", "x"))
    with pytest.raises(GraderLimit) as raised:
        limit("x", "x")
    assert not is_genuine(raised.value)
    import torchdojo.checks.stand_in as stand_in

    with pytest.raises(GraderLimit) as raised:
        exec(compile("limit('a', 'b')", stand_in.__file__, "exec"), {"limit": limit})  # noqa: S102  # our own line, compiled as if in stand_in.py
    assert not is_genuine(raised.value)

"""Device exercises are graded without a GPU: the meta stand-in, simulated accelerators,
and `needs_gpu` checks that are neither failed nor passed."""

from __future__ import annotations

import json

import pytest
import torch

from grader.checks.stand_in import MetaDeviceSpy, simulate_accelerator
from grader.checks.support import CheckFailed
from tests.conftest import FIXTURES, ROOT, grade_file, run_cli


def test_hard_coded_cuda_is_named_in_the_message() -> None:
    report = grade_file("devices/pick_device", FIXTURES / "devices" / "pick_device" / "wrong_always_cuda.py")
    message = next(c.message.en for c in report.checks if c.name == "not_hard_coded")
    assert 'hard-codes "cuda"' in message
    report = grade_file("devices/device_mismatch", FIXTURES / "devices" / "device_mismatch" / "wrong_hard_coded.py")
    message = next(c.message.en for c in report.checks if c.name == "device_from_model")
    assert "moved a tensor to 'cuda'" in message and "Don't hard-code" in message


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: the check runs for real")
def test_gpu_only_check_is_neither_failed_nor_passed_without_gpu() -> None:
    report = grade_file("devices/transfer_options", ROOT / "solutions" / "03_devices" / "05_transfer_options.py")
    outcome = {c.name: c.outcome for c in report.checks}
    assert outcome["pinned_to_on_gpu"] == "needs_gpu"
    assert report.all_passed and report.score == report.max_score == 5  # 7 points, 2 need a GPU
    done = run_cli("check", "devices/transfer_options", "--file", str(ROOT / "solutions" / "03_devices" / "05_transfer_options.py"))
    assert done.returncode == 0
    assert "needs a GPU, not graded here" in done.stdout
    as_json = json.loads(run_cli("check", "devices/transfer_options", "--json", "--file", str(ROOT / "solutions" / "03_devices" / "05_transfer_options.py")).stdout)
    assert [c["outcome"] for c in as_json["checks"]].count("needs_gpu") == 1 and as_json["max_score"] == 5


def test_meta_spy_hands_back_placeholder_data_and_rejects_other_devices() -> None:
    y = torch.nn.Linear(3, 2).to("meta")(torch.ones(4, 3, device="meta"))
    with MetaDeviceSpy() as spy:
        back = y.cpu()
        also = y.to("cpu", torch.float64)
        number = y.sum().item()
    assert back.device.type == "cpu" and back.shape == (4, 2)
    assert also.dtype == torch.float64 and number == 0.0
    assert spy.copies_to_cpu == 2 and spy.items == 1
    with pytest.raises(CheckFailed, match="moved a tensor to 'cuda'"), MetaDeviceSpy():
        torch.ones(2).to("cuda")


def test_simulated_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    simulate_accelerator(monkeypatch, "mps")
    assert torch.accelerator.is_available() and torch.accelerator.current_accelerator() == torch.device("mps")
    assert not torch.cuda.is_available() and torch.backends.mps.is_available()
    simulate_accelerator(monkeypatch, None)
    assert not torch.accelerator.is_available() and torch.accelerator.current_accelerator() is None

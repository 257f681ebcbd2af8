"""The device checks name the right cause: each wrong submission gets the message about its own mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, grade_file

SOLUTIONS = ROOT / "solutions" / "03_devices"

# exercise, solution file, (old, new) edit, the check, words its message must contain, words it must not
CASES = [
    (
        "devices/pick_device",
        "01_pick_device.py",
        (
            "return torch.accelerator.current_accelerator()",
            "torch.set_default_device(torch.accelerator.current_accelerator())\n        return torch.accelerator.current_accelerator()",
        ),
        "not_hard_coded",
        ["default device", "set_default_device"],
        ["hard-code"],
    ),
    (
        "devices/pick_device",
        "01_pick_device.py",
        ("if torch.accelerator.is_available():", "if torch.cuda.is_available() or torch.backends.mps.is_available():"),
        "not_hard_coded",
        ["'xpu'", "list backends"],
        ["default device"],
    ),
    (
        "devices/move_batch",
        "02_move_batch.py",
        (
            "return type(obj)((key, to_device(value, device)) for key, value in obj.items())",
            "for key, value in obj.items():\n            obj[key] = to_device(value, device)\n        return obj",
        ),
        "input_not_mutated",
        ["caller's batch", "never assign"],
        ["Recurse"],
    ),
    (
        "devices/device_mismatch",
        "03_device_mismatch.py",
        ("    with torch.no_grad():\n        return model(x.to(device)).cpu()", "    torch.set_grad_enabled(False)\n    return model(x.to(device)).cpu()"),
        "cpu_model_values",
        ["grad mode", "with-block"],
        ["dtype change"],
    ),
    (
        "devices/device_mismatch",
        "03_device_mismatch.py",
        ("return model(x.to(device)).cpu()", "return model(x.to(device).float()).cpu()"),
        "cpu_model_values",
        ["your code raised RuntimeError", "no dtype change"],
        ["grad mode", "Don't change the caller"],
    ),
    (
        "devices/train_step",
        "04_train_step.py",
        ("return loss.item()", "return loss.item() * len(X)"),
        "returns_float",
        ["expected", "not a sum over samples"],
        [],
    ),
    (
        "devices/train_step",
        "04_train_step.py",
        ("X, y = X.to(device), y.to(device)", "X = X.to(device)"),
        "moves_inputs_and_targets",
        ["different devices", "Move both X and y"],
        [],
    ),
    (
        "devices/train_step",
        "04_train_step.py",
        ("X, y = X.to(device), y.to(device)", "X, y = X.to(device), y.to(device, torch.long)"),
        "moves_inputs_and_targets",
        ["target y", "only their device"],
        ["Move both X and y"],
    ),
    (
        "devices/transfer_options",
        "05_transfer_options.py",
        ("return x.to(device, dtype)", "return x.to(device).to(dtype)"),
        "to_device_as_single_copy",
        ["2 copies", "one .to call"],
        [],
    ),
    (
        "devices/transfer_options",
        "05_transfer_options.py",
        ('if torch.device(device).type == "cuda":', "if torch.cuda.is_available():"),
        "pinned_to_without_gpu",
        ["pin_memory() called", "not the machine"],
        [],
    ),
    (
        "devices/transfer_options",
        "05_transfer_options.py",
        ("return x.pin_memory().to(device, non_blocking=True)", "x.pin_memory()\n        return x.to(device, non_blocking=True)"),
        "pinned_to_cuda_target",
        ["came from pinned memory", "returns the pinned copy"],
        [],
    ),
]


@pytest.mark.parametrize(("exercise", "file", "edit", "check", "words", "not_words"), CASES, ids=[f"{c[0].split('/')[1]}-{i}" for i, c in enumerate(CASES)])
def test_message_names_the_cause(tmp_path: Path, exercise, file, edit, check, words, not_words) -> None:
    source = (SOLUTIONS / file).read_text(encoding="utf-8")
    assert edit[0] in source
    path = tmp_path / file
    path.write_text(source.replace(edit[0], edit[1]), encoding="utf-8")
    report = grade_file(exercise, path)
    result = next(c for c in report.checks if c.name == check)
    assert result.outcome == "failed" and result.message is not None, (result.outcome, result.message)
    for word in words:
        assert word in result.message.en, result.message.en
    for word in not_words:
        assert word not in result.message.en, result.message.en
    assert result.message.zh and result.line is not None

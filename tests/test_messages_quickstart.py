"""The quickstart checks name the right cause: each wrong submission gets the message about its own mistake.

Class 6 of issue 12: a grad-mode leak must not be reported as a wrong accuracy, losses stored under
"accuracy" must not be reported as a learning failure, a loader swap must not be reported as shuffling.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, grade_file

SOLUTIONS = ROOT / "solutions" / "04_quickstart"
FIX = FIXTURES / "quickstart"

# exercise, a file (a solution to edit, or a fixture), (old, new) edit or None, the check, words its message must contain, words it must not
CASES = [
    (
        "quickstart/train",
        SOLUTIONS / "02_train.py",
        ("        optimizer.zero_grad()\n", ""),
        "zero_grad_each_batch",
        ["were not cleared", "add up across batches"],
        ["before its batch's loss.backward()"],
    ),
    (
        "quickstart/train",
        SOLUTIONS / "02_train.py",
        ("        loss.backward()\n        optimizer.step()\n", "        optimizer.step()\n        loss.backward()\n"),
        "one_batch_step",
        ["ran before its batch's loss.backward()"],
        ["not cleared"],
    ),
    (
        "quickstart/train",
        FIX / "train" / "wrong_zero_before_step.py",
        None,
        "one_batch_step",
        ["zero_grad() ran between loss.backward() and optimizer.step()"],
        ["not cleared"],
    ),
    ("quickstart/train", FIX / "train" / "wrong_leaves_eval.py", None, "train_mode", ["model.training after the call", "model.train()"], []),
    ("quickstart/train", FIX / "train" / "wrong_tensor_total.py", None, "returns_mean_batch_loss", ["expected a float, yours gives a tensor"], []),
    (
        "quickstart/test",
        FIX / "test" / "wrong_grad_mode_leaked.py",
        None,
        "accuracy_over_samples",
        ["grad mode", "torch.set_grad_enabled"],
        ["number of correct predictions"],
    ),
    (
        "quickstart/test",
        SOLUTIONS / "03_test.py",
        ("return correct / size,", "return correct / num_batches,"),
        "accuracy_over_samples",
        ["the accuracy (the first item of the result)", "number of samples"],
        ["grad mode"],
    ),
    (
        "quickstart/test",
        FIX / "test" / "wrong_per_sample_loss.py",
        None,
        "mean_batch_loss",
        ["the mean loss (the second item of the result)", "number of batches"],
        [],
    ),
    (
        "quickstart/fit",
        FIX / "fit" / "wrong_accuracy_holds_loss.py",
        None,
        "metrics_per_epoch",
        ["holds what the reference records as"],
        ["iterated the loaders", "already differ"],
    ),
    ("quickstart/fit", FIX / "fit" / "wrong_test_on_train.py", None, "metrics_per_epoch", ["iterated the loaders in the order train, train"], ["holds what"]),
    ("quickstart/fit", FIX / "fit" / "wrong_fixed_lr.py", None, "metrics_per_epoch", ["already differ from the reference's", "lr"], ["iterated the loaders"]),
    ("quickstart/fit", FIX / "fit" / "wrong_test_before_train.py", None, "model_improves", ["Accuracy per epoch on test_dl", "order test, train"], []),
    (
        "quickstart/predict",
        FIX / "predict" / "wrong_cached_model.py",
        None,
        "eval_mode",
        ["never ran the model it was given"],
        ["dropout makes the answer random"],
    ),
    ("quickstart/predict", FIX / "predict" / "wrong_grad_mode_leaked.py", None, "returns_class_name", ["grad mode", "with torch.no_grad()"], ["classes[index"]),
    ("quickstart/predict", FIX / "predict" / "wrong_builtin_classes.py", None, "other_class_lists", ["the `classes` you are given"], []),
    (
        "quickstart/dataloaders",
        FIX / "dataloaders" / "wrong_swapped_return.py",
        None,
        "test_in_order",
        ["returns (test loader, training loader)"],
        ["Do not shuffle"],
    ),
    ("quickstart/dataloaders", FIX / "dataloaders" / "wrong_global_seed.py", None, "caller_rng_kept", ["torch.manual_seed"], []),
]


@pytest.mark.parametrize(
    ("exercise", "source", "edit", "check", "words", "not_words"), CASES, ids=[f"{c[0].split('/')[1]}-{c[3]}-{i}" for i, c in enumerate(CASES)]
)
def test_message_names_the_cause(tmp_path: Path, exercise, source: Path, edit, check, words, not_words) -> None:
    text = source.read_text(encoding="utf-8")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    path = tmp_path / source.name
    path.write_text(text, encoding="utf-8")
    report = grade_file(exercise, path)
    result = next(c for c in report.checks if c.name == check)
    assert result.outcome == "failed", (check, result.outcome)
    assert result.message is not None
    message = result.message.en
    for word in words:
        assert word in message, (word, message)
    for word in not_words:
        assert word not in message, (word, message)
    assert result.message.zh and result.message.zh != message  # bilingual

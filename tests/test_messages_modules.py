"""The modules checks name the right cause: each wrong submission gets the message about its own mistake.

Each case edits the reference solution into a realistic wrong one and asserts that the check it
fails says what is wrong (and does not blame something else): a layer that is not registered is
reported as such, not as "wrong outputs"; a running mean attached to the graph is reported as
attached, not as a wrong value; a naming mistake is reported once, by the state_dict check.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT, grade_file

SOLUTIONS = ROOT / "solutions" / "02_modules"

# exercise, solution file, (old, new, ...) edits, the check, words its message must contain, words it must not,
# checks that must still pass (the mistake is not blamed on them)
CASES = [
    (
        "modules/two_layer_net",
        "01_two_layer_net.py",
        (
            "self.fc1 = nn.Linear(in_features, hidden)\n        self.relu = nn.ReLU()\n        self.fc2 = nn.Linear(hidden, out_features)",
            "self.layers = [nn.Linear(in_features, hidden), nn.ReLU(), nn.Linear(hidden, out_features)]",
            "return self.fc2(self.relu(self.fc1(x)))",
            "return self.layers[2](self.layers[1](self.layers[0](x)))",
        ),
        "linear_relu_linear",
        ["shapes of its parameters", "0 tensors", "registered"],
        ["net(x) in training mode"],
        ["output_shape"],
    ),
    (
        "modules/two_layer_net",
        "01_two_layer_net.py",
        ("return self.fc2(self.relu(self.fc1(x)))", "return self.fc2(self.fc1(x))"),
        "has_activation",
        ["affine", "ReLU"],
        [],
        ["layers_registered", "parameter_count"],
    ),
    (
        "modules/two_layer_net",
        "01_two_layer_net.py",
        ("return self.fc2(self.relu(self.fc1(x)))", "return self.relu(self.fc2(self.relu(self.fc1(x))))"),
        "linear_relu_linear",
        ["nothing after the last one", "can be negative"],
        [],
        ["has_activation"],
    ),
    (
        "modules/two_layer_net",
        "01_two_layer_net.py",
        ("return self.fc2(self.relu(self.fc1(x)))", "with torch.no_grad():\n            return self.fc2(self.relu(self.fc1(x)))"),
        "gradients",
        ["attached to a graph", "torch.no_grad()"],
        [],
        ["linear_relu_linear"],
    ),
    (
        "modules/two_layer_net",
        "01_two_layer_net.py",
        ("return self.fc2(self.relu(self.fc1(x)))", "return self.fc2(self.relu(self.fc1(x.view(-1, self.fc1.in_features))))"),
        "output_shape",
        ["shape", "no view"],
        [],
        ["layers_registered"],
    ),
    (
        "modules/dynamic_mlp",
        "02_dynamic_mlp.py",
        ("self.layers = nn.ModuleList(", "self.layers = list("),
        "parameters_visible",
        ["0 tensors", "plain Python list"],
        [],
        ["output_shape"],
    ),
    (
        "modules/dynamic_mlp",
        "02_dynamic_mlp.py",
        ("if i < len(self.layers) - 1:", "if layer.out_features != self.layers[-1].out_features:"),
        "relu_between_not_after",
        ["by its position (index), not by its size"],
        [],
        ["parameters_visible"],
    ),
    (
        "modules/dynamic_mlp",
        "02_dynamic_mlp.py",
        ("super().__init__()\n", "super().__init__()\n        last = sizes.pop()\n        sizes = [*sizes, last]\n"),
        "output_shape",
        ["the sizes argument after MLP(sizes)", "left as it was"],
        [],
        [],
    ),
    (
        "modules/parameters_buffers",
        "03_parameters_buffers.py",
        ("self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)", "self.running_mean.mul_(self.momentum).add_((1 - self.momentum) * mean)"),
        "training_update",
        ["running_mean after batch 1", "(1 - momentum) * running_mean"],
        ["attached"],
        ["mean_is_buffer"],
    ),
    (
        "modules/parameters_buffers",
        "03_parameters_buffers.py",
        (
            "            with torch.no_grad():\n                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)",
            "            self.running_mean = (1 - self.momentum) * self.running_mean + self.momentum * mean",
        ),
        "training_update",
        ["running_mean after batch 1 (its requires_grad)", "torch.no_grad()"],
        [],
        ["eval_uses_running_mean"],
    ),
    (
        "modules/parameters_buffers",
        "03_parameters_buffers.py",
        ("mean = x.mean(dim=0)", "mean = x.mean(dim=0).detach()"),
        "gradients_reach_parameters",
        ["x after backward.grad", "through the batch mean"],
        [],
        ["training_update", "eval_uses_running_mean"],
    ),
    (
        "modules/parameters_buffers",
        "03_parameters_buffers.py",
        (
            "        else:\n            mean = self.running_mean",
            "        else:\n            mean = self.running_mean\n            self.running_mean.mul_(0.5).add_(0.5 * x.mean(dim=0).detach())",
        ),
        "eval_uses_running_mean",
        ["running_mean after eval batch 1", "leave it unchanged"],
        [],
        ["training_update"],
    ),
    (
        "modules/parameters_buffers",
        "03_parameters_buffers.py",
        ('self.register_buffer("running_mean", torch.zeros(num_features))', "self.running_mean = torch.zeros(num_features)"),
        "mean_is_buffer",
        ["named_buffers()", "register_buffer"],
        [],
        ["training_update"],
    ),
    (
        "modules/quickstart_model",
        "04_quickstart_model.py",
        ("self.linear_relu_stack = nn.Sequential(", "self.stack = nn.Sequential(", "logits = self.linear_relu_stack(x)", "logits = self.stack(x)"),
        "state_dict_matches_tutorial",
        ["keys", "linear_relu_stack.0.weight"],
        [],
        ["forward_logits", "gradients"],
    ),
    (
        "modules/quickstart_model",
        "04_quickstart_model.py",
        ("return logits", "return torch.softmax(logits, dim=1)"),
        "forward_logits",
        ["probabilities", "softmax"],
        [],
        ["state_dict_matches_tutorial"],
    ),
    (
        "modules/save_load",
        "05_save_load.py",
        ("torch.save(model.state_dict(), path)", "torch.save(model, path)"),
        "saves_state_dict_only",
        ["refuses", "pickled"],
        [],
        ["round_trip"],
    ),
    (
        "modules/save_load",
        "05_save_load.py",
        ("model.load_state_dict(torch.load(path, weights_only=True))", "model.load_state_dict(torch.load(path, weights_only=True), strict=False)"),
        "wrong_file_raises",
        ["returns normally", "strict"],
        [],
        ["round_trip", "safe_load"],
    ),
    (
        "modules/save_load",
        "05_save_load.py",
        ("torch.load(path, weights_only=True)", "torch.load(path)"),
        "safe_load",
        ["PyTorch < 2.6", "written out"],
        [],
        ["round_trip"],
    ),
    (
        "modules/save_load",
        "05_save_load.py",
        ("    model = NeuralNetwork()\n    model.load_state_dict", "    model = _MODEL\n    model.load_state_dict"),
        "round_trip",
        ["new model"],
        [],
        ["safe_load"],
    ),
]


@pytest.mark.parametrize(
    ("exercise", "file", "edit", "check", "words", "not_words", "still_pass"), CASES, ids=[f"{c[0].split('/')[1]}-{i}" for i, c in enumerate(CASES)]
)
def test_message_names_the_cause(tmp_path: Path, exercise, file, edit, check, words, not_words, still_pass) -> None:
    source = (SOLUTIONS / file).read_text(encoding="utf-8")
    for old, new in zip(edit[::2], edit[1::2], strict=True):
        assert old in source
        source = source.replace(old, new)
    if "_MODEL" in edit[1]:
        source += "\n\n_MODEL = NeuralNetwork()\n"
    path = tmp_path / file
    path.write_text(source, encoding="utf-8")
    report = grade_file(exercise, path, threads=1)
    results = {c.name: c for c in report.checks}
    result = results[check]
    assert result.outcome == "failed" and result.message is not None, (result.outcome, result.message)
    for word in words:
        assert word in result.message.en, result.message.en
    for word in not_words:
        assert word not in result.message.en, result.message.en
    assert result.message.zh and result.line is not None
    for name in still_pass:
        assert results[name].outcome == "passed", (name, results[name].message)

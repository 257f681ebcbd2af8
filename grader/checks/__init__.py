"""The checks: one pytest module per exercise, `<topic>/test_<name>.py`.

Each test function receives the learner's module through the `learner`
fixture (provided by `torchdojo.core.child`) and raises `CheckFailed` with a bilingual
message when the learner's code misbehaves.
"""

"""The guard's audit hook decides by who asked: learner code may not look at frames, the garbage collector's objects,
trace functions, audit hooks of its own or ctypes, directly or through the standard library's helpers that hand such
things back (inspect, traceback, logging.currentframe, code compiled from a string); the standard library's own use of
frames (a namedtuple's or TypeVar's module, a log record's line) goes on working for it.

The hook cannot be removed once added, so each case runs in a fresh interpreter (`_decisions`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

LEARNER = """
import collections, ctypes, enum, gc, inspect, logging, sys, traceback, typing

def frame(): return sys._getframe(1)
def frames_of_all_threads(): return sys._current_frames()
def inspect_frame(): return inspect.currentframe()
def inspect_stack(): return inspect.stack()
def logging_frame(): return logging.currentframe()
def traceback_frame():
    try:
        raise ValueError
    except ValueError as error:
        return error.__traceback__.tb_frame
def walk_a_traceback():
    try:
        raise ValueError
    except ValueError as error:
        return list(traceback.walk_tb(error.__traceback__))
def generator_frame():
    def steps():
        yield 1
    return steps().gi_frame
def exec_frame():
    namespace = {}
    exec("import sys\\nf = sys._getframe()", namespace)
    return namespace["f"]
def gc_objects(): return gc.get_objects()
def gc_referrers(): return gc.get_referrers(sys)
def trace(): sys.settrace(lambda *a: None)
def profile(): sys.setprofile(lambda *a: None)
def own_audit_hook():
    sys.addaudithook(lambda *a: None)
    return "added silently? see the next case"
def ctypes_library(): return ctypes.CDLL(None)
def ctypes_memory(): return ctypes.c_int.from_address(id(1))

def namedtuple(): return collections.namedtuple("Point", "x y")(1, 2)
def typevar(): return typing.TypeVar("T")
def functional_enum(): return enum.Enum("Color", "RED GREEN")
def log_a_warning(): logging.getLogger("learner").warning("a warning, with its line")
def collect_garbage(): return gc.collect()
def format_the_stack(): return traceback.format_stack()
def ctypes_value(): return ctypes.c_int(3).value
def parse_and_evaluate(): return eval("1 + 2") + len(__import__("ast").parse("x = 1").body)
def dataclass():
    import dataclasses
    return dataclasses.make_dataclass("Pair", ["a", "b"])(1, 2)

def code_claiming_a_library_file(): return compile("x = 1", __import__("torch").__file__, "exec")
def code_renamed(): return (lambda: 0).__code__.replace(co_filename=__import__("torch").__file__)
def counter_of_walk_stack(): return collections.Counter(traceback.walk_stack(None))
def stack_with_locals(): return traceback.StackSummary.extract(traceback.walk_stack(None), capture_locals=True)
def torch_frame_hook():
    from torch._C._dynamo import eval_frame
    return eval_frame.set_eval_frame(lambda *args: None)
def signal_handler():
    import signal
    return signal.signal(signal.SIGUSR2, lambda signum, frame: None)
def signal_handler_of_the_c_module():
    import _signal
    return _signal.signal(12, lambda signum, frame: None)
def signals_ignored():
    import signal
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    return signal.signal(signal.SIGUSR2, signal.SIG_DFL)
def data_loader_workers():
    import torch
    return [batch.tolist() for batch in torch.utils.data.DataLoader(list(range(4)), batch_size=2, num_workers=1)]
def torch_compile():
    import torch
    return torch.compile(lambda x: x * 2 + 1, backend="eager")(torch.ones(3)).tolist()

def finalizer_running_a_string():
    import weakref
    class Thing: pass
    store = {}
    weakref.finalize(thing := Thing(), exec, "import sys\\nf = sys._getframe()", store)
    del thing
    if "f" not in store:  # the string's sys._getframe was refused inside the finalizer, which only prints that
        raise LookupError("no frame came out")
"""

DRIVER = """
import importlib.util, json, sys
from torchdojo.core.guard import GuardRefusal, install_guard
learner_file = sys.argv[1]
install_guard([], [], learner_file)
spec = importlib.util.spec_from_file_location("learner", learner_file)
learner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(learner)
decisions = {}
for name in sys.argv[2:]:
    try:
        getattr(learner, name)()
        decisions[name] = "allowed"
    except GuardRefusal as refusal:
        decisions[name] = "refused" if refusal.en and refusal.zh and str(refusal).startswith("torchdojo: ") else "refused without words"
    except Exception as error:
        decisions[name] = f"{type(error).__name__}: {error}"
print(json.dumps(decisions))
"""

REFUSED = [
    "frame",
    "frames_of_all_threads",
    "inspect_frame",
    "inspect_stack",
    "logging_frame",
    "traceback_frame",
    "walk_a_traceback",
    "generator_frame",
    "exec_frame",
    "gc_objects",
    "gc_referrers",
    "trace",
    "profile",
    "ctypes_library",
    "ctypes_memory",
    "code_claiming_a_library_file",
    "code_renamed",
    "counter_of_walk_stack",
    "stack_with_locals",
    "torch_frame_hook",
    "signal_handler",
    "signal_handler_of_the_c_module",
]
ALLOWED = [
    "namedtuple",
    "typevar",
    "functional_enum",
    "log_a_warning",
    "collect_garbage",
    "format_the_stack",
    "ctypes_value",
    "parse_and_evaluate",
    "dataclass",
    "torch_compile",
    "data_loader_workers",
    "signals_ignored",
]


def _decisions(tmp_path: Path, names: list[str]) -> dict[str, str]:
    learner = tmp_path / "learner.py"
    learner.write_text(textwrap.dedent(LEARNER), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", DRIVER, str(learner), *names], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_learner_code_may_not_look_at_frames_objects_or_memory(tmp_path: Path) -> None:
    assert _decisions(tmp_path, REFUSED) == dict.fromkeys(REFUSED, "refused")


def test_a_callback_planted_to_run_a_string_gets_no_frame(tmp_path: Path) -> None:
    """A finalizer runs when the grader's own code frees the object, so its caller is the grader; a string it runs
    (with `exec`) is still the learner's code, and its `sys._getframe` is refused."""
    assert _decisions(tmp_path, ["finalizer_running_a_string"]) == {"finalizer_running_a_string": "LookupError: no frame came out"}


def test_the_standard_librarys_own_use_of_frames_still_works_for_learner_code(tmp_path: Path) -> None:
    """namedtuple, TypeVar and Enum read their caller's module name from a frame, a log record its line; a traceback
    formatted as text hands no frame back. None of that is refused."""
    assert _decisions(tmp_path, ALLOWED) == dict.fromkeys(ALLOWED, "allowed")


def test_an_audit_hook_of_the_learners_own_is_not_added(tmp_path: Path) -> None:
    """CPython drops a new hook quietly when an existing one refuses it: the learner's hook would be handed every
    event's arguments (the frames `sys._getframe` returns to the grader among them)."""
    learner = tmp_path / "learner.py"
    learner.write_text(
        "import sys\nseen = []\nsys.addaudithook(lambda event, args: seen.append(event))\ndef events():\n    import os\n    os.listdir('.')\n    return len(seen)\n",
        encoding="utf-8",
    )
    driver = DRIVER.replace("getattr(learner, name)()", "print(json.dumps({'events': getattr(learner, name)()})); sys.exit(0)")
    done = subprocess.run([sys.executable, "-c", driver, str(learner), "events"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {"events": 0}


def test_torchs_frame_hook_and_the_signal_setter_are_held_by_the_guard_alone(tmp_path: Path) -> None:
    """torch.compile sets its frame-evaluation hook through the guard (`sealed_set_eval_frame`), and a DataLoader its
    signal handlers (`sealed_signal`): no loaded module keeps torch's own `set_eval_frame` (nor the bytecode debugger's)
    or `_signal.signal`, once torch._dynamo and multiprocessing are loaded too, so learner code cannot reach around the
    seal."""
    driver = """
import sys, types
import torch
from torchdojo.core.guard import install_guard
install_guard([], [], sys.argv[1])
import torch._dynamo, torch._dynamo.eval_frame, torch._dynamo.decorators, torch._dynamo.bytecode_debugger
import multiprocessing, asyncio, subprocess, torch.utils.data
left = sorted(
    f"{name}.{key}"
    for name, module in list(sys.modules.items())
    for key, value in list(getattr(module, "__dict__", {}).items())
    if type(value) is types.BuiltinFunctionType and getattr(value, "__name__", "") in ("set_eval_frame", "set_bytecode_debugger_callback", "signal")
)
print(left)
"""
    learner = tmp_path / "learner.py"
    learner.write_text("", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", driver, str(learner)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "[]"

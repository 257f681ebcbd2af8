"""Checks for devices/compile: counting graph breaks with TorchDynamo, and a function that compiles as one graph.

No C++ compiler is needed: `torch._dynamo.explain` only traces, and the one compile here uses
`backend="eager"`. `graph_breaks` is compared with the reference on generated functions (no
break; an explicit `torch._dynamo.graph_break()`; two of them; a Python `if` on a tensor's value;
`.item()`; two arguments; a break only in grad mode, traced in the caller's grad mode) and tensors: the count
(type and value) and the arguments afterwards; the error of arguments that do not fit must reach the caller.
`normalize` is compared on generated x (mixed signs, all zeros, all negative, max |x| below 1; 0-d, one element;
float32 and float64; requiring grad or not): the result (values, dtype, shape, graph) and x
afterwards (an empty x must raise torch's error), and the graph breaks TorchDynamo finds in it, and whether
`torch.compile(normalize, fullgraph=True, backend="eager")` accepts it (its values are the other
check's). Dynamo's caches are reset before each side, so neither sees the other's compiled code.
"""

from __future__ import annotations

import inspect
import logging
import types

import pytest
import torch
from hypothesis import example, given, settings

from torchdojo.checks.devices.common import same
from torchdojo.checks.stand_in import learner_code
from torchdojo.checks.strategies.devices import (
    BREAK_FUNCTIONS,
    BreakCase,
    NormalizeInput,
    break_cases,
    normalize_inputs,
)

torch._logging.set_logs(dynamo=logging.ERROR, graph_breaks=False, recompiles=False)

COUNT = ("the number of graph breaks", "图中断的次数")
ARGS = ("the arguments afterwards", "调用后的参数")
BREAKS = ("the graph breaks TorchDynamo finds in normalize", "TorchDynamo 在 normalize 中发现的图中断")
FULLGRAPH = ("torch.compile(normalize, fullgraph=True, backend=\"eager\")(x)", "torch.compile(normalize, fullgraph=True, backend=\"eager\")(x)")

COUNT_HINT = (("torch._dynamo.explain(fn)(*args) traces fn once and returns a report: return its graph_break_count as an int "
               "(graph_count counts the graphs, one more than the breaks between them)."),
              ("torch._dynamo.explain(fn)(*args) 追踪 fn 一次并返回报告:请以 int 返回其中的 graph_break_count"
               "(graph_count 数的是图的个数,比它们之间的中断多一个)。"))
VALUES_HINT = (("Return x / max|x| — and zeros for an all-zero x (divide by 1 there: torch.where(m > 0, m, torch.ones_like(m))). "
                "Keep x's dtype and graph; don't change x."),
               ("请返回 x / max|x|——全零的 x 返回全零(此时除以 1:torch.where(m > 0, m, torch.ones_like(m)))。"
                "保持 x 的 dtype 和计算图;不要改动 x。"))
ONE_GRAPH = (("Keep normalize in one graph: no .item(), no print, no Python `if` on a tensor's value — choose with "
              "torch.where, which computes on tensors."),
             "让 normalize 保持为一个图:不用 .item()、不用 print、不对张量的数值写 Python `if`——用作用于张量的 torch.where 来选择。")


@pytest.fixture(autouse=True)
def _no_guard_latency_probe():
    """Dynamo, on first use, without the probe that times each new guard set.

    After every compile torch measures its guards' latency for a debug log, flushing the CPU
    cache first: about 30 ms a compile, two dozen compiles a run — most of this exercise's
    check time, spent on a number nobody reads. Only that probe is replaced; tracing, graph
    breaks and guards themselves are torch's own.
    """
    import torch._dynamo.guards as guards

    if hasattr(guards, "profile_guard_manager"):
        guards.profile_guard_manager = lambda *args, **kwargs: 0.0


@settings(max_examples=4, deadline=None)  # each example traces twice (reference and learner): seconds, cold
@example(BreakCase("y = x * 2; if torch.is_grad_enabled(): graph_break(); return y + 1", 2, 0))
@given(break_cases)
def test_counts_graph_breaks(compare, case: BreakCase) -> None:
    fn = BREAK_FUNCTIONS[case.function][0]

    def scenario(impl):
        torch._dynamo.reset()
        args = case.call_args()
        count = impl.graph_breaks(fn, *args)
        torch._dynamo.reset()
        return {COUNT: count, ARGS: args}

    def mismatched(impl):
        torch._dynamo.reset()
        try:
            return impl.graph_breaks(BREAK_FUNCTIONS["(x @ w).sigmoid()"][0], torch.ones(case.rows, 3), torch.ones(4, 2))
        finally:
            torch._dynamo.reset()

    with learner_code():
        same(compare, scenario, {}, COUNT_HINT, given=case.describe(), where="graph_breaks")
        same(compare, mismatched, {}, ("Let the error of fn(*args) reach the caller: don't catch it.", "让 fn(*args) 的错误传给调用者:不要捕获它。"),
             given=f"fn(x, w) = (x @ w).sigmoid(), x of shape ({case.rows}, 3), w of shape (4, 2) (the shapes do not match)",
             where="graph_breaks")


@settings(max_examples=10, deadline=None)
@given(normalize_inputs)
def test_normalize_values(compare, case: NormalizeInput) -> None:
    def scenario(impl):
        x = case.make()
        result = impl.normalize(x)
        return {"the result": result, "x after the call": x}

    with learner_code():
        same(compare, scenario, {}, VALUES_HINT, given=case.describe(), where="normalize")
        same(compare, lambda impl: impl.normalize(torch.ones(0, dtype=case.dtype)), {},
             ("Let torch's own error reach the caller: don't catch it.", "让 torch 自己的错误传给调用者:不要捕获它。"),
             given="an empty x (no largest value: torch raises)", where="normalize")


@settings(max_examples=3, deadline=None)  # an explain and a fullgraph compile each, for both
@given(normalize_inputs)
def test_normalize_one_graph(compare, case: NormalizeInput) -> None:
    def scenario(impl):
        impl.normalize(case.make())  # plainly first: their own errors (an unfinished stub) surface as theirs
        torch._dynamo.reset()
        return _one_graph(_traceable(impl.normalize), case)

    with learner_code():
        same(compare, scenario, {}, ONE_GRAPH, given=case.describe(), where="normalize")


def _traceable(function):
    """`function` as Dynamo can trace it inside the grading child, with the same code.

    The reference's functions are wrapped by the harness's guard (which reads frames: Dynamo cannot trace that), and
    Dynamo reads the source file of the code it traces (a hash for its profiles), which the child may not read for the
    reference: the copy's code names no file.
    """
    function = inspect.unwrap(function)
    if not isinstance(function, types.FunctionType):
        return function
    code = function.__code__.replace(co_filename=f"<{function.__name__} under test>")
    copy = types.FunctionType(code, function.__globals__, function.__name__, function.__defaults__, function.__closure__)
    copy.__kwdefaults__ = function.__kwdefaults__
    return copy


def _one_graph(function, case: NormalizeInput) -> dict:
    """Dynamo's breaks in `function` (their first lines), and whether fullgraph=True compiles it."""
    try:
        report = torch._dynamo.explain(function)(case.make())
        breaks = [str(reason.reason).splitlines()[0] for reason in report.break_reasons] or report.graph_break_count
        torch._dynamo.reset()
        compiled = torch.compile(function, fullgraph=True, backend="eager")
        try:
            compiled(case.make().detach())
            result = "compiles as one graph"
        except Exception as error:  # noqa: BLE001 - the reference compiles: any failure here is a break
            result = f"{type(error).__name__}: it does not compile as one graph"
    finally:
        torch._dynamo.reset()
    return {BREAKS: breaks, FULLGRAPH: result}

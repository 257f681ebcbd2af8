"""torch.compile basics: graphs, graph breaks, and code that compiles as one graph.

EN: `torch.compile(fn)` makes fn faster by turning its tensor operations into
a *graph* that a backend can optimize. TorchDynamo, its tracer, reads the
Python code as it runs. Where it meets something it cannot put in a graph —
`print`, `.item()` (a Python number), a Python `if` on a tensor's value — it
makes a *graph break*: the graph ends, plain Python runs, a new graph starts.
Fewer breaks, faster code. `torch._dynamo.explain(fn)(*args)` traces fn once
(running it) and reports `graph_count`, `graph_break_count` and
`break_reasons`. `torch.compile(fn, fullgraph=True)` refuses any break, and
`backend="eager"` runs the graph as it is, without needing a C++ compiler.

中文: `torch.compile(fn)` 把 fn 的张量运算变成后端可以优化的 *图*,从而让 fn 更快。它的
追踪器 TorchDynamo 在 Python 代码运行时读取它。遇到无法放进图里的东西——`print`、`.item()`
(Python 数字)、基于张量数值的 Python `if`——就会产生 *图中断*(graph break):当前图结束,
运行普通 Python,再开始一个新图。中断越少,代码越快。`torch._dynamo.explain(fn)(*args)`
追踪(并运行)fn 一次,报告 `graph_count`、`graph_break_count` 和 `break_reasons`。
`torch.compile(fn, fullgraph=True)` 不允许任何中断;`backend="eager"` 按原样运行图,不需要
C++ 编译器。

- Branch with `torch.where(cond, a, b)` instead of `if`: both sides are computed, no break.
- 用 `torch.where(cond, a, b)` 代替 `if`:两边都会计算,不会中断。
"""

from collections.abc import Callable
from typing import Any

import torch
from torch import Tensor


def graph_breaks(fn: Callable[..., Any], *args: Any) -> int:
    """How many graph breaks TorchDynamo hits while tracing fn(*args), as an int.

    Trace it as the caller would run it (in the caller's grad mode); fn's own errors reach the caller.

    TorchDynamo 追踪 fn(*args) 时遇到的图中断次数,以 int 返回。
    按调用者的方式追踪(使用调用者的梯度模式);fn 自己的错误传给调用者。
    """
    return torch._dynamo.explain(fn)(*args).graph_break_count


def normalize(x: Tensor) -> Tensor:
    """x divided by its largest absolute value; an all-zero x gives zeros. One graph: no graph break.

    torch.compile(normalize, fullgraph=True) must accept it: no .item(), no print, no Python `if`
    on a tensor's value. The result has x's shape and dtype and stays on x's graph; x is unchanged.
    An empty x has no largest value: let torch's error reach the caller.

    x 除以它的最大绝对值;全零的 x 得到全零。整个函数是一个图:没有图中断。
    torch.compile(normalize, fullgraph=True) 必须能接受它:不用 .item()、不用 print、不对张量的数值
    写 Python `if`。结果与 x 形状和 dtype 相同,仍连接在 x 的计算图上;x 不变。
    空的 x 没有最大值:让 torch 的错误传给调用者。
    """
    m = x.abs().max()
    return x / torch.where(m > 0, m, torch.ones_like(m))

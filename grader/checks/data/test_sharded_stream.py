"""Checks for data/sharded_stream, by comparison with the reference on generated ranges and worker counts.

Drawn: ranges starting below and above 0, lengths that the number of workers divides and does not
(floor and ceil differ), more workers than numbers (empty chunks). The workers are faked in-process
(`torchdojo.checks.data.workers`: `get_worker_info()` says which worker it is), so every split is
graded quickly; one check runs a real `DataLoader(num_workers=2)`. Observed: what each worker
yields, a second pass (the stream starts over), the main process's stream, the error for
`end < start`.
"""

from hypothesis import example, given, settings
from torch.utils.data import DataLoader

from torchdojo.checks.data.common import outcome
from torchdojo.checks.data.workers import read_as_worker
from torchdojo.checks.strategies.data import StreamCase, stream_cases


def _same(compare, case: StreamCase, scenario, where: str, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where=where, hint=hint)


def _shards(case: StreamCase):
    def scenario(impl):
        dataset = impl.RangeStream(case.start, case.end)
        return {("what each worker yields (worker 0, 1, ...)", "每个工作进程产出的内容(工作进程 0、1……)"):
                [read_as_worker(dataset, k, case.workers) for k in range(case.workers)],
                ("what worker 0 yields on a second pass", "工作进程 0 第二次读取时产出的内容"): read_as_worker(dataset, 0, case.workers)}

    return scenario


SHARD = (("In __iter__ (not __init__: that runs in the main process), ask info = get_worker_info(); worker info.id takes the "
          "numbers from start + id * per_worker up to start + (id + 1) * per_worker (cut at end), per_worker = "
          "math.ceil((end - start) / info.num_workers)."),
         ("在 __iter__ 中(不是 __init__:它在主进程中运行)调用 info = get_worker_info();第 info.id 个工作进程取从 "
         "start + id * per_worker 到 start + (id + 1) * per_worker 的数字(在 end 处截断),per_worker = "
         "math.ceil((end - start) / info.num_workers)。"))


@settings(max_examples=6)
@given(stream_cases())
def test_whole_stream(compare, case: StreamCase) -> None:
    def scenario(impl):
        dataset = impl.RangeStream(case.start, case.end)
        return {("list(dataset) in the main process, twice", "在主进程中两次 list(dataset)"): [list(dataset), list(dataset)],
                (f"RangeStream({case.end}, {case.start - 1}) (end below start)", f"RangeStream({case.end}, {case.start - 1})(end 小于 start)"):
                    outcome(lambda: type(impl.RangeStream(case.end, case.start - 1)).__name__),
                (f"list(RangeStream({case.start}, {case.start}))", f"list(RangeStream({case.start}, {case.start}))"):
                    list(impl.RangeStream(case.start, case.start))}

    _same(compare, case, scenario, "RangeStream.__iter__", (
        ("Outside a worker get_worker_info() is None: yield every number from start to end - 1, as ints, and start over on every "
         "iter() (return a new iterator; do not keep one in __init__). end < start raises ValueError."),
        ("在工作进程之外 get_worker_info() 为 None:产出从 start 到 end - 1 的每个数字(整数),每次 iter() 都从头开始"
        "(返回新的迭代器;不要在 __init__ 中保存一个)。end < start 时抛出 ValueError。")))


@settings(max_examples=6)
@given(stream_cases())
def test_shards(compare, case: StreamCase) -> None:
    _same(compare, case, _shards(case), "RangeStream.__iter__", SHARD)


@settings(max_examples=8)
@example(StreamCase(0, 10, 4))
@example(StreamCase(2, 3, 5))
@given(stream_cases(uneven=True))
def test_uneven_shards(compare, case: StreamCase) -> None:
    _same(compare, case, _shards(case), "RangeStream.__iter__", (
        ("When the workers do not divide the range, per_worker = ceil(n / num_workers): the first chunks are full, the last are "
         "short or empty, and every number still comes exactly once (n // num_workers would drop the rest)."),
        ("当工作进程数不能整除范围长度时,per_worker = ceil(n / num_workers):前面的段是满的,最后几段较短或为空,"
        "每个数字仍恰好出现一次(n // num_workers 会丢掉余下的数字)。")))


@settings(max_examples=1)
@given(stream_cases(uneven=True))
def test_real_workers(compare, case: StreamCase) -> None:
    def scenario(impl):
        loader = DataLoader(impl.RangeStream(case.start, case.end), batch_size=None, num_workers=2)
        return {("the numbers of DataLoader(RangeStream(...), batch_size=None, num_workers=2), in the order they come",
                 "DataLoader(RangeStream(...), batch_size=None, num_workers=2) 产出的数字,按到达顺序"): [int(x) for x in loader]}

    _same(compare, case, scenario, "RangeStream.__iter__", (
        "With two real worker processes every number must come exactly once: each worker yields its own chunk only.",
        "有两个真实的工作进程时,每个数字必须恰好出现一次:每个工作进程只产出自己的那一段。"))

"""Checks for quickstart/dataloaders, by comparison with the reference on generated sizes.

Data sets whose sample i is (tensor([i]), i) show the order a loader visits them in.
Compared: the batches of each loader (sizes with an unequal last batch, len(loader)) with
batch_size given by keyword, by position or left at its default; that the training loader
visits every sample once per pass in a new order each pass; that the test loader keeps
0, 1, 2, ... in every pass; which data set each loader wraps (also on a second call); and
that the caller's random stream still follows the caller's seed after the call.
"""

import torch
from hypothesis import given
from hypothesis import strategies as st

from torchdojo.checks.quickstart.common import ERRORS_HINT, STATE_HINT, IndexDataset
from torchdojo.checks.support import manual_seed

_equal = torch.equal


def _order(loader) -> list[int]:
    return [int(i) for _, labels in loader for i in labels]


def _sizes(loader) -> list[int]:
    return [len(labels) for _, labels in loader]


class Swapped:
    """Whether the loaders came back as (test, train): only read by the hint, never compared."""

    def __init__(self, swapped: bool) -> None:
        self.swapped = swapped


SWAPPED = "swapped?"


def _call(impl, train_size: int, test_size: int, batch_size: int | None, how: str, notes: dict | None = None):
    train_data, test_data = IndexDataset(train_size), IndexDataset(test_size)
    if batch_size is None:
        result = impl.make_dataloaders(train_data, test_data)
    elif how == "position":
        result = impl.make_dataloaders(train_data, test_data, batch_size)
    else:
        result = impl.make_dataloaders(train_data, test_data, batch_size=batch_size)
    if notes is not None:
        train, test = _pair(result)
        notes[SWAPPED] = Swapped(getattr(train, "dataset", None) is test_data and getattr(test, "dataset", None) is train_data)
    return result


def _pair(result) -> tuple:
    """(train, test) when the result is a pair, else (result, result) so that the message shows what came."""
    return tuple(result) if isinstance(result, tuple | list) and len(result) == 2 else (result, result)


def _unless_swapped(hint: tuple[str, str]):
    """The hint, or the real cause when the learner returned (test, train)."""

    def choose(expected: dict, got: dict) -> tuple[str, str]:
        if isinstance(got.get(SWAPPED), Swapped) and got[SWAPPED].swapped:
            return ("Your make_dataloaders returns (test loader, training loader): return (train_dataloader, test_dataloader).",
                    "你的 make_dataloaders 返回的是 (测试 DataLoader, 训练 DataLoader):请返回 (train_dataloader, test_dataloader)。")
        return hint

    return choose


def _describe(train_size: int, test_size: int, batch_size: int | None, how: str) -> tuple[str, str]:
    if batch_size is None:
        call = "make_dataloaders(training_data, test_data)"
    elif how == "position":
        call = f"make_dataloaders(training_data, test_data, {batch_size})"
    else:
        call = f"make_dataloaders(training_data, test_data, batch_size={batch_size})"
    return (f"{call} with {train_size} training and {test_size} test samples",
            f"{call},训练样本 {train_size} 个,测试样本 {test_size} 个")


@st.composite
def _sizes_and_batch(draw: st.DrawFn, small: bool = False):
    default = not small and draw(st.sampled_from([False, False, True]))
    if default:  # the default batch size, 64, with a smaller last batch
        return draw(st.integers(65, 200)), draw(st.integers(65, 200)), None, "keyword"
    batch_size = draw(st.integers(2, 12))
    return draw(st.integers(batch_size + 1, 60)), draw(st.integers(batch_size + 1, 60)), batch_size, draw(st.sampled_from(["keyword", "position"]))


@given(_sizes_and_batch())
def test_batch_size(compare, case) -> None:
    def scenario(impl):
        notes: dict = {}
        train, test = _pair(_call(impl, *case, notes=notes))
        return {**notes, ("the batch sizes of the training loader", "训练 DataLoader 的批次大小"): sorted(_sizes(train), reverse=True),
                ("the batch sizes of the test loader", "测试 DataLoader 的批次大小"): _sizes(test),
                ("len() of the training loader", "训练 DataLoader 的 len()"): len(train),
                ("len() of the test loader", "测试 DataLoader 的 len()"): len(test)}

    en, zh = _describe(*case)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="make_dataloaders",
                 hint=_unless_swapped(("Pass batch_size=batch_size to both DataLoaders and keep the last, smaller batch (no drop_last).",
                       "请把 batch_size=batch_size 传给两个 DataLoader,并保留最后一个较小的批次(不要 drop_last)。")))
    compare.same(lambda impl: _call(impl, case[0], case[1], 0, "keyword"), state_hint=STATE_HINT,
                 given=f"make_dataloaders(training_data, test_data, batch_size=0) with {case[0]} training and {case[1]} test samples",
                 given_zh=f"make_dataloaders(training_data, test_data, batch_size=0),训练样本 {case[0]} 个,测试样本 {case[1]} 个",
                 where="make_dataloaders", hint=ERRORS_HINT)


@given(_sizes_and_batch(small=True).filter(lambda case: case[0] >= 12))
def test_train_shuffles(compare, case) -> None:
    def scenario(impl):
        notes: dict = {}
        train, _ = _pair(_call(impl, *case, notes=notes))
        first, second = _order(train), _order(train)
        every = list(range(case[0]))
        return {**notes, ("every training sample exactly once in each pass", "每一轮都恰好访问每个训练样本一次"): sorted(first) == every == sorted(second),
                ("the training samples come shuffled (not 0, 1, 2, ...)", "训练样本被打乱(不是 0, 1, 2, ...)"): first != every,
                ("two passes over the training loader come in different orders", "训练 DataLoader 的两轮顺序不同"): first != second}

    en, zh = _describe(*case)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="make_dataloaders",
                 hint=_unless_swapped(("Pass shuffle=True for the training data: every epoch then draws a new permutation of all samples.",
                       "请为训练数据传入 shuffle=True:这样每一轮都会得到全部样本的一个新排列。")))


@given(_sizes_and_batch())
def test_test_in_order(compare, case) -> None:
    def scenario(impl):
        notes: dict = {}
        _, test = _pair(_call(impl, *case, notes=notes))
        return {**notes, ("the test samples in the first pass", "第一轮中的测试样本"): _order(test),
                ("the test samples in a second pass", "第二轮中的测试样本"): _order(test)}

    en, zh = _describe(*case)
    compare.same(scenario, state_hint=STATE_HINT, given=en, given_zh=zh, where="make_dataloaders",
                 hint=_unless_swapped(("Do not shuffle the test data (shuffle=False, the default), and keep every sample.",
                       "测试数据不要打乱(shuffle=False,即默认值),并保留每个样本。")))


@given(_sizes_and_batch(), _sizes_and_batch())
def test_uses_given_datasets(compare, case, other) -> None:
    def scenario(impl):
        observed = {}
        for words, (train_size, test_size, batch_size, how) in ((("", ""), case), ((" (a second call)", "(第二次调用)"), other)):  # noqa: B007 - renaming `how` would change this test's derandomized examples
            train_data, test_data = IndexDataset(train_size), IndexDataset(test_size)
            kwargs = {} if batch_size is None else {"batch_size": batch_size}
            result = impl.make_dataloaders(train_data, test_data, **kwargs)
            train, test = _pair(result)
            observed[(f"the result{words[0]}", f"返回值{words[1]}")] = result
            observed[(f"the first loader wraps training_data{words[0]}", f"第一个 DataLoader 包装 training_data{words[1]}")] = getattr(train, "dataset", None) is train_data
            observed[(f"the second loader wraps test_data{words[0]}", f"第二个 DataLoader 包装 test_data{words[1]}")] = getattr(test, "dataset", None) is test_data
        return observed

    en, zh = _describe(*case)
    compare.same(scenario, state_hint=STATE_HINT, given=en + ", then a second call with other data sets", given_zh=zh + ",然后用其他数据集再调用一次",
                 where="make_dataloaders",
                 hint=("Return the tuple (train_dataloader, test_dataloader), each wrapping the data set it was given.",
                       "请返回元组 (train_dataloader, test_dataloader),各自包装传入的数据集。"))


@given(_sizes_and_batch(small=True), st.integers(0, 2**16))
def test_caller_rng_kept(compare, case, seed: int) -> None:
    def scenario(impl):
        draws = []
        for caller_seed in (seed, seed + 1):
            manual_seed(caller_seed)
            _call(impl, *case)
            draws.append(torch.rand(4))
        return {("the caller's random numbers after the call still follow the caller's seed", "调用之后调用者的随机数仍由调用者的种子决定"):
                not _equal(draws[0], draws[1])}

    en, zh = _describe(*case)
    compare.same(scenario, state_hint=STATE_HINT, given=en + ", called after torch.manual_seed(s) for two different s",
                 given_zh=zh + ",分别在两个不同的 torch.manual_seed(s) 之后调用", where="make_dataloaders",
                 hint=("Do not call torch.manual_seed inside make_dataloaders: it resets the caller's random numbers "
                       "(weight init, dropout, the shuffle order) as a side effect.",
                       "不要在 make_dataloaders 中调用 torch.manual_seed:它会顺带重置调用者的随机数(权重初始化、dropout、打乱顺序)。"))

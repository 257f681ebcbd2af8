"""Checks for devices/ddp: data-parallel training graded for real, on a gloo process group of forked ranks.

Each scenario runs `train_on_rank` on every rank of a fresh process group (2 or 3 ranks, see
`torchdojo.checks.distributed.run_ranks`: forked from the grading child, bounded in time, a hung
collective reported with the learner's line), once for the reference and once for the learner, on the
same generated case (a dataset that does not split evenly over the ranks or into batches; a linear
model or one with a hidden layer; several epochs). What each rank saw and did is observed without
changing it: the dataset records which samples were fetched, a forward pre-hook on the caller's model
records each batch's size and the parameters the first forward pass used, and the model and the
process group are looked at after the call. Compared with the reference, rank by rank:

- which samples each batch held, all epochs (DistributedSampler's share, its seed, set_epoch, batches);
- with a different starting model on each rank: the parameters every rank's first forward pass used
  (rank 0's: DDP broadcasts them) and whether every rank ends with rank 0's parameters (averaged
  gradients keep the copies equal);
- the parameters after training (the same start everywhere);
- the losses returned (floats, one per batch, all epochs), by a first and a second call on the same model;
- the process group and the dataset afterwards (left as the caller had them).

Manual gradient averaging (a broadcast, then all_reduce of the sum divided by world_size) is as right as
DDP: only effects are compared.
"""

from __future__ import annotations

import copy
from typing import Any

import torch
from hypothesis import example, given, seed, settings

from torchdojo.checks.distributed import run_ranks
from torchdojo.checks.strategies.devices import DdpCase, ddp_cases
from torchdojo.checks.support import CheckFailed

WHERE = "train_on_rank"
Hint = tuple[str, str]
_allclose = torch.allclose  # captured before any learner code runs (as the harness does)


class _SpyDataset(torch.utils.data.Dataset):
    """A map-style dataset that records every index it is asked for, in order."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x = x
        self.y = y
        self.fetched: list[Any] = []

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        self.fetched.append(int(index) if isinstance(index, int) or torch.is_tensor(index) else repr(index))
        return self.x[index], self.y[index]


def _group_now() -> str:
    import torch.distributed as dist

    if not dist.is_initialized():
        return "destroyed (torch.distributed.is_initialized() is False)"
    return f"initialized: world size {dist.get_world_size()}, rank {dist.get_rank()}, backend {dist.get_backend()}"


def _params(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def _train(compare: Any, impl: Any, case: DdpCase, *, distinct_starts: bool = False,
           again: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run impl.train_on_rank on every rank of a fresh process group (and `again`, a second call's keyword
    arguments, on the same model and dataset); what each rank saw and did."""
    x, y = case.data()
    learner = impl if impl is compare.learner else None

    def body(rank: int, world_size: int) -> dict[str, Any]:
        model = case.model(start=rank if distinct_starts else 0)
        dataset = _SpyDataset(x.clone(), y.clone())
        sizes: list[Any] = []
        starts: list[dict[str, torch.Tensor]] = []

        def seen(module: torch.nn.Module, inputs: tuple[Any, ...]) -> None:
            if not starts:
                starts.append(_params(module))
            first = inputs[0] if inputs else None
            sizes.append(len(first) if torch.is_tensor(first) and first.dim() else repr(first)[:40])

        model.register_forward_pre_hook(seen)
        returned = impl.train_on_rank(model, dataset, rank, world_size, epochs=case.epochs, batch_size=case.batch_size,
                                      lr=case.lr, seed=case.seed)
        if again is not None:
            returned = [returned, impl.train_on_rank(model, dataset, rank, world_size, **again)]
        return {"returned": returned, "fetched": dataset.fetched, "sizes": sizes, "start": starts[0] if starts else None,
                "params": _params(model), "group": _group_now(), "x": dataset.x, "y": dataset.y}

    key = (case, distinct_starts, tuple(sorted(again.items())) if again else None)
    if learner is None:  # the reference's runs are kept by the harness (and by a warm worker, across runs)
        return run_ranks(body, case.world_size, learner=None, given=case.describe(), where=compare.where(WHERE))
    # The learner's runs in this grading run, by case: checks that draw the same case (SHARED_SEED) share one run of
    # the ranks, and a failure is not run again (Hypothesis replays a failing example: a hang need not cost 6 s twice).
    # Kept on this run's `compare`, never in the module, which a warm worker's later runs would share.
    done, stopped = compare.kept.setdefault(f"{WHERE} runs", {}), compare.kept.setdefault(f"{WHERE} failures", {})
    if key in stopped:
        raise stopped[key]
    if key not in done:
        try:
            done[key] = run_ranks(body, case.world_size, learner=learner, given=case.describe(), where=compare.where(WHERE))
        except CheckFailed as failure:  # ranks that hung or ended: the learner's code does it again on the same inputs
            stopped[key] = failure
            raise
    return copy.deepcopy(done[key])  # each check's own copy of what the ranks saw and did


SHARED_SEED = 20261130
"""The checks that train once on the caller's model from one start (the samples, the parameters, what is left) draw
the same cases: each case's ranks run once for all three."""
SHARED_EXAMPLE = DdpCase(world_size=3, samples=10, features=2, outputs=1, hidden=0, batch_size=2, epochs=2, lr=0.1, seed=3, data_seed=5)


# -- which samples each rank trained on ----------------------------------------------------------


class Batches(str):
    """A rank's batches as the message shows them, e.g. '[4, 0] [7]', with the raw lists kept for the hint."""

    fetched: list[Any]
    sizes: list[Any]

    @classmethod
    def of(cls, fetched: list[Any], sizes: list[Any]) -> Batches:
        if all(isinstance(s, int) for s in sizes) and sum(sizes) == len(fetched):
            parts, at = [], 0
            for size in sizes:
                parts.append(f"[{', '.join(map(str, fetched[at:at + size]))}]")
                at += size
            text = " ".join(parts) or "no batches"
        else:
            text = f"samples fetched {fetched}, batches of sizes {sizes} through the model"
        batches = cls(text)
        batches.fetched, batches.sizes = list(fetched), list(sizes)
        return batches


def _rank_label(rank: int, en: str, zh: str) -> tuple[str, str]:
    return f"rank {rank}: {en}", f"{rank} 号进程:{zh}"


SAMPLES = ("the samples of each batch, all epochs", "所有轮中每个批次的样本")


SAMPLER = (("Use sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed), "
           "sampler.set_epoch(epoch) before each epoch, and DataLoader(dataset, batch_size=batch_size, sampler=sampler)."),
           ("请使用 sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=True, seed=seed),"
           "每轮开始前调用 sampler.set_epoch(epoch),并使用 DataLoader(dataset, batch_size=batch_size, sampler=sampler)。"))


def _shard_hint(case: DdpCase) -> Any:
    def hint(expected: dict, got: dict) -> Hint:
        want = [expected[_rank_label(r, *SAMPLES)] for r in range(case.world_size)]
        found = [got.get(_rank_label(r, *SAMPLES)) for r in range(case.world_size)]
        have = [h for h in found if isinstance(h, Batches)]
        if len(have) < len(found):
            return SAMPLER
        per_epoch = len(want[0].fetched) // case.epochs
        if all(len(h.fetched) == case.samples * case.epochs for h in have):
            return (("Each rank trained on the whole dataset: the DataLoader needs the DistributedSampler (sampler=sampler), which "
                    "gives each rank its own share."),
                    ("每个进程都用整个数据集训练:DataLoader 需要使用 DistributedSampler(sampler=sampler),"
                    "它让每个进程只拿到属于自己的那一份。"))
        if any(len(h.fetched) < len(w.fetched) for h, w in zip(have, want, strict=True)):
            return (("Fewer samples than the reference: keep drop_last=False (the default) in both the DistributedSampler (it pads "
                    "with repeated samples) and the DataLoader (the last batch may be smaller)."),
                    ("样本比参考答案少:DistributedSampler(它用重复的样本补齐)和 DataLoader(最后一个批次可以较小)"
                    "都要保持 drop_last=False(默认值)。"))
        epochs = [[h.fetched[e * per_epoch:(e + 1) * per_epoch] for e in range(case.epochs)] for h in have]
        if all(len(h.fetched) == len(w.fetched) for h, w in zip(have, want, strict=True)) and all(
                all(epoch == rank_epochs[0] for epoch in rank_epochs) for rank_epochs in epochs):
            return ("Every epoch has the same order: call sampler.set_epoch(epoch) at the start of each epoch.",
                    "每一轮的顺序都相同:请在每轮开始时调用 sampler.set_epoch(epoch)。")
        first = [set(rank_epochs[0]) for rank_epochs in epochs]
        if len(first) > 1 and sum(len(s) for s in first) > len(set().union(*first)) + case.world_size:
            return (("The ranks' shares overlap: every rank must use the same seed (the one given) and shuffle=True, so that they "
                    "split one shuffled order."),
                    ("各进程分到的样本有重叠:每个进程都必须使用相同的 seed(传入的那个)和 shuffle=True,"
                    "这样它们分的是同一个打乱后的顺序。"))
        if all(h.fetched[:per_epoch] == sorted(h.fetched[:per_epoch]) for h in have) and case.samples > 3:
            return ("The samples come in order: the DistributedSampler shuffles with shuffle=True (and the seed given).",
                    "样本是按顺序来的:DistributedSampler 需要 shuffle=True(以及传入的 seed)来打乱。")
        return SAMPLER

    return hint



@seed(SHARED_SEED)
@settings(max_examples=3, deadline=None)
@example(SHARED_EXAMPLE)
@given(ddp_cases)
def test_shards_the_data(compare, case: DdpCase) -> None:
    def scenario(impl):
        ranks = _train(compare, impl, case)
        return {_rank_label(r, *SAMPLES): Batches.of(seen["fetched"], seen["sizes"]) for r, seen in enumerate(ranks)}

    compare.same(scenario, given=case.describe()[0], given_zh=case.describe()[1], where=WHERE, hint=_shard_hint(case))


# -- every rank starts from rank 0's parameters and stays equal to it ------------------------------


START = ("the parameters its first forward pass used", "第一次前向传播使用的参数")
SYNC = ("ends with rank 0's parameters", "结束时的参数与 0 号进程相同")
SYNC_HINT = (("Every rank must start from rank 0's parameters and take the same steps: DistributedDataParallel(model) broadcasts "
             "them when it wraps the model and averages the gradients in backward (by hand: dist.broadcast each parameter from "
             "rank 0, then dist.all_reduce each gradient and divide by world_size)."),
             ("每个进程都必须从 0 号进程的参数开始,并执行相同的优化步:DistributedDataParallel(model) 在包装模型时广播这些参数,"
             "并在反向传播中对梯度取平均(手动做法:从 0 号进程对每个参数做 dist.broadcast,然后对每个梯度做 dist.all_reduce"
             "再除以 world_size)。"))


@settings(max_examples=2, deadline=None)
@given(ddp_cases)
def test_ranks_in_sync(compare, case: DdpCase) -> None:
    def scenario(impl):
        ranks = _train(compare, impl, case, distinct_starts=True)
        observed: dict[Any, Any] = {_rank_label(r, *START): seen["start"] for r, seen in enumerate(ranks)}
        for r, seen in enumerate(ranks[1:], start=1):
            observed[_rank_label(r, *SYNC)] = _same_parameters(seen["params"], ranks[0]["params"])
        return observed

    words = case.describe()
    compare.same(scenario, given=f"{words[0]}, a different starting model on each rank",
                 given_zh=f"{words[1]},每个进程的初始模型不同", where=WHERE, hint=SYNC_HINT)


def _same_parameters(mine: dict[str, torch.Tensor], rank0: dict[str, torch.Tensor]) -> bool:
    return mine.keys() == rank0.keys() and all(
        mine[k].shape == rank0[k].shape and _allclose(mine[k], rank0[k], rtol=1e-6, atol=1e-7) for k in mine)


# -- the trained parameters --------------------------------------------------------------------


PARAMS = ("the model's parameters afterwards", "调用后模型的参数")


def _params_hint(case: DdpCase) -> Any:
    def hint(expected: dict, got: dict) -> Hint:
        found = [got.get(_rank_label(r, *PARAMS)) for r in range(case.world_size)]
        have = [h for h in found if isinstance(h, dict)]
        if len(have) == len(found) and not all(_same_parameters(h, have[0]) for h in have[1:]):
            return (("The ranks' models drifted apart: their gradients were not averaged. Wrap the model in "
                    "DistributedDataParallel and train the wrapped model."),
                    "各进程的模型分开了:它们的梯度没有取平均。请用 DistributedDataParallel 包装模型,并训练包装后的模型。")
        return (("Each step must use the gradient averaged over the ranks (an all-reduced sum divided by world_size, as DDP does), "
                "of F.mse_loss on the batch, with plain SGD at lr, once per batch, on the caller's model."),
                ("每一步都必须使用各进程梯度的平均值(all-reduce 求和后除以 world_size,DDP 就是这样做的),"
                "梯度来自批次上的 F.mse_loss,用学习率为 lr 的普通 SGD,每个批次一步,训练调用者的模型。"))

    return hint


@seed(SHARED_SEED)
@settings(max_examples=3, deadline=None)
@example(SHARED_EXAMPLE)
@given(ddp_cases)
def test_trains_like_reference(compare, case: DdpCase) -> None:
    def scenario(impl):
        ranks = _train(compare, impl, case)
        return {_rank_label(r, *PARAMS): seen["params"] for r, seen in enumerate(ranks)}

    compare.same(scenario, given=case.describe()[0], given_zh=case.describe()[1], where=WHERE, hint=_params_hint(case))


# -- the losses returned -----------------------------------------------------------------------


LOSSES = ("the losses returned by the first and a second call", "第一次和第二次调用返回的损失")
LOSS_HINT = (("Return a list with this rank's loss.item() of every batch (its own batch, not averaged over the ranks), all epochs "
             "in order."),
             "请返回一个 list,包含本进程每个批次的 loss.item()(本进程自己的批次,不在进程间平均),按顺序包含所有轮。")


@settings(max_examples=2, deadline=None)
@given(ddp_cases)
def test_returns_losses(compare, case: DdpCase) -> None:
    again = {"epochs": 1, "batch_size": case.batch_size + 1, "lr": case.lr / 2, "seed": case.seed + 1}
    words = ", ".join(f"{k}={v}" for k, v in again.items())

    def scenario(impl):
        ranks = _train(compare, impl, case, again=again)
        return {_rank_label(r, *LOSSES): seen["returned"] for r, seen in enumerate(ranks)}

    compare.same(scenario, given=f"{case.describe()[0]}, then a second call with {words}",
                 given_zh=f"{case.describe()[1]},然后以 {words} 再调用一次", where=WHERE, hint=LOSS_HINT)


# -- what the caller owns ------------------------------------------------------------------------


GROUP = ("the process group afterwards", "调用后的进程组")
DATA = ("the dataset's tensors afterwards", "调用后数据集的张量")
KEEP_HINT = (("The caller set the process group up and takes it down: don't call init_process_group or destroy_process_group "
             "in train_on_rank, and leave the dataset as it was."),
             ("进程组由调用者建立和销毁:不要在 train_on_rank 中调用 init_process_group 或 destroy_process_group,"
             "也不要改动数据集。"))


@seed(SHARED_SEED)
@settings(max_examples=1, deadline=None)
@example(SHARED_EXAMPLE)
@given(ddp_cases)
def test_leaves_the_rest(compare, case: DdpCase) -> None:
    def scenario(impl):
        ranks = _train(compare, impl, case)
        observed: dict[Any, Any] = {}
        for r, seen in enumerate(ranks):
            observed[_rank_label(r, *GROUP)] = seen["group"]
            observed[_rank_label(r, *DATA)] = (seen["x"], seen["y"])
        return observed

    compare.same(scenario, given=case.describe()[0], given_zh=case.describe()[1], where=WHERE, hint=KEEP_HINT)

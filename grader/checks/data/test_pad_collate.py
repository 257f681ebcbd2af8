"""Checks for data/pad_collate, by comparison with the reference (which uses pad_sequence) on generated batches.

Drawn: lengths from 0 to 5 in any order (sorting by length shows), a batch of one, sequences that hold
zeros themselves (lengths counted from the nonzero entries show), int64 token ids, float32 and
float64 sequences of feature vectors, labels as ints and as 0-d tensors. Observed: padded, lengths
and labels (values, dtype, shape), the samples afterwards, and the batches a DataLoader makes with the
function as its collate_fn (an unequal last batch).
"""

import torch
from hypothesis import example, given, settings
from torch.utils.data import DataLoader

from torchdojo.checks.data.common import outcome, values
from torchdojo.checks.strategies.data import SequenceBatch, sequence_batches

PADDED = ("padded (the first of the three results)", "padded(三个返回值中的第一个)")
COUNTS = ("(lengths, labels) (the second and third results)", "(lengths, labels)(第二和第三个返回值)")
SAMPLES = ("the samples afterwards", "调用后的样本")


def _same(compare, case: SequenceBatch, scenario, hint: tuple[str, str]) -> None:
    en, zh = case.describe()
    compare.same(scenario, given=en, given_zh=zh, where="pad_collate", hint=hint)


def _collate(case: SequenceBatch, part: str, grad: bool = False):
    """Observe one part of the result only: each check names its own mistake."""

    def scenario(impl):
        batch = case.make()
        if grad:
            batch = [(sequence.requires_grad_(True), label) for sequence, label in batch]
        padded, lengths, labels = impl.pad_collate(batch)
        if part == "padded":
            # An empty sequence has nothing to differentiate: a None .grad and an empty one are both right, and a batch of
            # only empty sequences may give a padded that is outside the graph (there is no element to record).
            nothing = all(sequence.shape[0] == 0 for sequence, _ in batch)
            seen = {PADDED: padded if grad and not nothing else values(padded)}
            if grad and not nothing:
                (padded * torch.arange(1.0, padded.numel() + 1, dtype=padded.dtype).reshape(padded.shape)).sum().backward()
                seen[("each sequence's .grad after a backward pass through padded", "经 padded 反向传播后每个序列的 .grad")] = [
                    values(s.grad) if s.shape[0] else "empty" for s, _ in batch]
            return seen
        return {COUNTS: values((lengths, labels)),
                ("pad_collate([]) raises", "pad_collate([]) 抛出错误"): outcome(lambda: impl.pad_collate([])).startswith("raises")}

    return scenario


PAD = (("pad_sequence(sequences, batch_first=True) puts sequence i in padded[i, :L_i] followed by zeros, in the sequences' "
        "dtype; keep the samples in the order given (sorting is the caller's choice)."),
       "pad_sequence(sequences, batch_first=True) 把序列 i 放在 padded[i, :L_i],其后补零,dtype 与序列相同;样本保持给定的顺序(排序由调用者决定)。")


@settings(max_examples=8)
@example(SequenceBatch((2, 0, 5, 1), (), torch.int64, 3))
@given(sequence_batches())
def test_pads(compare, case: SequenceBatch) -> None:
    _same(compare, case, _collate(case, "padded"), PAD)


@settings(max_examples=6)
@given(sequence_batches(features=((3,), (2, 2)), dtypes=(torch.float32, torch.float64)))
def test_features(compare, case: SequenceBatch) -> None:
    _same(compare, case, _collate(case, "padded", grad=True), (
        ("Sequences of feature vectors (L_i, F) pad along their first dimension only: padded is (B, L_max, F), in their dtype, "
         "and gradients flow back through it to the sequences (no torch.no_grad, no detach)."),
        ("由特征向量组成的序列 (L_i, F) 只沿第一个维度填充:padded 的形状为 (B, L_max, F),dtype 与序列相同,"
        "梯度能通过它传回序列(不要 torch.no_grad,不要 detach)。")))


@settings(max_examples=6)
@example(SequenceBatch((3, 1, 2), (), torch.int64, 5))
@given(sequence_batches(tensor_labels=(False, True)))
def test_lengths_and_labels(compare, case: SequenceBatch) -> None:
    _same(compare, case, _collate(case, "counts"), (
        ("lengths = torch.tensor([len(s) for s in sequences]) and labels = torch.tensor([int(y) for y in labels]), both int64: "
         "count the lengths from the sequences, not from the nonzero entries (a sequence may hold zeros). An empty batch raises."),
        ("`lengths = torch.tensor([len(s) for s in sequences])`,`labels = torch.tensor([int(y) for y in labels])`,都是 int64:"
        "长度要从序列本身得到,而不是数非零元素(序列本身也可能含有 0)。空批次抛出错误。")))


@settings(max_examples=4)
@given(sequence_batches(min_size=4, dtypes=(torch.int64, torch.float32)))
def test_with_dataloader(compare, case: SequenceBatch) -> None:
    def scenario(impl):
        samples = case.make()
        loader = DataLoader(samples, batch_size=3, collate_fn=impl.pad_collate)
        return {("the batches of DataLoader(samples, batch_size=3, collate_fn=pad_collate)",
                 "DataLoader(samples, batch_size=3, collate_fn=pad_collate) 的批次"): [values(b) for b in loader], SAMPLES: values(samples)}

    _same(compare, case, scenario, (
        "Each batch pads to its own longest sequence (not a fixed length), the last, smaller batch works too, and the samples stay as they were.",
        "每个批次补齐到本批次中最长的序列(而不是固定长度),最后一个较小的批次也要能处理,样本保持原样。"))

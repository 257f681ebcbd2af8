"""Checks for modules/dynamic_mlp, by comparison with the reference on generated size lists and inputs.

The layout is the learner's choice (nn.ModuleList, nn.Sequential, layers made in any
order), so parameters are compared as a multiset of shapes, and outputs and gradients with
the reference's weights placed into the learner's layers (see `common.aligned`). Size
lists include length 2 (one layer, no ReLU), lengths 5 and 6, and a last width equal to
the one before it (where "the layer whose out_features is sizes[-1]" is not only the last).
"""

import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from torchdojo.checks.modules.common import aligned, attempt, outcome, shapes_text, state_shapes_text, values
from torchdojo.checks.strategies import CallerTensor
from torchdojo.checks.strategies.modules import BATCH_SIZES, SEEDS, mlp_sizes, randn
from torchdojo.checks.support import show

WHERE = "MLP.forward"


def _words(sizes: list[int]) -> tuple[str, str]:
    return f"MLP({sizes}) with the reference's weights placed into your layers", f"MLP({sizes})(把参考答案的权重放入你的层中)"


def _aligned(compare, sizes: list[int], seed: int, kind: type = list):
    en, zh = _words(sizes)
    return aligned(compare, lambda impl: impl.MLP(kind(sizes)), randn((8, sizes[0]), seed + 1), given=en, given_zh=zh,
                   where="MLP.__init__", seed=seed)


FORWARD_HINT = ("A ReLU after every Linear layer except the last: the output is logits and can be negative. "
                "Tell the last layer by its position (index), not by its size, which may repeat. No dropout, no reshaping "
                "(like nn.Linear, any leading dimensions), and the input left as it was.",
                "除最后一层外,每个 Linear 层之后接 ReLU:输出是 logits,可以为负。"
                "请按位置(下标)判断最后一层,不要按大小判断,因为大小可能重复。没有 dropout,不改变形状"
                "(与 nn.Linear 一样,前导维度任意),并且不改动输入。")


@settings(max_examples=6)
@given(mlp_sizes(), st.sampled_from([(1,), (4,), (), (2, 3)]), st.sampled_from([list, tuple]))
@example([6, 9, 5, 3], (4,), list)
@example([3, 4, 1], (1,), tuple)
@example([4, 2], (), list)
def test_output_shape(compare, sizes: list[int], batch: tuple[int, ...], kind: type) -> None:
    x = randn((*batch, sizes[0]), len(batch))

    def scenario(impl):
        argument = kind(sizes)
        out = impl.MLP(argument)(x.clone())
        return {("the output's shape", "输出的形状"): tuple(out.shape),
                ("the sizes argument after MLP(sizes)", "MLP(sizes) 之后的 sizes 参数"): argument}

    compare.same(
        scenario,
        given=f"MLP({kind(sizes)!r}) and x of shape {tuple(x.shape)}",
        given_zh=f"MLP({kind(sizes)!r}),x 的形状为 {tuple(x.shape)}",
        where=WHERE,
        hint=("Like nn.Linear, an input of shape (*, sizes[0]) gives (*, sizes[-1]), N = 1 included (no squeeze, no view); "
              "sizes may be a list or a tuple, and is left as it was.",
              "与 nn.Linear 一样,形状为 (*, sizes[0]) 的输入得到 (*, sizes[-1]),N = 1 时也一样(不要 squeeze,也不要 view);"
              "sizes 可以是 list 或 tuple,且不能被修改。"),
    )


@settings(max_examples=5)
@given(mlp_sizes(), SEEDS)
@example([6, 9, 5, 3], 0)
def test_parameters_visible(compare, sizes: list[int], seed: int) -> None:
    x = randn((3, sizes[0]), seed)

    def scenario(impl):
        mlp = impl.MLP(list(sizes))
        seen = {
            ("the shapes in mlp.parameters() (sorted)", "mlp.parameters() 中的形状(排序后)"): shapes_text(mlp),
            ("the shapes in mlp.state_dict() (sorted)", "mlp.state_dict() 中的形状(排序后)"): state_shapes_text(mlp),
            ("mlp.parameters() all require grad", "mlp.parameters() 全都需要梯度"): all(p.requires_grad for p in mlp.parameters()),
            ("how many parameters a second MLP shares with the first", "第二个 MLP 与第一个共享的参数个数"): len(
                {id(p) for p in mlp.parameters()} & {id(p) for p in impl.MLP(list(sizes)).parameters()}),
        }
        mlp.to(torch.float64)
        seen[("the dtypes of the parameters after mlp.to(torch.float64)", "mlp.to(torch.float64) 之后参数的 dtype")] = sorted(
            {str(p.dtype) for p in mlp.parameters()})
        seen[("the output's dtype after mlp.to(torch.float64), for a float64 x", "mlp.to(torch.float64) 之后、float64 输入的输出 dtype")] = (
            attempt(lambda: str(mlp(x.double()).dtype)))
        return seen

    compare.same(
        scenario,
        given=f"MLP({sizes})",
        where="MLP.__init__",
        hint=("Layers kept in a plain Python list are invisible to PyTorch: put them in nn.ModuleList (or nn.Sequential), "
              "so that .parameters(), .to() and state_dict() see them and the optimizer trains them; each MLP needs layers "
              "of its own. In forward, let the input keep its dtype (no x.float()): after mlp.to(torch.float64) it is float64.",
              "放在普通 Python list 里的层 PyTorch 看不见:请放进 nn.ModuleList(或 nn.Sequential),"
              ".parameters()、.to() 和 state_dict() 才能看到它们,优化器才会训练它们;每个 MLP 都要有自己的层。"
              "forward 中不要改变输入的 dtype(不要 x.float()):mlp.to(torch.float64) 之后输入就是 float64。"),
    )


def _forward_scenario(net_of, sizes: list[int], x: torch.Tensor, x2: torch.Tensor, seed: int):
    wrong = randn((2, sizes[0] + 1), seed + 4)
    deep = randn((2, 3, sizes[0]), seed + 5)

    def scenario(impl):  # values only: graph attachment is the gradients check's
        mlp, _ = net_of.build(impl)
        x_in = x.clone()
        seen = {"mlp(x) in training mode": values(mlp(x_in)), ("x after the call", "调用后的 x"): x_in}
        seen[("mlp(x2) for a second batch x2", "第二个批次 x2 的 mlp(x2)")] = values(mlp(x2.clone()))
        mlp.eval()
        seen[("mlp(x) in eval mode", "评估模式下的 mlp(x)")] = values(mlp(x.clone()))
        seen[(f"mlp(s) for one sample s of shape ({sizes[0]},)", f"单个样本 s(形状 ({sizes[0]},))的 mlp(s)")] = values(mlp(x[0].clone()))
        seen[(f"mlp(z) for z of shape (2, 3, {sizes[0]})", f"形状为 (2, 3, {sizes[0]}) 的 z 的 mlp(z)")] = values(mlp(deep.clone()))
        seen[("mlp(x.T.contiguous().T) (a non-contiguous batch)", "mlp(x.T.contiguous().T)(非连续的批次)")] = values(mlp(x.T.contiguous().T))
        seen[(f"mlp(x) for x with {sizes[0] + 1} features instead of {sizes[0]}",
              f"输入有 {sizes[0] + 1} 个特征(而不是 {sizes[0]} 个)时的 mlp(x)")] = outcome(lambda: mlp(wrong.clone()))
        return seen

    return scenario


@settings(max_examples=8)
@given(mlp_sizes(min_size=3, max_size=4), BATCH_SIZES, BATCH_SIZES, SEEDS)
@example([6, 9, 5, 3], 4, 2, 0)
@example([4, 6, 3, 3], 3, 1, 1)
@example([5, 5, 5], 4, 2, 2)
def test_relu_between_not_after(compare, sizes: list[int], batch: int, other_batch: int, seed: int) -> None:
    net_of = _aligned(compare, sizes, seed)
    x, x2 = randn((batch, sizes[0]), seed + 2), randn((other_batch, sizes[0]), seed + 3)
    en, zh = _words(sizes)
    compare.same(_forward_scenario(net_of, sizes, x, x2, seed), given=f"{en}, x = {show(x)}, x2 = {show(x2)}",
                 given_zh=f"{zh},x = {show(x)},x2 = {show(x2)}", where=WHERE, hint=FORWARD_HINT)


@settings(max_examples=4)
@given(st.sampled_from([[4, 2], [3, 1], [3, 5, 4, 6, 2], [2, 3, 3, 3, 3], [4, 6, 5, 4, 3, 2], [3, 4, 4, 4, 4, 4]]),
       BATCH_SIZES, SEEDS)
@example([4, 2], 3, 0)
@example([3, 5, 4, 6, 2], 3, 1)
def test_any_depth(compare, sizes: list[int], batch: int, seed: int) -> None:
    net_of = _aligned(compare, sizes, seed, tuple)
    x, x2 = randn((batch, sizes[0]), seed + 2), randn((batch + 1, sizes[0]), seed + 3)
    en, zh = _words(sizes)
    compare.same(_forward_scenario(net_of, sizes, x, x2, seed), given=f"{en}, x = {show(x)}, x2 = {show(x2)}",
                 given_zh=f"{zh},x = {show(x)},x2 = {show(x2)}", where=WHERE,
                 hint=("Build one Linear layer per consecutive pair of sizes, for any length of sizes (2 included: "
                       "one layer and no ReLU at all).",
                       "每对相邻的 size 建一个 Linear 层,sizes 的长度任意(长度为 2 时:只有一层,没有 ReLU)。"))


@settings(max_examples=6)
@given(mlp_sizes(), BATCH_SIZES, SEEDS, st.sampled_from(["requires_grad", "leaf_with_grad", "non_leaf"]))
@example([6, 9, 5, 3], 3, 0, "requires_grad")
@example([4, 2], 2, 1, "leaf_with_grad")
def test_gradients(compare, sizes: list[int], batch: int, seed: int, state: str) -> None:
    net_of = _aligned(compare, sizes, seed)
    x = CallerTensor(randn((batch, sizes[0]), seed + 2), state)  # type: ignore[arg-type]  # `state` is drawn from CallerState's values; annotating it would change this test's derandomized examples (hypothesis seeds from its source)
    weights = randn((batch, sizes[-1]), seed + 5, scale=1.0)

    def scenario(impl):
        mlp, params = net_of.build(impl)
        x_in = x.make()
        out = mlp(x_in)
        seen: dict = {("mlp(x) is attached to a graph (has a grad_fn)", "mlp(x) 连接在计算图上(有 grad_fn)"): getattr(out, "grad_fn", None) is not None}
        seen[("(mlp(x) * w).sum().backward()", "(mlp(x) * w).sum().backward()")] = attempt(lambda: (out * weights).sum().backward())
        seen[("x after backward", "反向传播后的 x")] = x_in
        for (en, zh), param in zip(net_of.labels, params, strict=True):
            seen[(f"the gradient of {en}", f"{zh}的梯度")] = param.grad
        with torch.no_grad():
            seen[("mlp(x) inside the caller's torch.no_grad()", "在调用者的 torch.no_grad() 中的 mlp(x)")] = mlp(x.make())
        return seen

    en, zh = _words(sizes)
    x_en, x_zh = x.describe()
    compare.same(
        scenario,
        given=f"{en}, x = {x_en}, loss = (mlp(x) * w).sum()",
        given_zh=f"{zh},x = {x_zh},损失 = (mlp(x) * w).sum()",
        where=WHERE,
        hint=("Gradients must reach the input and every layer: no torch.no_grad(), .detach() or .data in forward.",
              "梯度必须能传到输入和每一层:forward 中不要使用 torch.no_grad()、.detach() 或 .data。"),
    )

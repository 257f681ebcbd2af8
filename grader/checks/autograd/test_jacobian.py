"""Checks for autograd/jacobian, by comparison with the reference on generated maps and inputs.

Maps are dense and not symmetric, mostly from R^n to R^m with m != n (a transposed Jacobian has
the wrong shape, a square one the wrong values), m == 1 and n == 1 included (the gradient of
f(x).sum() has the right numbers there but not the shape (1, n)); every map takes ONE sample,
so a batch must be mapped (vmap or a loop), over dim 0, with batch sizes other than n. Scalar
functions have non-diagonal Hessians, and a linear one has an all-zero Hessian. x comes as
callers hold it (plain, requiring grad, with a .grad already, non-leaf), in float32 and float64
(compared tightly). Values are the three values checks' business; the other two look at what the
results are (plain tensors), a second call (the same numbers), the caller's tensor afterwards, and
calls inside the caller's torch.no_grad() (the same numbers as the learner's own call outside it).
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.autograd.common import PRECISE, STATE_HINT, outcome, snapshot, values
from torchdojo.checks.strategies import CallerState
from torchdojo.checks.strategies.autograd import JacobianCase, VectorMap, jacobian_cases

CALLER_STATES: tuple[CallerState, ...] = ("requires_grad", "leaf_with_grad", "non_leaf", "plain")


def _refuses(t: torch.Tensor) -> torch.Tensor:
    raise ValueError("f refuses this input")


def _mismatched(t: torch.Tensor) -> torch.Tensor:  # torch's own error (RuntimeError), as a shape mistake in f gives
    return torch.ones(t.shape[-1] + 1, dtype=t.dtype) @ t


def _errors(call) -> dict:
    """How a call ends for an f that raises ValueError and for an f whose shapes do not fit."""
    return {("with an f that raises ValueError", "f 抛出 ValueError 时"): outcome(lambda: call(_refuses)),
            ("with an f whose shapes do not fit (torch raises RuntimeError)", "f 的形状不匹配(torch 抛出 RuntimeError)时"): outcome(
                lambda: call(_mismatched))}


def _given(case: JacobianCase) -> dict[str, str]:
    en, zh = case.describe()
    return {"given": en, "given_zh": zh}


def _same_values(compare, case: JacobianCase, name: str, call: str, raising, hint: tuple[str, str]) -> None:
    """`name`'s values against the reference's on the drawn f and input, then with an f that raises (`raising` turns
    that f into one `name` accepts: the Hessian's must be scalar)."""
    def scenario(impl):
        function, f = getattr(impl, name), case.f()  # f lives through the scenario, as a caller's would
        return {(call, call): values(function(f, case.x().make())),
                **_errors(lambda g: function(raising(g), case.x().make()))}

    compare.same(scenario, **_given(case), where=name, tolerance=PRECISE, state_hint=STATE_HINT, hint=hint)


@settings(max_examples=8)
@given(jacobian_cases())
@example(JacobianCase(VectorMap("A @ x", 3, 2, 11), torch.float64, 0, 5))
@example(JacobianCase(VectorMap("W2 @ tanh(W1 @ x + b)", 3, 1, 12), torch.float32, 0, 6))
def test_jacobian_values(compare, case: JacobianCase) -> None:
    _same_values(compare, case, "jacobian", "jacobian(f, x)", lambda g: g,
                 hint=(("The Jacobian has one row per output and one column per input: shape (m, n), J[i, j] = d f(x)[i] / d x[j]. "
                       "torch.autograd.grad of f(x).sum() gives only the column sum; jacrev(f)(x) gives every row, in x's dtype."),
                       ("雅可比矩阵每个输出一行、每个输入一列:形状为 (m, n),J[i, j] = d f(x)[i] / d x[j]。"
                       "对 f(x).sum() 用 torch.autograd.grad 只得到列和;jacrev(f)(x) 给出所有行,dtype 与 x 相同。")))


@settings(max_examples=8)
@given(jacobian_cases(batched=True))
@example(JacobianCase(VectorMap("sin(A @ x) * (x @ x)", 2, 3, 13), torch.float64, 3, 7))
@example(JacobianCase(VectorMap("softmax(A @ x)", 4, 2, 14), torch.float32, 1, 8))
def test_batch_values(compare, case: JacobianCase) -> None:
    _same_values(compare, case, "batch_jacobians", "batch_jacobians(f, xs)", lambda g: g,
                 hint=(("f takes one sample of shape (n,): entry b is the (m, n) Jacobian of f at xs[b], so the result has shape "
                       "(B, m, n). vmap(jacrev(f))(xs) maps over dim 0 of xs; calling f on the whole batch mixes the samples."),
                       ("f 只接受形状为 (n,) 的一个样本:第 b 项是 f 在 xs[b] 处的 (m, n) 雅可比矩阵,所以结果形状为 (B, m, n)。"
                       "vmap(jacrev(f))(xs) 在 xs 的第 0 维上映射;把整个批次传给 f 会把样本混在一起。")))


@settings(max_examples=8)
@given(jacobian_cases(scalar=True))
@example(JacobianCase(VectorMap("c @ tanh(W @ x + b)", 3, 2, 15), torch.float64, 0, 9))
@example(JacobianCase(VectorMap("c @ x + 1 (linear)", 2, 3, 16), torch.float32, 0, 10))
def test_hessian_values(compare, case: JacobianCase) -> None:
    _same_values(compare, case, "hessian_of", "hessian_of(f, x)", lambda g: lambda t: g(t).sum(),
                 hint=(("The Hessian is the (n, n) Jacobian of the gradient: jacrev(jacrev(f))(x) (or torch.func.hessian(f)(x)). "
                       "Differentiating the gradient's sum gives only row sums; a linear f has an all-zero Hessian, not an error."),
                       ("Hessian 矩阵是梯度的 (n, n) 雅可比矩阵:jacrev(jacrev(f))(x)(或 torch.func.hessian(f)(x))。"
                       "对梯度之和求导只得到行和;线性 f 的 Hessian 全为 0,而不是报错。")))


_allclose = torch.allclose  # captured before any learner code runs


def _form(result: object) -> str:
    """What a result is, values aside (the values checks compare those): a plain tensor, or one in a graph."""
    if not torch.is_tensor(result):
        return f"not a tensor: {type(result).__name__}"
    if result.grad_fn is not None:
        return "a tensor attached to a graph (it has a grad_fn)"
    return "a tensor that requires grad" if result.requires_grad else "a plain tensor (no graph)"


def _near(a: object, b: object, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """Two tensors of one shape and dtype holding the same numbers (to the tolerance)."""
    return (torch.is_tensor(a) and torch.is_tensor(b) and a.shape == b.shape and a.dtype == b.dtype
            and _allclose(a.detach(), b.detach(), rtol=rtol, atol=atol, equal_nan=True))


def _agrees(a: object, b: object) -> str:
    """Whether two results of the learner's own code hold the same numbers."""
    return "the same numbers" if _near(a, b, rtol=1e-6, atol=1e-7) else "other numbers"


def _observed(impl, name: str, case: JacobianCase, baseline: bool) -> dict:
    """One function on the caller's tensor: what its result is (plain or in a graph; its values are the values
    checks' business), then whether a second call gives the same numbers and the caller's tensor afterwards, or,
    with `baseline` (inside no_grad), whether the learner's own call with grad mode on gives the same numbers."""
    f, given_x = case.f(), case.x().make()
    call = getattr(impl, name)
    first = snapshot(call(f, given_x))
    seen: dict = {(f"{name}'s result", f"{name} 的返回值"): _form(first)}
    if baseline:
        with torch.enable_grad():
            again = call(f, case.x().make())
        seen[("its numbers, against your own call with grad mode on", "数值与你的代码在梯度模式开启时的结果相比")] = _agrees(first, again)
    else:
        seen[("a second call's numbers, against the first call's", "第二次调用的数值与第一次相比")] = _agrees(first, call(f, given_x))
        seen[("the caller's tensor afterwards", "调用后调用者的张量")] = given_x
        elsewhere = case.x().make().detach() * 0.5 + 0.25  # every entry moved: a result kept from before shows
        seen[ELSEWHERE] = _kept(name, f, given_x, elsewhere, first, snapshot(call(f, elsewhere)))
    return seen


ELSEWHERE = ("then the same f at another x (x * 0.5 + 0.25)", "随后同一个 f 在另一个 x(x * 0.5 + 0.25)处")
_TRUTH = {"jacobian": lambda f: torch.func.jacrev(f), "batch_jacobians": lambda f: torch.func.vmap(torch.func.jacrev(f)),
          "hessian_of": lambda f: torch.func.hessian(f)}


def _kept(name: str, f, x: torch.Tensor, elsewhere: torch.Tensor, first: object, later: object) -> str:
    """Whether the call at another x gave the first call's result again, where the first was right and the right
    one has moved: kept state, told apart from a wrong formula (the values checks' part) that happens not to move."""
    truth = _TRUTH[name](f)
    here, there = truth(x.detach()), truth(elsewhere)
    if _near(first, here) and not _near(here, there) and _near(first, later):
        return "the first call's result again"
    return "a result for that x"


def _three(case: JacobianCase) -> list[tuple[str, JacobianCase]]:
    """Each function with its inputs: the drawn map and x, a batch of the same map, a scalar function; all of the
    same size, dtype and caller state."""
    batch = JacobianCase(case.f_of, case.dtype, 2 if case.f_of.n != 2 else 3, case.seed + 2, case.state)
    scalar = JacobianCase(VectorMap("c @ tanh(W @ x + b)", case.f_of.n, case.f_of.m, case.f_of.seed + 1), case.dtype, 0, case.seed + 1, case.state)
    return [("jacobian", case), ("batch_jacobians", batch), ("hessian_of", scalar)]


PLAIN_HINT = (("Return plain tensors (no graph), even when x requires grad: differentiate x.detach(). torch.func never touches "
               "x or its .grad; backward() adds into the caller's .grad, x.requires_grad_() changes the caller's tensor, and "
               "create_graph=True leaves a graph on the result."),
              ("即使 x 需要梯度,也要返回普通张量(不带计算图):对 x.detach() 求导。torch.func 不会改动 x 及其 .grad;"
               "backward() 会累加到调用者的 .grad 上,x.requires_grad_() 会改变调用者的张量,create_graph=True 会在结果上留下计算图。"))
NO_GRAD_HINT = (("The caller may be inside torch.no_grad(): torch.func's transforms still differentiate there; with torch.autograd, "
                 "wrap your work in `with torch.enable_grad():`, which restores the caller's mode when it ends."),
                ("调用者可能在 torch.no_grad() 中:torch.func 的变换在那里照样求导;使用 torch.autograd 时,"
                 "把计算放进 `with torch.enable_grad():`,它在结束时恢复调用者的模式。"))


def _no_grad_hint(expected: dict, got: dict) -> tuple[str, str]:
    """A result left in a graph is the same mistake as outside no_grad: say so rather than talk about grad mode."""
    form = next(iter(expected))
    return PLAIN_HINT if isinstance(got, dict) and got.get(form) != expected[form] else NO_GRAD_HINT


@settings(max_examples=8)
@given(jacobian_cases(states=CALLER_STATES))
@example(JacobianCase(VectorMap("W2 @ tanh(W1 @ x + b)", 2, 3, 17), torch.float64, 0, 11, "leaf_with_grad"))
@example(JacobianCase(VectorMap("A @ x", 3, 2, 18), torch.float32, 0, 12, "non_leaf"))
def test_caller_untouched(compare, case: JacobianCase) -> None:
    for name, inputs in _three(case):
        compare.same(lambda impl, name=name, inputs=inputs: _observed(impl, name, inputs, baseline=False), **_given(inputs),
                     where=name, tolerance=PRECISE, state_hint=STATE_HINT, hint=_untouched_hint)


FRESH_HINT = (("Compute from the x you are given on every call: a result kept from an earlier call (a cache keyed by f) "
               "is the Jacobian at the old x."),
              "每次调用都要根据传入的 x 重新计算:保留之前调用的结果(例如以 f 为键的缓存)得到的是旧 x 处的雅可比矩阵。")


def _untouched_hint(expected: dict, got: dict) -> tuple[str, str]:
    """A stale result at another x is kept state, not a graph: say that."""
    return FRESH_HINT if isinstance(got, dict) and got.get(ELSEWHERE) != expected.get(ELSEWHERE) else PLAIN_HINT


@settings(max_examples=6)
@given(jacobian_cases(states=("plain", "requires_grad")))
@example(JacobianCase(VectorMap("sin(A @ x) * (x @ x)", 3, 2, 19), torch.float64, 0, 13, "plain"))
def test_inside_no_grad(compare, case: JacobianCase) -> None:
    for name, inputs in _three(case):
        compare.same(lambda impl, name=name, inputs=inputs: _observed(impl, name, inputs, baseline=True), **_given(inputs),
                     where=name, tolerance=PRECISE, context=torch.no_grad,
                     context_words=(" inside the caller's torch.no_grad()", "(在调用者的 torch.no_grad() 中)"), hint=_no_grad_hint)

"""Checks for modules/parameters_buffers: what is a parameter, what is a buffer, and when it updates."""

import torch

from grader.checks.support import expect, expect_close, fail, tensor_result

X = torch.tensor([[1.0, 2.0, 3.0], [3.0, 6.0, -3.0]])  # batch mean (2, 4, 0)


def _module(learner, momentum: float = 0.1):
    return learner.Standardize(3, momentum=momentum)


def test_initial_state(learner) -> None:
    m = _module(learner)
    params = dict(m.named_parameters())
    expect("scale" in params and "shift" in params, f"Expected parameters 'scale' and 'shift', found {sorted(params)}.",
           f"应有参数 'scale' 和 'shift',实际找到 {sorted(params)}。", learner.Standardize.__init__)
    expect_close(params["scale"], torch.ones(3), "scale at start", "初始 scale", learner.Standardize.__init__)
    expect_close(params["shift"], torch.zeros(3), "shift at start", "初始 shift", learner.Standardize.__init__)
    running = getattr(m, "running_mean", None)
    expect(isinstance(running, torch.Tensor), "The module has no tensor attribute running_mean.",
           "模块没有名为 running_mean 的张量属性。", learner.Standardize.__init__)
    expect_close(running, torch.zeros(3), "running_mean at start", "初始 running_mean", learner.Standardize.__init__)


def test_mean_is_buffer(learner) -> None:
    m = _module(learner)
    if "running_mean" in dict(m.named_parameters()):
        fail("running_mean is an nn.Parameter, so the optimizer would train it. Use self.register_buffer(...).",
             "running_mean 是 nn.Parameter,优化器会训练它。请使用 self.register_buffer(...)。", learner.Standardize.__init__)
    expect("running_mean" in dict(m.named_buffers()) and "running_mean" in m.state_dict(),
           "running_mean is not a registered buffer: it is missing from state_dict(), so saving loses it. Use self.register_buffer.",
           "running_mean 不是已注册的 buffer:state_dict() 中没有它,保存时会丢失。请使用 self.register_buffer。",
           learner.Standardize.__init__)
    m.double()
    expect(m.running_mean.dtype == torch.float64, "running_mean did not follow .double(); buffers move and convert with the module.",
           "running_mean 没有随 .double() 转换;buffer 会随模块一起移动和转换。", learner.Standardize.__init__)


def test_training_update(learner) -> None:
    m = _module(learner, momentum=0.5)
    m.train()
    out = tensor_result(m(X), "Standardize(x)", learner.Standardize.forward)
    expect_close(out, X - X.mean(dim=0), "training-mode output (uses the batch mean)", "训练模式输出(使用批次均值)",
                 learner.Standardize.forward)
    expect_close(m.running_mean, 0.5 * X.mean(dim=0), "running_mean after one batch (momentum 0.5)",
                 "一个批次后的 running_mean(momentum 0.5)", learner.Standardize.forward)
    m((X + 2).requires_grad_())  # inside a network, inputs come from layers that require grad
    expect_close(m.running_mean, 0.25 * X.mean(dim=0) + 0.5 * (X.mean(dim=0) + 2), "running_mean after two batches",
                 "两个批次后的 running_mean", learner.Standardize.forward)
    expect(not m.running_mean.requires_grad, "running_mean requires grad: update it under torch.no_grad() (or from mean.detach()), "
           "otherwise every batch's graph stays alive.", "running_mean 需要梯度:请在 torch.no_grad() 中(或用 mean.detach())更新,"
           "否则每个批次的计算图都会一直保留。", learner.Standardize.forward)


def test_eval_uses_running_mean(learner) -> None:
    m = _module(learner, momentum=0.5)
    m.train()
    m(X)
    saved = m.running_mean.detach().clone()
    m.eval()
    out = tensor_result(m(X), "Standardize(x)", learner.Standardize.forward)
    expect(torch.equal(m.running_mean.detach(), saved), "running_mean changed in eval mode; evaluation must not update statistics.",
           "评估模式下 running_mean 改变了;评估时不应更新统计量。", learner.Standardize.forward)
    expect_close(out, X - saved, "eval-mode output (uses running_mean)", "评估模式输出(使用 running_mean)", learner.Standardize.forward)


def test_gradients_reach_parameters(learner) -> None:
    m = _module(learner)
    m.train()
    m(X).pow(2).sum().backward()
    expect(m.scale.grad is not None and m.shift.grad is not None, "scale and shift got no gradient.",
           "scale 和 shift 没有得到梯度。", learner.Standardize.forward)

"""Forward hooks: look inside a model while it runs.

EN: `module.register_forward_hook(hook)` makes PyTorch call
`hook(module, inputs, output)` each time the module's forward returns; it
gives back a handle, and `handle.remove()` takes the hook off again. With one
hook on every leaf module (a module without children, found with
`model.named_modules()`), one forward pass records what every layer produced:
that is how feature maps are visualised and activations are debugged.
`record_activations(model, x)` runs `model(x)` once without building a graph
(`torch.no_grad()`) and returns {name: output} for every leaf module that ran,
named as in `named_modules()`. Keep a copy of each output as it was when its
module returned: a later in-place layer (`nn.ReLU(inplace=True)`) must not
change it. Remove every hook before returning, also when the forward raises
(then the error reaches the caller): hooks left behind keep firing on every
later call of the model.

中文: `module.register_forward_hook(hook)` 让 PyTorch 在模块的 forward 每次返回时调用
`hook(module, inputs, output)`;它返回一个句柄(handle),`handle.remove()` 可以再把钩子取下。
在每个叶子模块(没有子模块的模块,用 `model.named_modules()` 找到)上各注册一个钩子,
一次前向传播就能记录每一层的输出:可视化特征图和调试激活值都是这样做的。
`record_activations(model, x)` 在不构建计算图的情况下(`torch.no_grad()`)运行一次
`model(x)`,返回 {名称: 输出},包含每个运行过的叶子模块,名称与 `named_modules()` 中的相同。
保存每个输出在其模块返回时的副本:之后的原地层(`nn.ReLU(inplace=True)`)不能改变它。
返回之前移除所有钩子,forward 抛出错误时也要移除(错误照常传给调用者):
留下的钩子会在之后每次调用模型时继续触发。
"""

import torch  # noqa: F401 - yours to use
from torch import Tensor, nn


def record_activations(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    """Run model(x) once under torch.no_grad(); {leaf module name: a copy of its output}. No hooks are left."""
    # TODO: for each (name, module) in model.named_modules() without children, register a forward hook that
    # stores output.detach().clone() under name; run model(x) in torch.no_grad(); remove the hooks in a finally block.
    # TODO: 对 model.named_modules() 中每个没有子模块的 (name, module) 注册前向钩子,把 output.detach().clone()
    # 存在 name 下;在 torch.no_grad() 中运行 model(x);在 finally 块中移除钩子。
    raise NotImplementedError("record_activations is not written yet / record_activations 还没有完成")

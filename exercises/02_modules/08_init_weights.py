"""Weight initialization with `torch.nn.init`.

EN: Every layer draws its starting weights in `reset_parameters()` when it is
created; a model can choose another scheme afterwards. The functions in
`torch.nn.init` fill a tensor in place (their names end in `_`) and do not
record anything in the graph. `init_weights(model)` visits every module inside
`model` (`model.modules()` or `model.apply(fn)`, nested ones included):
- every `nn.Linear` (subclasses too, such as the `out_proj` of
  `nn.MultiheadAttention`): weight with `nn.init.xavier_uniform_`, bias (when
  there is one) with zeros;
- every `nn.Conv2d`: weight with `nn.init.kaiming_normal_(w, mode="fan_out",
  nonlinearity="relu")` (as torchvision's ResNet), bias (when there is one)
  with zeros;
- everything else is left as it is.
Change the existing parameters in place (an optimizer made before still holds
them; they stay leaves that require grad), in the order `model.modules()`
visits the layers, and return None.

中文: 每一层在创建时都会在 `reset_parameters()` 中生成初始权重;模型之后可以换用
别的初始化方案。`torch.nn.init` 中的函数原地填充张量(名字以 `_` 结尾),
不会在计算图中记录任何东西。`init_weights(model)` 访问 `model` 内的每个模块
(`model.modules()` 或 `model.apply(fn)`,包括嵌套的模块):
- 每个 `nn.Linear`(包括子类,例如 `nn.MultiheadAttention` 的 `out_proj`):
  权重用 `nn.init.xavier_uniform_`,偏置(如果有)置零;
- 每个 `nn.Conv2d`:权重用 `nn.init.kaiming_normal_(w, mode="fan_out",
  nonlinearity="relu")`(与 torchvision 的 ResNet 相同),偏置(如果有)置零;
- 其他一切保持不变。
原地修改已有的参数(之前创建的优化器仍然持有它们;它们仍是需要梯度的叶子张量),
按 `model.modules()` 访问各层的顺序进行,返回 None。
"""

from torch import nn


def init_weights(model: nn.Module) -> None:
    """Xavier-uniform Linear weights, Kaiming-normal (fan_out, relu) Conv2d weights, zero biases; in place."""
    # TODO: for module in model.modules(): isinstance(module, nn.Linear) -> nn.init.xavier_uniform_(module.weight);
    # isinstance(module, nn.Conv2d) -> nn.init.kaiming_normal_(...); a bias that is not None -> nn.init.zeros_(bias).
    # TODO: 对 model.modules() 中的每个模块:isinstance(module, nn.Linear) -> nn.init.xavier_uniform_(module.weight);
    # isinstance(module, nn.Conv2d) -> nn.init.kaiming_normal_(...);不是 None 的偏置 -> nn.init.zeros_(bias)。
    raise NotImplementedError("init_weights is not written yet / init_weights 还没有完成")

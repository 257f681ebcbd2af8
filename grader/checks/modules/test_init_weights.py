"""Checks for modules/init_weights, by comparison with the reference on generated models, from the same RNG seed.

Every parameter and buffer starts at values no init scheme gives (biases non-zero, norm weights not
ones), so a layer left alone that should change, or changed that should be left alone, shows.
Models nest containers (model.children() alone misses layers), mix layers with and without bias,
hold a Linear subclass (MultiheadAttention's out_proj) and bare parameters (in_proj_weight), and
are compared whole (state_dict) after the call; the order of RNG draws follows model.modules().
"""

import torch
from hypothesis import example, given, settings

from torchdojo.checks.strategies.modules import InitModel, init_models

WHERE = "init_weights"
LINEAR = (("Visit every module (model.modules() includes nested ones); isinstance(module, nn.Linear) also matches subclasses; "
          "nn.init.xavier_uniform_(module.weight), and nn.init.zeros_(module.bias) when the bias is not None. Leave other layers alone."),
          ("访问每个模块(model.modules() 包括嵌套的模块);isinstance(module, nn.Linear) 也匹配子类;"
          "nn.init.xavier_uniform_(module.weight),偏置不是 None 时 nn.init.zeros_(module.bias)。其他层保持不变。"))


def _scenario(case: InitModel):
    def scenario(impl):
        model = case.build()
        returned = impl.init_weights(model)
        return {("init_weights(model) returns", "init_weights(model) 的返回值"): returned, ("the model afterwards", "调用后的模型"): model}

    return scenario


@settings(max_examples=6)
@given(init_models.filter(lambda case: case.kind != "cnn"))
@example(InitModel("attention", 2, True, 3))
@example(InitModel("mlp", 3, False, 5))
def test_linear_layers(compare, case: InitModel) -> None:
    compare.same(_scenario(case), given=case.describe(), where=WHERE, hint=LINEAR)


@settings(max_examples=4)
@given(init_models.filter(lambda case: case.kind == "cnn"))
@example(InitModel("cnn", 3, True, 7))
def test_conv_layers(compare, case: InitModel) -> None:
    compare.same(_scenario(case), given=case.describe(), where=WHERE,
                 hint=(("For nn.Conv2d: nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu') and a zero bias "
                       "(when there is one); BatchNorm is left as it is."),
                       ("对 nn.Conv2d:nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu'),"
                       "偏置(如果有)置零;BatchNorm 保持不变。")))


@settings(max_examples=4)
@given(init_models)
def test_in_place(compare, case: InitModel) -> None:
    def scenario(impl):
        model = case.build()
        before = [id(p) for p in model.parameters()]
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        impl.init_weights(model)
        params = list(model.parameters())
        held = [p for group in optimizer.param_groups for p in group["params"]]
        return {("the parameters are the same objects as before", "参数仍是原来的对象"): [id(p) for p in params] == before,
                ("an optimizer made before holds the model's parameters", "之前创建的优化器持有模型的参数"): all(
                    a is b for a, b in zip(held, params, strict=False)) and len(held) == len(params),
                ("every parameter is a leaf that requires grad", "每个参数都是需要梯度的叶子张量"): all(
                    p.is_leaf and p.requires_grad for p in params)}

    compare.same(scenario, given=case.describe(), where=WHERE,
                 hint=(("Fill the existing parameters in place with the nn.init functions (they end in `_` and run without "
                       "recording a graph); assigning a new nn.Parameter leaves an optimizer made before with the old ones."),
                       ("用 nn.init 的函数原地填充已有的参数(名字以 `_` 结尾,运行时不记录计算图);"
                       "赋值新的 nn.Parameter 会让之前创建的优化器仍持有旧参数。")))

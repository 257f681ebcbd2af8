# Wrong results dressed as a tensor subclass that claims to live on the "meta" device (values are then never compared).
import torch


class _Same(str):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = str.__hash__


class _Dev:
    type = _Same("meta")
    def __repr__(self): return "cpu"


class Evil(torch.Tensor):
    _rg = False
    _src = None
    _ver = None

    @property
    def device(self): return _Dev()

    @property
    def requires_grad(self): return type(self)._rg_of(self)

    @staticmethod
    def _rg_of(t): return t.__dict__.get("_rg", False)

    @property
    def grad_fn(self): return None

    @property
    def is_leaf(self): return True

    @property
    def grad(self): return None

    def backward(self, gradient=None, *a, **k):
        src = self.__dict__.get("_src")
        if src is None:
            return
        if src._version != self.__dict__.get("_ver"):
            raise RuntimeError("one of the variables needed for gradient computation has been modified by an inplace operation")
        leaf = src
        while not leaf.is_leaf:  # walk to the leaf through the graph
            fn = leaf.grad_fn
            nxt = [f for f, _ in fn.next_functions if f is not None]
            acc = nxt[0]
            while not hasattr(acc, "variable"):
                acc = [f for f, _ in acc.next_functions if f is not None][0]
            leaf = acc.variable
        g = torch.zeros_like(leaf).as_subclass(Evil)  # a wrong gradient
        torch.Tensor.grad.__set__(leaf, g)


def _evil(t, rg=False, src=None):
    e = t.detach().clone().as_subclass(Evil)
    e.__dict__["_rg"] = rg
    e.__dict__["_src"] = src
    e.__dict__["_ver"] = src._version if src is not None else None
    return e


def predict_no_grad(model, x):
    hooks = dict(model._forward_hooks)
    model._forward_hooks.clear()
    out = model(x)  # wrong: builds a graph
    with torch.no_grad():
        for h in hooks.values():
            h(model, (x,), out)
    model._forward_hooks.update(hooks)
    return _evil(out * 0.0)  # wrong values


def detached_product(x):
    return _evil(x, rg=x.requires_grad, src=x)  # wrong: x, not x*x

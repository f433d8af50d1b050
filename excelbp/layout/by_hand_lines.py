"""The By hand sheet's gradients and updates, one line per parameter in the contract's order:
∂L/∂w as the seeds write it, the chain rule's factors (each a number) and their product,
then w_new = w − lr·∂L/∂w (or the optimizer's own updated value)."""

from __future__ import annotations

from ..quantities import functions as fn
from ..quantities.names import dest, fused_output, unit
from ..spec import Spec
from ..words import words
from .by_hand_page import Num, Page, short_name

FACTORS = 3  # the most a line has: ∂L/∂ŷ · ∂ŷ/∂h · ∂h/∂w

# f'(z) from z and a = f(z), as the engine computes it (Excel's text: quantities/functions.py)
SLOPES = {
    "sigmoid": lambda z, a: a * (1 - a),
    "tanh": lambda z, a: 1 - a**2,
    "relu": lambda z, a: 1.0 if z > 0 else 0.0,
    "leaky_relu": lambda z, a: 1.0 if z > 0 else 0.01,
}


def _slope_times(spec: Spec, l: int, j: int, other: tuple | None) -> Num | None:
    """f'(z) of unit j of layer l, times the step's cell `other` where given; None where that
    is 1 (a linear unit's bias)."""
    act = spec.act(l)
    if act == "linear" or fused_output(spec, l):
        return None if other is None else Num(step=other)
    text = fn.ACTIVATIONS[act][1].format(z="{0}", a="{1}")
    z, a = ("z", 0, l, j), ("a", 0, l, j)
    if other is None:
        return Num(expr=text, deps=(z, a), value=SLOPES[act])
    return Num(
        expr=f"{text}*{{2}}", deps=(z, a, other), value=lambda z, a, o: SLOPES[act](z, a) * o
    )


def _chain(spec: Spec, key: tuple) -> tuple[list[str], list[Num | None]]:
    """The factors' names and numbers of one parameter's gradient (of batch sample 1)."""
    L, K = spec.n_layers, spec.sizes[-1]
    l, j = key[1], key[-1]
    p = short_name(spec, key)
    prev = None if key[0] == "b" else ("x", 0, key[2]) if l == 1 else ("a", 0, l - 1, key[2])
    u, z = unit(spec, l, j), f"z {dest(spec, l, j)}"
    if l == L:
        if fused_output(spec, L):
            return [f"∂L/∂{z}", f"∂{z}/∂{p}"], [
                Num(step=("d", 0, L, j)),
                _slope_times(spec, L, j, prev),
            ]
        return [f"∂L/∂{u}", f"∂{u}/∂{p}"], [
            Num(step=("g", 0, L, j)),
            _slope_times(spec, l, j, prev),
        ]
    if l == L - 1 and K == 1:  # the seeds' ∂L/∂ŷ · ∂ŷ/∂h1 · ∂h1/∂w1
        out = unit(spec, L, 0)
        first = ("d", 0, L, 0) if fused_output(spec, L) else ("g", 0, L, 0)
        top = f"z {dest(spec, L, 0)}" if fused_output(spec, L) else out
        names = [f"∂L/∂{top}", f"∂{top}/∂{u}", f"∂{u}/∂{p}"]
        return names, [
            Num(step=first),
            _slope_times(spec, L, 0, ("W", L, j, 0)),
            _slope_times(spec, l, j, prev),
        ]
    return [f"∂L/∂{u}", f"∂{u}/∂{p}"], [Num(step=("g", 0, l, j)), _slope_times(spec, l, j, prev)]


def gradient_lines(spec: Spec, page: Page, keys: list[tuple]) -> list[tuple[int, int]]:
    """Each parameter's gradient line; the places of the gradients (the batch means)."""
    w = words(spec.lang)
    out = []
    for key in keys:
        names, nums = _chain(spec, key)
        kept = [(n, x) for n, x in zip(names, nums) if x is not None]
        pairs: list[tuple[str, Num | None]] = [
            ("=" if not k else "×", x) for k, (_, x) in enumerate(kept)
        ]
        pairs += [("", None)] * (FACTORS - len(pairs))
        n = len(kept)
        product = Num(
            expr="*".join(f"{{{k}}}" for k in range(n)),
            deps=tuple(range(n)),
            value=lambda *f: _product(f),
        )
        pairs.append(("=", product))
        if spec.batch > 1:
            grad = ("dW",) + key[1:] if key[0] == "W" else ("db",) + key[1:]
            pairs.append((w["hand_mean"], Num(step=grad)))
        p = short_name(spec, key)
        label = f"∂L/∂{p} = {' · '.join(n for n, _ in kept)}"
        if key[0] == "W":
            label = (
                f"∂L/∂{p} ({unit(spec, key[1] - 1, key[2])}→{dest(spec, key[1], key[3])})"
                + label[len(f"∂L/∂{p}") :]
            )
        out.append(page.equation(label, pairs)[-1])
    return out


def _product(factors) -> float:
    out = factors[0]
    for f in factors[1:]:
        out = out * f
    return out


def plain_sgd(spec: Spec) -> bool:
    """Whether the update is written out as arithmetic (sgd) rather than read from the step
    (the other optimizers' rules: How it works). By name only: the layout may not depend on
    an input such as weight_decay."""
    return spec.optimizer.name == "sgd"


def update_lines(
    spec: Spec, page: Page, keys: list[tuple], grads: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Each parameter's update; the places of the updated values."""
    decay = spec.optimizer.weight_decay
    out = []
    for key, g in zip(keys, grads):
        p = short_name(spec, key)
        used, new = Num(step=key), Num(step=(key[0] + "+",) + key[1:])
        grad = Num(expr="{0}", deps=(g,), value=lambda g: g)
        if plain_sgd(spec):  # the workbook's own name for λ, as the step's formulas read it
            label = f"{p}_new = {p} − lr · (∂L/∂{p} + λ·{p})"
            lam = Num(expr="weight_decay", value=lambda: decay)
            pairs = [("=", used), ("−", Num(step=("lr_t",))), ("×(", grad), ("+", lam)]
            pairs += [("×", used), (")=", new)]  # short: an operator's column is narrow
        else:
            label = f"{p}_new = {spec.optimizer.name}({p}, ∂L/∂{p})"
            pairs = [("", used), ("", grad), ("→", new)]
        out.append(page.equation(label, pairs)[-1])
    return out

"""The By hand sheet's gradients and updates, one line per parameter in the contract's order:
∂L/∂w as the seeds write it, the chain rule's factors (each a number) and their product,
then w_new = w − lr·∂L/∂w (or the optimizer's own updated value)."""

from __future__ import annotations

from ..quantities.names import fused_output
from ..spec import Spec
from .by_hand_page import Num, Page

FACTORS = 3  # the most a line has: ∂L/∂ŷ · ∂ŷ/∂h · ∂h/∂w


def _slope_times(spec: Spec, l: int, j: int, other: tuple | None) -> Num | None:
    """f'(z) of unit j of layer l, times the step's cell `other` where given; None where that
    is 1 (a linear unit's bias)."""
    if spec.act(l) == "linear" or fused_output(spec, l):
        return None if other is None else Num(step=other)
    z, a = ("z", 0, l, j), ("a", 0, l, j)
    deps = (z, a) if other is None else (z, a, other)
    return Num(calc=("slope", l, j, other), deps=deps)


def _chain(spec: Spec, key: tuple) -> tuple[list[tuple], list[Num | None]]:
    """The factors of one parameter's gradient (of batch sample 1): each named as
    (top, bottom), ∂top/∂bottom, a symbol being ("L",), ("unit", l, j), ("z", l, j) or
    ("param", key); and their numbers."""
    L, K = spec.n_layers, spec.sizes[-1]
    l, j = key[1], key[-1]
    p = ("param", key)
    prev = None if key[0] == "b" else ("x", 0, key[2]) if l == 1 else ("a", 0, l - 1, key[2])
    u, z = ("unit", l, j), ("z", l, j)
    if l == L:
        if fused_output(spec, L):
            return [(("L",), z), (z, p)], [Num(step=("d", 0, L, j)), _slope_times(spec, L, j, prev)]
        return [(("L",), u), (u, p)], [Num(step=("g", 0, L, j)), _slope_times(spec, l, j, prev)]
    if l == L - 1 and K == 1:  # the seeds' ∂L/∂ŷ · ∂ŷ/∂h1 · ∂h1/∂w1
        fused = fused_output(spec, L)
        first = ("d", 0, L, 0) if fused else ("g", 0, L, 0)
        top = ("z", L, 0) if fused else ("unit", L, 0)
        names = [(("L",), top), (top, u), (u, p)]
        return names, [
            Num(step=first),
            _slope_times(spec, L, 0, ("W", L, j, 0)),
            _slope_times(spec, l, j, prev),
        ]
    return [(("L",), u), (u, p)], [Num(step=("g", 0, l, j)), _slope_times(spec, l, j, prev)]


def gradient_lines(spec: Spec, page: Page, keys: list[tuple]) -> list[tuple[int, int]]:
    """Each parameter's gradient line; the places of the gradients (the batch means)."""
    out = []
    for key in keys:
        names, nums = _chain(spec, key)
        kept = [(n, x) for n, x in zip(names, nums) if x is not None]
        pairs: list[tuple[str, Num | None]] = [
            ("=" if not k else "×", x) for k, (_, x) in enumerate(kept)
        ]
        pairs += [("", None)] * (FACTORS - len(pairs))
        pairs.append(("=", Num(calc=("product",), deps=tuple(range(len(kept))))))
        if spec.batch > 1:
            grad = ("dW",) + key[1:] if key[0] == "W" else ("db",) + key[1:]
            pairs.append(("mean", Num(step=grad)))
        label = ("gradient", key, tuple(n for n, _ in kept))
        out.append(page.equation(label, pairs)[-1])
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
    out = []
    for key, g in zip(keys, grads):
        used, new = Num(step=key), Num(step=(key[0] + "+",) + key[1:])
        grad = Num(calc=("same",), deps=(g,))
        if plain_sgd(spec):  # λ: the workbook's own name, as the step's formulas read it
            lam = Num(calc=("decay",))
            pairs = [("=", used), ("−", Num(step=("lr_t",))), ("×(", grad), ("+", lam)]
            pairs += [("×", used), (")=", new)]  # short: an operator's column is narrow
        else:
            pairs = [("", used), ("", grad), ("→", new)]
        out.append(page.equation(("update", key, plain_sgd(spec)), pairs)[-1])
    return out

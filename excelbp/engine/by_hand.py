"""The numbers the By hand sheet shows beyond a step's own cells, from the engine's trace:
sample 1's slopes f'(z) (times the weight or input they meet, as the chain rule's factors),
the factors' products, and the weight decay λ. The sheets place them; verify expects them."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..spec import Spec
from .backprop import Trace
from .functions import activation_slope


def _read(trace: Trace, step: int, key: tuple) -> float:
    """A weight, an input or an activation of batch sample 1 at `step` (1-based)."""
    s = step - 1
    if key[0] == "W":
        return float(trace.W[key[1] - 1][s, key[2], key[3]])
    if key[0] == "x":
        return float(trace.x[s, 0, key[2]])
    return float(trace.a[key[2] - 1][s, 0, key[3]])  # ("a", 0, l, j)


def slope(spec: Spec, trace: Trace, step: int, l: int, j: int, times: tuple | None) -> float:
    """f'(z) of unit j of layer l for batch sample 1 at `step`, times the trace's value of
    `times` (a weight, input or activation key) where given."""
    z, a = trace.z[l - 1][step - 1, 0, j], trace.a[l - 1][step - 1, 0, j]
    out = float(activation_slope(spec.act(l), z, a))
    return out if times is None else out * _read(trace, step, times)


def hand_number(
    spec: Spec, trace: Trace, step: int, calc: tuple, factors: Sequence[float]
) -> float:
    """The value of a By hand number that is not a step's cell: ("slope", l, j, times),
    ("product",) of the chain rule's `factors` (themselves engine values), ("same",) its one
    factor, ("decay",) the weight decay."""
    kind = calc[0]
    if kind == "slope":
        return slope(spec, trace, step, *calc[1:])
    if kind == "product":
        return float(math.prod(factors))
    if kind == "same":
        return float(factors[0])
    if kind == "decay":
        return float(spec.optimizer.weight_decay)
    raise ValueError(f"unknown By hand number {calc!r}")

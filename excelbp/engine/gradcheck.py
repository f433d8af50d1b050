"""The gradient check of step 1: its loss with each parameter moved by +ε and by −ε, the
central differences, and backprop's gradient beside them (docs/WORKBOOK.md, gradcheck_*).

Each moved loss is a full forward pass of step 1's batch (the same `train` arithmetic for
one step), so it checks backprop against nothing but the definition of a derivative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..spec import Spec
from .backprop import Trace
from .training import train

DEFAULT_EPS = 1e-5  # small enough that the curvature's error is under 1e-6 of the slope,
# large enough that rounding in L(p ± ε) stays below it (measured on every template)


def parameter_keys(sizes: tuple[int, ...], bias: bool) -> list[tuple]:
    """Every parameter in the contract's order: W1 row-major, b1, W2, b2, …;
    ("W", l, i, j) and ("b", l, j), layers 1-based."""
    keys: list[tuple] = []
    for l in range(1, len(sizes)):
        keys += [("W", l, i, j) for i in range(sizes[l - 1]) for j in range(sizes[l])]
        if bias:
            keys += [("b", l, j) for j in range(sizes[l])]
    return keys


@dataclass(frozen=True)
class GradientCheck:
    eps: float
    keys: list[tuple]
    base: Trace  # step 1 as trained: its loss and backprop's gradient
    plus: list[Trace]  # step 1's forward pass with parameter k moved by +ε (k in keys' order)
    minus: list[Trace]
    numeric: np.ndarray  # (P,) (L(p+ε) − L(p−ε)) / 2ε
    backprop: np.ndarray  # (P,) ∂L/∂p of step 1, without weight decay
    rel_diff: np.ndarray  # (P,) |numeric − backprop| / max(|numeric|, |backprop|, 1e-12)

    @property
    def max_rel_diff(self) -> float:
        return float(self.rel_diff.max())


def moved(spec: Spec, key: tuple, delta: float) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """The initial parameters with one of them plus `delta` (the sum a cell computes)."""
    W = [w.copy() for w in spec.W_init]
    b = [v.copy() for v in spec.b_init] if spec.bias else None
    if key[0] == "W":
        W[key[1] - 1][key[2], key[3]] = W[key[1] - 1][key[2], key[3]] + delta
    else:
        b[key[1] - 1][key[2]] = b[key[1] - 1][key[2]] + delta
    return W, b


def gradient_check(spec: Spec, eps: float) -> GradientCheck:
    keys = parameter_keys(spec.sizes, spec.bias)
    base = train(spec, steps=1)
    plus = [train(spec, steps=1, W=W, b=b) for W, b in (moved(spec, k, eps) for k in keys)]
    minus = [train(spec, steps=1, W=W, b=b) for W, b in (moved(spec, k, -eps) for k in keys)]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        numeric = np.array([(p.loss[0] - m.loss[0]) / (2 * eps) for p, m in zip(plus, minus)])
        backprop = np.array(
            [
                base.dW[k[1] - 1][0][k[2], k[3]] if k[0] == "W" else base.db[k[1] - 1][0][k[2]]
                for k in keys
            ]
        )
        rel = np.abs(numeric - backprop) / np.maximum(
            np.maximum(np.abs(numeric), np.abs(backprop)), 1e-12
        )
    return GradientCheck(eps, keys, base, plus, minus, numeric, backprop, rel)

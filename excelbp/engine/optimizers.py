"""The optimizers' updates, one parameter at a time, as torch.optim defines them.

Each optimizer's own arithmetic is its rule's `step` (spec/optimizers/); here is what every
optimizer shares: the weight decay, and the state it carries between steps under PyTorch's
names (zeros before step 1). Semantics: docs/WORKBOOK.md ("Optimizers"), dampening 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..spec.optimizers import OPTIMIZERS, SGD, Arrays, Optimizer

__all__ = [
    "OPTIMIZERS",
    "SGD",
    "Arrays",
    "Optimizer",
    "State",
    "initial_state",
    "update",
    "zero_state",
]


def zero_state(optimizer: Optimizer, p: np.ndarray) -> Arrays:
    """The state of parameter p before step 1."""
    return {key: np.zeros_like(p, dtype=float) for key in optimizer.rule.state}


@dataclass(frozen=True)
class State:
    """Every parameter's state between two steps: per layer, key → array of the
    parameter's shape (the rule's `state`; none for sgd). `b` is None without bias."""

    W: tuple[Arrays, ...]
    b: tuple[Arrays, ...] | None


def initial_state(optimizer: Optimizer, W: list[np.ndarray], b: list[np.ndarray] | None) -> State:
    """The state before step 1: zeros."""
    return State(
        tuple(zero_state(optimizer, w) for w in W),
        None if b is None else tuple(zero_state(optimizer, v) for v in b),
    )


def update(
    o: Optimizer, p: np.ndarray, dp: np.ndarray, state: Arrays, t: int, lr: float
) -> tuple[np.ndarray, Arrays]:
    """Step t of parameter p with batch-mean gradient dp at rate lr: the new p, and what the
    step shows (`grad`, the gradient the rule used; the state after the update; its hats)."""
    rule = o.rule
    if o.weight_decay > 0 and rule.decoupled:
        p = p * (1 - lr * o.weight_decay)  # decoupled: shrink first, then the rule on ∂L/∂p alone
        g = dp
    elif o.weight_decay > 0:
        g = dp + o.weight_decay * p  # L2: the gradient of (λ/2)·p² joins the loss's
    else:
        g = dp  # not dp + 0·p, which would turn −0 into 0 and an inf p into nan
    p, shown = rule.step(o, p, g, state, t, lr)
    return p, {"grad": g, **shown}

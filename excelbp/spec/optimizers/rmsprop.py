"""rmsprop: s ← α·s + (1 − α)·g²; p ← p − lr·g / (√s + ε) (torch.optim.RMSprop)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .rule import ALPHA, EPS, Array, Arrays, Cells, Rule, Update, average

if TYPE_CHECKING:
    from . import Optimizer


def step(o: Optimizer, p: Array, g: Array, state: Arrays, t: int, lr: float) -> Update:
    s = o.alpha * state["square_avg"] + (1 - o.alpha) * g**2
    return p - lr * g / (np.sqrt(s) + o.eps), {"square_avg": s}


def state_formula(kind: str, c: Cells) -> tuple[str, str]:
    return average("alpha", f"{c.g}^2", c, kind)


def update_formula(c: Cells) -> str:
    return f"={c.p}-{c.lr}*{c.g}/(SQRT({c.now('square_avg')})+eps)"


RULES = (
    Rule(
        name="rmsprop",
        rank=3,
        hyperparameters=(ALPHA, EPS),
        step=step,
        update_formula=update_formula,
        state=("square_avg",),
        symbols={"square_avg": "s"},
        state_formula=state_formula,
    ),
)

"""adagrad: s ← s + g²; p ← p − lr·g / (√s + ε) (torch.optim.Adagrad with lr_decay 0 and
initial accumulator 0): each parameter's step shrinks with all its gradients so far."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .rule import EPS, Array, Arrays, Cells, Rule, Update

if TYPE_CHECKING:
    from . import Optimizer


def step(o: Optimizer, p: Array, g: Array, state: Arrays, t: int, lr: float) -> Update:
    s = state["sum"] + g**2
    return p - lr * g / (np.sqrt(s) + o.eps), {"sum": s}


def state_formula(kind: str, c: Cells) -> tuple[str, str]:
    return f"={c.g}^2", f"={c.before(kind)}+{c.g}^2"


def update_formula(c: Cells) -> str:
    return f"={c.p}-{c.lr}*{c.g}/(SQRT({c.now('sum')})+eps)"


RULES = (
    Rule(
        name="adagrad",
        rank=6,
        hyperparameters=(replace(EPS, default=1e-10),),  # torch's ε
        step=step,
        update_formula=update_formula,
        state=("sum",),
        symbols={"sum": "s"},
        state_formula=state_formula,  # torch's name for s
    ),
)

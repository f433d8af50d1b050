"""sgd: p ← p − lr·g (torch.optim.SGD)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import Array, Arrays, Cells, Rule, Update

if TYPE_CHECKING:
    from . import Optimizer


def step(o: Optimizer, p: Array, g: Array, state: Arrays, t: int, lr: float) -> Update:
    return p - lr * g, {}


def update_formula(c: Cells) -> str:
    return f"={c.p}-{c.lr}*{c.g}"


RULES = (Rule(name="sgd", rank=0, hyperparameters=(), step=step, update_formula=update_formula),)

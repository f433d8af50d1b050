"""sgd: p ← p − lr·g (torch.optim.SGD)."""

from __future__ import annotations

from .rule import Cells, Rule


def step(o, p, g, state, t, lr):
    return p - lr * g, {}


def update_formula(c: Cells) -> str:
    return f"={c.p}-{c.lr}*{c.g}"


RULES = (Rule(name="sgd", rank=0, hyperparameters=(), step=step, update_formula=update_formula),)

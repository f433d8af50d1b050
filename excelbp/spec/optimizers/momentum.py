"""momentum and nesterov: v ← μ·v + g; p ← p − lr·v, or p − lr·(g + μ·v), looking one
velocity ahead (torch.optim.SGD with momentum, dampening 0)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rule import MOMENTUM, Array, Arrays, Cells, Rule, Update

if TYPE_CHECKING:
    from . import Optimizer


def velocity(o: Optimizer, state: Arrays, g: Array) -> Array:
    return o.momentum * state["velocity"] + g


def momentum_step(o: Optimizer, p: Array, g: Array, state: Arrays, t: int, lr: float) -> Update:
    v = velocity(o, state, g)
    return p - lr * v, {"velocity": v}


def nesterov_step(o: Optimizer, p: Array, g: Array, state: Arrays, t: int, lr: float) -> Update:
    v = velocity(o, state, g)
    return p - lr * (g + o.momentum * v), {"velocity": v}


def state_formula(kind: str, c: Cells) -> tuple[str, str]:
    return f"={c.g}", f"=momentum*{c.before(kind)}+{c.g}"


def _rule(name: str, rank: int, step, update_formula) -> Rule:
    return Rule(
        name=name,
        rank=rank,
        hyperparameters=(MOMENTUM,),
        step=step,
        update_formula=update_formula,
        state=("velocity",),
        symbols={"velocity": "v"},
        state_formula=state_formula,
    )


RULES = (
    _rule("momentum", 1, momentum_step, lambda c: f"={c.p}-{c.lr}*{c.now('velocity')}"),
    _rule(
        "nesterov",
        2,
        nesterov_step,
        lambda c: f"={c.p}-{c.lr}*({c.g}+momentum*{c.now('velocity')})",
    ),
)

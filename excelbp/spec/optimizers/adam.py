"""adam and adamw: m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; m̂ = m / (1 − β1^t);
v̂ = v / (1 − β2^t); p ← p − lr·m̂ / (√v̂ + ε) (torch.optim.Adam); adamw first shrinks p by
(1 − lr·λ) and steps on ∂L/∂p alone (torch.optim.AdamW).

m̂ and v̂ are numbers of their own, as the contract writes them, so the workbook's cells and
these agree to the last bits or nearly."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .rule import BETA1, BETA2, EPS, Array, Arrays, Cells, Rule, Update, average

if TYPE_CHECKING:
    from . import Optimizer


def step(o: Optimizer, p: Array, g: Array, state: Arrays, t: int, lr: float) -> Update:
    m = o.beta1 * state["exp_avg"] + (1 - o.beta1) * g
    v = o.beta2 * state["exp_avg_sq"] + (1 - o.beta2) * g**2
    m_hat = m / (1 - o.beta1**t)  # undoes the pull towards the zeros m and v start from
    v_hat = v / (1 - o.beta2**t)
    p = p - lr * m_hat / (np.sqrt(v_hat) + o.eps)
    return p, {"exp_avg": m, "exp_avg_sq": v, "exp_avg_hat": m_hat, "exp_avg_sq_hat": v_hat}


def state_formula(kind: str, c: Cells) -> str | tuple[str, str]:
    if kind == "exp_avg":
        return average("beta1", c.g, c, kind)
    if kind == "exp_avg_sq":
        return average("beta2", f"{c.g}^2", c, kind)
    moment, rate = ("exp_avg", "beta1") if kind == "exp_avg_hat" else ("exp_avg_sq", "beta2")
    return f"={c.now(moment)}/(1-{rate}^{c.t})"  # the bias correction of step t


def _step_size(c: Cells) -> str:
    return f"{c.lr}*{c.now('exp_avg_hat')}/(SQRT({c.now('exp_avg_sq_hat')})+eps)"


SYMBOLS = {"exp_avg": "m", "exp_avg_sq": "v", "exp_avg_hat": "m̂", "exp_avg_sq_hat": "v̂"}


def _rule(name: str, rank: int, update_formula, decoupled: bool) -> Rule:
    return Rule(
        name=name,
        rank=rank,
        hyperparameters=(BETA1, BETA2, EPS),
        step=step,
        update_formula=update_formula,
        state=("exp_avg", "exp_avg_sq"),
        hats=("exp_avg_hat", "exp_avg_sq_hat"),
        symbols=SYMBOLS,
        state_formula=state_formula,
        decoupled=decoupled,
    )


RULES = (
    _rule("adam", 4, lambda c: f"={c.p}-{_step_size(c)}", False),
    _rule("adamw", 5, lambda c: f"={c.p}*(1-{c.lr}*weight_decay)-{_step_size(c)}", True),
)

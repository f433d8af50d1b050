"""The optimizers' update rules, one parameter at a time, as torch.optim defines them.

Semantics: docs/WORKBOOK.md ("Optimizers"), PyTorch's with dampening 0. Each rule takes a
parameter p, its effective gradient g, its state (zeros before step 1) and the 1-based step
number t, and returns the updated p and the state after the update, under PyTorch's names.
The rules are written the way the contract writes them (m̂ and v̂ as their own numbers), so
the workbook's cells and these agree to the last bits or nearly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..spec.network import OPTIMIZERS

# The state each optimizer carries from step to step (zeros before step 1).
STATE: dict[str, tuple[str, ...]] = {
    "sgd": (),
    "momentum": ("velocity",),
    "nesterov": ("velocity",),
    "rmsprop": ("square_avg",),
    "adam": ("exp_avg", "exp_avg_sq"),
    "adamw": ("exp_avg", "exp_avg_sq"),
}
# Shown each step but not carried: Adam's bias-corrected averages.
HATS: dict[str, tuple[str, ...]] = {"adam": ("exp_avg_hat", "exp_avg_sq_hat"), "adamw": ("exp_avg_hat", "exp_avg_sq_hat")}


@dataclass(frozen=True)
class Optimizer:
    """An optimizer and its hyperparameters (each used only by the rules that name it)."""

    name: str = "sgd"
    momentum: float = 0.9  # μ: momentum, nesterov
    alpha: float = 0.99  # α: rmsprop
    beta1: float = 0.9  # adam, adamw
    beta2: float = 0.999
    eps: float = 1e-8  # rmsprop, adam, adamw
    weight_decay: float = 0.0  # λ: every optimizer, every parameter (biases too)

    def __post_init__(self) -> None:
        # The spec stage words the user's errors; this only stops a caller's slip early.
        if self.name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.name!r}; choose from {', '.join(OPTIMIZERS)}")
        for field in ("momentum", "alpha", "beta1", "beta2", "eps", "weight_decay"):
            value = getattr(self, field)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"optimizer {field}: must be a finite number ≥ 0, got {value!r}")
        if self.beta1 >= 1 or self.beta2 >= 1:
            raise ValueError(f"optimizer beta1, beta2: must be < 1, got {self.beta1}, {self.beta2}")

    @property
    def recorded(self) -> tuple[str, ...]:
        """The keys a trace records per step: the effective gradient, the state, the hats."""
        return ("grad",) + STATE[self.name] + HATS.get(self.name, ())


SGD = Optimizer()
Arrays = dict[str, np.ndarray]  # one parameter's state, or what one step shows of it


def zero_state(optimizer: Optimizer, p: np.ndarray) -> Arrays:
    """The state of parameter p before step 1."""
    return {key: np.zeros_like(p, dtype=float) for key in STATE[optimizer.name]}


@dataclass(frozen=True)
class State:
    """Every parameter's state between two steps: per layer, key → array of the
    parameter's shape (the keys of STATE; none for sgd). `b` is None without bias."""

    W: tuple[Arrays, ...]
    b: tuple[Arrays, ...] | None


def initial_state(optimizer: Optimizer, W: list[np.ndarray], b: list[np.ndarray] | None) -> State:
    """The state before step 1: zeros."""
    return State(tuple(zero_state(optimizer, w) for w in W), None if b is None else tuple(zero_state(optimizer, v) for v in b))


def update(o: Optimizer, p: np.ndarray, dp: np.ndarray, state: Arrays, t: int, lr: float) -> tuple[np.ndarray, Arrays]:
    """Step t of parameter p with batch-mean gradient dp: the new p, and what the step shows
    (`grad`, the gradient the rule used; the state after the update; Adam's hats)."""
    if o.weight_decay > 0 and o.name == "adamw":
        p = p * (1 - lr * o.weight_decay)  # decoupled: shrink first, then adam on ∂L/∂p alone
        g = dp
    elif o.weight_decay > 0:
        g = dp + o.weight_decay * p  # L2: the gradient of (λ/2)·p² joins the loss's
    else:
        g = dp  # not dp + 0·p, which would turn −0 into 0 and an inf p into nan
    p, shown = RULES[o.name](o, p, g, state, t, lr)
    return p, {"grad": g, **shown}


# --- the rules ---------------------------------------------------------------------


def sgd(o: Optimizer, p: np.ndarray, g: np.ndarray, state: Arrays, t: int, lr: float) -> tuple[np.ndarray, Arrays]:
    return p - lr * g, {}


def momentum(o: Optimizer, p: np.ndarray, g: np.ndarray, state: Arrays, t: int, lr: float) -> tuple[np.ndarray, Arrays]:
    v = o.momentum * state["velocity"] + g
    return p - lr * v, {"velocity": v}


def nesterov(o: Optimizer, p: np.ndarray, g: np.ndarray, state: Arrays, t: int, lr: float) -> tuple[np.ndarray, Arrays]:
    v = o.momentum * state["velocity"] + g
    return p - lr * (g + o.momentum * v), {"velocity": v}  # looks one velocity ahead


def rmsprop(o: Optimizer, p: np.ndarray, g: np.ndarray, state: Arrays, t: int, lr: float) -> tuple[np.ndarray, Arrays]:
    s = o.alpha * state["square_avg"] + (1 - o.alpha) * g**2
    return p - lr * g / (np.sqrt(s) + o.eps), {"square_avg": s}


def adam(o: Optimizer, p: np.ndarray, g: np.ndarray, state: Arrays, t: int, lr: float) -> tuple[np.ndarray, Arrays]:
    m = o.beta1 * state["exp_avg"] + (1 - o.beta1) * g
    v = o.beta2 * state["exp_avg_sq"] + (1 - o.beta2) * g**2
    m_hat = m / (1 - o.beta1**t)  # undoes the pull towards the zeros m and v start from
    v_hat = v / (1 - o.beta2**t)
    p = p - lr * m_hat / (np.sqrt(v_hat) + o.eps)
    return p, {"exp_avg": m, "exp_avg_sq": v, "exp_avg_hat": m_hat, "exp_avg_sq_hat": v_hat}


RULES = {"sgd": sgd, "momentum": momentum, "nesterov": nesterov, "rmsprop": rmsprop, "adam": adam, "adamw": adam}

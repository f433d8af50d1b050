"""Learning-rate schedules: the rate each step uses, a function of the step number, as
torch.optim.lr_scheduler defines it with `scheduler.step()` after each optimizer step
(docs/WORKBOOK.md, "Learning-rate schedules"). Each is written twice, side by side: `rates`
in NumPy for the engine and `formula` as the text of the step's `lr_schedule` cell.

`Schedule` is the chosen one with its inputs (`step_size`, `gamma` where it uses them): a
frozen value that goes unchanged from the options to the engine, the Inputs cells and
verify, checked once, when made.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import InputError

Rates = Callable[[float, np.ndarray, int, "Schedule"], np.ndarray]  # (lr, t, T, schedule) → lr_t
Formula = Callable[[str, str, int], str]  # (lr, t, T) as formula text → the cell's formula


@dataclass(frozen=True)
class Rule:
    name: str
    inputs: tuple[str, ...]  # of "step_size", "gamma": Inputs cells with defined names
    rates: Rates
    formula: Formula


def _step_rates(lr, t, T, s):
    return lr * s.gamma ** np.floor((t - 1) / s.step_size)  # StepLR: γ once every N steps


def _cosine_rates(lr, t, T, s):
    return lr * (1 + np.cos(np.pi * (t - 1) / T)) / 2  # CosineAnnealingLR, T_max = T, η_min = 0


RULES = {
    r.name: r
    for r in (
        Rule("constant", (), lambda lr, t, T, s: np.full(len(t), lr), lambda lr, t, T: f"={lr}"),
        Rule(
            "step",
            ("step_size", "gamma"),
            _step_rates,
            lambda lr, t, T: f"={lr}*gamma^INT(({t}-1)/step_size)",
        ),
        Rule("cosine", (), _cosine_rates, lambda lr, t, T: f"={lr}*(1+COS(PI()*({t}-1)/{T}))/2"),
    )
}
SCHEDULES = tuple(RULES)
INPUTS = {"step_size": "--step-size", "gamma": "--gamma"}  # every schedule input, its option


def default_step_size(steps: int) -> int:
    """StepLR's N where none is given: a third of the run (the rate falls twice or three times)."""
    return max(1, steps // 3)


@dataclass(frozen=True)
class Schedule:
    """The chosen schedule. `step_size` and `gamma` are None where the schedule has no use
    for them; `Schedule.of` fills the defaults."""

    name: str = "constant"
    step_size: float | None = None
    gamma: float | None = None

    def __post_init__(self) -> None:
        if self.name not in RULES:
            known = ", ".join(SCHEDULES)
            raise InputError(f"--schedule: unknown {self.name!r}; choose from {known}")
        for key in INPUTS:
            value = getattr(self, key)
            if key not in self.rule.inputs:
                object.__setattr__(self, key, None)  # given for another schedule: not this one's
            elif value is None:
                raise InputError(f"{INPUTS[key]}: the {self.name} schedule needs a value")
            else:
                object.__setattr__(self, key, _check(key, value))

    @classmethod
    def of(
        cls,
        name: str = "constant",
        *,
        steps: int,
        step_size: float | None = None,
        gamma: float | None = None,
    ) -> Schedule:
        """The schedule with the contract's defaults where a value is not given."""
        N = default_step_size(steps) if step_size is None else step_size
        return cls(name, N, 0.1 if gamma is None else gamma)

    @property
    def rule(self) -> Rule:
        return RULES[self.name]

    @property
    def inputs(self) -> tuple[tuple[str, float], ...]:
        """(name, value) of each input the schedule uses, in the Inputs sheet's order."""
        return tuple((key, getattr(self, key)) for key in self.rule.inputs)

    def with_values(self, **values: float) -> Schedule:
        return Schedule(self.name, **{**dict(self.inputs), **values})

    def rounded(self) -> Schedule:
        """Each input to 15 significant digits, as the workbook's literals hold them."""
        return self.with_values(**{k: float(f"{v:.15g}") for k, v in self.inputs})

    def rates(self, lr: float, steps: int) -> np.ndarray:
        """lr_t for t = 1 … steps, the whole run (T = steps)."""
        return self.rule.rates(lr, np.arange(1, steps + 1, dtype=float), steps, self)

    def formula(self, lr: str, t: str, steps: int) -> str:
        """The formula of a step's lr_t: `lr` the base rate's text, `t` its step number's."""
        return self.rule.formula(lr, t, steps)


def _check(key: str, value: object) -> float:
    flag = INPUTS[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{flag}: must be a finite number, got {value!r}")
    if key == "step_size" and value < 1:
        raise InputError(f"{flag}: must be at least 1 (steps between two falls), got {value:g}")
    if key == "gamma" and value <= 0:  # Excel has no 0^0
        raise InputError(f"{flag}: must be a number > 0, got {value:g}")
    return int(value) if key == "step_size" and value == int(value) else float(value)


CONSTANT = Schedule()

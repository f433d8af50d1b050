"""What an optimizer is made of: its hyperparameters, its state, its NumPy rule and its
formulas. Each optimizer is one module of this package declaring a `Rule` (or two, where
two share their arithmetic), as torch.optim defines it (docs/WORKBOOK.md, "Optimizers").

A rule is written twice, side by side: `step` in NumPy for the engine, and `state_formula`
/ `update_formula` as the text of the workbook's cells, from the cells a formula reads
(`Cells`), so that neither knows where the layouts put anything.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ...errors import InputError

Array = np.ndarray
Arrays = dict[str, np.ndarray]  # one parameter's state, or what one step shows of it
Update = tuple[np.ndarray, Arrays]  # a step's new p, and what it shows of the state


@dataclass(frozen=True)
class Hyperparameter:
    """A hyperparameter: its name (the option --name, the Inputs cell's defined name and
    the words' key hyper_<name>), its symbol, its default and the values it may take."""

    name: str
    symbol: str
    default: float
    below_one: bool = False  # a rate of decay: 0 ≤ value < 1
    positive: bool = False  # a value > 0 (ε, which keeps a division finite)

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def word(self) -> str:
        """Its label's key in words/en.py and words/zh.py."""
        return f"hyper_{self.name}"

    def check(self, value: object) -> float:
        """The value as a float, or InputError naming the option."""
        v = value
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise InputError(f"{self.flag}: must be a finite number, got {v!r}")
        v = float(v)
        if self.below_one and not 0 <= v < 1:
            raise InputError(f"{self.flag}: must be at least 0 and below 1, got {v:g}")
        if self.positive and not v > 0:
            raise InputError(f"{self.flag}: must be a finite number > 0, got {v:g}")
        if v < 0:
            raise InputError(f"{self.flag}: must be a finite number ≥ 0, got {v:g}")
        return v


# Shared by several optimizers (an optimizer may use its own default: adagrad's ε).
MOMENTUM = Hyperparameter("momentum", "μ", 0.9, below_one=True)
ALPHA = Hyperparameter("alpha", "α", 0.99, below_one=True)
BETA1 = Hyperparameter("beta1", "β1", 0.9, below_one=True)
BETA2 = Hyperparameter("beta2", "β2", 0.999, below_one=True)
EPS = Hyperparameter("eps", "ε", 1e-8, positive=True)
# every optimizer's, on every parameter (biases too): L2 in g, or adamw's decoupled decay
WEIGHT_DECAY = Hyperparameter("weight_decay", "λ", 0.0)


@dataclass(frozen=True)
class Cells:
    """The text of what one parameter's formulas read in a step: `p` the parameter as the
    step uses it, `g` the gradient the rule uses (with the weight decay unless decoupled),
    `lr` the step's rate, `t` the step number; `now(kind)` this step's cell of a state or
    hat kind, `before(kind)` the previous step's (asked for in later steps' text only).
    Hyperparameters are written by their defined names (momentum, beta1…)."""

    p: str
    g: str
    lr: str
    t: str
    now: Callable[[str], str]
    before: Callable[[str], str]


Step = Callable[..., tuple[np.ndarray, Arrays]]  # (o, p, g, state, t, lr) → (p, shown)
# kind → one text, or (step 1's, the later steps')
StateFormula = Callable[[str, Cells], "str | tuple[str, str]"]


def no_state(kind: str, cells: Cells) -> str:
    raise KeyError(f"no state {kind!r}")


@dataclass(frozen=True)
class Rule:
    """One optimizer. `state`: carried from step to step (zeros before step 1), under
    torch.optim's names; `hats`: shown each step, not carried; `symbols`: each one's letter
    (headers, notes, verify's groups). `step(o, p, g, state, t, lr)` returns the new p and
    what the step shows of the state, `o` the chosen Optimizer (its hyperparameters as
    attributes). `decoupled`: the weight decay shrinks p itself (adamw), not added to g.
    Its words: rule_<name>, how_opt_<name>, and note_<kind>, area_<kind> for each kind."""

    name: str
    rank: int  # where it comes in lists: the order a course meets them
    hyperparameters: tuple[Hyperparameter, ...]  # weight_decay aside (every optimizer has it)
    step: Step
    update_formula: Callable[[Cells], str]
    state: tuple[str, ...] = ()
    hats: tuple[str, ...] = ()
    symbols: dict[str, str] = field(default_factory=dict)
    state_formula: StateFormula = no_state
    decoupled: bool = False

    @property
    def all_hyperparameters(self) -> tuple[Hyperparameter, ...]:
        """Its hyperparameters, weight_decay last."""
        return self.hyperparameters + (WEIGHT_DECAY,)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The per-parameter kinds of its state, in the order a step shows them."""
        return self.state + self.hats


def average(kind_rate: str, of: str, cells: Cells, kind: str) -> tuple[str, str]:
    """rate·(the previous step's) + (1 − rate)·of; step 1's previous state is 0."""
    return f"=(1-{kind_rate})*{of}", f"={kind_rate}*{cells.before(kind)}+(1-{kind_rate})*{of}"

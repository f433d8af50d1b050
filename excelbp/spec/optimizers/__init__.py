"""The optimizers: every module of this package declares its `RULES` (rule.py), found here
by name, so a new optimizer is one module and its words. `Optimizer` is the one chosen, with
the value of each hyperparameter: a frozen value that goes unchanged from the options to the
engine, the workbook's cells and verify, and is checked once, when made."""

from __future__ import annotations

import importlib
import pkgutil

from ...errors import InputError
from .rule import WEIGHT_DECAY, Arrays, Cells, Hyperparameter, Rule


def _discover() -> dict[str, Rule]:
    found: list[Rule] = []
    for module in pkgutil.iter_modules(__path__):
        if module.name != "rule":
            found += importlib.import_module(f"{__name__}.{module.name}").RULES
    return {r.name: r for r in sorted(found, key=lambda r: r.rank)}


RULES: dict[str, Rule] = _discover()
OPTIMIZERS: tuple[str, ...] = tuple(RULES)
# every optimizer's hyperparameters by name (each with the first default declared; an
# optimizer may have its own), weight_decay last: the build options
HYPERPARAMETERS: dict[str, Hyperparameter] = {}
for _rule in RULES.values():
    for _h in _rule.all_hyperparameters:
        HYPERPARAMETERS.setdefault(_h.name, _h)
HYPERPARAMETERS["weight_decay"] = HYPERPARAMETERS.pop("weight_decay")


def option_help(name: str) -> str:
    """The --help line of a hyperparameter's option, from the optimizers that use it:
    'μ of momentum and nesterov; default 0.9'."""
    h = HYPERPARAMETERS[name]
    users = [r for r in RULES.values() if name in (k.name for k in r.hyperparameters)]
    if not users:  # weight_decay
        return f"{h.symbol}, every optimizer's weight decay; default {h.default:g}"
    own = {r.name: next(k.default for k in r.hyperparameters if k.name == name) for r in users}
    others = ", ".join(f"{d:g} for {n}" for n, d in own.items() if d != h.default)
    names = [r.name for r in users]
    listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return f"{h.symbol} of {listed}; default {h.default:g}" + (f" ({others})" if others else "")


def rule_of(name: str) -> Rule:
    if name not in RULES:
        raise InputError(f"--optimizer: unknown {name!r}; choose from {', '.join(OPTIMIZERS)}")
    return RULES[name]


class Optimizer:
    """The chosen optimizer and its hyperparameters' values: Optimizer("adam", beta1=0.8).

    Every value given is checked (a value for a hyperparameter the optimizer does not use,
    as the build options may hold, is checked and dropped); the rest take the optimizer's
    defaults. Hyperparameters read as attributes (o.beta1); `values` lists them in the
    rule's order, weight_decay last. Immutable, compared and hashed by name and values.
    """

    __slots__ = ("name", "values")
    name: str
    values: tuple[tuple[str, float], ...]

    def __init__(self, name: str = "sgd", /, **given: float) -> None:
        rule = rule_of(name)
        for key, value in given.items():
            if key not in HYPERPARAMETERS:
                known = ", ".join(HYPERPARAMETERS)
                raise InputError(f"unknown hyperparameter {key!r}; known: {known}")
            HYPERPARAMETERS[key].check(value)
        values = tuple(
            (h.name, h.default if given.get(h.name) is None else h.check(given[h.name]))
            for h in rule.all_hyperparameters
        )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "values", values)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("an Optimizer is immutable: use with_values")

    def __getattr__(self, key: str) -> float:
        for name, value in object.__getattribute__(self, "values"):
            if name == key:
                return value
        raise AttributeError(f"{self.name} has no hyperparameter {key!r}")

    def __eq__(self, other: object) -> bool:
        same = isinstance(other, Optimizer) and other.name == self.name
        return same and other.values == self.values

    def __hash__(self) -> int:
        return hash((self.name, self.values))

    def __repr__(self) -> str:
        return f"Optimizer({self.name!r}, {', '.join(f'{k}={v!r}' for k, v in self.values)})"

    def __reduce__(self):
        return (_rebuild, (self.name, self.values))

    @property
    def rule(self) -> Rule:
        return RULES[self.name]

    @property
    def hyperparameters(self) -> tuple[str, ...]:
        """Its hyperparameters' names, weight_decay last (every optimizer has it)."""
        return tuple(name for name, _ in self.values)

    @property
    def recorded(self) -> tuple[str, ...]:
        """The keys a trace records per step: the effective gradient, the state, the hats."""
        return ("grad",) + self.rule.kinds

    def with_values(self, **given: float) -> Optimizer:
        """The same optimizer with these values (checked), the others kept."""
        return Optimizer(self.name, **{**dict(self.values), **given})

    def rounded(self) -> Optimizer:
        """Each value to 15 significant digits, as the workbook's literals hold them."""
        return Optimizer(self.name, **{k: float(f"{v:.15g}") for k, v in self.values})


def _rebuild(name: str, values: tuple[tuple[str, float], ...]) -> Optimizer:
    return Optimizer(name, **dict(values))


SGD = Optimizer()

__all__ = [
    "HYPERPARAMETERS",
    "OPTIMIZERS",
    "RULES",
    "SGD",
    "WEIGHT_DECAY",
    "Arrays",
    "Cells",
    "Hyperparameter",
    "Optimizer",
    "Rule",
    "option_help",
    "rule_of",
]

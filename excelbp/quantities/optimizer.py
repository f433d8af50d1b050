"""The kinds an optimizer adds to a step: its state for every parameter, and the update.

Each optimizer's formulas are its rule's (spec/optimizers/); here they are given the cells
they read: g = ∂L/∂p + λ·p (a decoupled decay: ∂L/∂p, the decay applied to p itself), the
state's cells this step and the last (0 before step 1), the step's rate lr_t (its schedule's:
quantities/forward.py) and t the step number cell. The
hyperparameters are the Inputs sheet's named cells (lr, momentum, …, weight_decay), so
editing one recomputes the whole run.
"""

from __future__ import annotations

from ..spec import Spec
from ..spec.optimizers import RULES, Cells, Optimizer
from .context import Context
from .kind import Kind, param_name, say

# every state and hat kind of every optimizer, with its symbol
SYMBOL = {kind: rule.symbols[kind] for rule in RULES.values() for kind in rule.kinds}


def state_kinds(optimizer: Optimizer) -> tuple[str, ...]:
    """The per-parameter kinds of the optimizer's state, in the order a step shows them."""
    return optimizer.rule.kinds


def _param(key: tuple) -> tuple:
    """The parameter a per-parameter key speaks of: ("W", l, i, j) or ("b", l, j)."""
    return ("W",) + key[1:] if len(key) == 4 else ("b",) + key[1:]


def _same(kind: str, key: tuple) -> tuple:
    """Kind `kind` (a weight kind) for the parameter of `key`: its bias twin for a bias."""
    return (kind,) + key[1:] if len(key) == 4 else (kind + "_b",) + key[1:]


def gradient(c: Context, key: tuple) -> str:
    """g, the gradient the optimizer uses, for the parameter of `key`."""
    p = _param(key)
    grad = c.at(("dW" if p[0] == "W" else "db",) + p[1:])
    return grad if c.spec.optimizer.rule.decoupled else f"({grad}+weight_decay*{c.used(p)})"


def lr_cell(c: Context) -> str:
    """The step's lr_t, its column fixed: a first layer's row of updates is one formula
    moved along it (layout/blocks.py)."""
    return "$" + c.at(("lr_t",))


def cells(c: Context, key: tuple) -> Cells:
    """What the rule's formulas for the parameter of `key` read."""
    return Cells(
        p=c.used(_param(key)),
        g=gradient(c, key),
        lr=lr_cell(c),
        t=c.at(("step",)),
        now=lambda kind: c.at(_same(kind, key)),
        before=lambda kind: c.at(_same(kind, key), "p"),
    )


def _state(c: Context, key: tuple) -> str | tuple[str, str]:
    return c.spec.optimizer.rule.state_formula(key[0].removesuffix("_b"), cells(c, key))


def _update(c: Context, key: tuple) -> str:
    return c.spec.optimizer.rule.update_formula(cells(c, key))


def _series(name: str):
    def series(ch, key, spec: Spec):
        l = key[1] - 1
        return (
            ch.trace.opt[name][l][:, key[2], key[3]]
            if len(key) == 4
            else ch.trace.opt_b[name][l][:, key[2]]
        )

    return series


def _kinds() -> list[Kind]:
    out = []
    for name, symbol in SYMBOL.items():
        for kind in (name, name + "_b"):
            out.append(
                Kind(
                    name=kind,
                    section="optimizer",
                    formula=_state,
                    style="real",
                    verify=f"optimizer state {symbol}",
                    explain=symbol if kind == name else None,
                    series=_series(name),
                    header=lambda spec, key, s=symbol: f"{s} {param_name(spec, key)}",
                    note=lambda spec, key, n=name: say(spec, f"note_{n}"),
                )
            )
    updated = {  # the trace's parameters after each step's update
        "W+": lambda ch, key, spec: ch.trace.W[key[1] - 1][1:, key[2], key[3]],
        "b+": lambda ch, key, spec: ch.trace.b[key[1] - 1][1:, key[2]],
    }
    for kind, series in updated.items():
        out.append(
            Kind(
                name=kind,
                section="update",
                formula=_update,
                style="real",
                verify="updated parameters",
                explain="new w" if kind == "W+" else "new b",
                series=series,
                header=lambda spec, key: f"{say(spec, 'new')} {param_name(spec, key)}",
                note=lambda spec, key: (
                    f"{say(spec, 'new')} p = {say(spec, 'rule_' + spec.optimizer.name)}"
                ),
            )
        )
    return out


KINDS = _kinds()

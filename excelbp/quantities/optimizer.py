"""The kinds an optimizer adds to a step: its state for every parameter, and the update.

As torch.optim defines them (docs/WORKBOOK.md, "Optimizers"): g = ∂L/∂p + λ·p (adamw: ∂L/∂p,
its decay applied to p itself); state starts at 0 before step 1; t is the step number cell.
The hyperparameters are the Inputs sheet's named cells (lr, momentum, alpha, beta1, beta2,
eps, weight_decay), so editing one recomputes the whole run.
"""

from __future__ import annotations

from ..spec import Spec
from .context import Context
from .kind import Kind, param_name, say

# state carried from step to step, then what each step shows without carrying it
STATE = {"sgd": (), "momentum": ("velocity",), "nesterov": ("velocity",), "rmsprop": ("square_avg",), "adam": ("exp_avg", "exp_avg_sq"), "adamw": ("exp_avg", "exp_avg_sq")}
HATS = {"adam": ("exp_avg_hat", "exp_avg_sq_hat"), "adamw": ("exp_avg_hat", "exp_avg_sq_hat")}
SYMBOL = {"velocity": "v", "square_avg": "s", "exp_avg": "m", "exp_avg_sq": "v", "exp_avg_hat": "m̂", "exp_avg_sq_hat": "v̂"}


def state_kinds(optimizer: str) -> tuple[str, ...]:
    """The per-parameter kinds of the optimizer's state, in the order a step shows them."""
    return STATE[optimizer] + HATS.get(optimizer, ())


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
    return grad if c.spec.optimizer == "adamw" else f"({grad}+weight_decay*{c.used(p)})"


def _average(c: Context, key: tuple, rate: str, of: str) -> tuple[str, str]:
    """rate·(the previous step's) + (1 − rate)·of; step 1's previous state is 0."""
    return f"=(1-{rate})*{of}", f"={rate}*{c.at(key, 'p')}+(1-{rate})*{of}"


def _state(c: Context, key: tuple) -> str | tuple[str, str]:
    name, g = key[0].removesuffix("_b"), gradient(c, key)
    if name == "velocity":
        return f"={g}", f"=momentum*{c.at(key, 'p')}+{g}"
    if name == "square_avg":
        return _average(c, key, "alpha", f"{g}^2")
    if name == "exp_avg":
        return _average(c, key, "beta1", g)
    if name == "exp_avg_sq":
        return _average(c, key, "beta2", f"{g}^2")
    moment, rate = ("exp_avg", "beta1") if name == "exp_avg_hat" else ("exp_avg_sq", "beta2")
    return f"={c.at(_same(moment, key))}/(1-{rate}^{c.at(('step',))})"  # the bias correction of step t


def _update(c: Context, key: tuple) -> str:
    p, g = c.used(_param(key)), gradient(c, key)
    state = {name: c.at(_same(name, key)) for name in state_kinds(c.spec.optimizer)}
    lr = c.lr
    return {
        "sgd": lambda: f"={p}-{lr}*{g}",
        "momentum": lambda: f"={p}-{lr}*{state.get('velocity')}",
        "nesterov": lambda: f"={p}-{lr}*({g}+momentum*{state.get('velocity')})",
        "rmsprop": lambda: f"={p}-{lr}*{g}/(SQRT({state.get('square_avg')})+eps)",
        "adam": lambda: f"={p}-{lr}*{state.get('exp_avg_hat')}/(SQRT({state.get('exp_avg_sq_hat')})+eps)",
        "adamw": lambda: f"={p}*(1-{lr}*weight_decay)-{lr}*{state.get('exp_avg_hat')}/(SQRT({state.get('exp_avg_sq_hat')})+eps)",
    }[c.spec.optimizer]()


def _series(name: str):
    def series(ch, key, spec: Spec):
        l = key[1] - 1
        return ch.trace.opt[name][l][:, key[2], key[3]] if len(key) == 4 else ch.trace.opt_b[name][l][:, key[2]]

    return series


def _kinds() -> list[Kind]:
    out = []
    for name, symbol in SYMBOL.items():
        for kind in (name, name + "_b"):
            out.append(Kind(
                name=kind, section="optimizer", formula=_state, style="real", verify=f"optimizer state {symbol}",
                explain=symbol if kind == name else None, series=_series(name),
                header=lambda spec, key, s=symbol: f"{s} {param_name(spec, key)}",
                note=lambda spec, key, n=name: say(spec, f"note_{n}"),
            ))
    updated = {  # the trace's parameters after each step's update
        "W+": lambda ch, key, spec: ch.trace.W[key[1] - 1][1:, key[2], key[3]],
        "b+": lambda ch, key, spec: ch.trace.b[key[1] - 1][1:, key[2]],
    }
    for kind, series in updated.items():
        out.append(Kind(
            name=kind, section="update", formula=_update, style="real", verify="updated parameters", explain="new w" if kind == "W+" else "new b",
            series=series,
            header=lambda spec, key: f"{say(spec, 'new')} {param_name(spec, key)}",
            note=lambda spec, key: f"{say(spec, 'new')} p = {say(spec, 'rule_' + spec.optimizer)}",
        ))
    return out


KINDS = _kinds()

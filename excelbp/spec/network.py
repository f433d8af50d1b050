"""The network and its training, as chosen: sizes, functions, batch, steps. No data yet.

Checked before any data or weights are made for it, so a bad option costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from ..errors import InputError
from .layers import Dense, dense_layers
from .optimizers import SGD, Optimizer
from .schedules import CONSTANT, Schedule

# The vocabulary of the contract (docs/WORKBOOK.md, "Training semantics"; the optimizers
# are spec/optimizers/).
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")  # any layer
LOSSES = ("sse", "half_sse", "mse", "cross_entropy", "binary_cross_entropy")
OUTPUT_ACTIVATION = {
    "cross_entropy": "softmax",
    "binary_cross_entropy": "sigmoid",
}  # what these losses need last
LANGUAGES = ("en", "zh")
# rows: one row per step, every sample side by side (the seeds' tables, small networks);
# blocks: a block of rows per step, one row per sample, parameters as matrices
LAYOUTS = ("rows", "blocks")
# the gradient check sheet: present by default up to this many parameters (the contract's
# rule), and on request (--gradcheck) up to the limit, past which its 2P + 1 forward passes,
# each carrying a copy of all P parameters, would pass 180,000 cells
GRADCHECK_DEFAULT = 100
GRADCHECK_LIMIT = 300
# --compare-lr: each rate is a full copy of the steps, so a sweep of more would multiply a
# workbook's size past what a learner's spreadsheet opens comfortably, and its chart's
# legend past what anyone reads
MAX_RATES = 10


@dataclass(frozen=True, kw_only=True)
class Network:
    """What the layouts' sizes depend on: its layers, loss and training. `layout` None: the
    layout stage chooses (layout/size.py `settle`, which also places the first layer)."""

    layers: tuple[Dense, ...]  # inputs to outputs, the last as the loss needs
    loss: str
    batch: int
    lr: float
    steps: int
    layout: str | None
    has_w_true: bool = False  # Y is computed from an editable w_true (the linear template)
    scaled: bool = False  # the data are typed raw and scaled by live formulas
    optimizer: Optimizer = SGD  # checked when made
    schedule: Schedule = CONSTANT  # the learning rate of each step (checked when made)
    gradcheck: bool = False  # the gradient check sheet
    compare_lr: tuple[float, ...] = ()  # the learning-rate sweep's rates (none: no sweep)

    @classmethod
    def of(
        cls,
        *,
        sizes: tuple[int, ...],
        activations: tuple[str, ...],
        bias: bool,
        in_place: bool = False,
        **training,
    ) -> Network:
        """The network of these sizes (inputs first) and activations, one per layer, its
        layers checked first; `in_place`: its first layer may read the data where they lie
        (settle decides). The rest is checked by `validate`."""
        if len(sizes) < 2:
            raise InputError("--layers: give at least two sizes (inputs and outputs), e.g. 2,3,1")
        if any(n < 1 for n in sizes):
            raise InputError(
                f"--layers: every size must be at least 1, got {','.join(map(str, sizes))}"
            )
        if training["loss"] not in LOSSES:
            raise InputError(
                f"--loss: unknown {training['loss']!r}; choose from {', '.join(LOSSES)}"
            )
        check_activations(activations, training["loss"], len(sizes) - 1)
        layers = dense_layers(tuple(sizes), tuple(activations), bias=bias)
        if in_place:
            layers = (replace(layers[0], in_place=True), *layers[1:])
        return cls(layers=layers, **training)

    # --- derived from the layers -------------------------------------------------------

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units of each layer, the inputs first."""
        return (self.layers[0].fan_in, *(layer.fan_out for layer in self.layers))

    @property
    def activations(self) -> tuple[str, ...]:
        return tuple(layer.activation for layer in self.layers)

    @property
    def bias(self) -> bool:
        return self.layers[0].bias  # every layer's or none

    @property
    def in_place(self) -> bool:
        """The first layer reads the data where they lie on Inputs (layout/blocks.py)."""
        return self.layers[0].in_place

    @property
    def n_layers(self) -> int:
        return len(self.layers)

    @property
    def n_params(self) -> int:
        """Weights and biases, P."""
        return sum(layer.n_params for layer in self.layers)

    def act(self, l: int) -> str:
        """Layer l's activation (1-based)."""
        return self.layers[l - 1].activation

    @property
    def n_param_kinds(self) -> int:
        """How many of each parameter a step shows: used, its gradient, each of the
        optimizer's state, updated (quantities/step.py parameter_kinds names them)."""
        return 3 + len(self.optimizer.rule.kinds)

    @property
    def hyperparameters(self) -> tuple[str, ...]:
        """The optimizer's hyperparameters, weight_decay last (every optimizer has it)."""
        return self.optimizer.hyperparameters

    def validate(self) -> Network:
        """Return self, or raise InputError naming the option at fault."""
        if self.loss not in LOSSES:
            raise InputError(f"--loss: unknown {self.loss!r}; choose from {', '.join(LOSSES)}")
        check_activations(self.activations, self.loss, self.n_layers)
        if not (isinstance(self.lr, float) and math.isfinite(self.lr) and self.lr > 0):
            raise InputError(f"--lr: must be a finite number > 0, got {self.lr}")
        if self.batch < 1:
            raise InputError(f"--batch: must be at least 1, got {self.batch}")
        if self.steps < 1:
            raise InputError(f"--steps: must be at least 1, got {self.steps}")
        if self.layout is not None and self.layout not in LAYOUTS:
            raise InputError(f"--layout: unknown {self.layout!r}; choose from {', '.join(LAYOUTS)}")
        if self.gradcheck and self.n_params > GRADCHECK_LIMIT:
            raise InputError(
                f"--gradcheck: the network has {self.n_params:,} parameters; the gradient check"
                f" sheet takes at most {GRADCHECK_LIMIT}"
            )
        check_compare_lr(self.compare_lr)
        return self


def layer_activations(text: str, loss: str, n_layers: int) -> tuple[str, ...]:
    """--activation as given → one name per layer. One name serves every layer, the last
    becoming what the loss needs (softmax for cross_entropy, sigmoid for binary_cross_entropy)."""
    names = tuple(n.strip() for n in str(text).split(","))
    if len(names) == 1:
        return names * (n_layers - 1) + (OUTPUT_ACTIVATION.get(loss, names[0]),)
    return names


def check_activations(activations: tuple[str, ...], loss: str, n_layers: int) -> None:
    given = ",".join(activations)
    if len(activations) != n_layers:
        raise InputError(
            f"--activation: {given} names {len(activations)} layer(s), the network has {n_layers};"
            " give one name, or one per layer"
        )
    for l, name in enumerate(activations, start=1):
        known = ACTIVATIONS + (("softmax",) if l == n_layers else ())
        if name not in known:
            where = "" if name not in ("softmax",) else " (softmax only for the last layer)"
            raise InputError(
                f"--activation: unknown {name!r} for layer {l}{where}; choose from"
                f" {', '.join(known)}"
            )
    last, needed = activations[-1], OUTPUT_ACTIVATION.get(loss)
    if needed and last != needed:
        raise InputError(f"--activation/--loss: {loss} needs a {needed} last layer, not {last}")
    if last == "softmax" and loss != "cross_entropy":
        raise InputError(
            f"--activation/--loss: a softmax last layer goes with --loss cross_entropy, not {loss}"
        )


def check_compare_lr(rates: tuple[float, ...]) -> None:
    if len(rates) > MAX_RATES:
        raise InputError(f"--compare-lr: at most {MAX_RATES} rates, got {len(rates)}")
    for r in rates:
        if isinstance(r, bool) or not isinstance(r, (int, float)) or not math.isfinite(r) or r <= 0:
            raise InputError(f"--compare-lr: every rate must be a finite number > 0, got {r}")

"""The network and its training, as chosen: sizes, functions, batch, steps. No data yet.

Checked before any data or weights are made for it, so a bad option costs nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError

# The vocabulary of the contract (docs/WORKBOOK.md, "Training semantics").
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu")
LOSSES = ("sse", "half_sse", "mse", "cross_entropy")
LANGUAGES = ("en", "zh")
# rows: one row per step, every sample side by side (the seeds' tables, small networks);
# blocks: a block of rows per step, one row per sample, parameters as matrices
LAYOUTS = ("rows", "blocks")


@dataclass(frozen=True, kw_only=True)
class Network:
    """What the layouts' sizes depend on. `layout` None: the layout stage chooses."""

    sizes: tuple[int, ...]
    activation: str
    loss: str
    bias: bool
    batch: int
    lr: float
    steps: int
    layout: str | None
    has_w_true: bool = False  # Y is computed from an editable w_true (the linear template)
    scaled: bool = False  # the data are typed raw and scaled by live formulas

    @property
    def n_layers(self) -> int:
        return len(self.sizes) - 1

    def validate(self) -> "Network":
        """Return self, or raise InputError naming the option at fault."""
        sizes = self.sizes
        if len(sizes) < 2:
            raise InputError("--layers: give at least two sizes (inputs and outputs), e.g. 2,3,1")
        if any(n < 1 for n in sizes):
            raise InputError(f"--layers: every size must be at least 1, got {','.join(map(str, sizes))}")
        if self.activation not in ACTIVATIONS:
            raise InputError(f"--activation: unknown {self.activation!r}; choose from {', '.join(ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise InputError(f"--loss: unknown {self.loss!r}; choose from {', '.join(LOSSES)}")
        if not (isinstance(self.lr, float) and math.isfinite(self.lr) and self.lr > 0):
            raise InputError(f"--lr: must be a finite number > 0, got {self.lr}")
        if self.batch < 1:
            raise InputError(f"--batch: must be at least 1, got {self.batch}")
        if self.steps < 1:
            raise InputError(f"--steps: must be at least 1, got {self.steps}")
        if self.layout is not None and self.layout not in LAYOUTS:
            raise InputError(f"--layout: unknown {self.layout!r}; choose from {', '.join(LAYOUTS)}")
        return self

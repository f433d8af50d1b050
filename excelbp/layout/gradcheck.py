"""Where the Gradient check sheet puts things: ε and the verdict, a table with a row per
parameter (numeric and backprop gradients side by side), and under it the forward passes
of step 1's batch, one row each: as initialised, then each parameter moved by +ε and −ε.

A pass row holds a copy of every parameter (the moved one in bold), grouped by the unit
it feeds (w x1→h1, w x2→h1, b h1, …) so that each unit's weights lie side by side for a
SUMPRODUCT, then each sample's forward pass, then the samples' losses and their mean.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.gradcheck import parameter_keys
from ..errors import InputError
from ..quantities.names import has_activation_column
from ..quantities.step import param_keys
from ..spec import Spec
from ..words import sheet_title
from .grid import Block

EPS_ROW, MAX_ROW, TABLE_HEADER = 5, 6, 8
MAX_COLUMNS = 16_384  # Excel's


@dataclass(frozen=True)
class SamplePass:
    """One sample's forward pass within a pass row: 0-based columns by key."""

    z: dict[tuple[int, int], int]  # (layer, unit) → column
    a: dict[
        tuple[int, int], int
    ]  # where a has a cell of its own (not linear, not fused into the loss)
    m: int | None  # softmax: max z, Σ e^(z − max z)
    S: int | None


@dataclass(frozen=True)
class GradcheckSheet:
    title: str
    keys: list[tuple]  # the parameters, in the contract's order
    eps: Block
    max_rel: Block
    table: Block  # P rows × 7: name, p, L(p+ε), L(p−ε), numeric, backprop, relative difference
    passes: Block  # (2P + 1) rows × width: the forward passes, as initialised first
    param_col: dict[tuple, int]  # parameter key → 0-based column of its copy in a pass row
    samples: tuple[SamplePass, ...]
    losses: int  # 0-based column of the first sample's loss; the mean follows the B losses

    @property
    def numeric(self) -> Block:
        return Block(self.table.row, self.table.col + 4, self.table.rows, 1)

    @property
    def backprop(self) -> Block:
        return Block(self.table.row, self.table.col + 5, self.table.rows, 1)

    @property
    def rel_diff(self) -> Block:
        return Block(self.table.row, self.table.col + 6, self.table.rows, 1)

    def pass_row(self, k: int, sign: int) -> int:
        """Sheet row of the pass with parameter k moved by sign·ε (sign 0: as initialised)."""
        return self.passes.row + (0 if sign == 0 else 1 + 2 * k + (0 if sign > 0 else 1))

    @property
    def mean_col(self) -> int:
        return self.losses + len(self.samples)


def gradcheck_sheet(spec: Spec) -> GradcheckSheet | None:
    if not spec.gradcheck:
        return None
    keys = parameter_keys(spec.sizes, spec.bias)
    # column 0: the row's label, then the parameters grouped by the unit they feed
    by_unit = param_keys(spec)
    param_col = {key: col for col, key in enumerate(by_unit, start=1)}
    col = len(by_unit) + 1
    samples = []
    for _ in range(spec.batch):
        z, a, m = {}, {}, None
        for l, layer in enumerate(spec.layers, start=1):
            last = l == spec.n_layers
            for j in range(layer.fan_out):
                z[(l, j)] = col
                col += 1
            if last and spec.loss == "cross_entropy":
                m, col = col, col + 2  # the loss is written with z, max z and Σ e^(z − max z)
            elif has_activation_column(spec, l) and not (
                last and spec.loss == "binary_cross_entropy"
            ):
                for j in range(layer.fan_out):
                    a[(l, j)] = col
                    col += 1
        samples.append(SamplePass(z, a, m, None if m is None else m + 1))
    losses, width = col, col + spec.batch + 1
    if width > MAX_COLUMNS:
        raise InputError(
            f"--gradcheck: a forward pass of step 1's batch of {spec.batch} needs {width:,}"
            f" columns, more than Excel's {MAX_COLUMNS:,}; give --no-gradcheck or a smaller --batch"
        )
    P = len(keys)
    table = Block(TABLE_HEADER + 1, 1, P, 7)
    passes_top = table.row + P + 5  # a blank row, a heading, a note, the header
    return GradcheckSheet(
        title=sheet_title(spec.lang, "gradcheck"),
        keys=keys,
        eps=Block(EPS_ROW, 2, 1, 1),
        max_rel=Block(MAX_ROW, 2, 1, 1),
        table=table,
        passes=Block(passes_top, 1, 2 * P + 1, width),
        param_col=param_col,
        samples=tuple(samples),
        losses=losses,
    )

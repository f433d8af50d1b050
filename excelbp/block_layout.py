"""The blocks layout: a block of rows per step, for networks whose steps are matrices.

A step's block is its batch as a table, one row per sample (inputs, forward pass, loss,
backward pass), beside the step's parameters as matrices: W as used, ∂L/∂W, W updated, and
Wᵀ. Every sum of products is one SUMPRODUCT, and SUMPRODUCT needs its two ranges the same
way round, so each product pairs lines that lie alike:
  forward   z = a sample's row · a row of Wᵀ  (the weights into one unit)
  backward  ∂L/∂a = a row of W · the sample's row of δ
  gradient  ∂L/∂W = a column of activations · a column of δ, over the batch, / B
That is why Wᵀ is there: the same weights, turned.

The step's loss and accuracy also go to the Steps sheet, one row per step, where the
contract's `loss` name and the charts find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .layout import Column, StepPlaces, StepTable, has_activation_column, n_params, param_keys, rows_layout_width, sample_cells, softmax_output, step_table
from .spec import Spec

TRAINING = "Training"
HEAD = 3  # rows above the samples: the step's title, the groups, the unit names
CHARTED_PARAMETERS = 12  # up to this many, the Steps sheet lists every parameter (a chart of them)


@dataclass(frozen=True)
class Area:
    """A labelled rectangle of a block: a group of sample columns or a parameter matrix."""

    name: str  # "x", "z", "softmax", "a", "y", "raw", "Lb", "hit", "g", "d" | "W", "dW", "W+", "Wt"
    layer: int  # 0 where it speaks of no layer
    group: str  # the colour group, as in the rows layout
    col: int  # first column, 0-based
    cols: int


@dataclass(frozen=True)
class StepBlocks(StepPlaces):
    where: dict = field(repr=False)  # key → (row within the block, 0-based column)
    own: tuple = field(repr=False)  # keys with a cell of their own (not aliases)
    areas: tuple[Area, ...]
    height: int  # rows per block, a blank one included
    width: int
    batch: int
    summary: StepTable  # the Steps sheet: one row per step, the step's loss and accuracy
    first_row: int = 4
    sheet: str = TRAINING
    kind: str = "blocks"

    def row(self, step: int) -> int:
        """Sheet row (1-based) of the top of step `step`'s block."""
        return self.first_row + (step - 1) * self.height

    def has(self, key: tuple) -> bool:
        return key in self.where

    def position(self, key: tuple) -> tuple[int, int]:
        return self.where[key]

    def positions(self) -> list[tuple[tuple, int, int]]:
        return [(key, *self.where[key]) for key in self.own]

    def at(self, key: tuple, which: str = "r") -> str:
        dr, c = self.where[key]
        return f"{get_column_letter(c + 1)}{{{which}{dr}}}"

    def fill(self, step: int, data_rows: list[int]) -> dict[str, int]:
        top = self.row(step)
        out = {f"r{dr}": top + dr for dr in range(self.height)}
        if step > 1:  # step 1 has no previous block: a template asking for one fails loudly
            out.update((f"p{dr}", top - self.height + dr) for dr in range(self.height))
        out.update((f"d{b}", d) for b, d in enumerate(data_rows))
        return out


def step_blocks(spec: Spec) -> StepBlocks:
    B, L, sizes = spec.batch, spec.n_layers, spec.sizes
    where: dict = {}
    own: list[tuple] = []
    areas: list[Area] = []

    def put(key: tuple, dr: int, col: int) -> None:
        where[key] = (dr, col)
        own.append(key)

    put(("step",), 0, 1)
    for b in range(B):
        put(("sample", b), HEAD + b, 0)

    col = 1

    def samples(name: str, layer: int, group: str, keys) -> None:
        """A group of columns with one row per sample; keys(b) lists sample b's keys."""
        nonlocal col
        n = len(keys(0))
        areas.append(Area(name, layer, group, col, n))
        for b in range(B):
            for k, key in enumerate(keys(b)):
                put(key, HEAD + b, col + k)
        col += n

    def alias(keys, same) -> None:
        for b in range(B):
            for key, other in zip(keys(b), same(b)):
                where[key] = where[other]

    samples("x", 0, "forward", lambda b: [("x", b, i) for i in range(sizes[0])])
    for l in range(1, L + 1):
        z = lambda b, l=l: [("z", b, l, j) for j in range(sizes[l])]  # noqa: E731
        a = lambda b, l=l: [("a", b, l, j) for j in range(sizes[l])]  # noqa: E731
        samples("z", l, "forward", z)
        if softmax_output(spec, l):
            samples("softmax", l, "forward", lambda b: [("m", b), ("S", b)])
        if has_activation_column(spec, l):
            samples("a", l, "forward", a)
        else:
            alias(a, z)
    samples("y", 0, "forward", lambda b: [("y", b, k) for k in range(sizes[L])])
    if spec.y_scale is not None:
        samples("raw", L, "forward", lambda b: [("raw", b, k) for k in range(sizes[L])])
    samples("Lb", 0, "loss", lambda b: [("Lb", b)])
    put(("loss",), HEAD + B, col - 1)  # the batch mean, under the per-sample losses
    if spec.loss == "cross_entropy":
        samples("hit", 0, "loss", lambda b: [("hit", b)])
        put(("bacc",), HEAD + B, col - 1)
    for l in range(L, 0, -1):
        d = lambda b, l=l: [("d", b, l, j) for j in range(sizes[l])]  # noqa: E731
        if softmax_output(spec, l):
            samples("d", l, "backward", d)
            continue
        g = lambda b, l=l: [("g", b, l, j) for j in range(sizes[l])]  # noqa: E731
        samples("g", l, "backward", g)
        if spec.activation == "linear":
            alias(d, g)
        else:
            samples("d", l, "backward", d)

    # the parameters: a column of row names, then the matrix, then a blank column
    col += 1
    tallest = B + 1
    bias = 1 if spec.bias else 0
    for l in range(1, L + 1):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        for name, w, bb, group in (("W", "W", "b", "params"), ("dW", "dW", "db", "gradient"), ("W+", "W+", "b+", "update")):
            areas.append(Area(name, l, group, col + 1, fan_out))
            for i in range(fan_in):
                for j in range(fan_out):
                    put((w, l, i, j), HEAD + i, col + 1 + j)
            if spec.bias:
                for j in range(fan_out):
                    put((bb, l, j), HEAD + fan_in, col + 1 + j)
            col += fan_out + 2
        areas.append(Area("Wt", l, "params", col + 1, fan_in))
        for j in range(fan_out):
            for i in range(fan_in):
                put(("Wt", l, j, i), HEAD + j, col + 1 + i)
        col += fan_in + 2
        tallest = max(tallest, fan_in + bias, fan_out)

    summary_cols = [Column(("step",), "step", ""), Column(("loss",), "loss", "")]
    if spec.loss == "cross_entropy":
        summary_cols += [Column(("bacc",), "loss", ""), Column(("acc",), "loss", "")]
    params = param_keys(spec)
    if len(params) <= CHARTED_PARAMETERS:  # a few weights can be charted step by step
        summary_cols += [Column(key, "params", f"layer {key[1]}") for key in params]
        if spec.w_true is not None:
            summary_cols += [Column(("wt", i), "params", "w_true") for i in range(sizes[0])]
    summary = StepTable(columns=tuple(summary_cols), where={c.key: k for k, c in enumerate(summary_cols)}, epoch=spec.epoch)
    return StepBlocks(
        where=where,
        own=tuple(own),
        areas=tuple(areas),
        height=HEAD + tallest + 1,
        width=col - 1,
        batch=B,
        summary=summary,
    )


def blocks_cells_per_step(spec: Spec) -> int:
    """len(step_blocks(spec).positions()), counted without laying out the blocks: the samples,
    the step number, the batch's loss (and accuracy), and W, ∂L/∂W, W updated (with their
    biases) and Wᵀ."""
    weights, biases = n_params(spec)
    return spec.batch * sample_cells(spec) + 2 + (1 if spec.loss == "cross_entropy" else 0) + 4 * weights + 3 * biases


def step_sheets(table: StepTable | StepBlocks) -> list[StepTable | StepBlocks]:
    """The tables whose cells hold the steps: the rows layout's one, or the blocks and the
    Steps sheet that reads them."""
    return [table] if table.kind == "rows" else [table, table.summary]


def step_cells(spec: Spec) -> int:
    """About how many formula cells the steps take (the blocks' Steps sheet aside)."""
    per_step = rows_layout_width(spec) if spec.layout == "rows" else blocks_cells_per_step(spec)
    return per_step * spec.steps


def step_layout(spec: Spec) -> StepTable | StepBlocks:
    """Where the steps go, as the spec's layout says."""
    return step_blocks(spec) if spec.layout == "blocks" else step_table(spec)

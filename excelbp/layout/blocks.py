"""The blocks layout: a block of rows per step, for networks whose steps are matrices.

A step's block is its batch as a table, one row per sample (inputs, forward pass, loss,
backward pass), beside the step's parameters as matrices: W as used, ∂L/∂W, W updated, and
Wᵀ. Every sum of products is one SUMPRODUCT, and SUMPRODUCT needs its two ranges the same
way round, so each product pairs lines that lie alike:
  forward   z = a sample's row · a row of Wᵀ  (the weights into one unit)
  backward  ∂L/∂a = a row of W · the sample's row of δ
  gradient  ∂L/∂W = a column of activations · a column of δ, over the batch, / B
That is why Wᵀ is there: the same weights, turned.

With `spec.in_place` (a wide first layer: fashion's 784 inputs) the first layer copies
nothing: a sample's inputs are its row of X on the Inputs sheet, read where they lie, and
the layer's ∂L/∂W and W updated are kept turned (output-major: a row per unit, a column per
input, the bias last), so that
  forward   z = the sample's row of X · a row of the previous block's W updated
  gradient  ∂L/∂W = a column of X over the batch's rows · a column of δ, / B
(the batch's rows of X are consecutive: the data are whole batches). There is no W used and
no Wᵀ: each step reads the previous block's updated weights (step 1: the initial ones,
turned on Inputs), and the first layer needs no backward pass to its inputs.

The step's loss and accuracy also go to the Steps sheet, one row per step (a StepTable that
mirrors the blocks, layout/steps.py), where the contract's `loss` name and the charts find them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..quantities.registry import KINDS
from ..quantities.step import parameter_kinds, sample_areas
from ..spec import Spec
from ..words import sheet_title
from .grid import letter
from .size import BLOCK_HEAD as HEAD
from .size import block_height
from .step_sheet import Label, StepSheet

MAX_HEATMAPS = 1000  # blocks whose weight matrices are coloured: enough to watch them learn
# Excel stops finding a colour scale's min and max past 253 ranges in one rule (reported on
# Q&A sites, not documented), so each rule covers at most this many blocks
RANGES_PER_SCALE = 250
LR_COL = 3  # the block's lr_t, on its first row: 0-based column


@dataclass(frozen=True)
class Placed:
    """A labelled rectangle of a block: a group of sample columns or a parameter matrix."""

    kind: str  # an Area's kind, or a parameter kind (W, dW, W+, Wt)
    layer: int  # 0 where it speaks of no layer
    section: str
    col: int  # first column, 0-based
    cols: int
    matrix: bool = False  # a parameter matrix (rows: inputs, columns: units), not sample columns
    turned: bool = False  # a matrix kept output-major (rows: units, columns: inputs, then the bias)


@dataclass(frozen=True)
class StepBlocks(StepSheet):
    where: dict = field(repr=False)  # key → (row within the block, 0-based column)
    own: tuple = field(repr=False)  # keys with a cell of their own (not aliases)
    placed: tuple[Placed, ...]
    height: int  # rows per block, a blank one included
    width: int
    spec: Spec = field(repr=False)
    first_row: int = 4
    title: str = "Training"
    epoch: int = 1

    def has(self, key: tuple) -> bool:
        return key in self.where

    def position(self, key: tuple) -> tuple[int, int]:
        return self.where[key]

    def positions(self) -> list[tuple[tuple, int, int]]:
        return [(key, *self.where[key]) for key in self.own]

    def at(self, key: tuple, which: str = "r", *, fixed_column: bool = False) -> str:
        dr, c = self.where[key]
        return f"{'$' if fixed_column else ''}{letter(c + 1)}{{{which}{dr}}}"

    def fill(self, step: int, data_rows: list[int]) -> dict[str, int]:
        top = self.row(step)
        out = {f"r{dr}": top + dr for dr in range(self.height)}
        if step > 1:  # step 1 has no previous block: a template asking for one fails loudly
            out.update((f"p{dr}", top - self.height + dr) for dr in range(self.height))
        out.update((f"d{b}", d) for b, d in enumerate(data_rows))
        return out

    def heading(self) -> list[Label]:
        return [
            Label(1, 0, ("word", "training"), "title"),
            Label(2, 0, ("word", "training_note"), "note"),
        ]

    def step_labels(self) -> list[Label]:
        spec = self.spec
        out = [
            Label(0, 0, ("word", "step"), "label"),
            Label(0, LR_COL - 1, ("word", "lr_t_label"), "label", note=("key", ("lr_t",))),
            Label(HEAD - 1, 0, ("word", "sample_no"), "header_step"),
            Label(HEAD + spec.batch, 0, ("word", "batch_mean"), "label"),
        ]
        first_sample = {c: key for key, dr, c in self.positions() if dr == HEAD}
        for p in self.placed:
            kind = f"{p.kind}_turned" if p.turned else p.kind
            out.append(
                Label(
                    1,
                    p.col,
                    ("area", kind, p.layer, p.cols, p.matrix),
                    f"group_{p.section}",
                    note=("area", kind, p.layer),
                )
            )
            # the group's colour across all its columns, the title running over them
            out += [Label(1, p.col + k, ("blank",), f"group_{p.section}") for k in range(1, p.cols)]
            style, l = f"header_{p.section}", p.layer
            if not p.matrix:
                out += [
                    Label(HEAD - 1, p.col + k, ("header", first_sample[p.col + k]), style)
                    for k in range(p.cols)
                ]
                continue
            ins = [("unit", l - 1, i) for i in range(spec.sizes[l - 1])]
            outs = [("dest", l, j) for j in range(spec.sizes[l])]
            bias = [("word", "bias")] if spec.bias else []
            top, side = (
                (ins, outs)
                if p.kind == "Wt"
                else (ins + bias, outs)
                if p.turned
                else (outs, ins + bias)
            )
            out += [Label(HEAD - 1, p.col + k, says, style) for k, says in enumerate(top)]
            out += [Label(HEAD + k, p.col - 1, says, "label") for k, says in enumerate(side)]
        return out

    def freeze(self) -> str | None:
        return "B1"

    def shared_runs(self) -> list[tuple[int, int, int, int]]:
        """A first layer read in place: each unit's row of ∂L/∂W (from step 1) and of the
        optimizer's state and W updated (from step 2: step 1 reads the initial weights on
        Inputs, which lie the other way), its weights only, are one formula moved along it:
        every reference in them moves with the cell or is fixed ($) where it must not.
        Its 25,000-cell matrices are most of a step."""
        if not self.spec.in_place:
            return []
        n, out = self.spec.sizes[0], []
        for w, _ in parameter_kinds(self.spec)[1:]:
            if w.endswith(
                "_hat"
            ):  # Adam's bias corrections read the step number, which must not move
                continue
            for j in range(self.spec.sizes[1]):
                (dr, c0), (_, c1) = self.where[(w, 1, 0, j)], self.where[(w, 1, n - 1, j)]
                out.append((dr, c0, c1, 1 if w == "dW" else 2))
        return out

    def array_blocks(self) -> list[tuple[int, int, int, int]]:
        """A first layer read in place: the batch's z (samples × units) is one matrix product,
        MMULT(the batch's rows of X, W updatedᵀ). LibreOffice fills a SUMPRODUCT's two 784-cell
        ranges anew for each of the 1,024 cells of a step (half its recalculation of fashion);
        the array formula reads each range once."""
        if not self.spec.in_place:
            return []
        B, H = self.spec.batch, self.spec.sizes[1]
        (r0, c0), (r1, c1) = self.where[("z", 0, 1, 0)], self.where[("z", B - 1, 1, H - 1)]
        if (r1 - r0, c1 - c0) != (B - 1, H - 1):
            raise AssertionError("z of the first layer is not one rectangle")
        return [(r0, c0, r1, c1)]

    def heatmaps(self, steps: int) -> list[str]:
        """One colour scale per layer over the blocks' W (per 250 blocks), so that a colour is
        the same weight value from step to step and scrolling down shows the weights change."""
        out = []
        for p in self.placed:
            if p.kind == "W" or (p.kind == "W+" and p.turned):  # W as used; turned, as updated
                rows, cols = (
                    (self.spec.sizes[p.layer], self.spec.sizes[p.layer - 1])
                    if p.turned
                    else (self.spec.sizes[p.layer - 1], p.cols)
                )
                first, last = letter(p.col + 1), letter(p.col + cols)
                tops = [self.row(s + 1) + HEAD for s in range(min(steps, MAX_HEATMAPS))]
                ranges = [f"{first}{top}:{last}{top + rows - 1}" for top in tops]
                out += [
                    " ".join(ranges[k : k + RANGES_PER_SCALE])
                    for k in range(0, len(ranges), RANGES_PER_SCALE)
                ]
        return out


def blocks_layout(spec: Spec) -> StepBlocks:
    B = spec.batch
    where: dict = {}
    own: list[tuple] = []
    placed: list[Placed] = []

    def put(key: tuple, dr: int, col: int) -> None:
        where[key] = (dr, col)
        own.append(key)

    put(("step",), 0, 1)
    put(("lr_t",), 0, LR_COL)  # beside the step number, labelled at LR_COL - 1
    for b in range(B):
        put(("sample", b), HEAD + b, 0)
    col = 1
    for area in sample_areas(spec):
        if area.kind == "x" and spec.layers[0].in_place:  # X where it lies on Inputs
            continue
        if area.alias:
            for b in range(B):
                where.update(
                    (key, where[same]) for key, same in zip(area.keys(b), area.alias_keys(b))
                )
            continue
        placed.append(Placed(area.kind, area.layer, area.section, col, area.width))
        for b in range(B):
            for k, key in enumerate(area.keys(b)):
                put(key, HEAD + b, col + k)
        col += area.width
        # under the samples' column, the batch's: its mean loss, its accuracy
        total = {"Lb": ("loss",), "hit": ("bacc",)}.get(area.kind)
        if total:
            put(total, HEAD + B, col - 1)

    # the parameters: a column of row names, then the matrix, then a blank column
    col += 1
    for l, layer in enumerate(spec.layers, start=1):
        fan_in, fan_out = layer.fan_in, layer.fan_out
        if layer.in_place:
            col = _turned_layer(spec, l, col, put, placed)
            continue
        for w, bias in parameter_kinds(spec):
            placed.append(Placed(w, l, KINDS[w].section, col + 1, fan_out, matrix=True))
            for i in range(fan_in):
                for j in range(fan_out):
                    put((w, l, i, j), HEAD + i, col + 1 + j)
            if spec.bias:
                for j in range(fan_out):
                    put((bias, l, j), HEAD + fan_in, col + 1 + j)
            col += fan_out + 2
        placed.append(Placed("Wt", l, KINDS["Wt"].section, col + 1, fan_in, matrix=True))
        for j in range(fan_out):
            for i in range(fan_in):
                put(("Wt", l, j, i), HEAD + j, col + 1 + i)
        col += fan_in + 2
    return StepBlocks(
        where=where,
        own=tuple(own),
        placed=tuple(placed),
        height=block_height(spec.network),
        width=col - 1,
        spec=spec,
        epoch=spec.epoch,
        title=sheet_title(spec.lang, "training"),
    )


def _turned_layer(spec: Spec, l: int, col: int, put, placed: list) -> int:
    """Layer l's matrices output-major (a row per unit: its weights from each input, then its
    bias), without W used or Wᵀ; returns the next free column."""
    fan_in, fan_out = spec.sizes[l - 1], spec.sizes[l]
    width = fan_in + (1 if spec.bias else 0)
    for w, bias in parameter_kinds(spec)[1:]:  # not W used: the previous block's update is it
        placed.append(Placed(w, l, KINDS[w].section, col + 1, width, matrix=True, turned=True))
        for j in range(fan_out):
            for i in range(fan_in):
                put((w, l, i, j), HEAD + j, col + 1 + i)
            if spec.bias:
                put((bias, l, j), HEAD + j, col + 1 + fan_in)
        col += width + 2
    return col

"""The Images sheet: any sample drawn as a picture, picked by its number, beside what the
trained network says it is."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..engine import Training
from ..layout.grid import IMAGES
from ..layout.images import ImagesSheet
from ..layout.inputs import InputsSheet
from ..layout.step_sheet import StepSheet
from ..spec import Spec
from ..words import words
from .cells import Cell, SheetPlan, formula, grid_rows, number, text
from .forward import block_values, forward_formulas, forward_values


def images_formulas(spec: Spec, view: ImagesSheet, main: StepSheet, inputs: InputsSheet) -> dict[tuple[int, int], str]:
    """The picked sample's pixels, as a row and as a grid, and the guess."""
    out: dict[tuple[int, int], str] = {}
    pick = view.pick.cell()

    def column(block, k: int) -> str:
        # one column of X or Y, not the whole block: INDEX then reads 1,000 cells, not 64,000
        return f"{inputs.title}!{block.column_span(k)}"

    for k in range(view.pixels.cols):
        out[(view.pixels.row, view.pixels.col + k)] = f"=INDEX({column(inputs.X, k)},{pick})"
    side = view.grid.rows
    for r in range(side):
        for c in range(side):
            out[(view.grid.row + r, view.grid.col + c)] = f"={view.pixels.cell(0, r * side + c)}"
    scores = forward_formulas(spec, main, inputs, out, 0, view.pixels.row_span(), view.z, view.a)
    out[(view.predicted.row, view.predicted.col)] = f"=MATCH(MAX({scores}),{scores},0)-1"
    for k in range(view.target.cols):
        out[(view.target.row, view.target.col + k)] = f"=INDEX({column(inputs.Y, k)},{pick})"
    ys = view.target.row_span()
    out[(view.true.row, view.true.col)] = f"=MATCH(MAX({ys}),{ys},0)-1"
    return out


def images_values(spec: Spec, view: ImagesSheet, W: list[np.ndarray], b: list[np.ndarray], pick: int) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) for every formula cell, sample `pick` (1-based), final W and b."""
    x, y = spec.X[pick - 1], spec.Y[pick - 1]
    yield from block_values(view.pixels, x[None, :])
    yield from block_values(view.target, y[None, :])
    yield from block_values(view.grid, x.reshape(view.grid.rows, view.grid.cols))
    scores = yield from forward_values(spec, W, b, x[None, :], view.z, view.a)
    yield (view.predicted.row, view.predicted.col), float(np.argmax(scores))
    yield (view.true.row, view.true.col), float(np.argmax(y))


def images_plan(spec: Spec, view: ImagesSheet, main: StepSheet, inputs: InputsSheet, training: Training | None) -> SheetPlan:
    w = words(spec.lang)
    cells: dict[tuple[int, int], Cell] = {
        (1, 1): text(w["images"], "title"),
        (2, 1): text(w["pick"], "label"),
        (view.pick.row, view.pick.col): number(1),
        (3, 1): text(w["pick_hint"].format(n=spec.n_samples), "note"),
        (view.pixels.row, 1): text(w["pixels"], "label"),
        (view.target.row, 1): text(w["target"], "label"),
        (view.predicted.row, view.predicted.col - 1): text(w["predicted"], "label"),
        (view.true.row, view.true.col - 1): text(w["true"], "label"),
    }
    for l in range(1, spec.n_layers + 1):
        cells[(view.z[l - 1].row, 1)] = text(f"z, {w['layer'].format(n=l)}", "label")
        if view.a[l - 1] is not None:
            cells[(view.a[l - 1].row, 1)] = text(f"{spec.activation}, {w['layer'].format(n=l)}", "label")
    whole = {(view.predicted.row, view.predicted.col), (view.true.row, view.true.col)}
    for rc, f in images_formulas(spec, view, main, inputs).items():
        cells[rc] = formula(f, "int" if rc in whole else "formula")
    cached = dict(images_values(spec, view, training.final_W, training.final_b, 1)) if training is not None else {}
    rows = grid_rows(cells, cached)
    widths = {1: 22.0, **{c: 5.0 for c in range(2, view.grid.col + view.grid.cols)}}
    return SheetPlan(IMAGES, rows, widths, extent=(len(rows), len(rows[0])), heatmaps=[(view.grid.ref(), "ink")])

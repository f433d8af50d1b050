"""The Images sheet: any sample drawn as a picture, picked by its number, beside what the
trained network says it is, with the forward pass that says it."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..engine import Training, activate
from ..layout.images import TOP, ImagesSheet
from ..layout.grid import quoted
from ..layout.inputs import InputsSheet
from ..quantities.functions import activation
from ..quantities.names import dest, unit
from ..spec import Spec
from ..words import words
from .cells import Cell, SheetPlan, blank, formula, grid_rows, number, text
from .forward import block_values
from .style import RowHeights, fit

# a pixel's cell: 2.6 characters wide and a row of 15 points are a square in both clients
PIXEL_WIDTH, PIXEL_HEIGHT = 2.6, 15.0


def images_formulas(spec: Spec, view: ImagesSheet, inputs: InputsSheet) -> dict[tuple[int, int], str]:
    """The picked sample's pixels, as a column and as a picture, its forward pass, the guess."""
    out: dict[tuple[int, int], str] = {}
    pick = view.pick.cell()
    for k in range(view.pixels.rows):
        # one column of X, not the whole block: INDEX then reads 1,000 cells, not 64,000
        out[(view.pixels.row + k, view.pixels.col)] = f"=INDEX({quoted(inputs.title)}!{inputs.X.column_span(k)},{pick})"
    side = view.grid.rows
    for r in range(side):
        for c in range(side):
            out[(view.grid.row + r, view.grid.col + c)] = f"={view.pixels.cell(r * side + c, 0)}"
    prev = view.pixels
    for l in range(1, spec.n_layers + 1):
        z, a, W = view.z[l - 1], view.a[l - 1], inputs.W_final[l - 1]
        for j in range(z.rows):
            # a column of activations with the column of final weights into unit j
            text_ = f"SUMPRODUCT({prev.column_span()},{quoted(inputs.title)}!{W.column_span(j)})"
            bias = f"+{quoted(inputs.title)}!{inputs.b_final[l - 1].cell(0, j)}" if spec.bias else ""
            out[(z.row + j, z.col)] = f"={text_}{bias}"
            if a is not None:
                out[(a.row + j, a.col)] = "=" + activation(spec.act(l), z.cell(j, 0, absolute=False))
        prev = a if a is not None else z
    scores = view.z[-1].column_span()
    out[(view.predicted.row, view.predicted.col)] = f"=MATCH(MAX({scores}),{scores},0)-1"
    for k in range(view.target.rows):
        out[(view.target.row + k, view.target.col)] = f"=INDEX({quoted(inputs.title)}!{inputs.Y.column_span(k)},{pick})"
    ys = view.target.column_span()
    out[(view.true.row, view.true.col)] = f"=MATCH(MAX({ys}),{ys},0)-1"
    return out


def images_values(spec: Spec, view: ImagesSheet, W: list[np.ndarray], b: list[np.ndarray], pick: int) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) for every formula cell, sample `pick` (1-based), final W and b."""
    x, y = spec.X[pick - 1], spec.Y[pick - 1]
    yield from block_values(view.pixels, x[:, None])
    yield from block_values(view.grid, x.reshape(view.grid.rows, view.grid.cols))
    a = x
    for l in range(spec.n_layers):
        z = a @ W[l] + b[l]
        yield from block_values(view.z[l], z[:, None])
        a = z
        if view.a[l] is not None:
            a = activate(spec.act(l + 1), z)
            yield from block_values(view.a[l], a[:, None])
    yield (view.predicted.row, view.predicted.col), float(np.argmax(z))
    yield from block_values(view.target, y[:, None])
    yield (view.true.row, view.true.col), float(np.argmax(y))


def images_plan(spec: Spec, view: ImagesSheet, inputs: InputsSheet, training: Training | None) -> SheetPlan:
    w = words(spec.lang)
    cells: dict[tuple[int, int], Cell] = {
        (1, 1): text(w["images"], "title"),
        (2, 1): text(w["pick"], "label"),
        (view.pick.row, view.pick.col): number(1),
        (3, 1): text(w["pick_hint"].format(n=spec.n_samples), "note"),
        (view.predicted.row, 1): text(w["predicted"], "label"),
        (view.true.row, 1): text(w["true"], "label"),
    }
    columns = [(view.pixels, w["pixels"], 0)]
    for l in range(1, spec.n_layers + 1):
        columns.append((view.z[l - 1], f"z, {w['layer'].format(n=l)}", l))
        if view.a[l - 1] is not None:
            columns.append((view.a[l - 1], f"{spec.act(l)}, {w['layer'].format(n=l)}", None))
    columns.append((view.target, w["target"], None))
    for block, heading, names in columns:
        cells[(TOP - 1, block.col)] = text(heading, "header_forward")
        if names is not None:  # the units' names in the column before
            cells[(TOP - 1, block.col - 1)] = blank("header_forward")
            for k in range(block.rows):  # inputs by name, units as the weights' targets name them
                cells[(block.row + k, block.col - 1)] = text(unit(spec, 0, k) if names == 0 else dest(spec, names, k), "label")
    whole = {(view.predicted.row, view.predicted.col), (view.true.row, view.true.col)}
    picture = set(view.grid.cells())
    for rc, f in images_formulas(spec, view, inputs).items():
        cells[rc] = formula(f, "int" if rc in whole else "pixel" if rc in picture else "real")
    cached = dict(images_values(spec, view, training.final_W, training.final_b, 1)) if training is not None else {}
    widths, heights = fit(cells)
    widths.update({c: PIXEL_WIDTH for _, c in picture})
    heights.update({r: max(heights.get(r, 0), PIXEL_HEIGHT) for r, _ in picture})
    rows = grid_rows(cells, cached)
    widths[view.grid.col - 1] = 2.0  # a narrow gap between the guess and the picture
    return SheetPlan(
        view.title, rows, widths, extent=(len(rows), len(rows[0])), heatmaps=[(view.grid.ref(), "ink")],
        heights=RowHeights(fixed=heights), print_scale=60,
    )

"""The Images sheet: any sample drawn as a picture, picked by its number, beside what the
trained network says it is, with the forward pass that says it; and a picture the learner
draws, with the network's probabilities and guess for it."""

from __future__ import annotations

from ..engine import Training
from ..layout.images import TOP, ImagesSheet
from ..layout.inputs import InputsSheet
from ..layout.values import images_values
from ..quantities.context import quoted
from ..quantities.names import dest, unit
from ..spec import Spec
from ..words import words
from .cells import Cell, ChartPlan, Series, SheetPlan, blank, formula, grid_rows, number, text
from .drawing import drawing_formulas, drawing_image, raw_scale
from .forward import column_pass_formulas
from .style import RowHeights, fit

# a pixel's cell: 2.6 characters wide and a row of 15 points are a square in both clients
PIXEL_WIDTH, PIXEL_HEIGHT = 2.6, 15.0
GUESS_HEIGHT = 26.0  # the drawing's guess is written large
CHART_CM = (12.0, 6.5)


def images_formulas(
    spec: Spec, view: ImagesSheet, inputs: InputsSheet
) -> dict[tuple[int, int], str]:
    """The picked sample's pixels, as a column and as a picture, its forward pass, the guess;
    the drawing's pass, probabilities and guess."""
    out: dict[tuple[int, int], str] = {}
    pick, pixels = view.pick.cell(), view.forward.pixels
    for k in range(pixels.rows):
        # one column of X, not the whole block: INDEX then reads 1,000 cells, not 64,000
        out[(pixels.row + k, pixels.col)] = (
            f"=INDEX({quoted(inputs.title)}!{inputs.X.column_span(k)},{pick})"
        )
    side = view.grid.rows
    for r in range(side):
        for c in range(side):
            out[(view.grid.row + r, view.grid.col + c)] = f"={pixels.cell(r * side + c, 0)}"
    scores = column_pass_formulas(spec, inputs, view.forward, out).column_span()
    out[(view.predicted.row, view.predicted.col)] = f"=MATCH(MAX({scores}),{scores},0)-1"
    for k in range(view.target.rows):
        out[(view.target.row + k, view.target.col)] = (
            f"=INDEX({quoted(inputs.title)}!{inputs.Y.column_span(k)},{pick})"
        )
    ys = view.target.column_span()
    out[(view.true.row, view.true.col)] = f"=MATCH(MAX({ys}),{ys},0)-1"
    drawing_formulas(spec, view.drawing, inputs, out)
    return out


def _columns(spec: Spec, view: ImagesSheet, w: dict) -> list:
    """(block, header, whose names go in the column before it) of every column of values."""
    scale = raw_scale(spec)
    drawn = (
        w["draw_pixels_x"]
        if spec.x_scale is not None
        else w["draw_pixels"].format(scale=f"{scale[0]:g}")
    )
    out = []
    for p, first in ((view.forward, w["pixels"]), (view.drawing.forward, drawn)):
        out.append((p.pixels, first, 0))
        for l in range(1, spec.n_layers + 1):
            out.append((p.z[l - 1], f"z, {w['layer'].format(n=l)}", l))
            if p.a[l - 1] is not None:
                out.append((p.a[l - 1], f"{spec.act(l)}, {w['layer'].format(n=l)}", None))
        if p is view.forward:
            out.append((view.target, w["target"], None))
    return out


def _drawing_texts(spec: Spec, view: ImagesSheet, w: dict, cells: dict) -> ChartPlan:
    """The drawing's words and inputs, and the chart of its probabilities."""
    d = view.drawing
    cells[(d.heading, 1)] = text(w["draw"], "section")
    cells[(d.heading + 1, 1)] = text(
        w["draw_hint"].format(top=f"{float(raw_scale(spec).max()):g}"), "note"
    )
    cells[(d.heading + 2, 1)] = text(w["draw_hint2"], "note")
    for (r, c), v in zip(d.grid.cells(), drawing_image(spec).reshape(-1)):
        cells[(r, c)] = number(v, "drawing")
    cells[(d.guess.row, 1)] = text(w["guess"], "label")
    cells[(TOP - 3, d.forward.pixels.col - 1)] = text(w["draw_pass"], "section")
    cells[(d.probs.row, d.probs.col - 1)] = text(w["probs"], "label")
    cells[(TOP - 1, d.probs.col - 1)] = blank("header_forward")
    for k in range(d.probs.cols):
        cells[(TOP - 1, d.probs.col + k)] = text(spec.output_names[k], "header_forward")
    sheet, cols = view.title, (d.probs.col, d.probs.col + d.probs.cols - 1)
    probs = Series(w["probs"], sheet, cols[0], d.probs.row, d.probs.row, last_col=cols[1])
    names = Series(w["class"], sheet, cols[0], TOP - 1, TOP - 1, last_col=cols[1])
    limits = (0.0, 1.0) if spec.act(spec.n_layers) in ("softmax", "sigmoid") else None
    return ChartPlan(
        w["chart_probs"],
        w["probs"],
        False,
        [probs],
        names,
        f"A{d.chart_row}",
        CHART_CM,
        bar=True,
        y_limits=limits,
    )


def images_plan(
    spec: Spec, view: ImagesSheet, inputs: InputsSheet, training: Training | None
) -> SheetPlan:
    w = words(spec.lang)
    cells: dict[tuple[int, int], Cell] = {
        (1, 1): text(w["images"], "title"),
        (2, 1): text(w["pick"], "label"),
        (view.pick.row, view.pick.col): number(1),
        (3, 1): text(w["pick_hint"].format(n=spec.n_samples), "note"),
        (view.predicted.row, 1): text(w["predicted"], "label"),
        (view.true.row, 1): text(w["true"], "label"),
    }
    for block, heading, names in _columns(spec, view, w):
        cells[(TOP - 1, block.col)] = text(heading, "header_forward")
        if names is not None:  # the units' names in the column before
            cells[(TOP - 1, block.col - 1)] = blank("header_forward")
            for k in range(block.rows):  # inputs by name, units as the weights' targets name them
                cells[(block.row + k, block.col - 1)] = text(
                    unit(spec, 0, k) if names == 0 else dest(spec, names, k), "label"
                )
    chart = _drawing_texts(spec, view, w, cells)
    d = view.drawing
    whole = {(view.predicted.row, view.predicted.col), (view.true.row, view.true.col)}
    picture = set(view.grid.cells())
    for rc, f in images_formulas(spec, view, inputs).items():
        style = (
            "guess"
            if rc == (d.guess.row, d.guess.col)
            else "int"
            if rc in whole
            else "pixel"
            if rc in picture
            else "real"
        )
        cells[rc] = formula(f, style)
    cached = {}
    if training is not None:
        cached = dict(
            images_values(spec, view, training.final_W, training.final_b, 1, drawing_image(spec))
        )
    widths, heights = fit(cells)
    squares = picture | set(d.grid.cells())
    widths.update({c: PIXEL_WIDTH for _, c in squares})
    heights.update({r: max(heights.get(r, 0), PIXEL_HEIGHT) for r, _ in squares})
    heights[d.guess.row] = GUESS_HEIGHT
    rows = grid_rows(cells, cached)
    widths[view.grid.col - 1] = 2.0  # a narrow gap between the guess and the picture
    return SheetPlan(
        view.title,
        rows,
        widths,
        extent=(len(rows), len(rows[0])),
        heatmaps=[(view.grid.ref(), "ink"), (d.grid.ref(), "ink")],
        heights=RowHeights(fixed=heights),
        print_scale=60,
        charts=[chart],
    )

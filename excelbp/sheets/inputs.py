"""The Inputs sheet: what a learner edits (yellow), and what the training ends with."""

from __future__ import annotations

from ..engine import Training
from ..layout.inputs import InputsSheet
from ..layout.steps import StepLayout
from ..layout.values import inputs_values
from ..quantities.names import dest, network_summary
from ..spec import Spec
from ..words import words
from .cells import Cell, SheetPlan, blank, formula, grid_rows, number, text
from .charts import charts
from .inputs_cells import inputs_formulas, pixel_formula
from .style import RowHeights, fit

# printed (and rendered) landscape at this size, the first page shows what the first screen
# does: the settings and the charts (fitting to a page's width drops rows in LibreOffice)
PRINT_SCALE = 60


def inputs_plan(
    spec: Spec, sheet: InputsSheet, steps: StepLayout, training: Training | None
) -> SheetPlan:
    """The settings, parameters (initial: inputs; final: formulas), data and test set; the
    final parameters' cached values come from the training, run before anything is written."""
    w = words(spec.lang)
    cells: dict[tuple[int, int], Cell] = {}

    def put(row: int, col: int, cell: Cell) -> None:
        cells[(row, col)] = cell

    def put_block(block, values, names_left=None, names_top=None) -> None:
        for i in range(block.rows):
            for j in range(block.cols):
                put(block.row + i, block.col + j, number(values[i][j]))
        for i, n in enumerate(names_left or ()):
            put(block.row + i, block.col - 1, text(n, "label"))
        for j, n in enumerate(names_top or ()):
            put(block.row - 1, block.col + j, text(n, "label"))

    put(1, 1, text(w["title"], "title"))
    put(2, 1, text(f"{spec.template}: {spec.description}", "subtitle"))
    put(3, 1, text(f"{w['network']}: {network_summary(spec)}", "subtitle"))
    put(4, 1, text(w["howto"], "note"))
    put(sheet.lr.row - 1, 1, text(w["settings"], "section"))
    put(sheet.lr.row, 1, text(w["lr"], "label"))
    put(sheet.lr.row, 2, number(spec.lr))
    put(sheet.batch.row, 1, text(w["batch"], "label"))
    put(sheet.steps.row, 1, text(w["steps"], "label"))
    put(sheet.optimizer.row, 1, text(w["optimizer_label"], "label"))
    put(sheet.optimizer.row, 2, text(spec.optimizer.name))
    for name, block in sheet.hyper.items():
        put(block.row, 1, text(w[f"hyper_{name}"], "label"))
        put(block.row, 2, number(getattr(spec.optimizer, name)))
    put(sheet.schedule.row, 1, text(w["schedule_label"], "label"))
    put(sheet.schedule.row, 2, text(spec.schedule.name))
    for name, block in sheet.schedule_inputs.items():
        put(block.row, 1, text(w[f"schedule_{name}"], "label"))
        put(block.row, 2, number(getattr(spec.schedule, name)))
    if sheet.w_true is not None:
        put_block(sheet.w_true, [spec.w_true], names_top=spec.input_names)
        put(sheet.w_true.row, 1, text(w["w_true"], "label"))
    if sheet.x_scale is not None:
        put_block(sheet.x_scale, [spec.x_scale], names_top=spec.input_names)
        put(sheet.x_scale.row, 1, text(w["x_scale"], "label"))
        put_block(sheet.y_scale, [spec.y_scale], names_top=spec.output_names)
        put(sheet.y_scale.row, 1, text(w["y_scale"], "label"))

    for l in range(1, spec.n_layers + 1):
        W0, Wf = sheet.W_init[l - 1], sheet.W_final[l - 1]
        outs = [dest(spec, l, j) for j in range(spec.sizes[l])]
        put(
            W0.row - 3,
            1,
            text(
                f"{w['layer'].format(n=l)}: {w['weights']} W{l} ({spec.sizes[l - 1]} ×"
                f" {spec.sizes[l]})",
                "section",
            ),
        )
        put(W0.row - 2, 2, text(w["initial"], "label"))
        put(W0.row - 2, Wf.col, text(w["final"], "label"))
        put_block(W0, spec.W_init[l - 1], names_left=spec.unit_names(l - 1), names_top=outs)
        for j, n in enumerate(outs):
            put(Wf.row - 1, Wf.col + j, text(n, "label"))
        turned = [(sheet.W_final_T, "final_turned"), (sheet.W_init_T, "initial_turned")]
        for T, says in (
            (blocks[l - 1], says)
            for blocks, says in turned
            if blocks is not None and blocks[l - 1] is not None
        ):
            put(T.row - 2, T.col, text(w[says], "label"))
            for i, n in enumerate(spec.unit_names(l - 1)):
                put(T.row - 1, T.col + i, text(n, "label"))
            for j, n in enumerate(outs):
                put(T.row + j, T.col - 1, text(n, "label"))
        if spec.bias:
            b0 = sheet.b_init[l - 1]
            put_block(b0, [spec.b_init[l - 1]], names_left=[w["bias"]])

    put(sheet.data_header_row - 1, 1, text(w["data"], "section"))
    h = sheet.data_header_row
    put(h, 1, text(w["sample_no"], "header_step"))
    bulk = []  # scale_pixels: blocks of millions of cells, made row by row as they are written
    if spec.scale_pixels:
        bulk = _pixel_blocks(spec, sheet)
        put_block(sheet.Y, spec.raw_Y)
        for j, n in enumerate(spec.input_names):
            put(h, sheet.raw_X.col + j, text(f"{n} ({w['raw']})", "header_forward"))
            put(h, sheet.X.col + j, text(f"{n} ÷ {spec.pixel_scale:g}", "header_forward"))
        for k, n in enumerate(spec.output_names):
            put(h, sheet.Y.col + k, text(n, "header_loss"))
    elif sheet.raw_X is not None:
        put_block(sheet.raw_X, spec.raw_X)
        put_block(sheet.raw_Y, spec.raw_Y)
        for j, n in enumerate(spec.input_names):
            put(h, sheet.raw_X.col + j, text(f"{n} ({w['raw']})", "header_forward"))
            put(h, sheet.X.col + j, text(f"{n} ({w['scaled']})", "header_forward"))
        for k, n in enumerate(spec.output_names):
            put(h, sheet.raw_Y.col + k, text(f"{n} ({w['raw']})", "header_loss"))
            put(h, sheet.Y.col + k, text(f"{n} ({w['scaled']})", "header_loss"))
    else:
        put_block(sheet.X, spec.raw_X)
        if spec.w_true is None:
            put_block(sheet.Y, spec.raw_Y)
        for j, n in enumerate(spec.input_names):
            put(h, sheet.X.col + j, text(n, "header_forward"))
        for k, n in enumerate(spec.output_names):
            put(h, sheet.Y.col + k, text(n, "header_loss"))
    for t in range(spec.n_samples):
        put(sheet.X.row + t, 1, text(f"#{t + 1}", "label"))
    if sheet.fit_z:
        put(h - 1, sheet.fit_z[0].col, text(w["fit"], "label"))
        for l in range(1, spec.n_layers + 1):
            for j in range(spec.sizes[l]):
                put(h, sheet.fit_z[l - 1].col + j, text(f"z {dest(spec, l, j)}", "header_update"))
                if sheet.fit_a[l - 1] is not None:
                    put(h, sheet.fit_a[l - 1].col + j, text(dest(spec, l, j), "header_update"))
    if sheet.boundary is not None:
        B = sheet.boundary
        put(h - 1, B.col, text(w["boundary"], "label"))
        put(h, B.col, text(spec.input_names[0], "header_update"))
        put(h, B.col + 1, text(w["on_line"].format(x=spec.input_names[1]), "header_update"))

    if sheet.X_test is not None:
        put(sheet.test_header_row - 2, 1, text(w["test"], "section"))
        put(sheet.test_accuracy.row, 1, text(w["test_accuracy"], "label"))
        th = sheet.test_header_row
        put(th, 1, text(w["sample_no"], "header_step"))
        if not spec.scale_pixels:
            put_block(sheet.X_test, spec.X_test)
        put_block(sheet.Y_test, spec.Y_test)
        for j, n in enumerate(spec.input_names):
            put(th, sheet.X_test.col + j, text(n, "header_forward"))
        for k, n in enumerate(spec.output_names):
            put(th, sheet.Y_test.col + k, text(n, "header_loss"))
        for l in range(1, spec.n_layers + 1):
            for j in range(spec.sizes[l]):
                put(
                    th,
                    sheet.test_z[l - 1].col + j,
                    text(f"z {spec.hidden_name(l, j)}", "header_forward"),
                )
                if sheet.test_a[l - 1] is not None:
                    put(
                        th,
                        sheet.test_a[l - 1].col + j,
                        text(spec.hidden_name(l, j), "header_forward"),
                    )
        for j, key in enumerate(("predicted", "true", "right")):
            put(th, sheet.test_pred.col + j, text(w[key], "header_update"))
        put(th, sheet.test_z[0].col - 1, blank("header_forward"))
        for t in range(sheet.X_test.rows):
            put(sheet.X_test.row + t, 1, text(f"#{t + 1}", "label"))
        c = sheet.confusion
        put(c.row - 2, 1, text(w["confusion"], "section"))
        for k in range(c.rows):
            put(c.row - 1, c.col + k, text(f"{w['predicted']} {k}", "header_update"))
            name = (
                spec.output_names[k]
                if spec.sizes[-1] > 1
                else f"{spec.output_names[0]} {'≥' if k else '<'} 0.5"
            )
            put(c.row + k, 1, text(f"{w['true']} {k}: {name}", "label"))

    counts = set()
    if sheet.test_pred is not None:  # classes, right/wrong and counts are whole numbers
        counts = {
            (b.row + i, b.col + j)
            for b in (sheet.test_pred, sheet.confusion)
            for i in range(b.rows)
            for j in range(b.cols)
        }
    counts |= {(sheet.steps.row, sheet.steps.col), (sheet.batch.row, sheet.batch.col)}
    for (r, c), f in inputs_formulas(spec, sheet, steps.main).items():
        style = (
            "result"
            if sheet.test_accuracy and (r, c) == (sheet.test_accuracy.row, sheet.test_accuracy.col)
            else "real"
        )
        put(r, c, formula(f, "int" if (r, c) in counts else style))
    cached = (
        dict(inputs_values(spec, sheet, training.final_W, training.final_b, pixels=False))
        if training is not None
        else {}
    )
    for block, make in bulk:  # the first row of each stands for all in the columns' widths
        cells.update(((block.row, block.col + j), cell) for j, cell in enumerate(make(0)))
    widths, heights = fit(cells)
    extent = (max(r for r, _ in cells), max(c for _, c in cells))
    extent = (max([extent[0]] + [b.row + b.rows - 1 for b, _ in bulk]), extent[1])
    # the initial weights are inputs and stay yellow; the final ones are coloured by sign
    heatmaps = [(b.ref(), "diverging") for b in sheet.W_final]
    if sheet.confusion is not None:
        heatmaps.append((sheet.confusion.ref(), "counts"))
    return SheetPlan(
        sheet.title,
        _with_bulk(grid_rows(cells, cached), bulk, extent[0]),
        widths,
        charts=charts(spec, steps.summary, sheet, sheet.charts, widths),
        extent=extent,
        heatmaps=heatmaps,
        heights=RowHeights(fixed=heights),
        print_scale=PRINT_SCALE,
    )


def _pixel_blocks(spec: Spec, sheet: InputsSheet) -> list:
    """(block, row t → its cells) of the raw pixels (inputs), X = raw / pixel scale and the
    held-out images (inputs). X is one formula moved over the block (a shared formula,
    written once) and carries no values: millions of them would double the file."""
    n = spec.sizes[0]
    first, last = (
        sheet.X.cell(0, 0, absolute=False),
        sheet.X.cell(sheet.X.rows - 1, n - 1, absolute=False),
    )
    whole = f"{first}:{last}"

    def x_row(t: int) -> list[Cell]:
        if t:  # the shared formula's other cells are written without their text
            return [formula("=", "real", shared=(0,))] * n
        return [
            formula(pixel_formula(spec, sheet, 0, i), "real", shared=(0, whole) if i == 0 else (0,))
            for i in range(n)
        ]

    return [
        (sheet.raw_X, lambda t: [number(v) for v in spec.raw_X[t]]),
        (sheet.X, x_row),
        (sheet.X_test, lambda t: [number(v) for v in spec.X_test[t]]),
    ]


def _with_bulk(rows: list, bulk: list, n_rows: int):
    """The rows of the sheet, each with the bulk blocks' cells in it."""
    for r in range(1, n_rows + 1):
        row = list(rows[r - 1]) if r <= len(rows) else []
        for block, make in bulk:
            if block.row <= r < block.row + block.rows:
                end = block.col - 1 + block.cols
                row.extend([None] * (end - len(row)))
                row[block.col - 1 : end] = make(r - block.row)
        yield row

"""The workbook as plain data: sheets of rows of cells, defined names. No openpyxl here.

Rows of the step table are generated lazily, so a workbook of any length is planned in
constant memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from openpyxl.utils import get_column_letter

from . import labels
from .engine import Trace
from .expected import images_values, inputs_values, step_value
from .formula_text import images_formulas, inputs_formulas, step_templates
from .layout import IMAGES, NAME, SPEC_SHEET, STEPS, InputsSheet, StepPlaces, StepTable, defined_names, images_sheet
from .spec import Spec, structure_json
from .training import Chunk, TrainingRun


@dataclass(frozen=True, slots=True)
class Cell:
    """value: a number, a formula ("=…", kind "formula") or text (kind "text", never a formula)."""

    value: object
    style: str = "text"
    kind: str = "text"  # "text" | "number" | "formula"
    comment: str | None = None
    cached: float | None = None  # the engine's value of a formula, for readers that do not calculate


@dataclass(frozen=True)
class Series:
    name: str
    sheet: str
    col: int  # 1-based
    first_row: int
    last_row: int


@dataclass(frozen=True)
class ChartPlan:
    title: str
    y_title: str
    log_y: bool
    series: list[Series]
    categories: Series  # the x axis: step numbers
    anchor: str


@dataclass(frozen=True)
class SheetPlan:
    title: str
    rows: Iterable[list[Cell | None]]
    widths: dict[int, float] = field(default_factory=dict)  # 1-based column → width
    freeze: str | None = None
    hidden: bool = False
    charts: list[ChartPlan] = field(default_factory=list)
    fit_width: bool = False  # print (and render) one page wide, landscape
    extent: tuple[int, int] | None = None  # rows × columns, written as <dimension> so readers need not scan
    heatmaps: list[tuple[str, str]] = field(default_factory=list)  # (range, "diverging" | "ink")


@dataclass(frozen=True)
class WorkbookPlan:
    sheets: list[SheetPlan]
    names: dict[str, str]
    fill_order: list[str]  # sheet titles in the order their rows are produced


def text(value: str, style: str = "text") -> Cell:
    return Cell(str(value), style, "text")


def number(value: float, style: str = "input") -> Cell:
    return Cell(float(value), style, "number")


def formula(value: str, style: str = "formula", cached: float | None = None) -> Cell:
    return Cell(value, style, "formula", cached=cached)


# --- the Inputs sheet -----------------------------------------------------------------------


def inputs_plan(spec: Spec, sheet: InputsSheet, table: StepPlaces, final: Callable[[], Trace | None]) -> SheetPlan:
    """`final()` gives a trace whose last parameters are the trained ones; it is asked for
    only when the rows are written, after the step table (see WorkbookPlan.fill_order)."""
    w = labels.words(spec)
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
    put(3, 1, text(w["howto"], "note"))
    put(4, 1, text(w["settings"], "section"))
    put(sheet.lr.row, 1, text(w["lr"], "label"))
    put(sheet.lr.row, 2, number(spec.lr))
    put(sheet.batch.row, 1, text(w["batch"], "label"))
    put(sheet.steps.row, 1, text(w["steps"], "label"))
    put(8, 1, text(w["network"], "label"))
    put(8, 2, text(labels.network_summary(spec)))
    if sheet.w_true is not None:
        put_block(sheet.w_true, [spec.w_true], names_top=spec.input_names)
        put(sheet.w_true.row, 1, text(w["w_true"], "label"))
    if sheet.x_scale is not None:
        put_block(sheet.x_scale, [spec.x_scale], names_top=spec.input_names)
        put(sheet.x_scale.row, 1, text(w["x_scale"], "label"))
        put_block(sheet.y_scale, [spec.y_scale])
        put(sheet.y_scale.row, 1, text(w["y_scale"], "label"))

    for l in range(1, spec.n_layers + 1):
        W0, Wf = sheet.W_init[l - 1], sheet.W_final[l - 1]
        outs = [labels.dest(spec, l, j) for j in range(spec.sizes[l])]
        put(W0.row - 2, 1, text(f"{w['layer'].format(n=l)}: {w['weights']} W{l} ({spec.sizes[l - 1]} × {spec.sizes[l]})", "section"))
        put(W0.row - 2, 2, text(w["initial"], "label"))
        put(W0.row - 2, Wf.col, text(w["final"], "label"))
        put_block(W0, spec.W_init[l - 1], names_left=spec.unit_names(l - 1), names_top=outs)
        for j, n in enumerate(outs):
            put(Wf.row - 1, Wf.col + j, text(n, "label"))
        if sheet.W_final_T is not None:
            T = sheet.W_final_T[l - 1]
            put(T.row - 2, T.col, text(w["final_turned"], "label"))
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
    if sheet.raw_X is not None:
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

    if sheet.X_test is not None:
        put(sheet.test_header_row - 2, 1, text(w["test"], "section"))
        put(sheet.test_accuracy.row, 1, text(w["test_accuracy"], "label"))
        th = sheet.test_header_row
        put(th, 1, text(w["sample_no"], "header_step"))
        put_block(sheet.X_test, spec.X_test)
        put_block(sheet.Y_test, spec.Y_test)
        for j, n in enumerate(spec.input_names):
            put(th, sheet.X_test.col + j, text(n, "header_forward"))
        for k, n in enumerate(spec.output_names):
            put(th, sheet.Y_test.col + k, text(n, "header_loss"))
        for l in range(1, spec.n_layers + 1):
            for j in range(spec.sizes[l]):
                put(th, sheet.test_z[l - 1].col + j, text(f"z {spec.hidden_name(l, j)}", "header_forward"))
                if sheet.test_a[l - 1] is not None:
                    put(th, sheet.test_a[l - 1].col + j, text(spec.hidden_name(l, j), "header_forward"))
        for j, key in enumerate(("predicted", "true", "right")):
            put(th, sheet.test_pred.col + j, text(w[key], "header_update"))
        for t in range(sheet.X_test.rows):
            put(sheet.X_test.row + t, 1, text(f"#{t + 1}", "label"))
        c = sheet.confusion
        put(c.row - 2, 1, text(w["confusion"], "section"))
        for k in range(c.rows):
            put(c.row - 1, c.col + k, text(f"{w['predicted']} {k}", "label"))
            put(c.row + k, 1, text(f"{w['true']} {k}: {spec.output_names[k]}", "label"))

    counts = set()
    if sheet.test_pred is not None:  # classes, right/wrong and counts are whole numbers
        counts = {(b.row + i, b.col + j) for b in (sheet.test_pred, sheet.confusion) for i in range(b.rows) for j in range(b.cols)}
    for (r, c), f in inputs_formulas(spec, sheet, table).items():
        style = "percent" if sheet.test_accuracy and (r, c) == (sheet.test_accuracy.row, sheet.test_accuracy.col) else "formula"
        put(r, c, formula(f, "int" if (r, c) in counts else style))
    n_cols = max(c for _, c in cells)

    def rows() -> Iterator[list[Cell | None]]:
        trace = final()
        cached = dict(inputs_values(spec, sheet, trace)) if trace is not None else {}
        for r in range(1, max(r for r, _ in cells) + 1):
            row = [cells.get((r, c)) for c in range(1, n_cols + 1)]
            yield [replace(cell, cached=cached[(r, c)]) if (r, c) in cached else cell for c, cell in enumerate(row, start=1)]
    widths = {1: 30.0, **{c: 12.0 for c in range(2, n_cols + 1)}}
    extent = (max(r for r, _ in cells), n_cols)
    heatmaps = [(b.ref(), "diverging") for b in (*sheet.W_init, *sheet.W_final)]
    if sheet.confusion is not None:
        heatmaps.append((sheet.confusion.ref(), "counts"))
    return SheetPlan(
        NAME, rows(), widths, charts=charts(spec, table.summary, anchor_col=n_cols + 2), fit_width=True, extent=extent, heatmaps=heatmaps
    )


MAX_CHARTED_WEIGHTS = 12
WIDE_TABLE = 400  # columns; beyond it header notes are not repeated for every unit
MAX_CHART_ROW = 1_000_000  # openpyxl's chart references stop here; past it a chart shows the first steps


def charts(spec: Spec, table: StepTable, *, anchor_col: int) -> list[ChartPlan]:
    """Loss per step; the weights per step (with w_true where the template has it); accuracy."""
    w = labels.words(spec)
    first, last = table.row(1), min(table.row(spec.steps), MAX_CHART_ROW)
    capped = f" ({labels.words(spec)['step_label']} 1–{last - first + 1:,})" if last < table.row(spec.steps) else ""

    def series(key: tuple) -> Series:
        column = table.where[key]  # an alias is named by the column it shares
        return Series(labels.header(spec, table.columns[column].key), STEPS, column + 1, first, last)

    steps = series(("step",))
    # the loss falls by orders of magnitude: a log axis shows all of it
    out = [ChartPlan(w["chart_loss"], w["loss_label"], True, [series(("loss",))], steps, "")]
    weights = [k for k in table.where if k[0] in ("W", "b")][:MAX_CHARTED_WEIGHTS]
    weights += [k for k in table.where if k[0] == "wt"]
    if weights:  # the blocks layout shows its weights as heat maps instead
        out.append(ChartPlan(w["chart_weights"], w["weights"], False, [series(k) for k in weights], steps, ""))
    if table.has(("acc",)):
        accuracy = [series(("acc",))] + ([series(("bacc",))] if table.has(("bacc",)) else [])
        out.append(ChartPlan(w["chart_accuracy"], w["accuracy"], False, accuracy, steps, ""))
    col = get_column_letter(anchor_col)
    return [ChartPlan(c.title + capped, c.y_title, c.log_y, c.series, c.categories, f"{col}{1 + 18 * i}") for i, c in enumerate(out)]


# --- the step table ---------------------------------------------------------------------------


def header_rows(spec: Spec, columns) -> Iterator[list[Cell | None]]:
    """The three header rows of a one-row-per-step table: groups, sub-groups, names with notes."""
    w = labels.words(spec)
    # a wide table gets one note per kind of quantity and layer, not thousands
    noted: set[tuple] = set()

    def note(key: tuple) -> str | None:
        kind = (key[0], key[2] if key[0] in ("z", "a", "g", "d") else key[1] if len(key) > 2 else None)
        if len(columns) > WIDE_TABLE and kind in noted:
            return None
        noted.add(kind)
        return labels.note(spec, key)

    groups, subs, names = [], [], []
    last_group = last_sub = None
    for col in columns:
        style = f"header_{col.group}"
        g = w[col.group] if col.group != last_group else ""
        s = labels.sub_header(spec, col) if (col.group, col.sub) != (last_group, last_sub) else ""
        groups.append(text(g, f"group_{col.group}"))
        subs.append(text(s, style))
        names.append(Cell(labels.header(spec, col.key), style, "text", comment=note(col.key)))
        last_group, last_sub = col.group, col.sub
    yield groups
    yield subs
    yield names


def data_rows(spec: Spec, sheet: InputsSheet, s: int) -> list[int]:
    """Inputs rows of the samples of step s + 1 (s 0-based): they wrap round the data."""
    n, B = spec.n_samples, spec.batch
    return [sheet.X.row + (s * B + b) % n for b in range(B)]


def steps_plan(spec: Spec, sheet: InputsSheet, table: StepTable, chunks: Iterable[Chunk] | None, progress=None) -> SheetPlan:
    by_key = step_templates(spec, table, sheet)
    columns = table.columns
    templates = [by_key[col.key] for col in columns]
    styles = [number_style(col.key[0]) for col in columns]

    def values() -> Iterator[list[float | None]]:
        """The engine's value of every column, step by step (None: no cached values)."""
        if chunks is None:
            yield from ([None] * len(columns) for _ in range(spec.steps))
            return
        for chunk in chunks:
            for i in range(len(chunk.trace.loss)):
                yield [float(step_value(chunk.trace, col.key, i, spec, chunk.hits_before)) for col in columns]

    def rows() -> Iterator[list[Cell | None]]:
        yield from header_rows(spec, columns)
        for s, cached in enumerate(values()):
            if progress is not None and s % 1000 == 0:
                progress(s, spec.steps)
            fill = table.fill(s + 1, data_rows(spec, sheet, s))
            yield [
                Cell((later if s else first).format_map(fill), styles[c], "formula", cached=cached[c])
                for c, (first, later) in enumerate(templates)
            ]

    widths = {c + 1: (7.0 if col.group == "step" else 12.0) for c, col in enumerate(columns)}
    first_param = next(c for c, col in enumerate(columns) if col.group != "step")
    extent = (table.row(spec.steps), len(columns))
    return SheetPlan(STEPS, rows(), widths, freeze=f"{get_column_letter(first_param + 1)}{table.first_row}", extent=extent)


def images_plan(spec: Spec, view, table: StepPlaces, sheet: InputsSheet, final: Callable[[], Trace | None]) -> SheetPlan:
    """One sample as a picture, picked by number, with the final network's guess."""
    w = labels.words(spec)
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
    for rc, f in images_formulas(spec, view, table, sheet).items():
        cells[rc] = formula(f, "int" if rc in ((view.predicted.row, view.predicted.col), (view.true.row, view.true.col)) else "formula")
    n_rows, n_cols = max(r for r, _ in cells), max(c for _, c in cells)

    def rows() -> Iterator[list[Cell | None]]:
        trace = final()
        cached = dict(images_values(spec, view, trace, 1)) if trace is not None else {}
        for r in range(1, n_rows + 1):
            row = [cells.get((r, c)) for c in range(1, n_cols + 1)]
            yield [replace(cell, cached=cached[(r, c)]) if (r, c) in cached else cell for c, cell in enumerate(row, start=1)]

    widths = {1: 22.0, **{c: 5.0 for c in range(2, view.grid.col + view.grid.cols)}}
    return SheetPlan(IMAGES, rows(), widths, extent=(n_rows, n_cols), heatmaps=[(view.grid.ref(), "ink")])


def number_style(kind: str) -> str:
    if kind in ("step", "sample", "hit"):
        return "int"
    if kind in ("acc", "bacc"):
        return "percent_plain"
    if kind in ("x", "y", "W", "b", "W+", "b+", "a", "z", "Wt"):
        return "fixed"
    return "general"


def spec_plan(spec: Spec) -> SheetPlan:
    """A hidden sheet with the structure verify needs (no input values: those are read live)."""
    rows = [[text("excelbp structure: read by `excelbp verify`; do not edit")], [text(structure_json(spec))]]
    return SheetPlan(SPEC_SHEET, rows, hidden=True, extent=(2, 1))


def workbook_plan(spec: Spec, sheet: InputsSheet, table: StepPlaces, run: TrainingRun | None, progress=None) -> WorkbookPlan:
    """The whole workbook. With a run, formulas carry the engine's values; the steps are
    filled first, chunk by chunk, and the Inputs sheet then takes the final parameters.
    `table` is the spec's step layout (block_layout.step_layout)."""
    from .blocks_plan import summary_plan, training_plan
    from .explain import explain_plan  # explain builds on this module's cells

    def final() -> Trace | None:
        return run.last.trace if run is not None else None

    if table.kind == "rows":
        steps = [steps_plan(spec, sheet, table, run, progress)]
        fill = [STEPS]
    else:
        totals: list = []  # each step's summary values, noted as the blocks are written
        steps = [summary_plan(spec, sheet, table, totals if run is not None else None), training_plan(spec, sheet, table, run, progress, totals)]
        fill = [table.sheet, STEPS]
    sheets = [inputs_plan(spec, sheet, table, final), *steps]
    view = images_sheet(spec)
    if view is not None:
        sheets.append(images_plan(spec, view, table, sheet, final))
    sheets += [explain_plan(spec, table), spec_plan(spec)]
    order = fill + [s.title for s in sheets if s.title not in fill]
    return WorkbookPlan(sheets=sheets, names=defined_names(spec, sheet, table.summary), fill_order=order)

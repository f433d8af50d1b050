"""The sheets of the blocks layout: Training (a block of rows per step) and Steps (a row per
step with its loss and accuracy, for the contract's `loss` and the charts)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from openpyxl.utils import get_column_letter

from . import labels
from .block_layout import HEAD, StepBlocks
from .expected import step_value
from .formula_text import EXPLICIT_TERMS, step_templates, summary_templates
from .layout import STEPS, InputsSheet
from .plan import Cell, SheetPlan, data_rows, header_rows, number_style, text
from .spec import Spec
from .training import Chunk

MAX_HEATMAPS = 1000  # blocks whose weight matrices are coloured: enough to watch them learn
# Excel stops finding a colour scale's min and max past 253 ranges in one rule (reported on
# Q&A sites, not documented), so each rule covers at most this many blocks
RANGES_PER_SCALE = 250

# the key whose note explains an area (first block only: a note per block would be thousands)
NOTED = {"z", "a", "Lb", "hit", "g", "d", "W", "W+"}


def _area_note(spec: Spec, name: str, layer: int) -> str | None:
    w = labels.words(spec)
    # the SUMPRODUCT notes only where the formulas are SUMPRODUCTs (see formula_text.dot)
    if name == "Wt" or (name == "dW" and spec.batch > 1):
        return w[f"note_{name}"]
    if name == "g" and layer < spec.n_layers and spec.sizes[layer + 1] > EXPLICIT_TERMS:
        return w["note_g"]
    if name == "dW":
        return labels.note(spec, ("dW", layer, 0, 0))
    if name not in NOTED:
        return None
    kind = name
    key = (kind, layer, 0, 0) if kind in ("W", "W+") else (kind, 0) if kind in ("Lb", "hit") else (kind, 0, layer, 0)
    return labels.note(spec, key)


def block_texts(spec: Spec, blocks: StepBlocks, *, notes: bool) -> dict[tuple[int, int], Cell]:
    """The words of a block, by (row within the block, 0-based column)."""
    w = labels.words(spec)
    out: dict[tuple[int, int], Cell] = {(0, 0): text(w["step"], "label"), (HEAD - 1, 0): text(w["sample_no"], "header_step")}
    out[(HEAD + spec.batch, 0)] = text(w["batch_mean"], "label")
    first_sample = {c: key for key, dr, c in blocks.positions() if dr == HEAD}
    for area in blocks.areas:
        note = _area_note(spec, area.name, area.layer) if notes else None
        # a one-column group gets a short title (a long one would be cut off by the next)
        title = labels.area_title(spec, area.name, area.layer)
        if area.cols == 1 and area.name not in ("W", "dW", "W+", "Wt"):
            title = w["layer"].format(n=area.layer) if area.layer else ""
        out[(1, area.col)] = Cell(title, f"group_{area.group}", "text", comment=note)
        style = f"header_{area.group}"
        l = area.layer
        if area.name in ("W", "dW", "W+", "Wt"):
            ins = [labels.unit(spec, l - 1, i) for i in range(spec.sizes[l - 1])]
            outs = [labels.dest(spec, l, j) for j in range(spec.sizes[l])]
            top, side = (ins, outs) if area.name == "Wt" else (outs, ins + ([w["bias"]] if spec.bias else []))
            for k, name in enumerate(top):
                out[(HEAD - 1, area.col + k)] = text(name, style)
            for k, name in enumerate(side):
                out[(HEAD + k, area.col - 1)] = text(name, "label")
        else:
            for k in range(area.cols):
                out[(HEAD - 1, area.col + k)] = text(labels.header(spec, first_sample[area.col + k]), style)
    return out


def training_plan(
    spec: Spec, sheet: InputsSheet, blocks: StepBlocks, chunks: Iterable[Chunk] | None, progress, totals: list
) -> SheetPlan:
    """The Training sheet. As it is written, each step's summary values go to `totals`."""
    templates = step_templates(spec, blocks, sheet)
    H, width = blocks.height, blocks.width
    cells_by_row: list[list[tuple[int, tuple, str, str, str]]] = [[] for _ in range(H)]
    for key, dr, c in blocks.positions():
        first, later = templates[key]
        cells_by_row[dr].append((c, key, first, later, number_style(key[0])))
    words = [block_texts(spec, blocks, notes=True), block_texts(spec, blocks, notes=False)]
    words_by_row = [[[(c, cell) for (r, c), cell in sorted(ws.items()) if r == dr] for dr in range(H)] for ws in words]
    summary_keys = [col.key for col in blocks.summary.columns]
    w = labels.words(spec)

    def steps() -> Iterator[tuple[int, dict | None]]:
        """(0-based step, the engine's value of each key or None)."""
        if chunks is None:
            yield from ((s, None) for s in range(spec.steps))
            return
        for chunk in chunks:
            for i in range(len(chunk.trace.loss)):
                values = {key: float(step_value(chunk.trace, key, i, spec, chunk.hits_before)) for key, _, _ in blocks.positions()}
                totals.append([values[k] if k in values else float(step_value(chunk.trace, k, i, spec, chunk.hits_before)) for k in summary_keys])
                yield chunk.first + i, values

    def rows() -> Iterator[list[Cell | None]]:
        yield [text(w["training"], "title")]
        yield [text(w["training_note"], "note")]
        yield []
        for s, values in steps():
            if progress is not None and s % 10 == 0:
                progress(s, spec.steps)
            fill = blocks.fill(s + 1, data_rows(spec, sheet, s))
            for dr in range(H):
                row: list[Cell | None] = [None] * width
                for c, cell in words_by_row[s > 0][dr]:
                    row[c] = cell
                for c, key, first, later, style in cells_by_row[dr]:
                    row[c] = Cell((later if s else first).format_map(fill), style, "formula", cached=None if values is None else values[key])
                yield row

    # one colour scale per layer over the blocks' W (per 250 blocks), so a colour is the same
    # weight value from step to step and a learner scrolling down sees the weights change
    heatmaps = []
    for area in blocks.areas:
        if area.name == "W":
            first, last = get_column_letter(area.col + 1), get_column_letter(area.col + area.cols)
            tops = [blocks.row(s + 1) + HEAD for s in range(min(spec.steps, MAX_HEATMAPS))]
            ranges = [f"{first}{top}:{last}{top + spec.sizes[area.layer - 1] - 1}" for top in tops]
            for k in range(0, len(ranges), RANGES_PER_SCALE):
                heatmaps.append((" ".join(ranges[k : k + RANGES_PER_SCALE]), "diverging"))
    widths = {1: 10.0, **{c: 11.0 for c in range(2, width + 1)}}
    extent = (blocks.row(spec.steps) + H - 1, width)
    return SheetPlan(blocks.sheet, rows(), widths, freeze="B1", extent=extent, heatmaps=heatmaps)


def summary_plan(spec: Spec, sheet: InputsSheet, blocks: StepBlocks, totals: list | None) -> SheetPlan:
    """The Steps sheet: a row per step, read from its block. Written after the Training sheet,
    whose writing fills `totals` with the values to cache."""
    table = blocks.summary
    templates = summary_templates(blocks, sheet)
    styles = [number_style(col.key[0]) for col in table.columns]
    drs = sorted({blocks.position(col.key)[0] for col in table.columns if blocks.has(col.key)})

    def rows() -> Iterator[list[Cell | None]]:
        yield from header_rows(spec, table.columns)
        for s in range(spec.steps):
            fill = table.fill(s + 1, [])
            fill.update((f"t{dr}", blocks.row(s + 1) + dr) for dr in drs)
            cached = totals[s] if totals else [None] * len(templates)
            yield [Cell(f.format_map(fill), styles[c], "formula", cached=cached[c]) for c, (f, _) in enumerate(templates)]

    widths = {1: 7.0, **{c + 1: 14.0 for c in range(1, len(table.columns))}}
    return SheetPlan(STEPS, rows(), widths, freeze=f"B{table.first_row}", extent=(table.row(spec.steps), len(table.columns)))

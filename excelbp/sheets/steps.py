"""The sheets of the steps, for either layout: one generator of rows for any StepSheet.

Rows are made as the writer asks for them, chunk by chunk of the engine's run, so a workbook
of any length is planned in constant memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..engine import Chunk, Training
from ..layout.grid import letter
from ..layout.inputs import InputsSheet
from ..layout.step_sheet import StepSheet
from ..quantities.context import Context, quoted
from ..quantities.registry import formula_pair, kind_of, values
from ..spec import Spec
from .cells import Cell, SheetPlan
from .labels import WIDE_TABLE, render
from .style import RowHeights, fit

Progress = Callable[[int, int], None]
FOLLOWER = "="  # the text of a cell that a shared formula's first cell speaks for


def data_rows(spec: Spec, inputs: InputsSheet, s: int) -> list[int]:
    """Inputs rows of the samples of step s + 1 (s 0-based): they wrap round the data."""
    n, B = spec.n_samples, spec.batch
    return [inputs.X.row + (s * B + b) % n for b in range(B)]


def step_sheet_plan(
    spec: Spec,
    sheet: StepSheet,
    inputs: InputsSheet,
    training: Training | None,
    progress: Progress | None = None,
    *,
    lr: str = "lr",
) -> SheetPlan:
    """Every step of `sheet`: the heading, then per step its labels and formula cells, each
    formula with the engine's value (without a training, no cached values). `lr`: what the
    updates multiply by (a learning-rate sweep's copy: its rate's cell)."""
    context = Context(spec, sheet, inputs, lr=lr)
    keys = [key for key, _, _ in sheet.positions()]
    by_row: list[list[tuple[int, int, str, str, str]]] = [[] for _ in range(sheet.height)]
    for k, (key, dr, c) in enumerate(sheet.positions()):
        shown = sheet.mirror(key)
        mirror = f"={quoted(shown[0])}!{shown[1]}" if shown else None
        first, later = (mirror, mirror) if mirror else formula_pair(context, key)
        by_row[dr].append((c, k, first, later, kind_of(key).style))
    # (row within the step, column) → (run, its first column, its range's columns, first step)
    runs = {}
    n_runs = len(sheet.shared_runs())
    for n, (dr, c0, c1, first_step) in enumerate(sheet.shared_runs()):
        span = (letter(c0 + 1), letter(c1 + 1))
        runs.update(((dr, c), (n, c0, span, first_step)) for c in range(c0, c1 + 1))
    arrays = {}  # (row within the step, column) → its array formula's rectangle
    for r0, c0, r1, c1 in sheet.array_blocks():
        arrays.update(
            ((dr, c), (r0, c0, r1, c1)) for dr in range(r0, r1 + 1) for c in range(c0, c1 + 1)
        )
    labels = sheet.step_labels()
    # notes on the first step only: on every block they would be thousands
    texts = [render(spec, labels, notes=True), render(spec, labels, notes=False)]
    texts_by_row = [
        [[(c, cell) for (r, c), cell in sorted(t.items()) if r == dr] for dr in range(sheet.height)]
        for t in texts
    ]
    heading = render(spec, sheet.heading(), notes=True, wide=sheet.width > WIDE_TABLE)
    every = max(1, 1000 // sheet.height)

    def steps() -> Iterator[tuple[int, list[float] | None]]:
        if training is None:
            yield from ((s, None) for s in range(spec.steps))
            return
        chunk: Chunk
        for chunk in training.chunks():
            for i, row in enumerate(values(chunk, keys, spec)):
                yield chunk.first + i, row.tolist()

    def rows() -> Iterator[list[Cell | None]]:
        for r in range(1, sheet.first_row):
            placed = {c: cell for (row, c), cell in heading.items() if row == r}
            yield [placed.get(c) for c in range(max(placed) + 1)] if placed else []
        for s, cached in steps():
            if progress is not None and s % every == 0:
                progress(s, spec.steps)
            fill = sheet.fill(s + 1, data_rows(spec, inputs, s))
            for dr in range(sheet.height):
                row: list[Cell | None] = [None] * sheet.width
                for c, cell in texts_by_row[s > 0][dr]:
                    row[c] = cell
                for c, k, first, later, style in by_row[dr]:
                    if (dr, c) in arrays:  # written on its first cell, the others hold a value only
                        r0, c0, r1, c1 = arrays[(dr, c)]
                        value = None if cached is None else cached[k]
                        if (dr, c) != (r0, c0):
                            row[c] = Cell(None, style, "array_part", cached=value)
                            continue
                        top = sheet.row(s + 1)
                        span = f"{letter(c0 + 1)}{top + r0}:{letter(c1 + 1)}{top + r1}"
                        row[c] = Cell(
                            (later if s else first).format_map(fill),
                            style,
                            "formula",
                            cached=value,
                            array=span,
                        )
                        continue
                    shared = _shared(runs.get((dr, c)), c, s, n_runs, sheet.row(s + 1) + dr)
                    value = (
                        None if cached is None or shared else cached[k]
                    )  # a shared formula's cells: no values (size)
                    # a shared formula's other cells are written without their text
                    text = (
                        FOLLOWER
                        if shared and len(shared) == 1
                        else (later if s else first).format_map(fill)
                    )
                    row[c] = Cell(text, style, "formula", cached=value, shared=shared)
                yield row

    widths, heights = _fit(sheet, heading, texts[0], by_row)
    heatmaps = [(ref, "diverging") for ref in sheet.heatmaps(spec.steps)]
    return SheetPlan(
        sheet.title,
        rows(),
        widths,
        freeze=sheet.freeze(),
        extent=sheet.extent(spec.steps),
        heatmaps=heatmaps,
        heights=heights,
        print_scale=60,
    )


def _shared(run: tuple | None, c: int, s: int, n_runs: int, row: int) -> tuple | None:
    """The cell's part in a shared formula at step s + 1 (0-based s), or None."""
    if run is None or s + 1 < run[3]:
        return None
    si = s * n_runs + run[0]  # one shared formula per run and step
    return (si, f"{run[2][0]}{row}:{run[2][1]}{row}") if c == run[1] else (si,)


def _fit(
    sheet: StepSheet, heading: dict, first_step: dict, by_row: list
) -> tuple[dict[int, float], RowHeights]:
    """Widths and heights from the heading and the first step, which every step repeats."""
    top = sheet.first_row
    cells = {(r, c + 1): cell for (r, c), cell in heading.items()}
    cells.update({(top + dr, c + 1): cell for (dr, c), cell in first_step.items()})
    for dr, placed in enumerate(by_row):
        cells.update(
            {(top + dr, c + 1): Cell("=0", style, "formula") for c, _, _, _, style in placed}
        )
    widths, heights = fit(cells)
    fixed = {r: h for r, h in heights.items() if r < top}
    repeat = {r - top: h for r, h in heights.items() if r >= top}
    return widths, RowHeights(fixed=fixed, first=top, period=sheet.height, repeat=repeat)

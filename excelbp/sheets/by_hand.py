"""The By hand sheet: its numbers as live formulas that read the steps at the chosen step
(INDEX over a step-ordered column, with a computed row: no volatile OFFSET or INDIRECT),
and their values from the engine's trace of that step."""

from __future__ import annotations

from ..engine import Chunk
from ..engine.backprop import Trace
from ..layout.by_hand import HandSheet
from ..layout.by_hand_page import Num, Text
from ..layout.grid import letter, quoted
from ..layout.step_sheet import StepSheet
from ..quantities.registry import kind_of
from ..spec import Spec
from .cells import Cell, SheetPlan, formula, grid_rows, number, text
from .style import fit

Cells = dict[tuple[int, int], str]


def _source(key: tuple, main: StepSheet, summary: StepSheet) -> StepSheet:
    return main if main.has(key) else summary


def step_read(spec: Spec, sheet: HandSheet, key: tuple, main: StepSheet, summary: StepSheet) -> str:
    """INDEX over the step-ordered cells of `key`, at row (hand_step − 1)·height + 1."""
    steps = _source(key, main, summary)
    dr, c = steps.position(key)
    col, chosen = letter(c + 1), sheet.step.cell()
    span = f"{quoted(steps.title)}!${col}${steps.row(1) + dr}:${col}${steps.row(spec.steps) + dr}"
    at = chosen if steps.height == 1 else f"({chosen}-1)*{steps.height}+1"
    return f"INDEX({span},{at})"


def hand_formulas(spec: Spec, sheet: HandSheet, main: StepSheet, summary: StepSheet) -> Cells:
    """Formula text of every number of the page, keyed (row, col), 1-based."""
    out: Cells = {}
    for rc, cell in sheet.cells.items():
        if not isinstance(cell, Num):
            continue
        if cell.step is not None:
            out[rc] = "=" + step_read(spec, sheet, cell.step, main, summary)
            continue
        refs = [
            step_read(spec, sheet, d, main, summary)
            if isinstance(d[0], str)
            else f"{letter(d[1])}{d[0]}"
            for d in cell.deps
        ]
        out[rc] = "=" + cell.expr.format(*refs)
    return out


def hand_values(spec: Spec, sheet: HandSheet, trace: Trace, step: int) -> dict:
    """(row, col) → the engine's value of every number, at step `step` (1-based) of `trace`."""
    chunk = Chunk(0, trace, None)
    done: dict = {}

    def of_step(key: tuple) -> float:
        return float(kind_of(key).series(chunk, key, spec)[step - 1])

    def value(rc: tuple[int, int]) -> float:
        if rc not in done:
            cell = sheet.cells[rc]
            if cell.step is not None:
                done[rc] = of_step(cell.step)
            else:
                args = [of_step(d) if isinstance(d[0], str) else value(d) for d in cell.deps]
                done[rc] = float(cell.value(*args))
        return done[rc]

    for rc, cell in sheet.cells.items():
        if isinstance(cell, Num):
            value(rc)
    return done


def hand_plan(
    spec: Spec,
    sheet: HandSheet,
    main: StepSheet,
    summary: StepSheet,
    trace: Trace | None,
) -> SheetPlan:
    """The sheet's cells: texts, the step (an input, 1), formulas with step 1's values where
    a trace of it is given."""
    cells: dict[tuple[int, int], Cell] = {}
    for rc, cell in sheet.cells.items():
        if isinstance(cell, Text):
            cells[rc] = text(cell.text, cell.style)
    formulas = hand_formulas(spec, sheet, main, summary)
    for rc, f in formulas.items():
        cells[rc] = formula(f, sheet.cells[rc].style)
    cells[(sheet.step.row, sheet.step.col)] = number(1)
    cached = hand_values(spec, sheet, trace, 1) if trace is not None else {}
    widths, heights = fit(cells)
    rows = grid_rows(cells, cached)
    return SheetPlan(
        sheet.title,
        rows,
        widths,
        extent=(len(rows), len(rows[0])),
        fit_width=True,
    )

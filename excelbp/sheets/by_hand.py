"""The By hand sheet: its numbers as live formulas that read the steps at the chosen step
(INDEX over a step-ordered column, with a computed row: no volatile OFFSET or INDIRECT),
their values the engine's at that step (layout/by_hand_values.py), its texts in words."""

from __future__ import annotations

from ..engine.backprop import Trace
from ..layout.by_hand import HandSheet
from ..layout.by_hand_page import Num, Text
from ..layout.by_hand_values import hand_values
from ..layout.grid import Ref, letter
from ..layout.step_sheet import StepSheet
from ..quantities import functions as fn
from ..spec import Spec
from .by_hand_labels import says
from .cells import Cell, SheetPlan, formula, grid_rows, number, text
from .style import fit

Cells = dict[tuple[int, int], str]


def step_read(spec: Spec, sheet: HandSheet, key: tuple, main: StepSheet, summary: StepSheet) -> str:
    """INDEX over the step-ordered cells of `key`, at row (hand_step − 1)·height + 1."""
    steps = main if main.has(key) else summary
    dr, c = steps.position(key)
    col, chosen = letter(c + 1), sheet.step.cell()
    span = Ref(steps.title, f"${col}${steps.row(1) + dr}:${col}${steps.row(spec.steps) + dr}")
    at = chosen if steps.height == 1 else f"({chosen}-1)*{steps.height}+1"
    return f"INDEX({span},{at})"


def _calc(spec: Spec, calc: tuple, refs: list[str]) -> str:
    """The formula text of a number the page computes (layout/by_hand_page.Num)."""
    kind = calc[0]
    if kind == "slope":
        text = fn.ACTIVATIONS[spec.act(calc[1])][1].format(z=refs[0], a=refs[1])
        return text if len(refs) == 2 else f"{text}*{refs[2]}"
    if kind == "product":
        return "*".join(refs)
    if kind == "same":
        return refs[0]
    if kind == "decay":
        return "weight_decay"  # the workbook's own name, as the step's formulas read it
    raise ValueError(f"unknown By hand number {calc!r}")


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
        out[rc] = "=" + _calc(spec, cell.calc, refs)
    return out


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
            cells[rc] = text(says(spec, cell.says), cell.style)
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

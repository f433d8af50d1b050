"""The learning-rate sweep's sheet: the rates (inputs), each one's final loss, the loss of
every step per rate read from the rates' own sheets, and one chart of all the curves."""

from __future__ import annotations

import numpy as np

from ..engine import Training
from ..layout.steps import StepLayout
from ..layout.sweep import RATES_ROW, SweepSheet
from ..spec import Spec
from ..words import sheet_titles, words
from .cells import Cell, ChartPlan, Series, SheetPlan, formula, grid_rows, number, text
from .charts import MAX_CHART_ROW
from .style import RowHeights, fit

CHART_CM = (16.0, 9.0)  # wide enough for a legend of up to ten rates beside the curves
LOG_SPAN = 100.0  # losses spanning more than two decades are charted on a log axis


def sweep_cells(spec: Spec, sweep: SweepSheet, steps: StepLayout) -> dict[tuple[int, int], str]:
    """(row, col) → formula of every formula cell of the sweep sheet, 1-based."""
    out = {}
    for s in range(spec.steps):
        out[(sweep.step.row + s, sweep.step.col)] = f"={steps.summary.ref(('step',), s + 1)}"
        for j, copy in enumerate(sweep.copies):
            out[(sweep.loss.row + s, sweep.loss.col + j)] = f"={copy.ref(('loss',), s + 1)}"
    for j in range(sweep.n):
        out[(sweep.final.row, sweep.final.col + j)] = (
            f"={sweep.loss.cell(spec.steps - 1, j, absolute=False)}"
        )
    return out


def sweep_values(
    spec: Spec, sweep: SweepSheet, trainings: list[Training]
) -> dict[tuple[int, int], float]:
    """What the engine says each formula cell of the sweep sheet holds."""
    out = {}
    for s in range(spec.steps):
        out[(sweep.step.row + s, sweep.step.col)] = float(s + 1)
        for j, t in enumerate(trainings):
            out[(sweep.loss.row + s, sweep.loss.col + j)] = float(t.loss[s])
    for j, t in enumerate(trainings):
        out[(sweep.final.row, sweep.final.col + j)] = t.final_loss
    return out


def log_axis(trainings: list[Training]) -> bool:
    """Whether the losses span more than two decades (and are all above 0, as a log axis needs)."""
    losses = np.concatenate([t.loss for t in trainings]) if trainings else np.array([])
    losses = losses[np.isfinite(losses)]
    return (
        bool(losses.size)
        and losses.min() > 0
        and np.log10(losses.max()) - np.log10(losses.min()) > np.log10(LOG_SPAN)
    )


def sweep_plan(
    spec: Spec, sweep: SweepSheet, steps: StepLayout, trainings: list[Training] | None
) -> SheetPlan:
    w = words(spec.lang)
    cells: dict[tuple[int, int], Cell] = {}
    cells[(1, 1)] = text(w["sweep_title"], "title")
    cells[(2, 1)] = text(w["sweep_note"].format_map(sheet_titles(spec.lang)), "note")
    cells[(RATES_ROW, 1)] = text(w["sweep_lr"], "label")
    cells[(sweep.final.row, 1)] = text(w["sweep_final"], "label")
    for j, rate in enumerate(spec.compare_lr):
        cells[(sweep.rates.row, sweep.rates.col + j)] = number(rate)
    head = sweep.head_row
    cells[(head, 1)] = text(w["step"], "header_step")
    for j, copy in enumerate(sweep.copies):
        cells[(head, sweep.loss.col + j)] = Cell(
            copy.title, "header_loss", "text", comment=w["sweep_head_note"] if j == 0 else None
        )
    formulas = sweep_cells(spec, sweep, steps)
    for (r, c), f in formulas.items():
        cells[(r, c)] = formula(f, "int" if c == sweep.step.col else "real")
    cached = sweep_values(spec, sweep, trainings) if trainings is not None else {}
    widths, heights = fit(cells)
    first, last = sweep.loss.row, min(sweep.loss.row + spec.steps - 1, MAX_CHART_ROW)
    series = [
        Series(
            f"{rate:g}", sweep.title, sweep.loss.col + j, first, last, name_ref=str(sweep.rate(j))
        )
        for j, rate in enumerate(spec.compare_lr)
    ]
    categories = Series(w["step_label"], sweep.title, sweep.step.col, first, last)
    chart = ChartPlan(
        w["chart_sweep"],
        w["loss_label"],
        log_axis(trainings or []),
        series,
        categories,
        sweep.chart_anchor(),
        CHART_CM,
    )
    return SheetPlan(
        sweep.title,
        grid_rows(cells, cached),
        widths,
        charts=[chart],
        extent=sweep.extent(),
        heights=RowHeights(fixed=heights),
        print_scale=60,
    )

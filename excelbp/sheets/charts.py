"""The charts on the Inputs sheet: loss per step, the weights per step, accuracy."""

from __future__ import annotations

from ..layout.grid import letter
from ..layout.rows import StepTable
from ..quantities.registry import kind_of
from ..spec import Spec
from ..words import words
from .cells import ChartPlan, Series

MAX_CHARTED_WEIGHTS = 12
MAX_CHART_ROW = 1_000_000  # openpyxl's chart references stop here; past it a chart shows the first steps


def charts(spec: Spec, table: StepTable, *, anchor_col: int) -> list[ChartPlan]:
    """Loss per step; the weights per step (with w_true where the template has it); accuracy."""
    w = words(spec.lang)
    first, last = table.row(1), min(table.row(spec.steps), MAX_CHART_ROW)
    capped = f" ({w['step_label']} 1–{last - first + 1:,})" if last < table.row(spec.steps) else ""

    def series(key: tuple) -> Series:
        column = table.where[key]
        shown = table.columns[column].key  # an alias is named by the column it shares
        return Series(kind_of(shown).header(spec, shown), table.title, column + 1, first, last)

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
    col = letter(anchor_col)
    return [ChartPlan(c.title + capped, c.y_title, c.log_y, c.series, c.categories, f"{col}{1 + 18 * i}") for i, c in enumerate(out)]

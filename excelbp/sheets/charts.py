"""The charts on the Inputs sheet: loss per step, the weights per step, accuracy."""

from __future__ import annotations

from ..layout.grid import letter
from ..layout.inputs import InputsSheet
from ..layout.rows import StepTable
from ..quantities.registry import kind_of
from ..spec import Spec
from ..words import words
from .cells import ChartPlan, Series

MAX_CHARTED_WEIGHTS = 12
MAX_CHART_ROW = (
    1_000_000  # openpyxl's chart references stop here; past it a chart shows the first steps
)
# the data charts show the first samples: more points would only blot a chart, and slow it
MAX_CHARTED_SAMPLES = 10_000
# a series per run of one class: data that alternate would make one per sample
MAX_CLASS_RUNS = 50


CHART_CM = (
    9.0,
    6.0,
)  # width, height: two side by side beside the settings on a laptop's first screen


def _columns_for(cm: float, start: int, widths: dict[int, float]) -> int:
    """The column where a chart `cm` wide, starting at column `start`, ends (1-based)."""
    px, col = cm / 2.54 * 96, start
    while px > 0:
        px -= 7 * widths.get(col, 8.43) + 5  # a column of width w is about 7w + 5 pixels
        col += 1
    return col


def data_chart(spec: Spec, sheet: InputsSheet, w: dict) -> ChartPlan | None:
    """The data with what the final network makes of them: a curve through the points (one
    input, one output), or the line between two classes (logistic regression)."""
    shown = min(sheet.X.rows, MAX_CHARTED_SAMPLES)
    X, Y, rows = sheet.X, sheet.Y, (sheet.X.row, sheet.X.row + shown - 1)
    x_axis = Series(spec.input_names[0], sheet.title, X.col, *rows)
    if sheet.fit_z:
        last = sheet.fit_a[-1] or sheet.fit_z[-1]
        series = [
            Series(w["chart_data"], sheet.title, Y.col, *rows, x_col=X.col, points=True),
            Series(w["chart_prediction"], sheet.title, last.col, *rows, x_col=X.col),
        ]
        return ChartPlan(
            w["chart_fit"], spec.output_names[0], False, series, x_axis, "", scatter=True
        )
    if sheet.boundary is not None:
        series, start = [], 0
        classes = (spec.Y[:shown, 0] >= 0.5).astype(int)
        for t in range(1, len(classes) + 1):  # a series for each run of rows of one class, as built
            if len(series) == MAX_CLASS_RUNS:
                break
            if t == len(classes) or classes[t] != classes[start]:
                name = f"{w['class']} {classes[start]}"
                series.append(
                    Series(
                        name,
                        sheet.title,
                        X.col + 1,
                        X.row + start,
                        X.row + t - 1,
                        x_col=X.col,
                        points=True,
                    )
                )
                start = t
        B = sheet.boundary
        series.append(
            Series(w["boundary_short"], sheet.title, B.col + 1, B.row, B.row + 1, x_col=B.col)
        )
        return ChartPlan(
            w["chart_boundary"], spec.input_names[1], False, series, x_axis, "", scatter=True
        )
    return None


def charts(
    spec: Spec, table: StepTable, sheet: InputsSheet, at: tuple[int, int], widths: dict[int, float]
) -> list[ChartPlan]:
    """Loss per step; the data and the final network's fit; accuracy; the weights per step
    (with w_true where the template has it); side by side from `at` (row, column), beside
    the settings on the first screen."""
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
        out.append(
            ChartPlan(
                w["chart_weights"], w["weights"], False, [series(k) for k in weights], steps, ""
            )
        )
    if table.has(("acc",)):
        accuracy = [series(("acc",))] + ([series(("bacc",))] if table.has(("bacc",)) else [])
        out.append(ChartPlan(w["chart_accuracy"], w["accuracy"], False, accuracy, steps, ""))
    # loss first, then the data's chart, then accuracy where there is one: what a learner
    # looks for first; the weights last
    if weights:
        out = out[:1] + out[2:] + out[1:2]
    fit = data_chart(spec, sheet, w)
    if fit is not None:
        out.insert(1, fit)
    placed, col = [], at[1]
    for c in out:
        # a legend of several lines takes a third of the width: such a chart is wider
        size = (
            CHART_CM[0] * (1.4 if len(c.series) > 1 else 1),
            CHART_CM[1] * (1.2 if c.scatter else 1),
        )
        title = c.title if c.scatter else c.title + capped
        placed.append(
            ChartPlan(
                title,
                c.y_title,
                c.log_y,
                c.series,
                c.categories,
                f"{letter(col)}{at[0]}",
                size,
                c.scatter,
            )
        )
        col = _columns_for(size[0], col, widths)
    return placed

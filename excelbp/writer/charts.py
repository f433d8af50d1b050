"""The workbook's charts as openpyxl chart objects (openpyxl writes charts well)."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart
from openpyxl.chart import Series as ScatterSeries
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.chart.shapes import GraphicalProperties

from ..sheets.cells import ChartPlan

PALETTE = ("4472C4", "ED7D31", "70AD47", "7030A0", "C00000")  # a scatter chart's series, in order


def _bar_chart(plan: ChartPlan, sheets: dict) -> BarChart:
    """Upright bars, one for each category (a row or a column of cells)."""
    chart = BarChart()
    chart.type = "col"
    chart.title, chart.y_axis.title = plan.title, plan.y_title
    chart.width, chart.height = plan.size_cm

    def ref(s):
        return Reference(
            sheets[s.sheet],
            min_col=s.col,
            max_col=s.last_col or s.col,
            min_row=s.first_row,
            max_row=s.last_row,
        )

    for s in plan.series:
        chart.series.append(
            ScatterSeries(ref(s), title=s.name)
        )  # the factory takes a row as one series
        chart.series[-1].graphicalProperties.solidFill = PALETTE[
            (len(chart.series) - 1) % len(PALETTE)
        ]
    chart.set_categories(ref(plan.categories))
    if plan.y_limits is not None:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = plan.y_limits
    chart.y_axis.number_format = "General"
    chart.legend = None if len(plan.series) == 1 else chart.legend
    chart.x_axis.delete = chart.y_axis.delete = (
        False  # openpyxl ≥ 3.1 hides axes unless told otherwise
    )
    chart.gapWidth = 50
    return chart


def chart(plan: ChartPlan, sheets: dict) -> LineChart | ScatterChart | BarChart:
    if plan.bar:
        return _bar_chart(plan, sheets)
    chart = ScatterChart() if plan.scatter else LineChart()
    if (
        plan.scatter
    ):  # required by the schema (Excel repairs a chart without it); each series sets its own look
        chart.scatterStyle = "lineMarker"
    chart.title = plan.title
    chart.y_axis.title = plan.y_title
    chart.x_axis.title = plan.categories.name
    chart.width, chart.height = plan.size_cm
    chart.y_axis.number_format = "General"
    if plan.log_y:
        chart.y_axis.scaling.logBase = 10
    for s in plan.series:
        ref = Reference(sheets[s.sheet], min_col=s.col, min_row=s.first_row, max_row=s.last_row)
        if plan.scatter:
            xs = Reference(
                sheets[s.sheet], min_col=s.x_col, min_row=s.first_row, max_row=s.last_row
            )
            chart.series.append(ScatterSeries(ref, xs, title=s.name))
            colour = PALETTE[(len(chart.series) - 1) % len(PALETTE)]
            if s.points:  # markers only
                chart.series[-1].marker = Marker(symbol="circle", size=6)
                chart.series[-1].marker.graphicalProperties = GraphicalProperties(solidFill=colour)
                chart.series[-1].marker.graphicalProperties.line.solidFill = colour
                chart.series[-1].graphicalProperties.line.noFill = True
            else:
                chart.series[-1].marker = Marker(symbol="none")
                chart.series[-1].graphicalProperties.line.solidFill = colour
        else:
            chart.add_data(ref, titles_from_data=False)
            chart.series[-1].tx = (
                SeriesLabel(v=s.name)
                if s.name_ref is None
                else SeriesLabel(strRef=StrRef(f=s.name_ref))
            )
        chart.series[-1].smooth = False
    c = plan.categories
    if not plan.scatter:
        chart.set_categories(
            Reference(sheets[c.sheet], min_col=c.col, min_row=c.first_row, max_row=c.last_row)
        )
    # openpyxl ≥ 3.1 hides axes unless told otherwise
    if len(plan.series) == 1:
        chart.legend = None  # the title says what the one line is
    else:
        chart.legend.position = "r"  # a list beside the lines leaves them the chart's height
    if plan.scatter:  # the axes at the plot's left and bottom edges, not through 0
        chart.x_axis.crosses = chart.y_axis.crosses = "min"
    chart.x_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # step numbers below the plot, not across it at 0
    if not plan.scatter:  # about eight step numbers: more would be turned on their side
        chart.x_axis.tickLblSkip = chart.x_axis.tickMarkSkip = max(
            1, -(-(c.last_row - c.first_row + 1) // 8)
        )
    chart.y_axis.delete = False
    return chart

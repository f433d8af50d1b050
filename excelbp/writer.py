"""The only module that touches openpyxl for writing: a WorkbookPlan → an .xlsx file.

Streams rows (write-only mode), so memory does not grow with the number of steps, and
writes to a temporary file in the destination folder that is renamed into place only when
complete: an interrupted build leaves no partial file and the old file intact.
"""

from __future__ import annotations

import contextlib
import math
import os
import tempfile
from pathlib import Path

import openpyxl.worksheet._writer as sheet_writer
from openpyxl import Workbook
from openpyxl.cell import Cell as OpenpyxlCell
from openpyxl.cell._writer import _set_attributes
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.xml.functions import Element, SubElement

from .errors import InputError
from .plan import Cell, ChartPlan, WorkbookPlan

# One colour per column group, pale enough to read numbers on.
GROUP_COLOURS = {
    "step": "D9D9D9",
    "params": "E2EFDA",
    "forward": "DDEBF7",
    "loss": "FCE4D6",
    "backward": "F8CBAD",
    "gradient": "FFF2CC",
    "update": "C6EFCE",
}
INPUT_FILL = "FFFF99"


def _styles() -> list[NamedStyle]:
    thin = Side(style="thin", color="BFBFBF")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    out = [
        NamedStyle("title", font=Font(bold=True, size=14)),
        NamedStyle("subtitle", font=Font(italic=True, size=11)),
        NamedStyle("note", font=Font(italic=True, color="595959")),
        NamedStyle("section", font=Font(bold=True, size=12, color="1F4E78")),
        NamedStyle("label", font=Font(bold=True)),
        NamedStyle("text"),
        # inputs: yellow with blue figures, the usual spreadsheet sign for "type here"
        NamedStyle("input", font=Font(color="0000FF"), fill=PatternFill("solid", fgColor=INPUT_FILL), border=box, number_format="General"),
        NamedStyle("formula", border=box, number_format="0.000000"),
        NamedStyle("percent", font=Font(bold=True), border=box, number_format="0.0%"),
        NamedStyle("int", number_format="0", alignment=Alignment(horizontal="center")),
        NamedStyle("fixed", number_format="0.000000"),
        NamedStyle("general", number_format="0.000E+00"),
    ]
    for group, colour in GROUP_COLOURS.items():
        fill = PatternFill("solid", fgColor=colour)
        out.append(NamedStyle(f"group_{group}", font=Font(bold=True), fill=fill))
        out.append(NamedStyle(f"header_{group}", font=Font(bold=True), fill=fill, alignment=Alignment(horizontal="center", wrap_text=True), border=box))
    return out


class _CachedCell(OpenpyxlCell):
    """A formula cell that also carries its computed value."""

    __slots__ = ("cached",)


def _write_cell_with_value(original):
    """openpyxl writes formulas with an empty <v/>; readers that do not calculate (pandas,
    previewers) then show nothing. This writes <f> and the engine's value in <v>."""

    def write_cell(xf, worksheet, cell, styled=None):
        cached = getattr(cell, "cached", None)
        if cached is None or cell.data_type != "f":
            return original(xf, worksheet, cell, styled)
        value, attributes = _set_attributes(cell, styled)
        if not math.isfinite(cached):
            attributes["t"] = "e"  # what Excel shows for an overflow
        el = Element("c", attributes)
        SubElement(el, "f").text = value[1:]
        SubElement(el, "v").text = repr(float(cached)) if math.isfinite(cached) else "#NUM!"
        xf.write(el)

    return write_cell


@contextlib.contextmanager
def _cached_values():
    original = sheet_writer.write_cell
    sheet_writer.write_cell = _write_cell_with_value(original)
    try:
        yield
    finally:
        sheet_writer.write_cell = original


def _cell(ws, cell: Cell | None):
    if cell is None:
        return None
    out = _CachedCell(ws, row=1, column=1, value=cell.value)
    if cell.cached is not None:
        out.cached = cell.cached
    if cell.kind == "text" and isinstance(cell.value, str) and cell.value.startswith("="):
        out.data_type = "s"  # text that looks like a formula stays text
    out.style = cell.style
    if cell.comment:
        out.comment = Comment(cell.comment, "excelbp", width=320, height=90)
    return out


def _chart(plan: ChartPlan, sheets: dict) -> LineChart:
    chart = LineChart()
    chart.title = plan.title
    chart.y_axis.title = plan.y_title
    chart.x_axis.title = plan.categories.name
    chart.height, chart.width = 8.5, 16
    chart.y_axis.number_format = "General"
    if plan.log_y:
        chart.y_axis.scaling.logBase = 10
    for s in plan.series:
        ref = Reference(sheets[s.sheet], min_col=s.col, min_row=s.first_row, max_row=s.last_row)
        chart.add_data(ref, titles_from_data=False)
        chart.series[-1].tx = SeriesLabel(v=s.name)
        chart.series[-1].smooth = False
    c = plan.categories
    chart.set_categories(Reference(sheets[c.sheet], min_col=c.col, min_row=c.first_row, max_row=c.last_row))
    # openpyxl ≥ 3.1 hides axes unless told otherwise
    chart.x_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # step numbers below the plot, not across it at 0
    chart.y_axis.delete = False
    return chart


def write(plan: WorkbookPlan, path: Path, *, force: bool = False) -> None:
    """Write the workbook to `path` atomically. Refuses to overwrite without `force`."""
    path = Path(path)
    if path.exists() and not force:
        raise InputError(f"{path}: exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent}: no such folder")
    with _cached_values():
        _write(plan, path)


def _write(plan: WorkbookPlan, path: Path) -> None:
    wb = Workbook(write_only=True)
    for style in _styles():
        wb.add_named_style(style)
    sheets = {}
    for sheet in plan.sheets:
        ws = wb.create_sheet(sheet.title)
        for col, width in sheet.widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
        if sheet.hidden:
            ws.sheet_state = "hidden"
        if sheet.fit_width:
            ws.page_setup.orientation = "landscape"
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        for row in sheet.rows:
            ws.append([_cell(ws, c) for c in row])
        sheets[sheet.title] = ws
    for sheet in plan.sheets:
        for chart in sheet.charts:
            sheets[sheet.title].add_chart(_chart(chart, sheets), chart.anchor)
    for name, ref in plan.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""Stage 7, the writer: the only package that touches openpyxl for writing. A WorkbookPlan →
an .xlsx file.

Streams rows (write-only mode), so memory does not grow with the number of steps, and
writes to a temporary file in the destination folder that is renamed into place only when
complete: an interrupted build leaves no partial file and the old file intact.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from ..errors import InputError
from ..sheets.cells import ChartPlan, WorkbookPlan
from .openpyxl_private import FastSheet
from .styles import HEATMAPS, named_styles


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
    if path.is_dir():
        raise InputError(f"-o {path}: is a folder; give a file name ending in .xlsx")
    # the temporary file first: a folder we cannot write to fails here, before any work
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise InputError(f"-o {path}: cannot write in {path.parent} ({e.strerror})") from None
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a workbook is an ordinary file
    try:
        _write(plan, tmp)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"-o {path}: cannot write ({e.strerror or e})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(plan: WorkbookPlan, path: str) -> None:
    wb = Workbook(write_only=True)
    for style in named_styles():
        wb.add_named_style(style)
    sheets = {}
    style_ids: dict[str, str] = {}
    for sheet in plan.sheets:  # created in display order
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
        if sheet.extent:
            FastSheet.set_extent(ws, *sheet.extent)
        style_ids = style_ids or FastSheet.style_ids(wb, ws)
        FastSheet(ws, style_ids)
        sheets[sheet.title] = ws
    # each write-only sheet streams to a file of its own; every sheet's rows are independent
    for sheet in plan.sheets:
        for row in sheet.rows:
            sheets[sheet.title].append(row)
    for sheet in plan.sheets:
        for ref, kind in sheet.heatmaps:
            sheets[sheet.title].conditional_formatting.add(ref, HEATMAPS[kind]())
        for chart in sheet.charts:
            sheets[sheet.title].add_chart(_chart(chart, sheets), chart.anchor)
    for name, ref in plan.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.save(path)

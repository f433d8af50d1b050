"""Stage 7, the writer: the only package that touches openpyxl for writing. A WorkbookPlan →
an .xlsx file.

Streams rows (write-only mode), so memory does not grow with the number of steps, and
writes to a temporary file in the destination folder that is renamed into place only when
complete: an interrupted build leaves no partial file and the old file intact.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart
from openpyxl.chart import Series as ScatterSeries
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.series import SeriesLabel, StrRef
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.writer.excel import ExcelWriter

from ..errors import InputError
from ..sheets.cells import ChartPlan, WorkbookPlan
from .openpyxl_private import FastSheet
from .styles import HEATMAPS, named_styles


PALETTE = ("4472C4", "ED7D31", "70AD47", "7030A0", "C00000")  # a scatter chart's series, in order


def _bar_chart(plan: ChartPlan, sheets: dict) -> BarChart:
    """Upright bars, one for each category (a row or a column of cells)."""
    chart = BarChart()
    chart.type = "col"
    chart.title, chart.y_axis.title = plan.title, plan.y_title
    chart.width, chart.height = plan.size_cm

    def ref(s):
        return Reference(sheets[s.sheet], min_col=s.col, max_col=s.last_col or s.col, min_row=s.first_row, max_row=s.last_row)

    for s in plan.series:
        chart.series.append(ScatterSeries(ref(s), title=s.name))  # the factory takes a row as one series
        chart.series[-1].graphicalProperties.solidFill = PALETTE[(len(chart.series) - 1) % len(PALETTE)]
    chart.set_categories(ref(plan.categories))
    if plan.y_limits is not None:
        chart.y_axis.scaling.min, chart.y_axis.scaling.max = plan.y_limits
    chart.y_axis.number_format = "General"
    chart.legend = None if len(plan.series) == 1 else chart.legend
    chart.x_axis.delete = chart.y_axis.delete = False  # openpyxl ≥ 3.1 hides axes unless told otherwise
    chart.gapWidth = 50
    return chart


def _chart(plan: ChartPlan, sheets: dict) -> LineChart | ScatterChart | BarChart:
    if plan.bar:
        return _bar_chart(plan, sheets)
    chart = ScatterChart() if plan.scatter else LineChart()
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
            xs = Reference(sheets[s.sheet], min_col=s.x_col, min_row=s.first_row, max_row=s.last_row)
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
            chart.series[-1].tx = SeriesLabel(v=s.name) if s.name_ref is None else SeriesLabel(strRef=StrRef(f=s.name_ref))
        chart.series[-1].smooth = False
    c = plan.categories
    if not plan.scatter:
        chart.set_categories(Reference(sheets[c.sheet], min_col=c.col, min_row=c.first_row, max_row=c.last_row))
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
        chart.x_axis.tickLblSkip = chart.x_axis.tickMarkSkip = max(1, -(-(c.last_row - c.first_row + 1) // 8))
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
    # from here on, whatever stops the build (SIGTERM as much as an error) removes the
    # temporary file: the signal may come before any sheet is written
    scratch = wb = archive = None
    saving = False
    tempdir = tempfile.tempdir
    try:
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a workbook is an ordinary file
        # openpyxl streams each write-only sheet to a temporary file of its own in TMPDIR; in a
        # folder of ours they can all be freed and removed, whatever stops the build
        try:
            scratch = tempfile.mkdtemp(prefix="excelbp-")
        except OSError as e:
            raise _NoScratch(e.strerror) from None
        tempfile.tempdir = scratch
        wb = Workbook(write_only=True)
        archive = ZipFile(tmp, "w", ZIP_DEFLATED, allowZip64=True)
        _write(plan, wb)
        saving = True
        # what Workbook.save does, with the archive in our hands to close on failure
        wb.properties.modified = datetime.now(timezone.utc).replace(tzinfo=None)
        ExcelWriter(wb, archive).save()
        _place(tmp, path, force=force)
    except BaseException as e:
        # Abandon the workbook now, not when it is garbage-collected: each sheet's writer
        # and the archive hold open files that a collector would close with a traceback
        # ("Exception ignored in …", from a full disk or a file closed before them). Free
        # the space first (a full disk is the usual cause), then close each cleanly.
        if _linked(tmp, path):  # stopped between linking it into place and removing its other name
            Path(tmp).unlink(missing_ok=True)
            raise
        if scratch is None or wb is None:  # stopped, or no TMPDIR folder, before any work
            Path(tmp).unlink(missing_ok=True)
            if isinstance(e, _NoScratch):
                raise InputError(f"TMPDIR {tempfile.gettempdir()}: cannot make a temporary folder ({e})") from None
            raise
        in_tmpdir = archive is not None and isinstance(e, OSError) and not saving
        if isinstance(e, OSError) and e.errno in (errno.ENOSPC, errno.EDQUOT) and os.stat(scratch).st_dev != os.stat(path.parent).st_dev:
            in_tmpdir = shutil.disk_usage(scratch).free < shutil.disk_usage(path.parent).free  # the fuller one
        for name in os.listdir(scratch):
            with contextlib.suppress(OSError):
                os.truncate(os.path.join(scratch, name), 0)
        with contextlib.suppress(OSError):
            os.truncate(tmp, 0)
        for ws in wb.worksheets:
            if not ws.closed:
                with contextlib.suppress(Exception):
                    ws.close()
        if archive is not None:
            with contextlib.suppress(Exception):
                archive.close()
        Path(tmp).unlink(missing_ok=True)
        if in_tmpdir:
            where = os.path.dirname(scratch)
            raise InputError(f"TMPDIR {where}: cannot write the sheets' temporary files ({e.strerror or e}); free some space or set TMPDIR to another folder") from None
        if isinstance(e, OSError):
            raise InputError(f"-o {path}: cannot write ({e.strerror or e})") from None
        raise
    finally:
        tempfile.tempdir = tempdir
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


class _NoScratch(OSError):
    """TMPDIR would not give a folder."""


def _place(tmp: str, path: Path, *, force: bool) -> None:
    """Move the finished file to `path`. Without `force` only where no file is, checked in
    the same step as the move (a hard link fails where the name exists), so a file that
    appeared while the workbook was built (another build to the same -o) is never replaced."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise InputError(f"{path}: appeared while the workbook was built; use --force to overwrite it") from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        # a file system without hard links (FAT, some network mounts): check, then move
        if path.exists():
            raise InputError(f"{path}: appeared while the workbook was built; use --force to overwrite it") from None
        os.replace(tmp, path)
        return
    with contextlib.suppress(OSError):  # the workbook is in place: its other name must not undo that
        os.unlink(tmp)


def _linked(tmp: str, path: Path) -> bool:
    try:
        return os.path.samefile(tmp, path)
    except OSError:
        return False


def _write(plan: WorkbookPlan, wb: Workbook) -> None:
    """The sheets of `plan` in `wb`, their rows streamed to their temporary files."""
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
        if sheet.print_scale:
            ws.page_setup.orientation = "landscape"
            ws.page_setup.scale = sheet.print_scale
        if sheet.fit_width:
            ws.page_setup.orientation = "landscape"
            ws.sheet_properties.pageSetUpPr.fitToPage = True
            ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        if sheet.extent:
            FastSheet.set_extent(ws, *sheet.extent)
        style_ids = style_ids or FastSheet.style_ids(wb, ws)
        FastSheet(ws, style_ids, sheet.heights)
        sheets[sheet.title] = ws
    # each write-only sheet streams to a file of its own; every sheet's rows are independent
    for sheet in plan.sheets:
        for row in sheet.rows:
            sheets[sheet.title].append(row)
    for sheet in plan.sheets:
        for ref, kind in sheet.heatmaps:
            rules = HEATMAPS[kind]()
            for rule in rules if isinstance(rules, list) else [rules]:
                sheets[sheet.title].conditional_formatting.add(ref, rule)
        for chart in sheet.charts:
            sheets[sheet.title].add_chart(_chart(chart, sheets), chart.anchor)
    for name, ref in plan.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)

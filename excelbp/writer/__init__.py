"""Stage 7, the writer: the only package that touches openpyxl for writing. A WorkbookPlan →
an .xlsx file.

The rows go to files of their own as they are made (sheet_rows.py), so memory does not grow
with the number of steps; openpyxl then makes the rest of the workbook in memory, without
cells, and package.py puts the two together into a temporary file in the destination
folder, moved into place only when complete: an interrupted build leaves no partial file
and the old file intact. No openpyxl internal is used, and the bytes are the same whichever
XML library openpyxl picked.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import shutil
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import Cell as OpenpyxlCell
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from ..errors import ExternalError, InputError
from ..sheets.cells import SheetPlan, WorkbookPlan
from .charts import chart
from .package import assemble
from .sheet_rows import SharedStrings, SheetRows
from .styles import HEATMAPS, named_styles

NOTE_SIZE = (320, 90)  # a note's box, in pixels: a few lines of a header's explanation


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
    # temporary file and the rows' files: the signal may come before any sheet is written
    scratch = None
    try:
        os.close(fd)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; a workbook is an ordinary file
        try:
            scratch = tempfile.mkdtemp(prefix="excelbp-")
        except OSError as e:
            where = tempfile.gettempdir()
            raise InputError(
                f"TMPDIR {where}: cannot make a temporary folder ({e.strerror})"
            ) from None
        try:
            wb, rows, strings = _parts(plan, Path(scratch))
        except OSError as e:
            _free(scratch, tmp)
            where = os.path.dirname(scratch)
            raise InputError(
                f"TMPDIR {where}: cannot write the sheets' temporary files ({e.strerror or e});"
                " free some space or set TMPDIR to another folder"
            ) from None
        try:
            with ZipFile(tmp, "w", ZIP_DEFLATED, allowZip64=True) as archive:
                assemble(_save(wb), rows, strings, archive)
            _place(tmp, path, force=force)
        except OSError as e:
            _free(scratch, tmp)
            raise InputError(f"-o {path}: cannot write ({e.strerror or e})") from None
    except BaseException:
        if not _linked(
            tmp, path
        ):  # not stopped between linking it into place and removing its other name
            with contextlib.suppress(OSError):
                os.truncate(tmp, 0)  # free the space first: a full disk is the usual cause
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def check() -> None:
    """Write a small workbook (a note, a chart, a name) through the writer into memory: raise
    ExternalError in one line when this openpyxl makes parts the writer cannot splice. Run
    before a build does any work."""
    from ..sheets.cells import ChartPlan, Series, formula, number, text

    cells = [[text("x"), number(1.0), formula("=B1*2", cached=2.0)]]
    cells[0][0] = replace(cells[0][0], comment="a note")
    line = Series("y", "probe", 2, 1, 1)
    plan = WorkbookPlan(
        [SheetPlan("probe", cells, charts=[ChartPlan("t", "y", False, [line], line, "E2")])],
        {"probe_name": "probe!$B$1"},
    )
    with (
        tempfile.TemporaryDirectory(prefix="excelbp-check-") as scratch,
        ZipFile(io.BytesIO(), "w") as archive,
    ):
        wb, rows, strings = _parts(plan, Path(scratch))
        assemble(_save(wb), rows, strings, archive)


def _parts(
    plan: WorkbookPlan, scratch: Path
) -> tuple[Workbook, dict[str, tuple[Path, tuple[int, int]]], SharedStrings]:
    """openpyxl's workbook without cells, each sheet's rows in a file of `scratch` (title →
    (file, extent)), and the strings they share: what assemble() puts together."""
    wb, style_ids = _workbook(plan)
    strings = SharedStrings()
    rows = {
        sheet.title: _stream(i, sheet, scratch, style_ids, strings, wb)
        for i, sheet in enumerate(plan.sheets, start=1)
    }
    _finish(plan, wb)
    return wb, rows, strings


def _save(wb: Workbook) -> bytes:
    """openpyxl's workbook, without cells, as a package in memory."""
    skeleton = io.BytesIO()
    try:
        wb.save(skeleton)
    except Exception as e:  # noqa: BLE001 - any failure of openpyxl here is the message
        raise ExternalError(
            f"openpyxl {openpyxl.__version__}: cannot save the workbook's parts"
            f" ({type(e).__name__}: {e})"
        ) from None
    return skeleton.getvalue()


def _free(scratch: str, tmp: str) -> None:
    """Give back the space of the rows' files and the part-written workbook at once."""
    for name in os.listdir(scratch):
        with contextlib.suppress(OSError):
            os.truncate(os.path.join(scratch, name), 0)
    with contextlib.suppress(OSError):
        os.truncate(tmp, 0)


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
        raise InputError(
            f"{path}: appeared while the workbook was built; use --force to overwrite it"
        ) from None
    except OSError as e:
        if e.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK):
            raise
        # a file system without hard links (FAT, some network mounts): check, then move
        if path.exists():
            raise InputError(
                f"{path}: appeared while the workbook was built; use --force to overwrite it"
            ) from None
        os.replace(tmp, path)
        return
    with contextlib.suppress(
        OSError
    ):  # the workbook is in place: its other name must not undo that
        os.unlink(tmp)


def _linked(tmp: str, path: Path) -> bool:
    try:
        return os.path.samefile(tmp, path)
    except OSError:
        return False


def _workbook(plan: WorkbookPlan) -> tuple[Workbook, dict[str, int]]:
    """openpyxl's workbook with the named styles and the sheets' settings, no cells yet, and
    the cell-format index of each named style."""
    wb = Workbook()
    wb.remove(wb.active)
    for style in named_styles():
        wb.add_named_style(style)
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
    probe_sheet = wb.worksheets[0]
    ids = {}
    for name in wb.style_names:
        probe = OpenpyxlCell(probe_sheet, row=1, column=1)  # not placed in the sheet
        probe.style = name
        ids[name] = probe.style_id
    return wb, ids


def _stream(
    i: int,
    sheet: SheetPlan,
    scratch: Path,
    style_ids: dict[str, int],
    strings: SharedStrings,
    wb: Workbook,
) -> tuple[Path, tuple[int, int]]:
    """Sheet i's rows to a file in `scratch`; its notes onto openpyxl's sheet. → (file, extent)."""
    file = scratch / f"sheet{i}.xml"
    with open(file, "wb", buffering=1 << 20) as out:
        rows = SheetRows(out, style_ids, strings, sheet.heights)
        for row in sheet.rows:
            rows.append(row)
    ws = wb[sheet.title]
    for r, c, text in rows.notes:
        ws.cell(row=r, column=c).comment = Comment(
            text, "excelbp", width=NOTE_SIZE[0], height=NOTE_SIZE[1]
        )
    return file, sheet.extent or (rows.rows, rows.cols)


def _finish(plan: WorkbookPlan, wb: Workbook) -> None:
    """What refers to the cells: colour scales, charts and the defined names."""
    sheets = {ws.title: ws for ws in wb.worksheets}
    for sheet in plan.sheets:
        for ref, kind in sheet.heatmaps:
            rules = HEATMAPS[kind]()
            for rule in rules if isinstance(rules, list) else [rules]:
                sheets[sheet.title].conditional_formatting.add(ref, rule)
        for plan_chart in sheet.charts:
            sheets[sheet.title].add_chart(chart(plan_chart, sheets), plan_chart.anchor)
    for name, ref in plan.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.properties.modified = datetime.now(timezone.utc).replace(tzinfo=None)

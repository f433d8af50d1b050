"""The only module that touches openpyxl for writing: a WorkbookPlan → an .xlsx file.

Streams rows (write-only mode), so memory does not grow with the number of steps, and
writes to a temporary file in the destination folder that is renamed into place only when
complete: an interrupted build leaves no partial file and the old file intact.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell as OpenpyxlCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell._writer import whitespace
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.comments import Comment
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.comments.comment_sheet import CommentRecord
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

# Weights: blue below zero, white at zero, red above. Pixels: white paper, black ink.
# Counts: white to a blue light enough to read the number on.
HEATMAPS = {
    "diverging": lambda: ColorScaleRule(start_type="min", start_color="5B9BD5", mid_type="num", mid_value=0, mid_color="FFFFFF", end_type="max", end_color="F8696B"),
    "ink": lambda: ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="000000"),
    "counts": lambda: ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="9BC2E6"),
}


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
        NamedStyle("percent_plain", number_format="0.0%"),
        NamedStyle("int", number_format="0", alignment=Alignment(horizontal="center")),
        NamedStyle("fixed", number_format="0.000000"),
        NamedStyle("general", number_format="0.000E+00"),
    ]
    for group, colour in GROUP_COLOURS.items():
        fill = PatternFill("solid", fgColor=colour)
        out.append(NamedStyle(f"group_{group}", font=Font(bold=True), fill=fill))
        out.append(NamedStyle(f"header_{group}", font=Font(bold=True), fill=fill, alignment=Alignment(horizontal="center", wrap_text=True), border=box))
    return out


class _RowWriter:
    """Writes a plan's rows straight to the worksheet's XML stream.

    openpyxl's own path builds a Cell per value, resolves its named style by a linear
    search every time, and writes formulas with an empty <v/>, so readers that do not
    calculate (pandas, previewers) show nothing. Here each style is resolved once, each
    formula is written with its cached value, and only cells with a note become openpyxl
    Cells (the note needs one).
    """

    def __init__(self, ws, style_ids: dict[str, str]) -> None:
        self.ws = ws
        self.style_ids = style_ids
        self.letters: list[str] = [""]

    def letter(self, col: int) -> str:
        while len(self.letters) <= col:
            self.letters.append(get_column_letter(len(self.letters)))
        return self.letters[col]

    def write_row(self, xf, row: list[Cell | None], row_idx: int) -> None:
        r = str(row_idx)
        with xf.element("row", {"r": r}):
            for col, cell in enumerate(row, start=1):
                if cell is None:
                    continue
                coordinate = self.letter(col) + r
                if cell.comment:
                    self._note(cell, row_idx, col)
                attrs = {"r": coordinate, "s": self.style_ids[cell.style]}
                if cell.kind == "formula":
                    bad = cell.cached is not None and not math.isfinite(cell.cached)
                    if bad:
                        attrs["t"] = "e"  # what Excel shows for an overflow
                    el = Element("c", attrs)
                    SubElement(el, "f").text = cell.value[1:]
                    if cell.cached is not None:
                        SubElement(el, "v").text = "#NUM!" if bad else repr(float(cell.cached))
                elif cell.kind == "number":
                    el = Element("c", attrs)
                    SubElement(el, "v").text = repr(cell.value)
                else:
                    # always a string, never a formula, whatever it starts with
                    attrs["t"] = "inlineStr"
                    el = Element("c", attrs)
                    t = SubElement(SubElement(el, "is"), "t")
                    t.text = ILLEGAL_CHARACTERS_RE.sub("", str(cell.value))
                    whitespace(t)
                xf.write(el)

    def _note(self, cell: Cell, row: int, col: int) -> None:
        holder = OpenpyxlCell(self.ws, row=row, column=col)
        holder.comment = Comment(cell.comment, "excelbp", width=320, height=90)
        self.ws._comments.append(CommentRecord.from_cell(holder))


def _style_ids(wb, ws) -> dict[str, str]:
    ids = {}
    for style in wb.style_names:
        probe = OpenpyxlCell(ws, row=1, column=1)
        probe.style = style
        ids[style] = str(probe.style_id)
    return ids


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
    for style in _styles():
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
            rows, cols = sheet.extent
            ws.calculate_dimension = lambda ref=f"A1:{get_column_letter(cols)}{rows}": ref
        # rows go to our writer as they are: no openpyxl Cell per value
        ws._get_writer()
        style_ids = style_ids or _style_ids(wb, ws)
        ws._writer.write_row = _RowWriter(ws, style_ids).write_row
        ws._values_to_row = lambda row, row_idx: row
        sheets[sheet.title] = ws
    # each write-only sheet streams to its own file, so they can be filled in any order
    by_title = {sheet.title: sheet for sheet in plan.sheets}
    for title in plan.fill_order:
        for row in by_title[title].rows:
            sheets[title].append(row)
    for sheet in plan.sheets:
        for ref, kind in sheet.heatmaps:
            sheets[sheet.title].conditional_formatting.add(ref, HEATMAPS[kind]())
        for chart in sheet.charts:
            sheets[sheet.title].add_chart(_chart(chart, sheets), chart.anchor)
    for name, ref in plan.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    wb.save(path)

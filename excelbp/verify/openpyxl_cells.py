"""Cells read by openpyxl: what sheetxml.py's stream does not read, and small sheets by address.

sheetxml.py streams only the plain element forms every writer uses; a part with a comment or
CDATA in its sheet data, a cell without its address, a shared formula before its master or a
date cell goes to openpyxl's parser instead (about 16 µs a cell, so reader.py lets it read a
small workbook only). `cells` hands them over as sheetxml's tuples, so that one reader
(fast_read.py) and one evaluator (fast.py) take both: a formula's text and a string escaped
back (only "&", which is all `sheetxml.text` reads), a number as its repr (every bit), a date
as Excel's serial number, a shared formula as openpyxl translated it, an array formula with
its ref. `sheets` reads sheets as openpyxl holds them (cell → value, a formula as its "=…"
text or ArrayFormula), for the few cells verify reads by address (the Inputs, a structure
record openpyxl must read); `recalculated` a copy that LibreOffice or Gnumeric saved.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.formula import ArrayFormula

from ..errors import InputError
from .safe_xml import show
from .sheetxml import Cell


def _escaped(text: str) -> bytes:
    return text.replace("&", "&amp;").encode()


def _cell(row: int, col: int, data_type: str, v) -> Cell:
    if data_type == "f":
        if isinstance(v, str):
            return row, col, None, None, _escaped(v[1:]), None
        if isinstance(v, ArrayFormula):
            attrs = f't="array" ref="{v.ref}"'.encode()
            return row, col, None, attrs, _escaped((v.text or "")[1:]), None
        return row, col, None, f't="{type(v).__name__}"'.encode(), b"", None  # a data table
    if isinstance(v, bool):
        return row, col, "b", None, None, b"1" if v else b"0"
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        v = to_excel(v)  # a date typed into a cell is a serial number to Excel
    if isinstance(v, (int, float)):
        return row, col, None, None, None, repr(float(v)).encode()
    return row, col, "e" if data_type == "e" else "str", None, None, _escaped(str(v))


def _filled(ws) -> Iterator:
    for row in ws.iter_rows():
        for cell in row:
            if getattr(cell, "value", None) is not None:
                yield cell


def sheets(path: Path, titles: list[str] | None) -> dict[str, dict[str, object]]:
    """Sheet title → {"A1": value as stored} of the sheets named (None: all)."""
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
        out = {}
        for ws in wb.worksheets:
            if titles is None or ws.title in titles:
                # a <dimension> claiming A1:XFD1048576 would pad every row to 16,384 cells
                ws.reset_dimensions()
                out[ws.title] = {cell.coordinate: cell.value for cell in _filled(ws)}
        wb.close()
    except Exception as e:  # noqa: BLE001 - openpyxl trips in many ways on a damaged part
        raise InputError(
            f"{path}: cannot read the workbook ({type(e).__name__}: {str(e)[:80]})"
        ) from None
    return out


def recalculated(path: Path) -> dict[str, object]:
    """ "Sheet!A1" → value of every cell of a recalculated copy, as the program saved them."""
    with warnings.catch_warnings():  # Gnumeric's copies have no default style, said openpyxl
        warnings.simplefilter("ignore", UserWarning)
        wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {f"{ws.title}!{c.coordinate}": c.value for ws in wb.worksheets for c in _filled(ws)}
    finally:
        wb.close()


def cells(path: Path, index: int) -> Iterator[list[Cell]]:
    """The cells of sheet `index` (not counting chartsheets), a list per row."""
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
        try:
            ws = wb.worksheets[index]
            ws.reset_dimensions()  # a stale <dimension> tag must not hide rows
            for row in ws.iter_rows():
                yield [
                    _cell(c.row, c.column, c.data_type, c.value)
                    for c in row
                    if getattr(c, "value", None) is not None
                ]  # a list per row: sheetxml's pieces
        finally:
            wb.close()
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl trips in many ways on a damaged part
        raise InputError(
            f"{show(str(path))}: cannot read the workbook ({type(e).__name__}: {str(e)[:80]})"
        ) from None

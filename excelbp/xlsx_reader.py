"""Reading workbooks back: the literal cells as they stand, and their recalculated values."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from .errors import InputError
from .safe_zip import check_xlsx

ENGINES = ("formulas", "libreoffice")


@dataclass
class Book:
    path: Path
    cells: dict[str, dict[str, object]]  # sheet → cell → value as stored (formulas as "=…")

    def literal(self, sheet: str, cell: str):
        return self.cells.get(sheet, {}).get(cell)

    def formula_cells(self) -> set[str]:
        return {f"{s}!{c}" for s, cells in self.cells.items() for c, v in cells.items() if isinstance(v, str) and v.startswith("=")}


def open_book(path: Path) -> Book:
    path = Path(path)
    # untrusted files (students send workbooks back): sizes, zip bombs and XML entities
    # are checked before openpyxl inflates anything
    check_xlsx(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
        cells = {ws.title: _sheet_values(ws) for ws in wb.worksheets}
        wb.close()
    except InputError:
        raise
    except Exception as e:
        raise InputError(f"{path}: cannot read the workbook ({type(e).__name__}: {str(e)[:80]})") from None
    return Book(path, cells)


def _sheet_values(ws) -> dict[str, object]:
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            v = getattr(cell, "value", None)
            if v is not None:
                out[cell.coordinate] = v
    return out


def recalculate(book: Book, *, engine: str = "formulas", progress: Callable[[int, int], None] | None = None) -> dict[str, object]:
    """Values of the formula cells after a real recalculation, keyed "Sheet!A1"."""
    if engine == "formulas":
        from .recalc import calculate

        return calculate(book.path, progress=progress)
    if engine == "libreoffice":
        from .libreoffice import recalculate as soffice

        with tempfile.TemporaryDirectory(prefix="excelbp-lo-") as out:
            done = soffice(book.path, Path(out))
            wb = load_workbook(done, read_only=True, data_only=True)
            formula_cells = book.formula_cells()
            values = {}
            for ws in wb.worksheets:
                for row in ws.iter_rows():
                    for cell in row:
                        key = f"{ws.title}!{getattr(cell, 'coordinate', '')}"
                        if key in formula_cells:
                            values[key] = cell.value
            wb.close()
            return values
    raise InputError(f"--engine: unknown {engine!r}; choose from {', '.join(ENGINES)}")


def excelmodel_values(path: Path) -> dict[str, object]:
    """The `formulas` package's own ExcelModel over the whole workbook: the slow reference."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    import formulas

    path = Path(path)
    sheets = {}
    with zipfile.ZipFile(path):
        pass
    wb = load_workbook(path, read_only=True)
    sheets = {ws.title.upper(): ws.title for ws in wb.worksheets}
    wb.close()
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, ranges in solution.items():
        if "!" not in key or ":" in key:
            continue
        book_sheet, cell = key.rsplit("!", 1)
        sheet = sheets.get(book_sheet.strip("'").split("]", 1)[-1])
        if sheet is None:
            continue
        v = ranges.value[0, 0]
        out[f"{sheet}!{cell}"] = str(v) if type(v).__name__ == "XlError" else (v.item() if hasattr(v, "item") else v)
    return out

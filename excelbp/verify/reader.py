"""Reading workbooks back: the cells as they stand, and their recalculated values."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import load_workbook

from ..errors import InputError
from . import fast, sheetxml
from .grid import Formulas, Values, from_dicts
from .safe_zip import check_xlsx

ENGINES = ("formulas", "libreoffice")


@dataclass
class Book:
    """A checked workbook; its sheets are read when first asked for."""

    path: Path
    _sheets: dict[str, dict[str, object]] = field(default_factory=dict)

    def sheet(self, title: str) -> dict[str, object]:
        """cell → value as stored (formulas as "=…"), read on first use."""
        if title not in self._sheets:
            self._sheets.update(_read_sheets(self.path, [title]))
        return self._sheets.get(title, {})

    def literal(self, sheet: str, cell: str):
        return self.sheet(sheet).get(cell)

    def formula_cells(self) -> set[str]:
        self._sheets.update(_read_sheets(self.path, None))
        return {f"{s}!{c}" for s, cells in self._sheets.items() for c, v in cells.items() if isinstance(v, str) and v.startswith("=")}


@dataclass(frozen=True)
class Recalculated:
    grid: fast.Result  # per sheet: dense values, which cells hold formulas

    @property
    def values(self) -> Values:  # "Sheet!A1" → value, literal cells included
        return Values(self.grid)

    @property
    def formulas(self) -> Formulas:  # the formula cells' addresses
        return Formulas(self.grid)


def open_book(path: Path) -> Book:
    path = Path(path)
    # untrusted files (students send workbooks back): sizes, zip bombs and XML entities
    # are checked before openpyxl inflates anything
    check_xlsx(path)
    return Book(path)


def _read_sheets(path: Path, titles: list[str] | None) -> dict[str, dict[str, object]]:
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
        out = {ws.title: _sheet_values(ws) for ws in wb.worksheets if titles is None or ws.title in titles}
        wb.close()
    except Exception as e:
        raise InputError(f"{path}: cannot read the workbook ({type(e).__name__}: {str(e)[:80]})") from None
    return out


def _sheet_values(ws) -> dict[str, object]:
    out = {}
    for row in ws.iter_rows():
        for cell in row:
            v = getattr(cell, "value", None)
            if v is not None:
                out[cell.coordinate] = v
    return out


def recalculate(book: Book, *, engine: str = "formulas", progress: Callable[[int, int], None] | None = None) -> Recalculated:
    """Every cell's value after a real recalculation of the formulas."""
    if engine == "formulas":
        try:
            return Recalculated(fast.recalculate(book.path, progress=progress))
        except sheetxml.Unsupported:  # XML this reader does not take: the reference evaluator
            from .recalc import calculate

            formulas, literals = calculate(book.path, progress=progress)
            return Recalculated(from_dicts({**literals, **formulas}, formulas))
    if engine == "libreoffice":
        from .libreoffice import recalculate as soffice

        formulas = book.formula_cells()
        with tempfile.TemporaryDirectory(prefix="excelbp-lo-") as out:
            [done] = soffice([book.path], Path(out))
            wb = load_workbook(done, read_only=True, data_only=True)
            values = {f"{ws.title}!{c}": v for ws in wb.worksheets for c, v in _sheet_values(ws).items()}
            wb.close()
        return Recalculated(from_dicts(values, formulas))
    raise InputError(f"--engine: unknown {engine!r}; choose from {', '.join(ENGINES)}")

"""Reading workbooks back: the cells as they stand, and their recalculated values."""

from __future__ import annotations

import re
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import InputError
from . import fast, sheetxml
from .safe_zip import check_xlsx

ENGINES = ("formulas", "libreoffice", "gnumeric")


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
    values: dict[str, object] | Cells  # "Sheet!A1" → value, literal cells included
    formulas: set[str] | Formulas  # the formula cells among them


_ADDRESS = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)")


class Cells:
    """fast.Result read as the mapping "Sheet!A1" → value that compare.py reads."""

    def __init__(self, result: fast.Result):
        self.result = result

    def where(self, key: str) -> tuple[int, int, int] | None:
        sheet, _, cell = key.rpartition("!")
        s, m = self.result.index.get(sheet), _ADDRESS.fullmatch(cell)
        return None if s is None or m is None else (s, int(m[2]), column_index_from_string(m[1]))

    def get(self, key: str, default=None):
        at = self.where(key)
        v = None if at is None else self.result.get(*at)
        return default if v is None else v

    def __getitem__(self, key: str):
        return self.get(key)


class Formulas:
    """The formula cells of a fast.Result, as the set compare.py asks about."""

    def __init__(self, cells: Cells):
        self.cells = cells

    def __contains__(self, key: str) -> bool:
        at = self.cells.where(key)
        if at is None:
            return False
        F = self.cells.result.formula[at[0]]
        return at[1] < F.shape[0] and at[2] < F.shape[1] and bool(F[at[1], at[2]])

    def __sub__(self, other) -> _Minus:
        return _Minus(self, [other])

    def __iter__(self):
        return iter(_Minus(self, []))


class _Minus:
    """formulas - a - b - c, worked out once, when iterated: no set of every formula cell."""

    def __init__(self, formulas: Formulas, others: list):
        self.formulas, self.others = formulas, others

    def __sub__(self, other) -> _Minus:
        return _Minus(self.formulas, [*self.others, other])

    def __bool__(self) -> bool:
        return bool(self.cells())

    def __len__(self) -> int:
        return len(self.cells())

    def __iter__(self):
        return iter(self.cells())

    def cells(self) -> set[str]:
        if hasattr(self, "_cells"):
            return self._cells
        out, others = set(), self.others
        result = self.formulas.cells.result
        for s, F in enumerate(result.formula):
            title = result.titles[s]
            for r, c in np.argwhere(F).tolist():
                key = f"{title}!{get_column_letter(c)}{r}"
                if not any(key in o for o in others):
                    out.add(key)
        self._cells = out
        return out


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


def _values(path: Path) -> dict[str, object]:
    """"Sheet!A1" → value of every cell of a recalculated copy, as the program saved them."""
    with warnings.catch_warnings():  # Gnumeric's copies have no default style, which openpyxl mentions
        warnings.simplefilter("ignore", UserWarning)
        wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {f"{ws.title}!{c}": v for ws in wb.worksheets for c, v in _sheet_values(ws).items()}
    finally:
        wb.close()


def recalculate(book: Book, *, engine: str = "formulas", progress: Callable[[int, int], None] | None = None) -> Recalculated:
    """Every cell's value after a real recalculation of the formulas."""
    if engine == "formulas":
        try:
            cells = Cells(fast.recalculate(book.path, progress=progress))
            return Recalculated(cells, Formulas(cells))
        except sheetxml.Unsupported:  # XML this reader does not take: the reference evaluator
            from .recalc import calculate

            formulas, literals = calculate(book.path, progress=progress)
            return Recalculated({**literals, **formulas}, set(formulas))
    if engine in ("libreoffice", "gnumeric"):  # a program recalculates a copy; its values are read back
        with tempfile.TemporaryDirectory(prefix=f"excelbp-{engine}-") as out:
            if engine == "libreoffice":
                from .libreoffice import recalculate as soffice

                [done] = soffice([book.path], Path(out))
            else:
                from .gnumeric import recalculate as ssconvert

                done = ssconvert(book.path, Path(out))
            values = _values(done)
        return Recalculated(values, book.formula_cells())
    raise InputError(f"--engine: unknown {engine!r}; choose from {', '.join(ENGINES)}")

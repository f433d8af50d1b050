"""Reading workbooks back: the cells as they stand, and their recalculated values."""

from __future__ import annotations

import functools
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from . import arrays, fast, openpyxl_cells, sheetxml
from .budget import MAX_FALLBACK_CELLS, Budget
from .excel_formula import formula_limits
from .grid import Formulas, Values, from_dicts
from .safe_xml import show
from .safe_zip import check_xlsx

SMALL_SHEET_CELLS = 10_000  # the structure record's sheet: two cells
_ADDRESS = re.compile(r"([A-Z]{1,3})([0-9]+)")

ENGINES = ("formulas", "libreoffice", "gnumeric", "ironcalc")


@dataclass
class Book:
    """A checked workbook; its sheets are read when first asked for."""

    path: Path
    cells: dict[str, int] = field(
        default_factory=dict
    )  # worksheet part → its cell elements (at most)
    _sheets: dict[str, dict[str, object]] = field(default_factory=dict)

    def sheet(self, title: str) -> dict[str, object]:
        """cell → value as stored (formulas as "=…"), read on first use."""
        if title not in self._sheets:
            self._sheets.update(openpyxl_cells.sheets(self.path, [title]))
        return self._sheets.get(title, {})

    def literal(self, sheet: str, cell: str):
        """One cell as stored, from a small sheet (the structure record's): streamed, not parsed
        by openpyxl, which would pad every row to the width a hostile <dimension> claims."""
        wb = sheetxml.workbook(self.path)
        [part] = [t.part for t in wb.sheets if t.title == sheet] or [None]
        if part is None:
            return None
        if self.cells.get(part, 0) > SMALL_SHEET_CELLS:
            raise InputError(
                f"{show(str(self.path))}: sheet {show(sheet)} holds {self.cells[part]:,} cells,"
                " excelbp writes a few (refused)"
            )
        m = _ADDRESS.fullmatch(cell)
        want = (int(m[2]), sheetxml.column(m[1].encode()))
        try:
            for piece in sheetxml.cells(wb, [t.part for t in wb.sheets].index(part)):
                for row, col, t, _fa, f, v in piece:
                    if (row, col) == want:
                        return (
                            "=" + sheetxml.text(f)
                            if f is not None
                            else None
                            if v is None
                            else sheetxml.value(t, v, wb.strings)
                        )
        except sheetxml.Unsupported:
            return self.sheet(sheet).get(cell)
        return None

    def formula_cells(self) -> set[str]:
        """Every formula cell's "Sheet!A1": an array formula's (openpyxl's ArrayFormula, at its
        anchor) counts for every cell of its ref."""
        self._sheets.update(openpyxl_cells.sheets(self.path, None))
        out = set()
        for s, cells in self._sheets.items():
            for c, v in cells.items():
                text = v if isinstance(v, str) and v.startswith("=") else getattr(v, "text", None)
                limit = formula_limits(text.lstrip("=")) if isinstance(text, str) else None
                if limit is not None:  # as the formulas engine refuses it, before a program runs
                    raise InputError(f"{show(str(self.path))}: {s}!{c}: {limit} (refused)")
                if isinstance(v, str) and v.startswith("="):
                    out.add(f"{s}!{c}")
                elif getattr(v, "ref", None) is not None and hasattr(v, "text"):
                    out.update(f"{s}!{a}" for a in arrays.cells(v.ref or c, f"{s}!{c}"))
        return out


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
    cells: dict[str, int] = {}
    check_xlsx(path, cells=cells)
    return Book(path, cells)


def recalculate(
    book: Book,
    *,
    engine: str = "formulas",
    progress: Callable[[int, int], None] | None = None,
    limits: Budget | None = None,
) -> Recalculated:
    """Every cell's value after a real recalculation of the formulas; with `limits`, nothing
    is read or evaluated beyond them."""
    total = sum(book.cells.values())
    where = show(str(book.path))
    if limits is not None and total > limits.cells:
        part = max(book.cells, key=book.cells.get)
        raise InputError(
            f"{where}: {total:,} cells in its sheets ({book.cells[part]:,} in {show(part)}), more"
            f" than the {limits.cells:,} its structure record accounts for (refused)"
        )
    if engine == "formulas":
        run = functools.partial(fast.recalculate, book.path, progress=progress, limits=limits)
        try:
            return Recalculated(run())
        except sheetxml.Unsupported as why:  # XML the streaming reader does not take
            if total > MAX_FALLBACK_CELLS:
                raise InputError(
                    f"{where}: {show(str(why))}: verify reads such XML only up to"
                    f" {MAX_FALLBACK_CELLS:,} cells, the workbook has {total:,} (refused)"
                ) from None
        try:
            return Recalculated(run(by_openpyxl=True))  # the same evaluator, cells by openpyxl
        except sheetxml.Unsupported as why:
            raise InputError(f"{where}: {show(str(why))} (refused)") from None
    if engine in (
        "libreoffice",
        "gnumeric",
    ):  # a program recalculates a copy; its values are read back
        formulas = book.formula_cells()
        with tempfile.TemporaryDirectory(prefix=f"excelbp-{engine}-") as out:
            if engine == "libreoffice":
                from .libreoffice import recalculate as soffice

                [done] = soffice([book.path], Path(out))
            else:
                from .gnumeric import recalculate as ssconvert

                done = ssconvert(book.path, Path(out))
            values = openpyxl_cells.recalculated(done)
        return Recalculated(from_dicts(values, formulas))
    if (
        engine == "ironcalc"
    ):  # in this process: its values are read from the model, no copy is written
        from .ironcalc import recalculate as ironcalc

        return Recalculated(ironcalc(book, progress=progress))
    raise InputError(f"--engine: unknown {engine!r}; choose from {', '.join(ENGINES)}")

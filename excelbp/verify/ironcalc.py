"""Recalculate an xlsx workbook with IronCalc (`pip install ironcalc`), a fourth engine, in Rust.

IronCalc runs in this process: it loads the file, evaluates every formula (`Model.evaluate`
recomputes them all, whatever value is cached) and hands back each cell's value, which are put
straight into verify's Result; no recalculated copy is written. Which cells are formula cells
is read from the file itself, as for LibreOffice and Gnumeric, so a formula that IronCalc
turned into a value is still compared.

What IronCalc 0.9.1 gets wrong on excelbp's formulas is refused before it runs, in one
line naming the feature and the first cell that uses it (ironcalc_limits.py).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from ..errors import ExternalError, InputError
from . import arrays, sheetxml
from .grid import Result
from .ironcalc_limits import FunctionProbe, absolute_comments_target, first_unsupported
from .safe_xml import show

NOT_FOUND = "IronCalc not found; pip install ironcalc"


class Book(Protocol):  # reader.Book, which imports this module: named here by what is used
    path: Path

    def formula_cells(self) -> set[str]: ...

    def sheet(self, title: str) -> dict[str, object]: ...


def recalculate(book: Book, *, progress: Callable[[int, int], None] | None = None) -> Result:
    """Every cell's value after IronCalc's recalculation of `book`.

    Raises InputError when the ironcalc package is missing, ExternalError when IronCalc cannot
    load the file or would miscompute a formula it holds."""
    try:
        import ironcalc
    except ImportError:
        raise InputError(NOT_FOUND) from None
    where = show(str(book.path))
    titles, marked = formula_cells(book)
    found = first_unsupported(marked.texts, FunctionProbe(ironcalc))
    if found is not None:
        raise ExternalError(f"{where}: IronCalc {ironcalc.__version__} {found}")
    try:
        with _quiet():  # it prints a line for some cells it reads (a formula with no cached value)
            model = ironcalc.load_from_xlsx(str(book.path), "en", "UTC")
            model.evaluate()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # WorkbookError, or a panic in Rust (pyo3's PanicException)
        said = " ".join(str(e).split())[:200] or type(e).__name__
        why = absolute_comments_target(book.path) if "not found in archive" in said else None
        because = f": it {why}" if why else ""
        message = f"{where}: IronCalc {ironcalc.__version__} cannot load it{because} ({said})"
        raise ExternalError(message) from None
    names = [p["name"] for p in model.get_worksheets_properties()]
    if names != titles:
        raise ExternalError(f"{where}: IronCalc read the sheets {names}, the file has {titles}")
    cells = model.get_all_cells()
    if progress:
        progress(0, len(cells))
    got = _values(model, cells, len(titles))
    if progress:
        progress(len(cells), len(cells))
    return _result(titles, got, marked.masks)


class Marked:
    """The formula cells of each sheet, by (row, column), and their formula texts."""

    def __init__(self, n: int):
        self.masks: list[tuple[list[int], list[int]]] = [([], []) for _ in range(n)]
        self.texts: list[tuple[str, str, str]] = []  # (sheet title, cell, formula without "=")

    def add(self, s: int, r: int, c: int) -> None:
        rows, cols = self.masks[s]
        rows.append(r), cols.append(c)


def formula_cells(book: Book) -> tuple[list[str], Marked]:
    """The sheets' titles and their formula cells as the file holds them: every cell with an
    <f>, and every cell of an array formula's ref."""
    wb = sheetxml.workbook(book.path)
    titles = [t.title for t in wb.sheets]
    marked = Marked(len(titles))
    try:
        for s, sheet in enumerate(wb.sheets):
            for piece in sheetxml.cells(wb, s):
                for r, c, _t, fa, f, _v in piece:
                    if fa is None:
                        continue
                    ref = sheetxml.formula_attrs(fa).get("ref") if b"array" in fa else None
                    if ref is not None:
                        r1, c1, r2, c2 = arrays.box(ref, f"{sheet.title}!{ref}")
                        for rr in range(r1, r2 + 1):
                            for cc in range(c1, c2 + 1):
                                marked.add(s, rr, cc)
                    else:
                        marked.add(s, r, c)
                    if f:
                        marked.texts.append((sheet.title, _address(r, c), sheetxml.text(f)))
    except sheetxml.Unsupported:  # XML the streaming reader does not take: openpyxl reads it
        marked = Marked(len(titles))
        index = {t: s for s, t in enumerate(titles)}
        for key in book.formula_cells():
            title, _, cell = key.rpartition("!")
            r, c = _row_col(cell)
            marked.add(index[title], r, c)
        for title in titles:
            for cell, v in book.sheet(title).items():
                formula = isinstance(v, str) and v.startswith("=")
                text = v[1:] if formula else getattr(v, "text", None)  # an ArrayFormula's
                if isinstance(text, str):
                    marked.texts.append((title, cell, text.lstrip("=")))
    return titles, marked


Cells = list[tuple[int, int, object]]  # (row, column, value) of one sheet


def _values(model, cells: list[tuple[int, int, int]], n: int) -> list[Cells]:
    out: list[Cells] = [[] for _ in range(n)]
    get = model.get_cell_value
    for s, r, c in cells:
        out[s].append((r, c, get(s, r, c)))
    return out


def _result(titles: list[str], got: list[Cells], masks) -> Result:
    """Per sheet, dense values and the formula mask, as grid.from_dicts builds them."""
    V, F, other = [], [], {}
    for s, title in enumerate(titles):
        here, (rows, cols) = got[s], masks[s]
        H = max([r for r, _, _ in here] + rows + [0]) + 1
        W = max([c for _, c, _ in here] + cols + [0]) + 1
        if H * W > 8 * (len(here) + len(rows)) + (1 << 22):  # budget.py bounds cells, not the gaps
            raise InputError(
                f"{title}: cells spread over {H - 1:,} rows and {W - 1:,} columns, "
                "far sparser than a workbook excelbp writes"
            )
        A, M = np.full((H, W), np.nan), np.zeros((H, W), bool)
        for r, c, v in here:
            if type(v) is not bool and isinstance(v, (int, float)) and math.isfinite(v):
                A[r, c] = v
            elif v is not None and v != "":
                other[(s, r, c)] = v
        M[rows, cols] = True
        for r, c in zip(*np.nonzero(M & (A != A))):
            other.setdefault((s, int(r), int(c)), None)  # a formula cell with no value at all
        V.append(A), F.append(M)
    return Result(titles, V, F, other)


class _quiet:
    """Send what IronCalc prints (to file descriptors 1 and 2, from Rust) to a scratch file."""

    def __enter__(self):
        sys.stdout.flush(), sys.stderr.flush()
        self.scratch = tempfile.TemporaryFile()
        self.saved = [os.dup(1), os.dup(2)]
        for fd in (1, 2):
            os.dup2(self.scratch.fileno(), fd)
        return self

    def __exit__(self, *exc):
        for fd, saved in zip((1, 2), self.saved):
            os.dup2(saved, fd)
            os.close(saved)
        self.scratch.close()
        return False


def _address(r: int, c: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c)}{r}"


def _row_col(cell: str) -> tuple[int, int]:
    from openpyxl.utils import column_index_from_string

    letters = cell.rstrip("0123456789")
    return int(cell[len(letters) :]), column_index_from_string(letters)

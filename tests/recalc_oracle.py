"""The tests' oracle: every formula of a workbook evaluated by the `formulas` package alone.

verify's evaluator (excelbp/verify/fast.py) compiles most formulas into Python of its own
and leaves the rest to `formulas`; the tests compare it, to the last bit, with this one on
every template, where `formulas.ExcelModel` (2.5 ms and 40-56 KB a formula cell, worse than
linearly) is far too slow. This one reads the cells by openpyxl (not by verify's reader),
keeps a value per cell in a dict, and evaluates every cell through its shape's compiled
`formulas` template (formulas_private.py), in dependency order with an explicit stack, each
input a `formulas.ranges.Ranges`, as ExcelModel does. It shares with verify the split of a
formula into a template (shapes.py), which tests/test_recalc.py checks against ExcelModel.
An array formula over a range is evaluated once, at its anchor, and fills every cell of it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.utils import get_column_letter

from excelbp.errors import InputError
from excelbp.verify import arrays
from excelbp.verify.formulas_private import EMPTY, ERRORS, as_ranges, literal, plain
from excelbp.verify.shapes import Names, boxes, template

__all__ = ["calculate"]

_ERR = ERRORS
_ROW, _COL = 15, 0x7FFF  # cell code: sheet << 36 | row << 15 | column


def _code(s: int, row: int, col: int) -> int:
    return s << 36 | row << _ROW | col


class _Shape:
    """What the cells of one shape share: template, and references relative to the cell."""

    __slots__ = ("template", "descs")

    def __init__(self, template, descs):
        self.template, self.descs = template, descs

    def boxes(self, s, row, col):
        return boxes(self.descs, s, row, col)


class _Busy:
    """A formula cell whose inputs are being evaluated (only ever on the stack)."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape


class _Book:
    """Sheets, names and shapes of one workbook, plus the per-cell value store."""

    def __init__(self, wb):
        titles = [ws.title for ws in wb.worksheets]  # not sheetnames: no chartsheets
        defs = {(None, k.upper()): d.attr_text for k, d in wb.defined_names.items()}
        for i, ws in enumerate(wb.worksheets):  # sheet-scoped names win on their own sheet
            defs.update(
                {(i, k.upper()): d.attr_text for k, d in getattr(ws, "defined_names", {}).items()}
            )
        self.names = Names(titles, defs)
        self.titles, self.sheet_ids = titles, self.names.sheet_ids
        self.shapes, self.arrays, self.anchors, self.followed = {}, {}, {}, 0  # anchors: (h, w)
        self.values: dict[int, object] = {}
        self.literal_codes: set[int] = set()

    def shape(self, formula: str, s: int, row: int, col: int) -> _Shape:
        marked, descs = self.names.split(formula[1:], s, row, col)
        key = (marked, tuple(descs))
        shape = self.shapes.get(key)
        if shape is None:
            shape = self.shapes[key] = _Shape(template(marked), key[1])
        return shape

    def pending(self, boxes):
        """Codes of the not-yet-evaluated formula cells the boxes cover."""
        get, out = self.values.get, []
        for box, absolute in boxes:
            if box is None or (absolute and box in self.arrays):
                continue
            s, r1, c1, r2, c2 = box
            for r in range(r1, r2 + 1):
                base = _code(s, r, 0)
                for c in range(c1, c2 + 1):
                    v = get(base | c)
                    if type(v) is _Busy:
                        raise InputError(f"circular reference through {self.address(base | c)}")
                    if type(v) is _Shape:
                        out.append(base | c)
        return out

    def ranges(self, box, absolute):
        """The box's values as the Ranges object that formulas' functions expect."""
        if box is None:
            return np.asarray([[_ERR["#REF!"]]], object)
        arr = self.arrays.get(box) if absolute else None
        s, r1, c1, r2, c2 = box
        if arr is None:
            get, arr = self.values.get, np.empty((r2 - r1 + 1, c2 - c1 + 1), object)
            for i, r in enumerate(range(r1, r2 + 1)):
                base = _code(s, r, 0)
                arr[i] = [get(base | c, EMPTY) for c in range(c1, c2 + 1)]
            if absolute:  # absolute ranges (names, $B$3:$D$3) recur in every row: build once
                self.arrays[box] = arr
        return as_ranges(self.sheet_ids[s], r1, c1, r2, c2, arr)

    def evaluate(self, code, shape):
        s, row, col = code >> 36, (code >> _ROW) & 0x1FFFFF, code & _COL
        boxes = shape.boxes(s, row, col)
        tpl = shape.template
        args = [self.ranges(*boxes[p]) if type(p) is int else p for p in tpl.plan]
        try:
            return distribute(self, code, tpl.whole(args)) if code in self.anchors else tpl(args)
        except NotImplementedError:  # as ExcelModel: a function formulas lacks
            return _ERR["#NAME?"]
        except Exception as ex:
            raise InputError(f"{self.address(code)}: cannot evaluate: {ex!r}") from ex

    def address(self, code):
        row, col = (code >> _ROW) & 0x1FFFFF, code & _COL
        return f"{self.titles[code >> 36]}!{get_column_letter(col)}{row}"


def calculate(
    path: str | Path, *, progress: Callable[[int, int], None] | None = None
) -> tuple[dict[str, object], dict[str, object]]:
    """Recalculate every formula cell of the workbook at `path`.

    Returns ({"SheetName!A1": value} for every formula cell, the literal cells as stored):
    values as Python float/int/bool/str, Excel errors as their string ("#DIV/0!", ...).
    Literal cells are used exactly as stored. `progress(done, total)` is called now and then
    with the number of formula cells evaluated so far. Raises InputError for an unreadable
    workbook, a formula that cannot be parsed, or a circular reference.
    """
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as ex:
        raise InputError(f"{path}: cannot read workbook: {ex}") from None
    with np.errstate(all="ignore"):  # EXP(1000) is #NUM!, a value, not a warning
        book, order = _read(wb)
        if progress:
            progress(0, len(order))
        _run(book, order, progress)
    formulas = {book.address(code): plain(book.values[code]) for code in order}
    literals = {book.address(code): book.values[code] for code in book.literal_codes}
    return formulas, literals


def _read(wb):
    """The workbook's literal values and formula shapes; the formula cells in sheet order."""
    try:
        book, order = _Book(wb), []
        values = book.values
        for s, ws in enumerate(wb.worksheets):
            ws.reset_dimensions()  # a stale <dimension> tag must not hide rows
            for cells in ws.iter_rows():
                for c in cells:
                    if c.value is None or (code := _code(s, c.row, c.column)) in values:
                        continue  # an array formula's follower: its cached value is stale
                    if c.data_type != "f":
                        values[code] = literal(c.value, c.data_type)
                        book.literal_codes.add(code)
                        continue
                    f, ref = (
                        (c.value, None) if isinstance(c.value, str) else (c.value.text, c.value.ref)
                    )
                    try:
                        values[code] = book.shape(f, s, c.row, c.column)
                    except InputError as ex:
                        raise InputError(f"{book.address(code)}: {ex}") from None
                    order.append(code)
                    if ref not in (None, c.coordinate):  # ArrayFormula over a range
                        order += anchor(book, code, ref)
    finally:
        wb.close()
    return book, order


def _run(book, order, progress):
    """Evaluate the cells of `order` and everything they need, inputs first."""
    values, total, done = book.values, len(order), 0
    for start in order:  # memoised depth-first evaluation with an explicit stack
        if type(values[start]) is not _Shape:
            continue
        stack = [start]
        while stack:
            code = stack[-1]
            v = values[code]
            if type(v) is _Busy:  # its inputs are done now
                values[code] = book.evaluate(code, v.shape)
            elif type(v) is _Shape:
                # Busy first, so that a cell needing itself, even through others, is caught:
                # the busy cells are exactly the path from `start` to here.
                values[code] = _Busy(v)
                s, row, col = code >> 36, (code >> _ROW) & 0x1FFFFF, code & _COL
                todo = book.pending(v.boxes(s, row, col))
                if todo:
                    stack += todo
                    continue
                values[code] = book.evaluate(code, v)
            else:  # evaluated through another path meanwhile
                stack.pop()
                continue
            stack.pop()
            done += 1
            if progress and done % 5000 == 0:
                progress(done, total)
    if progress:
        progress(total, total)


# ---- array formulas over a range (excelbp/verify/arrays.py has the rest) ----
MAX_FOLLOWERS = 1 << 20  # a dict entry each


def anchor(book, code: int, ref: str) -> list[int]:
    """Register an anchor : each follower becomes a formula cell that needs the
    anchor (whose evaluation fills it in); returns the followers' codes."""
    s, row, col = code >> 36, (code >> _ROW) & 0x1FFFFF, code & 0x7FFF
    r1, c1, r2, c2 = arrays.box(ref, book.address(code))
    if (r1, c1) != (row, col):
        raise InputError(
            f"{book.address(code)}: an array formula whose ref {ref[:40]} does not start at its own"
            " cell"
        )
    book.anchors[code] = (r2 - r1 + 1, c2 - c1 + 1)
    book.followed += (r2 - r1 + 1) * (c2 - c1 + 1)
    if book.followed > MAX_FOLLOWERS:
        raise InputError(
            f"{book.address(code)}: array formulas over {book.followed:,} cells in all, more than"
            f" the {MAX_FOLLOWERS:,} the oracle takes (refused)"
        )
    follower = _Shape(None, ((s, row, col, row, col, 15),))  # reads the anchor, absolutely
    out = []
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            f = s << 36 | r << _ROW | c
            if f != code:
                if f in book.values:
                    raise InputError(
                        f"{book.address(f)}: inside two array formulas (one anchored at"
                        f" {book.address(code)})"
                    )
                book.values[f] = follower
                out.append(f)
    return out


def distribute(book, code: int, v) -> object:
    """Store the anchor's result over its ref ; the anchor's own value."""
    h, w = book.anchors[code]
    grid = arrays.spread(v, h, w)
    for i in range(h):
        for j in range(w):
            book.values[code + (i << _ROW) + j] = grid[i, j]
    return grid[0, 0]

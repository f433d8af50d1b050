"""Recalculate every formula of a workbook, in time and memory linear in its formula cells.

`formulas.ExcelModel` turns a workbook into one dispatcher graph, at 2.5 ms and 40-56 KB a formula
cell and worse than linearly. This engine uses the `formulas` parser and Excel functions but:

* rewrites each formula into a position-free *template*: every reference becomes a placeholder
  name (``_xbp0``, ``_xbp1`` ...) and is recorded relative to its cell, so the 100,000 rows of a
  column that repeat one shape share one template (workbook-scoped names are spliced in as the
  absolute references they stand for);
* compiles each template once and flattens its small dispatcher into a list of calls to the same
  `formulas` function objects (replaying the list is 2-4x faster than calling the DispatchPipe);
* evaluates cells in dependency order with an explicit stack (no recursion limit on long chains),
  handing each input over as a `formulas.ranges.Ranges`, as ExcelModel does, so results agree
  bit for bit;
* evaluates an array formula over a range (MMULT, TRANSPOSE ...) once, at its anchor, and
  fills every cell of its ref from the result (arrays.py).

No progress bar: only ExcelModel draws them (tqdm is not even imported here), so the caller's
environment (TQDM_DISABLE) is left alone.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import InputError
from . import arrays
from .budget import MAX_RANGE_CELLS
from .excel_formula import formula_limits
from .formula_tokens import TOKEN, is_name
from .formulas_private import EMPTY, ERRORS, PLACEHOLDER, as_ranges, compiled, literal, plain

__all__ = ["calculate"]

_ERR = ERRORS
_TOKEN = TOKEN  # verify's one tokenizer (formula_tokens.py)
_ROW, _COL = 15, 0x7FFF  # cell code: sheet << 36 | row << 15 | column


def _code(s: int, row: int, col: int) -> int:
    return s << 36 | row << _ROW | col


class _Shape:
    """What the cells of one shape share: template, and references relative to the cell."""

    __slots__ = ("template", "descs")

    def __init__(self, template, descs):
        self.template, self.descs = template, descs

    def boxes(self, s, row, col):
        """Absolute (sheet, r1, c1, r2, c2) of each reference, None for #REF!; cache flag."""
        out = []
        for d in self.descs:
            if d[0] == -2:
                out.append((None, False))
                continue
            sh_, r1, c1, r2, c2, m = d
            r1, c1 = (r1 if m & 1 else row + r1), (c1 if m & 2 else col + c1)
            r2, c2 = (r2 if m & 4 else row + r2), (c2 if m & 8 else col + c2)
            out.append(
                (
                    (s if sh_ == -1 else sh_, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)),
                    m == 15,
                )
            )
        return out


class _Busy:
    """A formula cell whose inputs are being evaluated (only ever on the stack)."""

    __slots__ = ("shape",)

    def __init__(self, shape):
        self.shape = shape


class _Book:
    """Sheets, names and shapes of one workbook, plus the per-cell value store."""

    def __init__(self, wb):
        self.titles = [ws.title for ws in wb.worksheets]  # not sheetnames: no chartsheets
        self.index = {t.upper(): i for i, t in enumerate(self.titles)}
        self.sheet_ids = [f"'{t.upper()}'" if " " in t else t.upper() for t in self.titles]
        self.defs = {(None, k.upper()): d.attr_text for k, d in wb.defined_names.items()}
        for i, ws in enumerate(wb.worksheets):  # sheet-scoped names win on their own sheet
            self.defs.update(
                {(i, k.upper()): d.attr_text for k, d in getattr(ws, "defined_names", {}).items()}
            )
        self.name_parts, self.shapes, self.arrays, self.anchors, self.followed = (
            {},
            {},
            {},
            {},
            0,
        )  # anchors: code → (h, w)
        self.values: dict[int, object] = {}
        self.literal_codes: set[int] = set()

    def _name(self, s, name):
        """Template piece and (absolute) references a defined name stands for, or None."""
        key = (s, name) if (s, name) in self.defs else (None, name)
        if key not in self.defs:
            return None
        if key not in self.name_parts:
            self.name_parts[key] = ("#NAME?", [])  # guards against names defined by each other
            text = self.defs[key].strip().lstrip("=")
            piece, descs = self.split(text, s, 0, 0, absolute=True)
            m = _TOKEN.match(text)
            single = (
                m and m.end() == len(text) and m.lastgroup not in ("op", "space", "sym", "other")
            )  # keep `X` a reference: INDEX, ROWS want one
            self.name_parts[key] = (piece if single else f"({piece})", descs)
        return self.name_parts[key]

    def split(self, text, s, row, col, absolute=False):
        """Formula text -> template marked with \\0 for each reference, and their descs."""
        limit = formula_limits(text)  # before anything recursive reads it (the `formulas` parser)
        if limit is not None:
            raise InputError(f"{limit} (refused)")
        out, descs, pos = [], [], 0
        for m in _TOKEN.finditer(text):
            if m["c1"]:
                sheet = m["sheet"]
                if sheet is None:
                    target = -1
                else:
                    sheet = sheet[1:-1].replace("''", "'") if sheet[0] == "'" else sheet
                    target = self.index.get(sheet.upper(), -2)
                c1, r1 = m["c1"], m["r1"]
                c2, r2 = m["c2"] or c1, m["r2"] or r1
                parts = [(r1, row, 1), (c1, col, 2), (r2, row, 4), (c2, col, 8)]
                d, mask, at = [], 0, []
                for p, base, bit in parts:
                    v = int(p.lstrip("$")) if bit & 5 else column_index_from_string(p.lstrip("$"))
                    at.append(v)
                    if absolute or p[0] == "$":
                        mask |= bit
                        d.append(v)
                    else:
                        d.append(v - base)
                area = (abs(at[2] - at[0]) + 1) * (abs(at[3] - at[1]) + 1)
                if area > MAX_RANGE_CELLS:  # evaluating it would make an object per cell
                    raise InputError(
                        f"a range of {area:,} cells ({m.group(0)[:40]}), more than the"
                        f" {MAX_RANGE_CELLS:,} verify reads in one reference (refused)"
                    )
                piece, new = "\0", [(-2,) if target == -2 else (target, *d, mask)]
            elif is_name(m, text):
                found = self._name(s, m["ident"].upper())
                if found is None:
                    continue
                piece, new = found
            else:
                continue
            out += (text[pos : m.start()], piece)
            descs += new
            pos = m.end()
        out.append(text[pos:])
        return "".join(out), descs

    def shape(self, formula: str, s: int, row: int, col: int) -> _Shape:
        marked, descs = self.split(formula[1:], s, row, col)
        key = (marked, tuple(descs))
        shape = self.shapes.get(key)
        if shape is None:
            pieces = marked.split("\0")
            text = pieces[0] + "".join(f"{PLACEHOLDER}{i}{p}" for i, p in enumerate(pieces[1:]))
            shape = self.shapes[key] = _Shape(compiled(text), key[1])
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
            return (
                arrays.distribute(self, code, tpl.whole(args))
                if code in self.anchors
                else tpl(args)
            )
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
                        order += arrays.anchor(book, code, ref, _Shape)
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

"""The first pass of fast.py: read every sheet into dense arrays and find each formula's shape.

Two arrays per sheet: the values (float64; NaN where a cell holds no finite number, its value
then kept in `other`) and the formula cells' shape ids. The cells come from sheetxml.py's
stream, or, for XML it does not take, from openpyxl (openpyxl_cells.py), in the same form. A
formula's shape (shapes.py) is found from its text without tokenising every cell: the text is
split at its digit runs, and a cache keyed by the rest says which runs are relative row
numbers, so the 100,000 rows of a column that repeat one formula cost one split and two
dictionary look-ups each; the tokenizer runs once per new skeleton and once per new shape.
An array formula over a range (arrays.py) is a shape of its anchor, with the ref's size; each
other cell of the ref is a formula cell whose shape only points at the anchor.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Callable, Iterator

import numpy as np
from openpyxl.utils import get_column_letter

from ..errors import InputError
from . import arrays, sheetxml
from .budget import MAX_TEMPLATES, Budget
from .formula_tokens import DIGIT_RUNS, DIGITS, TOKEN
from .safe_xml import show
from .shapes import Names, Shape

DONE, BUSY, WAITING = -1, -2, -3  # a cell's state in the id array once it is not a pending shape id
# Budget.cells bounds the cells, not the empty space between them: a dense array may hold
# this many more cells than 8 a cell read (a narrow network on wide data: 1.35 million).
SLACK = 1 << 22


class Reader:
    """Pass 1; fast.Engine adds pass 2."""

    def __init__(
        self,
        wb: sheetxml.Workbook,
        limits: Budget | None = None,
        cells: Callable[[int], Iterator[list[sheetxml.Cell]]] | None = None,
    ):
        self.wb, self.limits = wb, limits
        self.cells = cells or functools.partial(sheetxml.cells, wb)  # sheet index → its cells
        self.templates: set[str] = set()  # formulas the `formulas` package compiled
        self.book = Names([s.title for s in wb.sheets], wb.names)
        self.shapes: list[Shape] = []
        self.ids: dict[tuple, int] = {}
        self.V: list[np.ndarray] = []
        self.I: list[np.ndarray] = []
        self.F: list[np.ndarray] = []
        self.other: dict[tuple[int, int, int], object] = {}
        self.busy: dict[tuple, int] = {}
        self.followed = 0  # cells of array formulas' refs (arrays.followers)
        self.waiting: list[tuple] = []
        self.waiting_sid: dict[tuple, int] = {}
        self.kinds: dict = {}
        self.keys: dict = {}

    # ---- pass 1: read ------------------------------------------------------------------
    def read(self) -> int:
        total = 0
        for s in range(len(self.wb.sheets)):
            total += self._read_sheet(s)
        for sh in self.shapes:
            sh.bind(self._sheet_of[id(sh)], self.V)
        if self.limits is not None:
            self._within(self.limits)
        return total

    def refuse(self, what: str) -> InputError:
        return InputError(f"{show(str(self.wb.path))}: {what} (refused)")

    def _within(self, limits: Budget) -> None:
        """Before any evaluation: the sheets hold what the record claims, and the references of
        all formula cells together span no more cells than the record accounts for."""
        for title, last in limits.last_rows.items():
            s = next((i for i, t in enumerate(self.wb.sheets) if t.title == title), None)
            held = 0 if s is None else self.V[s].shape[0] - 1
            if held < last:
                raise self.refuse(
                    f"its structure record says sheet {title} reaches row {last:,}, but it ends at"
                    f" row {held:,}"
                )
        work = 0
        for I in self.I:
            ids = I[I >= 0]
            if ids.size:
                counts = np.bincount(ids, minlength=len(self.shapes))
                work += int(
                    sum(int(n) * sh.area for n, sh in zip(counts.tolist(), self.shapes) if n)
                )
        if work > limits.work:
            raise self.refuse(
                f"its formulas read {work:,} cells in all, more than the {limits.work:,} its"
                " structure record accounts for"
            )

    def template(self, sh: Shape):
        """The shape's `formulas` template, counted: each new one takes 20-50 ms to compile."""
        if sh.slow is None and sh.marked not in self.templates:
            self.templates.add(sh.marked)
            if len(self.templates) > MAX_TEMPLATES:
                raise self.refuse(
                    f"more than {MAX_TEMPLATES:,} distinct formulas outside the arithmetic excelbp"
                    " writes"
                )
        return sh.template()

    def follower(self, s: int, row: int, col: int) -> int:
        """The shape of the other cells of the array formula anchored at (row, col): it reads
        the anchor, whose evaluation fills them in; it costs nothing itself (area 1)."""
        sh = Shape("\0", ((s, row, col, row, col, 15),), s)
        sh.follows, sh.area = True, 1
        self.shapes.append(sh)
        self._sheet_of[id(sh)] = s
        return len(self.shapes) - 1

    def _shape_id(
        self, s: int, text: str, row: int, col: int, ref: tuple[int, int] | None = None
    ) -> int:
        if (
            self.limits is not None and len(self.keys) > 2 * self.limits.shapes
        ):  # each new key is tokenised
            raise self.refuse(
                f"more than {2 * self.limits.shapes:,} distinct formula texts, more than its"
                " structure record accounts for"
            )
        try:
            marked, descs = self.book.split(text, s, row, col)
        except InputError as ex:
            raise InputError(f"{self.book.address(s, row, col)}: {ex}") from None
        key = (s, marked, tuple(descs), ref)
        sid = self.ids.get(key)
        if sid is None:
            if self.limits is not None and len(self.shapes) >= self.limits.shapes:
                raise self.refuse(
                    f"more than {self.limits.shapes:,} distinct formulas, more than its structure"
                    " record accounts for"
                )
            sh = Shape(marked, key[2], s, ref)
            if sh.fn is None:
                try:
                    self.template(sh)  # parse errors and unsupported references show now, as before
                except InputError as ex:
                    raise InputError(f"{self.book.address(s, row, col)}: {ex}") from None
            sid = self.ids[key] = len(self.shapes)
            self.shapes.append(sh)
            self._sheet_of[id(sh)] = s
        return sid

    def _classify(self, s: int, text: str) -> tuple[tuple[bool, ...], bool]:
        """Which digit runs of `text` are relative row numbers; whether any column is relative."""
        spans, colrel = set(), False
        for m in TOKEN.finditer(text):
            if m["c1"]:
                for g in ("r1", "r2"):
                    if m[g] and m[g][0] != "$":
                        spans.add(m.start(g))
                colrel |= any(m[g] and m[g][0] != "$" for g in ("c1", "c2"))
        kinds, pos = [], 0
        for i, part in enumerate(DIGIT_RUNS.split(text)):
            if i % 2:
                kinds.append(pos in spans)
            pos += len(part)
        return tuple(kinds), colrel

    def _read_sheet(self, s: int) -> int:
        fr, fc, fs, lr, lc, lv = (
            array("i"),
            array("i"),
            array("i"),
            array("i"),
            array("i"),
            array("d"),
        )
        other, strings, shared, anchors = self.other, self.wb.strings, {}, []
        kinds_cache, keys = self.kinds, self.keys
        self._sheet_of = getattr(self, "_sheet_of", {})
        for piece in self.cells(s):
            for row, col, t, fa, f, v in piece:
                if f is not None:
                    sid = whole = None
                    if fa:
                        a = sheetxml.formula_attrs(fa)
                        if a.get("t") == "shared" and "si" in a:
                            if not f:
                                sid = shared.get(a["si"])
                                if sid is None:
                                    raise sheetxml.Unsupported("shared formula before its master")
                        elif a.get("t") == "array" and a.get("ref", "").replace("$", "") not in (
                            "",
                            f"{get_column_letter(col)}{row}",
                        ):
                            where = f"{self.wb.sheets[s].title}!{get_column_letter(col)}{row}"
                            box = arrays.box(a["ref"], where)
                            if box[:2] != (row, col):
                                raise InputError(
                                    f"{where}: an array formula whose ref {a['ref'][:40]} does not"
                                    " start at its own cell"
                                )
                            anchors.append((row, col, box))
                            whole = (box[2] - row + 1, box[3] - col + 1)
                        elif a.get("t") not in (None, "normal", "array", "shared"):
                            raise sheetxml.Unsupported(f"formula type {a.get('t')}")
                    if sid is None:
                        parts = DIGITS.split(f)
                        skel = b"\0".join(parts[::2])
                        kc = kinds_cache.get((s, skel))
                        if kc is None:
                            kc = kinds_cache[(s, skel)] = (
                                self._classify(s, sheetxml.text(f))
                                if b"&#" not in skel  # a character reference may hide digits
                                else (None, True)
                            )
                        kinds, colrel = kc
                        key = (
                            (s, skel, col, row, tuple(parts[1::2]), whole)
                            if kinds is None  # the runs of text and bytes may not pair up
                            else (
                                s,
                                skel,
                                col if colrel else 0,
                                tuple(
                                    [
                                        int(n) - row if k and n[0] != 48 else n
                                        for n, k in zip(parts[1::2], kinds)
                                    ]
                                ),
                                whole,
                            )
                        )
                        sid = keys.get(key)
                        if sid is None:
                            sid = keys[key] = self._shape_id(s, sheetxml.text(f), row, col, whole)
                        if fa and b"shared" in fa:
                            shared[sheetxml.formula_attrs(fa).get("si")] = sid
                    fr.append(row), fc.append(col), fs.append(sid)
                elif v is not None:
                    value = sheetxml.value(t, v, strings)
                    if type(value) is float and value - value == 0:
                        lr.append(row), lc.append(col), lv.append(value)
                    else:
                        lr.append(row), lc.append(col), lv.append(np.nan)
                        other[(s, row, col)] = value
        fr_, fc_, lr_, lc_ = (
            np.frombuffer(a, np.int32) if len(a) else np.zeros(0, np.int32)
            for a in (fr, fc, lr, lc)
        )
        n = len(fr_) + len(lr_) + sum((b[2] - b[0] + 1) * (b[3] - b[1] + 1) for _, _, b in anchors)
        H = int(max(fr_.max(initial=0), lr_.max(initial=0), *(b[2] for _, _, b in anchors))) + 1
        W = int(max(fc_.max(initial=0), lc_.max(initial=0), *(b[3] for _, _, b in anchors))) + 1
        if H * W > 8 * n + SLACK:
            raise InputError(
                f"{self.wb.sheets[s].title}: cells spread over {H - 1:,} rows and {W - 1:,}"
                " columns, far sparser than a workbook excelbp writes"
            )
        V, I, F = np.full((H, W), np.nan), np.full((H, W), DONE, np.int32), np.zeros((H, W), bool)
        if len(lr_):
            V[lr_, lc_] = np.frombuffer(lv, np.float64)
        if len(fr_):
            I[fr_, fc_] = np.frombuffer(fs, np.int32)
            F[fr_, fc_] = True
            V[fr_, fc_] = np.nan  # a formula's value is its own, whatever was cached
        if anchors:
            arrays.followers(self, s, anchors, V, I, F)
        self.V.append(V), self.I.append(I), self.F.append(F)
        return len(fr_)

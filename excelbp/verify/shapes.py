"""A formula's *shape*: its text made position-free, compiled once for every cell that has it.

`Names.split` rewrites a formula's text into a *template*: every reference becomes the mark
``\\0`` and is recorded relative to its cell (a *desc*), and a workbook-scoped defined name is
spliced in as the absolute references it stands for, so the 100,000 rows of a column that
repeat one formula share one template. A `Shape` holds what those cells share: the template,
its descs, the function formula_code.py compiled for it (None outside its grammar) and, made
on first use, the `formulas` package's compiled template for the cells that function leaves.
"""

from __future__ import annotations

import functools

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import InputError
from .budget import MAX_RANGE_CELLS
from .excel_formula import formula_limits
from .formula_code import translate
from .formula_tokens import TOKEN, is_name
from .formulas_private import PLACEHOLDER, compiled

# A desc: (sheet or -1 for the cell's own, r1, c1, r2, c2, mask), the mask's bits saying which
# of r1 c1 r2 c2 are absolute (1 2 4 8), the others offsets from the cell; (-2,): #REF!.
Desc = tuple


class Names:
    """A workbook's sheets and defined names: what a formula's references resolve against."""

    def __init__(self, titles: list[str], defs: dict[tuple[int | None, str], str]):
        self.titles = titles
        self.index = {t.upper(): i for i, t in enumerate(titles)}
        self.sheet_ids = [f"'{t.upper()}'" if " " in t else t.upper() for t in titles]
        self.defs = dict(defs)  # (sheet index or None, NAME) → "Inputs!$B$7"
        self.parts: dict[tuple, tuple[str, list[Desc]]] = {}

    def address(self, s: int, row: int, col: int) -> str:
        return f"{self.titles[s]}!{get_column_letter(col)}{row}"

    def _name(self, s: int, name: str) -> tuple[str, list[Desc]] | None:
        """Template piece and (absolute) references a defined name stands for, or None."""
        key = (s, name) if (s, name) in self.defs else (None, name)
        if key not in self.defs:
            return None
        if key not in self.parts:
            self.parts[key] = ("#NAME?", [])  # guards against names defined by each other
            text = self.defs[key].strip().lstrip("=")
            piece, descs = self.split(text, s, 0, 0, absolute=True)
            m = TOKEN.match(text)
            whole = (
                m and m.end() == len(text) and m.lastgroup not in ("op", "space", "sym", "other")
            )
            self.parts[key] = (piece if whole else f"({piece})", descs)  # `X` stays a reference:
        return self.parts[key]  # INDEX and ROWS want one

    def split(
        self, text: str, s: int, row: int, col: int, absolute: bool = False
    ) -> tuple[str, list[Desc]]:
        """Formula text (without "=") → template marked with \\0 for each reference, and their
        descs. Raises InputError for a formula Excel refuses on its size, or a range too large."""
        limit = formula_limits(text)  # before anything recursive reads it (the `formulas` parser)
        if limit is not None:
            raise InputError(f"{limit} (refused)")
        out, descs, pos = [], [], 0
        for m in TOKEN.finditer(text):
            if m["c1"]:
                piece, new = "\0", [self._reference(m, row, col, absolute)]
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

    def _reference(self, m, row: int, col: int, absolute: bool) -> Desc:
        sheet = m["sheet"]
        if sheet is None:
            target = -1
        else:
            sheet = sheet[1:-1].replace("''", "'") if sheet[0] == "'" else sheet
            target = self.index.get(sheet.upper(), -2)
        c1, r1 = m["c1"], m["r1"]
        c2, r2 = m["c2"] or c1, m["r2"] or r1
        d, mask, at = [], 0, []
        for p, base, bit in ((r1, row, 1), (c1, col, 2), (r2, row, 4), (c2, col, 8)):
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
        return (-2,) if target == -2 else (target, *d, mask)


def boxes(descs: tuple[Desc, ...], s: int, row: int, col: int) -> list[tuple]:
    """Per desc, for the cell (s, row, col): the absolute (sheet, r1, c1, r2, c2) it covers,
    None for #REF!, and whether it is absolute in all four (the same box from every cell)."""
    out = []
    for d in descs:
        if d[0] == -2:
            out.append((None, False))
            continue
        sh_, r1, c1, r2, c2, m = d
        r1, c1 = (r1 if m & 1 else row + r1), (c1 if m & 2 else col + c1)
        r2, c2 = (r2 if m & 4 else row + r2), (c2 if m & 8 else col + c2)
        box = (s if sh_ == -1 else sh_, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        out.append((box, m == 15))
    return out


def template(marked: str):
    """The `formulas` package's compiled template of a marked text (20-50 ms a new one)."""
    pieces = marked.split("\0")
    return compiled(pieces[0] + "".join(f"{PLACEHOLDER}{i}{p}" for i, p in enumerate(pieces[1:])))


class Shape:
    """What the cells of one shape share, and where its references point (`box`)."""

    __slots__ = (
        *("marked", "descs", "refs", "fn", "P", "later", "dynamic", "slow", "area"),
        *("ref", "follows", "box"),
    )

    def __init__(self, marked: str, descs: tuple, s: int, ref: tuple[int, int] | None = None):
        self.marked, self.descs, self.slow, self.P = marked, descs, None, ()
        self.ref, self.follows = ref, False  # an anchor's (height, width); a follower of one
        self.box = functools.partial(boxes, descs)  # (sheet, row, col) → boxes(descs, ...)
        refs, self.later, self.dynamic, ok = [], False, False, True
        self.area = 1 + sum(
            (abs(d[3] - d[1]) + 1) * (abs(d[4] - d[2]) + 1) for d in descs if d[0] != -2
        )  # cells read per evaluation
        for d in descs:
            if d[0] == -2:  # #REF!
                ok = False
                continue
            t, r1, c1, r2, c2, m = d
            t = s if t == -1 else t
            scalar = r1 == r2 and c1 == c2 and (m & 1) == (m & 4) >> 2 and (m & 2) == (m & 8) >> 2
            refs.append((m & 3 if scalar else m, scalar))
            if t > s:
                self.later = True
            elif t == s:
                bottom, right = (r1 if scalar else max(r1, r2)), (c1 if scalar else max(c1, c2))
                rel_row, rel_col = not m & 1, not m & 2
                backward = rel_row and (bottom < 0 or (bottom == 0 and rel_col and right < 0))
                self.dynamic |= not backward
        self.refs = tuple(refs)
        self.fn = translate(marked, self.refs, ref is not None) if ok else None

    def bind(self, s: int, arrays: list[np.ndarray]) -> None:
        """The parameters of the compiled function: each reference's array and position."""
        P = []
        for (_, scalar), d in zip(self.refs, self.descs):
            t, r1, c1, r2, c2, _ = d
            A = arrays[s if t == -1 else t]
            P += (
                [A, r1, c1]
                if scalar
                else [A, min(r1, r2), min(c1, c2), abs(r2 - r1) + 1, abs(c2 - c1) + 1]
            )
        self.P = tuple(P)

    def template(self):
        if self.slow is None:
            self.slow = template(self.marked)
        return self.slow

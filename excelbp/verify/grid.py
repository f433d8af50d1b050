"""The recalculated workbook as verify reads it: per sheet, a dense float64 array of values (NaN
where a cell holds no finite number, its value then in `other`) and a mask of its formula cells
(`Result`). Step sheets are compared a column at a time from these arrays; the few
cells read one by one are read by address through `Values`. Nothing here makes a Python
object per cell: the 1,000,000-step demo has 21 million formula cells."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import InputError
from .formulas_private import EMPTY, plain

_ADDRESS = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]+)")


class Result:
    """Every cell's value after recalculation, per sheet: `values` (NaN: see `other`) and
    `formula` (which cells hold a formula)."""

    def __init__(self, titles, values, formula, other):
        self.titles, self.values, self.formula, self.other = titles, values, formula, other
        self.index = {t: i for i, t in enumerate(titles)}

    def get(self, s: int, r: int, c: int):
        """The cell's value as verify compares it: float, bool, str, an error's text, None if
        empty."""
        A = self.values[s]
        if r < A.shape[0] and c < A.shape[1]:
            v = A[r, c]
            if v == v:
                return float(v)
            formula = self.formula[s][r, c]
        else:
            formula = False
        v = self.other.get((s, r, c), EMPTY)
        if v is EMPTY:
            return 0 if formula else None
        return plain(v)


def locate(result: Result, key: str) -> tuple[int, int, int] | None:
    """(sheet index, row, column) of "Sheet!A1", None if no such sheet or address."""
    sheet, _, cell = key.rpartition("!")
    s, m = result.index.get(sheet), _ADDRESS.fullmatch(cell)
    return None if s is None or m is None else (s, int(m[2]), column_index_from_string(m[1]))


def is_formula(result: Result, s: int, r: int, c: int) -> bool:
    F = result.formula[s]
    return r < F.shape[0] and c < F.shape[1] and bool(F[r, c])


class Values:
    """The Result read as the mapping "Sheet!A1" → value that per-cell readers use."""

    def __init__(self, result: Result):
        self.result = result

    def get(self, key: str, default=None):
        at = locate(self.result, key)
        v = None if at is None else self.result.get(*at)
        return default if v is None else v

    def __getitem__(self, key: str):
        return self.get(key)


class Formulas:
    """The formula cells' addresses, for tests and small workbooks (one string per cell)."""

    def __init__(self, result: Result):
        self.result = result

    def __contains__(self, key: str) -> bool:
        at = locate(self.result, key)
        return at is not None and is_formula(self.result, *at)

    def __iter__(self) -> Iterator[str]:
        for title, F in zip(self.result.titles, self.result.formula):
            for r, c in np.argwhere(F).tolist():
                yield f"{title}!{get_column_letter(c)}{r}"

    def __len__(self) -> int:
        return sum(int(F.sum()) for F in self.result.formula)


def from_dicts(values: dict[str, object], formulas: Iterable[str]) -> Result:
    """The values LibreOffice or Gnumeric gave ("Sheet!A1" → value, `formulas` the formula
    cells' addresses) as a Result."""
    cells: dict[str, list[tuple[int, int, object]]] = {}
    marked: dict[str, list[tuple[int, int]]] = {}
    for source, out in ((values.items(), cells), (((k, None) for k in formulas), marked)):
        for key, v in source:
            sheet, _, cell = key.rpartition("!")
            m = _ADDRESS.fullmatch(cell)
            if m:
                out.setdefault(sheet, []).append(
                    (int(m[2]), column_index_from_string(m[1]), v)
                    if out is cells
                    else (int(m[2]), column_index_from_string(m[1]))
                )
    titles, V, F, other = list({**cells, **marked}), [], [], {}
    for s, title in enumerate(titles):
        here, live = cells.get(title, []), marked.get(title, [])
        H = max([r for r, _, _ in here] + [r for r, _ in live]) + 1
        W = max([c for _, c, _ in here] + [c for _, c in live]) + 1
        if H * W > 8 * (len(here) + len(live)) + (
            1 << 22
        ):  # budget.py bounds the cells, not the empty space between them
            raise InputError(
                f"{title}: cells spread over {H - 1:,} rows and {W - 1:,} columns, far sparser than"
                " a workbook excelbp writes"
            )
        A, M = np.full((H, W), np.nan), np.zeros((H, W), bool)
        for r, c, v in here:
            if type(v) is not bool and isinstance(v, (int, float)) and math.isfinite(v):
                A[r, c] = v
            elif v is not None:
                other[(s, r, c)] = v
        for r, c in live:
            M[r, c] = True
            if A[r, c] != A[r, c] and (s, r, c) not in other:
                other[(s, r, c)] = (
                    None  # no value at all (Result.get would say 0, as for an empty result)
                )
        V.append(A), F.append(M)
    return Result(titles, V, F, other)


def first_address(result: Result, masks: list[np.ndarray]) -> str | None:
    """The smallest "Sheet!A1" (as strings sort) among the cells the masks mark, without a
    string for every marked cell: the smallest row text per column, then across columns."""
    best = None
    for title, M in zip(result.titles, masks):
        for c in np.flatnonzero(M.any(axis=0)).tolist():
            rows = np.flatnonzero(M[:, c])
            key = (  # rows sort as text
                f"{title}!{get_column_letter(c)}{min(map(str, rows.tolist()))}"
            )
            best = key if best is None or key < best else best
    return best

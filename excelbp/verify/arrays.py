"""Classic (CSE) array formulas over a range, shared by fast_read.py, fast.py and reader.py.

The build writes the first layer's z of a step as one array formula: the anchor (top-left
cell) holds `<f t="array" ref="B10:AG41">MMULT(...)+TRANSPOSE(...)</f>`, every other cell of
the ref (a *follower*) only a cached value, which verify never uses. The anchor's result is
distributed over the ref as Excel does: each cell shows the element at its offset; a single
row (column) of the result repeats down (across), a 1×1 result fills the ref, and a cell
beyond a longer result shows #N/A. Every cell of the ref counts as a formula cell.

`mmult` is formulas' MMULT (`np.dot` of object arrays: each element a sequential sum that
starts from the first product) in float64 steps, bit for bit; `emit` teaches formula_code's
translator MMULT and TRANSPOSE, inside an anchor's formula only.
"""

from __future__ import annotations

import re

import numpy as np
from openpyxl.utils import column_index_from_string, get_column_letter

from ..errors import InputError
from .budget import MAX_RANGE_CELLS
from .formulas_private import EMPTY, ERRORS, full

_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?([1-9][0-9]*)(?::\$?([A-Za-z]{1,3})\$?([1-9][0-9]*))?")


def box(ref: str, where: str) -> tuple[int, int, int, int]:
    """(r1, c1, r2, c2) of an array formula's ref; refused if malformed or over MAX_RANGE_CELLS."""
    m = _REF.fullmatch(ref.strip())
    if m is None:
        raise InputError(f"{where}: array formula over {ref[:40]!r}, not a range")
    c1, r1 = column_index_from_string(m[1].upper()), int(m[2])
    c2, r2 = (column_index_from_string(m[3].upper()), int(m[4])) if m[3] else (c1, r1)
    r1, r2, c1, c2 = min(r1, r2), max(r1, r2), min(c1, c2), max(c1, c2)
    if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_RANGE_CELLS:  # each cell of it becomes a formula cell
        raise InputError(
            f"{where}: an array formula over {(r2 - r1 + 1) * (c2 - c1 + 1):,} cells, more than the"
            f" {MAX_RANGE_CELLS:,} verify takes (refused)"
        )
    return r1, c1, r2, c2


def cells(ref: str, where: str) -> list[str]:
    """The addresses ("B10") of every cell of the ref, anchor included."""
    r1, c1, r2, c2 = box(ref, where)
    return [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def spread(v, h: int, w: int) -> np.ndarray:
    """The h×w values a ref shows for the result `v` (object array; an empty element is 0)."""
    out = full((h, w), ERRORS["#N/A"])
    if not isinstance(v, np.ndarray):
        out[:] = 0 if v is EMPTY else v
        return out
    v = v.reshape(1, -1) if v.ndim < 2 else v
    vh, vw = v.shape
    rows = np.arange(h) if vh != 1 else np.zeros(h, int)  # a single row repeats down
    cols = np.arange(w) if vw != 1 else np.zeros(w, int)
    ri, cj = rows < vh, cols < vw
    out[np.ix_(ri, cj)] = np.asarray(v, object)[np.ix_(rows[ri], cols[cj])]
    flat = out.ravel()
    for k, x in enumerate(flat.tolist()):
        if x is EMPTY:
            flat[k] = 0
    return out


def mmult(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·y as formulas computes it (np.dot of objects): per element ((p0 + p1) + p2) + ...,
    each product rounded first; a loop over k of 2-D float64 operations gives the same bits."""
    acc = x[:, 0:1] * y[0:1, :]
    for k in range(1, x.shape[1]):
        acc = acc + x[:, k : k + 1] * y[k : k + 1, :]
    return acc


def emit(em, name: str, args: list) -> tuple[str, str]:
    """formula_code's code for MMULT and TRANSPOSE (raises ValueError: not translated)."""
    if not em.whole:  # only an anchor's result is an array; in a cell formulas cuts it to 1×1
        raise ValueError(name)
    vals = [em.value(a, True) for a in args]
    if any(k != "a" for _, k in vals):
        raise ValueError(name)
    if name == "TRANSPOSE" and len(vals) == 1:
        return em.temp(f"{vals[0][0]}.T", None), "a"
    if name == "MMULT" and len(vals) == 2:
        (x, _), (y, _) = vals
        em.line(f"if {x}.shape[1] != {y}.shape[0]: raise Slow")
        return em.temp(f"mmult({x}, {y})", "a"), "a"
    raise ValueError(name)


def fits(a: tuple, b: tuple) -> bool:
    """Whether two arrays combine element-wise as numpy and formulas both do: same shape, or
    one a single row, column or cell of the other's size (it repeats)."""
    return (
        a == b or all(p in (1, q) for p, q in zip(a, b)) or all(q in (1, p) for p, q in zip(a, b))
    )


def followers(reader, s: int, anchors: list, V: np.ndarray, I: np.ndarray, F: np.ndarray) -> None:  # noqa: E741
    """Make every other cell of each anchor's ref a formula cell (fast_read.py) whose shape
    needs the anchor; their cached values (and texts) are dropped."""
    M = np.zeros(F.shape, bool)
    for row, col, (r1, c1, r2, c2) in anchors:
        sub = I[r1 : r2 + 1, c1 : c2 + 1]
        if np.count_nonzero(sub >= 0) > 1:  # only the anchor holds a formula (or two refs overlap)
            i, j = [(i, j) for i, j in np.argwhere(sub >= 0).tolist() if (i, j) != (0, 0)][0]
            raise InputError(
                f"{reader.book.address(s, r1 + i, c1 + j)}: a formula inside the array formula"
                f" of {reader.book.address(s, row, col)}"
            )
        sid = int(sub[0, 0])
        sub[:] = reader.follower(s, row, col)
        sub[0, 0] = sid
        M[r1 : r2 + 1, c1 : c2 + 1] = True
        reader.followed += sub.size
    if reader.limits is not None and reader.followed > reader.limits.cells:
        raise reader.refuse(
            f"array formulas over {reader.followed:,} cells, more than the {reader.limits.cells:,}"
            " its structure record accounts for"
        )
    F |= M
    V[M] = np.nan
    for key in [k for k in reader.other if k[0] == s and M[k[1], k[2]]]:
        del reader.other[key]

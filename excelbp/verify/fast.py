"""Recalculate a workbook at a few microseconds a cell: each formula shape compiled once.

Verify's one evaluator. Two passes. The first (fast_read.py) reads every sheet into two dense
arrays per sheet: the values (float64; NaN where a cell holds no finite number, its value then
kept in `other`) and the formula cells' shape ids (shapes.py). The second evaluates the cells
sheet by sheet, in file order, each through its shape's function from formula_code.py, which
reads the arrays directly. Four things leave that straight path:

* a shape whose references may point at cells not evaluated yet (further down its own sheet,
  an absolute reference, another sheet further on) goes through a depth-first evaluation with
  an explicit stack (no recursion limit on long chains); a cell needing a later sheet waits
  (is *deferred*) until every sheet has had its pass, and so do the cells that need it;
* a cell whose function raises `Slow` (an error, text, an empty cell, a zero divisor, an
  overflow ...) is evaluated by the `formulas` package, with its parser and Excel functions,
  each input handed over as a `formulas.ranges.Ranges`, as its ExcelModel does, so results
  agree bit for bit (formulas_private.py);
* a shape the translator does not know is always evaluated that way;
* an array formula over a range (arrays.py) is evaluated once, at its anchor, and its result
  fills the ref; the ref's other cells (followers) are evaluated by evaluating the anchor.

tests/recalc_oracle.py, an evaluator of every cell by the `formulas` package alone, is what
the tests compare it with on every template (ExcelModel itself is too slow for them). No
progress bar: only ExcelModel draws them, so the caller's environment is left alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from ..errors import InputError
from . import arrays, openpyxl_cells, sheetxml
from .budget import Budget
from .fast_read import BUSY, DONE, WAITING, Reader
from .formulas_private import EMPTY, ERRORS, as_ranges, full
from .grid import Result

_DEFER = object()


class Engine(Reader):
    """Pass 2: evaluate every formula cell the reader found."""

    # ---- pass 2: evaluate ----------------------------------------------------------------
    def run(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        shapes, done, shown = self.shapes, 0, 0
        for s in range(len(self.V)):
            I = self.I[s]
            rows = np.flatnonzero((I >= 0).any(axis=1)).tolist()
            for r in rows:
                cols = np.flatnonzero(I[r] >= 0).tolist()
                for c in cols:
                    sid = int(I[r, c])
                    if sid < 0:  # evaluated (or made to wait) on another cell's behalf
                        continue
                    sh = shapes[sid]
                    if sh.later or sh.follows or (sh.dynamic and not self.ready(sh.box(s, r, c))):
                        self.visit((s, r, c), final=False)
                        continue
                    try:
                        v = sh.fn(r, c, sh.P)
                    except Exception:  # noqa: BLE001 - Slow, or any failure of the plain path
                        v = self.slow(s, r, c, sh)
                        if v is _DEFER:
                            self.wait([(s, r, c)], {(s, r, c): sid})
                            continue
                    self.put(s, r, c, sh, v)
                done += len(cols)
                if progress and done - shown >= 5000:
                    progress(done, total)
                    shown = done
        for key in self.waiting:
            if self.I[key[0]][key[1], key[2]] == WAITING:
                self.visit(key, final=True)

    def store(self, s, r, c, v) -> None:
        if (
            type(v) is not bool
            and isinstance(v, (float, int, np.floating, np.integer))
            and v - v == 0
        ):
            self.V[s][r, c] = v
        else:
            self.other[(s, r, c)] = v
        self.I[s][r, c] = DONE

    def put(self, s, r, c, sh, v) -> None:
        """Store a cell's value, or an array formula's result over its whole ref (arrays.py)."""
        if sh.ref is None:
            return self.store(s, r, c, v)
        h, w = sh.ref
        if (
            isinstance(v, np.ndarray) and v.dtype == np.float64 and v.shape == (h, w)
        ):  # the plain path: all finite
            self.V[s][r : r + h, c : c + w] = v
            self.I[s][r : r + h, c : c + w] = DONE
            return
        for (i, j), x in np.ndenumerate(arrays.spread(v, h, w)):
            self.store(s, r + i, c + j, x)

    def wait(self, keys, sids) -> None:
        for key in keys:
            if key in sids:
                self.I[key[0]][key[1], key[2]] = WAITING
                self.waiting_sid[key] = sids[key]
                self.waiting.append(key)

    def visit(self, start: tuple, *, final: bool) -> None:
        """Evaluate `start` and every pending cell it needs, depth first with an explicit stack;
        before the last round (`final`), a chain that needs a later sheet waits instead."""
        stack, I_, sids = [start], self.I, {}
        while stack:
            key = stack[-1]
            s, r, c = key
            state = int(I_[s][r, c])
            if state == DONE:
                stack.pop()
                continue
            if state == BUSY:  # its inputs are done now
                v = self.evaluate(s, r, c, self.shapes[sids[key]])
                if v is _DEFER:
                    return self.give_up(stack, sids)
                self.busy.pop(key, None)
                self.put(s, r, c, self.shapes[sids[key]], v)
                stack.pop()
                continue
            if state == WAITING and not final:
                return self.give_up(stack, sids)
            sid = sids[key] = state if state >= 0 else self.waiting_sid[key]
            sh = self.shapes[sid]
            if sh.later and not final:
                return self.give_up(stack, sids)
            I_[s][r, c] = BUSY
            self.busy[key] = sid
            todo = self.pending(sh.box(s, r, c))
            if todo:
                stack += todo

    def give_up(self, stack, sids) -> None:
        """The cells on the stack need a sheet not evaluated yet: they wait for the last round."""
        self.wait([k for k in stack if k in sids and self.I[k[0]][k[1], k[2]] != DONE], sids)
        for k in stack:
            self.busy.pop(k, None)

    def ready(self, boxes) -> bool:
        """Whether every cell the boxes cover is evaluated (or holds no formula)."""
        for box, _ in boxes:
            if box is not None:
                t, r1, c1, r2, c2 = box
                if (self.I[t][r1 : r2 + 1, c1 : c2 + 1] != DONE).any():
                    return False
        return True

    def pending(self, boxes) -> list[tuple]:
        out = []
        for box, _ in boxes:
            if box is None:
                continue
            t, r1, c1, r2, c2 = box
            sub = self.I[t][r1 : r2 + 1, c1 : c2 + 1]
            if sub.size == 0 or not (sub != DONE).any():
                continue
            for i, j in np.argwhere(sub != DONE).tolist():
                state = sub[i, j]
                if state == BUSY:
                    raise InputError(
                        f"circular reference through {self.book.address(t, r1 + i, c1 + j)}"
                    )
                out.append((t, r1 + i, c1 + j))
        return out

    def evaluate(self, s, r, c, sh):
        if sh.fn is not None:
            try:
                return sh.fn(r, c, sh.P)
            except Exception:  # noqa: BLE001 - leave the plain path
                pass
        return self.slow(s, r, c, sh)

    def slow(self, s, r, c, sh):
        """One cell by the `formulas` package itself, through its Ranges, as ExcelModel would."""
        boxes = sh.box(s, r, c)
        for box, _ in boxes:
            if (
                box is not None
                and (self.I[box[0]][box[1] : box[3] + 1, box[2] : box[4] + 1] == WAITING).any()
            ):
                return _DEFER
        tpl = self.template(sh)
        args = [self.ranges(*boxes[p]) if type(p) is int else p for p in tpl.plan]
        try:
            return tpl.whole(args) if sh.ref else tpl(args)
        except NotImplementedError:
            return ERRORS["#NAME?"]
        except Exception as ex:
            raise InputError(f"{self.book.address(s, r, c)}: cannot evaluate: {ex!r}") from ex

    def ranges(self, box, absolute):
        if box is None:
            return np.asarray([[ERRORS["#REF!"]]], object)
        t, r1, c1, r2, c2 = box
        out = full((r2 - r1 + 1, c2 - c1 + 1), EMPTY)
        A = self.V[t]
        sub = A[r1 : r2 + 1, c1 : c2 + 1]
        out[: sub.shape[0], : sub.shape[1]] = sub.astype(object)
        for i, j in np.argwhere(np.isnan(sub)).tolist():
            out[i, j] = self.other.get((t, r1 + i, c1 + j), EMPTY)
        return as_ranges(self.book.sheet_ids[t], r1, c1, r2, c2, out)


def recalculate(
    path,
    *,
    progress: Callable[[int, int], None] | None = None,
    limits: Budget | None = None,
    by_openpyxl: bool = False,
) -> Result:
    """Every cell of the (checked) workbook at `path`, recalculated. Raises InputError for a
    formula that cannot be parsed or a circular reference, sheetxml.Unsupported for XML the
    streaming reader does not take (the caller then reads it `by_openpyxl`, slower)."""
    wb = sheetxml.workbook(path)
    cells = functools.partial(openpyxl_cells.cells, wb.path) if by_openpyxl else None
    engine = Engine(wb, limits, cells)
    with np.errstate(all="ignore"):  # EXP(1000) is #NUM!, a value, not a warning
        total = engine.read()
        if progress:
            progress(0, total)
        engine.run(progress, total)
        if progress:
            progress(total, total)
    return Result([s.title for s in engine.wb.sheets], engine.V, engine.F, engine.other)

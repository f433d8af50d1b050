"""The comparison of step sheets with the engine, a column at a time: the main ones, and each
copy of a learning-rate sweep against its own rate's run. The first mismatch reported is the
earliest step that goes wrong (the sheets and cells of one step in the order given), as a
cell-by-cell comparison in step order would find it."""

from __future__ import annotations

import numpy as np

from ..engine import Chunk
from ..layout.grid import letter
from ..layout.step_sheet import StepSheet
from ..quantities.registry import kind_of
from ..quantities.registry import values as step_values
from ..spec import Spec
from .grid import Result, Values, is_formula, locate
from .report import Report, agree, agree_column

NOT_LIVE = "a value where excelbp wrote a formula"


class Checker:
    """Compares cells with the engine's values and marks which cells were compared (a mask
    per sheet, not a set of addresses), so that verify can tell whether a formula cell
    escaped the comparison."""

    def __init__(self, report: Report, result: Result):
        self.report, self.result, self.values = report, result, Values(result)
        self.checked = [np.zeros(F.shape, bool) for F in result.formula]

    def __call__(self, group: str, where: str, got, expected: float, scale: float, what) -> None:
        """Compare one cell ("Sheet!A1"); `what()` names it on a mismatch."""
        at = locate(self.result, where)
        self.report.check(
            group,
            where,
            got,
            expected,
            scale,
            at is not None and is_formula(self.result, *at),
            what,
        )
        self.exempt(where)

    def exempt(self, where: str) -> None:
        """Mark a cell as accounted for (compared, or an input)."""
        at = locate(self.result, where)
        if at is not None:
            self.mark(*at)

    def mark(self, s: int, r, c) -> None:
        M = self.checked[s]
        if isinstance(r, slice) or (r < M.shape[0] and c < M.shape[1]):
            M[r, c] = True

    def column(
        self, title: str, first: int, step: int, n: int, c: int
    ) -> tuple[int | None, np.ndarray, np.ndarray, int]:
        """(sheet index, values, formula mask, how many rows exist) of rows first, first + step, …
        (n of them) of column c; NaN and False past the sheet's end."""
        got, live = np.full(n, np.nan), np.zeros(n, bool)
        s = self.result.index.get(title)
        if s is None:
            return None, got, live, 0
        A, F = self.result.values[s], self.result.formula[s]
        k = (
            0
            if c >= A.shape[1] or first >= A.shape[0]
            else min(n, (A.shape[0] - first + step - 1) // step)
        )
        got[:k], live[:k] = (
            A[first : first + k * step : step, c],
            F[first : first + k * step : step, c],
        )
        return s, got, live, k


def check_steps(
    check: Checker, sheets: list[StepSheet], spec: Spec, chunk: Chunk, group: str | None = None
) -> None:
    """Every cell of every step of `sheets` against the engine's run `chunk` (all its steps).
    `group`: the report's group for all of them (default: each kind's own)."""
    report, result, n = check.report, check.result, spec.steps
    placed = [(t, t.positions()) for t in sheets]
    keys = list({key: None for _, cells in placed for key, _, _ in cells})
    expected = dict(zip(keys, step_values(chunk, keys, spec).T))
    scales = {
        key: float(np.max(np.abs(e[np.isfinite(e)]), initial=0.0)) for key, e in expected.items()
    }
    first = None  # (step, order, sheet, key, row within the step, column) of the earliest mismatch
    order = 0
    for t, cells in placed:
        for key, dr, c in cells:
            e, col = expected[key], c + 1
            s, got, live, k = check.column(t.title, t.row(1) + dr, t.height, n, col)
            ok, diff, rel = agree_column(got, e, scales[key])
            # cells without a finite number whose verdict agree_column cannot give: an error
            # where the engine diverged too, or an empty result (read as 0)
            for i in np.flatnonzero(np.isnan(got[:k]) & (live[:k] | ~np.isfinite(e[:k]))).tolist():
                ok[i], diff[i], rel[i] = agree(
                    result.get(s, t.row(i + 1) + dr, col), float(e[i]), scales[key]
                )
            ok &= live
            report.add(group or kind_of(key).verify, ok, diff, rel)
            if s is not None and k:
                check.mark(s, slice(t.row(1) + dr, t.row(1) + dr + k * t.height, t.height), col)
            bad = np.flatnonzero(~ok)
            if bad.size and (first is None or (int(bad[0]), order) < first[:2]):
                first = (int(bad[0]), order, t, key, dr, col, bool(live[bad[0]]))
            order += 1
    if first is not None and report.first_mismatch is None:
        step, _, t, key, dr, col, is_live = first
        where = f"{t.title}!{letter(col)}{t.row(step + 1) + dr}"
        what = f"{kind_of(key).header(spec, key)}, step {step + 1}" if is_live else NOT_LIVE
        report.first_mismatch = (
            f"{where} ({what}): expected {float(expected[key][step])!r}, got"
            f" {check.values.get(where)!r}"
        )

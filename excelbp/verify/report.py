"""What verify found: per group of quantities, the cells compared and the largest errors."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RTOL = 1e-9


@dataclass
class Stat:
    cells: int = 0
    max_abs: float = 0.0
    max_rel: float = 0.0


@dataclass
class Report:
    path: Path
    engine: str
    stats: dict[str, Stat] = field(default_factory=dict)
    first_mismatch: str | None = None
    mismatches: int = 0

    @property
    def ok(self) -> bool:
        return self.mismatches == 0

    def check(
        self, group: str, where: str, got, expected: float, scale: float, live: bool, what
    ) -> None:
        """Compare one cell; `live` says it holds a formula; `what()` names it on a mismatch."""
        ok, diff, rel = agree(got, expected, scale)
        if not live:  # a typed-in number, however right, is not live
            ok, what = False, "a value where excelbp wrote a formula"
        st = self.stats.setdefault(group, Stat())
        st.cells += 1
        if math.isfinite(diff):
            st.max_abs, st.max_rel = (
                max(st.max_abs, diff),
                max(st.max_rel, rel if math.isfinite(rel) else 0.0),
            )
        if not ok:
            self.mismatches += 1
            if self.first_mismatch is None:
                what = what() if callable(what) else what
                self.first_mismatch = f"{where} ({what}): expected {float(expected)!r}, got {got!r}"

    def add(self, group: str, ok: np.ndarray, diff: np.ndarray, rel: np.ndarray) -> None:
        """Count a column of cells compared at once (agree_column); the caller names the first
        mismatch, since only it knows which cell of all its columns comes first."""
        st = self.stats.setdefault(group, Stat())
        st.cells += ok.size
        finite = np.isfinite(diff)
        if finite.any():
            r = rel[finite]
            st.max_abs = max(st.max_abs, float(diff[finite].max()))
            st.max_rel = max(st.max_rel, float(np.where(np.isfinite(r), r, 0.0).max()))
        self.mismatches += ok.size - int(np.count_nonzero(ok))

    def lines(self) -> list[str]:
        out = [f"{'quantity':<28} {'cells':>8} {'max abs err':>12} {'max rel err':>12}"]
        for name, st in self.stats.items():
            out.append(f"{name:<28} {st.cells:>8} {st.max_abs:>12.3g} {st.max_rel:>12.3g}")
        total = sum(st.cells for st in self.stats.values())
        if self.ok:
            out.append(
                f"OK: all {total} formula cells agree with the engine (recalculated by"
                f" {self.engine}, rtol {RTOL:g})"
            )
        else:
            out.append(
                f"MISMATCH: {self.mismatches} of {total} cells differ; first: {self.first_mismatch}"
            )
        return out


def _is_error(v) -> bool:
    return isinstance(v, str) and v.startswith("#")


def agree(got, expected: float, scale: float) -> tuple[bool, float, float]:
    """Within RTOL of the expected value, or of the quantity's scale near zero.

    A non-finite expected value (diverged training) matches any Excel error value.
    """
    if not math.isfinite(expected):
        return (_is_error(got) or (isinstance(got, float) and not math.isfinite(got))), 0.0, 0.0
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        return False, math.inf, math.inf
    diff = abs(float(got) - expected)
    rel = diff / abs(expected) if expected else (0.0 if diff == 0 else math.inf)
    return diff <= RTOL * max(abs(expected), 1e-3 * scale, 1e-300), diff, rel


def agree_column(
    got: np.ndarray, expected: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """agree() over a column of cells at once. `got` is NaN where a cell holds no finite
    number: such a cell is given (False, inf, inf) here, and where that may be wrong (the
    expected value is not finite, or the cell may hold an empty result, which reads as 0) the
    caller asks agree() about the cell itself."""
    finite = np.isfinite(expected)
    number = ~np.isnan(got)
    a = np.abs(expected)
    with np.errstate(all="ignore"):
        diff = np.where(finite, np.abs(got - expected), 0.0)
        diff[finite & ~number] = np.inf
        rel = np.where(expected != 0, diff / a, np.where(diff == 0, 0.0, np.inf))
    ok = finite & number & (diff <= RTOL * np.maximum(np.maximum(a, 1e-3 * scale), 1e-300))
    return ok, diff, np.where(finite, rel, 0.0)

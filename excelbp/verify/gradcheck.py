"""What the Gradient check sheet should hold, with ε as the workbook holds it, and how
closely each cell can agree with the engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..engine.gradcheck import gradient_check
from ..errors import InputError
from ..layout.gradcheck import GradcheckSheet
from ..layout.grid import letter
from ..sheets.gradcheck import gradcheck_values
from ..spec import Spec
from .report import RTOL


def gradcheck_cells(
    spec: Spec, sheet: GradcheckSheet, values: dict, path: Path
) -> Iterator[tuple[str, object, float, float]]:
    """(cell, its value, the engine's, scale for Report.check) of every formula cell."""
    eps_cell = f"{sheet.title}!{sheet.eps.cell(absolute=False)}"
    eps = values.get(eps_cell)
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < float("inf"):
        raise InputError(f"{path}: {eps_cell} should hold ε, a number > 0, holds {eps!r}")
    check = gradient_check(spec, float(eps))
    # A central difference carries the rounding of L(p ± ε), which differs by engine, divided
    # by 2ε: it may differ by RTOL of the largest of them. A relative difference (mostly that
    # rounding, when backprop is right) may differ by as much over its denominator, plus RTOL.
    numeric = RTOL * float(np.max(np.abs(check.numeric[np.isfinite(check.numeric)]), initial=0.0))
    allowed = dict.fromkeys(sheet.numeric.cells(), numeric)
    for cell, n, g in zip(sheet.rel_diff.cells(), check.numeric, check.backprop):
        allowed[cell] = RTOL + numeric / max(abs(n), abs(g), 1e-12)
    allowed[(sheet.max_rel.row, sheet.max_rel.col)] = max(
        allowed[c] for c in sheet.rel_diff.cells()
    )
    for (r, c), want in gradcheck_values(spec, sheet, check):
        where = f"{sheet.title}!{letter(c)}{r}"
        # Report allows RTOL of the value, or of a thousandth of the scale near zero
        scale = allowed[(r, c)] / RTOL * 1e3 if (r, c) in allowed else abs(want)
        yield where, values.get(where), want, scale

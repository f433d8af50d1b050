"""Verify a learning-rate sweep (--compare-lr): each rate as the workbook holds it now is
rerun by the engine, its sheet compared cell by cell, and the sweep sheet's table with it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..engine import Training
from ..errors import InputError
from ..layout.grid import letter
from ..layout.steps import StepLayout
from ..layout.sweep import sweep_layout
from ..sheets.sweep import sweep_cells, sweep_values
from ..spec import Spec
from .steps import Checker, check_steps

COPIES = "learning-rate copies"  # the report's groups
SWEEP = "LR sweep sheet"


def check_sweep(check: Checker, spec: Spec, steps: StepLayout, path: Path) -> None:
    """Check every formula cell of the sweep's sheets; its input cells (the rates) are exempt."""
    sweep = sweep_layout(spec, steps)
    if sweep is None:
        return
    inputs = [f"{sweep.title}!{sweep.rates.cell(0, j, absolute=False)}" for j in range(sweep.n)]
    rates, values = [], check.values
    for where in inputs:
        check.exempt(where)
        v = values.get(where)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(f"{path}: {where} should hold a learning rate, holds {v!r}")
        rates.append(float(v))  # as it stands: the engine must use exactly what the workbook holds
    runs = [Training(replace(spec, lr=rate), chunk_steps=spec.steps) for rate in rates]
    for copy, run in zip(sweep.copies, runs):
        [chunk] = run.chunks()
        check_steps(check, [copy], run.spec, chunk, group=COPIES)
    formulas = sweep_cells(spec, sweep, steps)
    scale = {
        j: float(np.max(np.abs(run.loss[np.isfinite(run.loss)]), initial=0.0))
        for j, run in enumerate(runs)
    }
    for (r, c), want in sorted(
        sweep_values(spec, sweep, runs).items(), key=lambda rc: (rc[0][0] == sweep.final.row, rc[0])
    ):  # the final row last
        where = f"{sweep.title}!{letter(c)}{r}"
        j = c - sweep.loss.col
        what = f"{formulas[(r, c)]}, rate {j + 1}" if j >= 0 else "step number"
        check(SWEEP, where, values.get(where), want, scale.get(j, abs(want)), what)

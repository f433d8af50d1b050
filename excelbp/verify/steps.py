"""The comparison of step sheets with the engine, cell by cell: the main ones, and each copy
of a learning-rate sweep against its own rate's run."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine import Chunk
from ..layout.grid import letter
from ..layout.step_sheet import StepSheet
from ..quantities.registry import kind_of
from ..quantities.registry import values as step_values
from ..spec import Spec

# check(group, "Sheet!A1", got, expected, scale, what): compare one cell and note it checked
Check = Callable[[str, str, object, float, float, object], None]


def check_steps(check: Check, sheets: list[StepSheet], spec: Spec, chunk: Chunk, values: dict, group: str | None = None) -> None:
    """Every cell of every step of `sheets` against the engine's run `chunk` (all its steps),
    step by step, so that the first mismatch reported is the earliest step that goes wrong.
    `group`: the report's group for all of them (default: each kind's own)."""
    placed = [(t, [(key, dr, letter(c + 1)) for key, dr, c in t.positions()]) for t in sheets]
    keys = list({key: None for _, cells in placed for key, _, _ in cells})
    expected = dict(zip(keys, step_values(chunk, keys, spec).T))
    scales = {key: float(np.max(np.abs(e[np.isfinite(e)]), initial=0.0)) for key, e in expected.items()}
    for s in range(spec.steps):
        for t, cells in placed:
            top = t.row(s + 1)
            for key, dr, col in cells:
                where = f"{t.title}!{col}{top + dr}"
                what = lambda key=key, s=s: f"{kind_of(key).header(spec, key)}, step {s + 1}"  # noqa: E731
                check(group or kind_of(key).verify, where, values.get(where), expected[key][s], scales[key], what)

"""Where the By hand sheet's numbers lie, each the engine's at one step: a step's cell from
its trace (through the quantity's own engine value), the rest from engine/by_hand.py. The
sheets cache them; verify expects them. Nothing is computed here."""

from __future__ import annotations

from ..engine import Chunk
from ..engine.backprop import Trace
from ..engine.by_hand import hand_number
from ..quantities.registry import kind_of
from ..spec import Spec
from .by_hand import HandSheet
from .by_hand_page import Num


def hand_values(spec: Spec, sheet: HandSheet, trace: Trace, step: int) -> dict:
    """(row, col) → the engine's value of every number, at step `step` (1-based) of `trace`."""
    chunk = Chunk(0, trace, None)
    done: dict = {}

    def of_step(key: tuple) -> float:
        return float(kind_of(key).series(chunk, key, spec)[step - 1])

    def value(rc: tuple[int, int]) -> float:
        if rc not in done:
            cell = sheet.cells[rc]
            if cell.step is not None:
                done[rc] = of_step(cell.step)
            else:  # the factors a product multiplies, each the engine's value
                page = [value(d) for d in cell.deps if not isinstance(d[0], str)]
                done[rc] = hand_number(spec, trace, step, cell.calc, page)
        return done[rc]

    for rc, cell in sheet.cells.items():
        if isinstance(cell, Num):
            value(rc)
    return done

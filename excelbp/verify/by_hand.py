"""What the By hand sheet should hold at the step its input names: the engine's trace of
that step, every number of the page."""

from __future__ import annotations

from pathlib import Path

from ..engine.training import train
from ..errors import InputError
from ..layout.by_hand import hand_sheet
from ..layout.by_hand_values import hand_values
from ..layout.grid import letter
from ..spec import Spec
from .steps import Checker


def check_by_hand(check: Checker, spec: Spec, path: Path) -> None:
    """Compare every formula cell of the By hand sheet, if the workbook has one."""
    sheet = hand_sheet(spec)
    if sheet is None:
        return
    where = f"{sheet.title}!{sheet.step.cell(absolute=False)}"
    step = check.values.get(where)
    if (
        isinstance(step, bool)
        or not isinstance(step, (int, float))
        or not 1 <= step <= spec.steps
        or step != int(step)
    ):
        raise InputError(
            f"{path}: {where} should hold a step number from 1 to {spec.steps}, holds {step!r}"
        )
    values = hand_values(spec, sheet, train(spec, steps=int(step)), int(step))
    # a line's scale is its largest number, as a step quantity's is its largest value: a
    # product of factors near 0 (ŷ − y almost 0) is compared within RTOL of its factors
    scale: dict[int, float] = {}
    for (r, _), want in values.items():
        scale[r] = max(scale.get(r, 0.0), abs(want))
    for (r, c), want in values.items():
        cell = f"{sheet.title}!{letter(c)}{r}"
        check("By hand sheet", cell, check.values.get(cell), want, scale[r], "By hand formula")
    check.exempt(where)

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
    for (r, c), want in hand_values(spec, sheet, train(spec, steps=int(step)), int(step)).items():
        cell = f"{sheet.title}!{letter(c)}{r}"
        check("By hand sheet", cell, check.values.get(cell), want, abs(want), "By hand formula")
    check.exempt(where)

"""The whole workbook as plain data: every sheet, in display order, and the defined names."""

from __future__ import annotations

from collections.abc import Callable

from ..engine import Training
from ..engine.gradcheck import GradientCheck
from ..engine.training import train
from ..layout.by_hand import hand_names, hand_sheet
from ..layout.gradcheck import gradcheck_sheet
from ..layout.grid import STRUCTURE
from ..layout.images import images_sheet
from ..layout.inputs import InputsSheet
from ..layout.names import defined_names
from ..layout.steps import StepLayout
from ..layout.sweep import sweep_layout
from ..spec import Spec
from ..spec.structure import structure_json
from .by_hand import hand_plan
from .cells import SheetPlan, WorkbookPlan, text
from .explain import explain_plan
from .gradcheck import gradcheck_plan
from .images import images_plan
from .inputs import inputs_plan
from .steps import step_sheet_plan
from .sweep import sweep_plan


def structure_plan(spec: Spec) -> SheetPlan:
    """A hidden sheet with the structure verify needs (no input values: those are read live)."""
    rows = [
        [text("excelbp structure: read by `excelbp verify`; do not edit")],
        [text(structure_json(spec))],
    ]
    return SheetPlan(STRUCTURE, rows, hidden=True, extent=(2, 1))


def workbook_plan(
    spec: Spec,
    inputs: InputsSheet,
    steps: StepLayout,
    training: Training | None,
    progress: Callable[[int, int], None] | None = None,
    *,
    check: GradientCheck | None = None,
    sweep_trainings: list[Training] | None = None,
) -> WorkbookPlan:
    """Every sheet of the workbook. With a training (run in full beforehand) and the gradient
    check, formulas carry the engine's values; without, they carry none. `sweep_trainings`:
    the run of each rate of --compare-lr, for their sheets' values (without, none)."""
    main_progress = {steps.main.title: progress}
    sheets = [inputs_plan(spec, inputs, steps, training)]
    sheets += [
        step_sheet_plan(spec, sheet, inputs, training, main_progress.get(sheet.title))
        for sheet in steps.sheets
    ]
    by_hand = hand_sheet(spec)
    if by_hand is not None:  # step 1's trace for its values (the step it shows as built)
        trace = train(spec, steps=1) if training is not None else None
        sheets.append(hand_plan(spec, by_hand, steps.main, steps.summary, trace))
    view = images_sheet(spec)
    if view is not None:
        sheets.append(images_plan(spec, view, inputs, training))
    gradcheck = gradcheck_sheet(spec)
    if gradcheck is not None:
        sheets.append(gradcheck_plan(spec, gradcheck, inputs, steps.main, check))
    sweep = sweep_layout(spec, steps)
    if sweep is not None:
        runs = sweep_trainings or [None] * sweep.n
        sheets.append(sweep_plan(spec, sweep, steps, sweep_trainings))
        sheets += [
            step_sheet_plan(spec, copy, inputs, run, lr=str(sweep.rate(j)))
            for j, (copy, run) in enumerate(zip(sweep.copies, runs))
        ]
    sheets += [explain_plan(spec, steps), structure_plan(spec)]
    names = defined_names(spec, inputs, steps.summary, view, sweep, gradcheck)
    if by_hand is not None:
        names.update(hand_names(by_hand))
    return WorkbookPlan(sheets=sheets, names={name: str(ref) for name, ref in names.items()})

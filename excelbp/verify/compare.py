"""Recalculate a workbook, rerun the engine on the inputs as they stand, compare every cell.

The workbook stores its structure (not its values) on a hidden sheet; the inputs are read
from the recalculated workbook, so a learner's edits are honoured.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..engine import Training
from ..errors import InputError
from ..layout.gradcheck import gradcheck_sheet
from ..layout.grid import STRUCTURE, Block, letter
from ..layout.images import images_sheet
from ..layout.inputs import InputsSheet, input_blocks, inputs_sheet
from ..layout.steps import step_layout
from ..layout.values import images_values, inputs_values
from ..spec import Spec
from ..spec.structure import shaped_spec
from . import reader
from .budget import budget
from .by_hand import check_by_hand
from .gradcheck import gradcheck_cells
from .grid import first_address
from .report import Report
from .steps import Checker, check_steps
from .sweep import check_sweep


def read_structure(book: reader.Book) -> dict:
    text = book.literal(STRUCTURE, "A2")  # its own refusals (a sheet too large) stand as they are
    try:
        structure = json.loads(text)
        assert isinstance(structure, dict) and "sizes" in structure
    except Exception:
        raise InputError(
            f"{book.path}: not a workbook made by excelbp (no readable '{STRUCTURE}' sheet)"
        ) from None
    return structure


def spec_from_workbook(
    structure: dict, value: Callable[[str, str], object], path: Path
) -> tuple[Spec, InputsSheet]:
    """The Spec whose inputs are the workbook's current (recalculated) input values."""
    shaped = shaped_spec(structure, source=str(path))
    sheet = inputs_sheet(shaped)
    INPUTS = sheet.title  # noqa: N806 - a constant for this workbook

    def block(b: Block | None) -> np.ndarray | None:
        if b is None:
            return None
        out = np.empty((b.rows, b.cols))
        for i in range(b.rows):
            for j in range(b.cols):
                v = value(INPUTS, b.cell(i, j, absolute=False))
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise InputError(
                        f"{path}: {INPUTS}!{b.cell(i, j, absolute=False)} should hold a number,"
                        f" holds {v!r}"
                    )
                out[i, j] = v
        return out

    # no rounding here: the engine must use exactly what the workbook holds
    spec = replace(
        shaped,
        lr=float(block(sheet.lr)[0, 0]),
        optimizer=shaped.optimizer.with_values(
            **{name: float(block(b)[0, 0]) for name, b in sheet.hyper.items()}
        ),
        schedule=shaped.schedule.with_values(
            **{name: float(block(b)[0, 0]) for name, b in sheet.schedule_inputs.items()}
        ),
        raw_X=block(sheet.raw_X) if sheet.raw_X is not None else block(sheet.X),
        raw_Y=(
            None
            if shaped.w_true is not None
            else block(sheet.raw_Y if sheet.raw_Y is not None else sheet.Y)
        ),
        w_true=None if sheet.w_true is None else block(sheet.w_true)[0],
        x_scale=None if sheet.x_scale is None else block(sheet.x_scale)[0],
        y_scale=None if sheet.y_scale is None else block(sheet.y_scale)[0],
        W_init=tuple(block(b) for b in sheet.W_init),
        b_init=None if sheet.b_init is None else tuple(block(b)[0] for b in sheet.b_init),
        X_test=block(sheet.X_test),
        Y_test=block(sheet.Y_test),
    )
    return spec, sheet


def verify(
    path: Path, *, engine: str = "formulas", progress: Callable[[int, int], None] | None = None
) -> Report:
    path = Path(path)
    book = reader.open_book(path)
    structure = read_structure(book)
    limits = budget(
        structure, str(path)
    )  # before anything is evaluated: what the workbook may cost
    result = reader.recalculate(book, engine=engine, progress=progress, limits=limits).grid
    report = Report(path=path, engine=engine)
    check = Checker(report, result)
    value = check.values.get

    spec, sheet = spec_from_workbook(structure, lambda s, c: value(f"{s}!{c}"), path)
    steps = step_layout(spec)
    training = Training(spec, chunk_steps=spec.steps)
    [chunk] = training.chunks()

    # the main sheet first: the others show its cells
    check_steps(check, [steps.main, *(t for t in steps.sheets if t is not steps.main)], spec, chunk)
    INPUTS = sheet.title  # noqa: N806 - a constant for this workbook
    for (r, c), want in inputs_values(spec, sheet, training.final_W, training.final_b):
        where = f"{INPUTS}!{letter(c)}{r}"
        check("Inputs sheet formulas", where, value(where), want, abs(want), "Inputs formula")
    view = images_sheet(spec)
    IMAGES = view.title if view is not None else None  # noqa: N806
    if view is not None:
        pick = value(f"{IMAGES}!{view.pick.cell(absolute=False)}")
        if (
            isinstance(pick, bool)
            or not isinstance(pick, (int, float))
            or not 1 <= pick <= spec.n_samples
            or pick != int(pick)
        ):
            raise InputError(
                f"{path}: {IMAGES}!{view.pick.cell(absolute=False)} should hold a sample number"
                f" from 1 to {spec.n_samples}, holds {pick!r}"
            )
        drawn = np.array(
            [
                _pixel(value(f"{IMAGES}!{letter(c)}{r}"), f"{IMAGES}!{letter(c)}{r}", path)
                for r, c in view.drawing.grid.cells()
            ]
        )
        for (r, c), want in images_values(
            spec, view, training.final_W, training.final_b, int(pick), drawn
        ):
            where = f"{IMAGES}!{letter(c)}{r}"
            check("Images sheet formulas", where, value(where), want, abs(want), "Images formula")
    gradcheck = gradcheck_sheet(spec)
    if gradcheck is not None:
        for where, got, want, scale in gradcheck_cells(spec, gradcheck, check.values, path):
            check("Gradient check sheet", where, got, want, scale, "Gradient check formula")
    check_sweep(check, spec, steps, path)  # the learning-rate sweep's sheets, if any
    check_by_hand(check, spec, path)
    # verify reads by layout; make sure no formula cell escaped the comparison (an input may
    # be typed as a formula)
    for b in input_blocks(sheet):
        _exempt_block(check, INPUTS, b.row, b.col, b.rows, b.cols)
    if view is not None:
        check.exempt(f"{IMAGES}!{view.pick.cell(absolute=False)}")
        for r, c in view.drawing.grid.cells():
            _exempt_block(check, IMAGES, r, c, 1, 1)
    if gradcheck is not None:
        check.exempt(f"{gradcheck.title}!{gradcheck.eps.cell(absolute=False)}")
    unchecked = [F & ~M for F, M in zip(result.formula, check.checked)]
    count = sum(int(np.count_nonzero(u)) for u in unchecked)
    if count:
        report.mismatches += count
        report.first_mismatch = (
            report.first_mismatch
            or f"{first_address(result, unchecked)}: a formula cell excelbp did not write"
        )
    return report


def _exempt_block(check: Checker, title: str, row: int, col: int, rows: int, cols: int) -> None:
    s = check.result.index.get(title)
    if s is not None:
        check.checked[s][row : row + rows, col : col + cols] = True


def _pixel(v, where: str, path: Path) -> float:
    """A drawing's pixel as the learner left it: a number, or 0 where the cell was cleared."""
    if v is None or v == "":
        return 0.0
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InputError(f"{path}: {where} (the drawing) should hold a number, holds {v!r}")
    return float(v)

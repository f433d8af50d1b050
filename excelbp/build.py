"""spec → engine → layout → plan → writer: one workbook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import layout, plan, writer
from .block_layout import step_cells, step_layout, step_sheets
from .layout import StepPlaces
from .errors import InputError
from .spec import MAX_COLS, MAX_ROWS, Spec
from .training import TrainingRun


@dataclass(frozen=True)
class BuildResult:
    path: Path
    steps: int
    cells: int  # formula cells of the steps (with the Steps sheet of the blocks layout)
    final_loss: float
    diverged_at: int | None  # first step whose loss or update is not finite


def max_steps(table: StepPlaces) -> int:
    return (MAX_ROWS - table.first_row + 1) // table.height


def check_fits(spec: Spec, table: StepPlaces, sheet: layout.InputsSheet) -> None:
    """Excel's sheet limits, with the largest value allowed for this layout in the message."""
    if table.width > MAX_COLS:
        hint = "use fewer units" if table.kind == "blocks" else "use --layout blocks, fewer units or a smaller batch"
        raise InputError(f"--layers/--batch: the steps need {table.width:,} columns, Excel allows {MAX_COLS:,}; {hint}")
    if spec.steps > max_steps(table):
        raise InputError(f"--steps: {spec.steps:,} steps do not fit in a sheet; at most {max_steps(table):,} for this layout")
    if sheet.last_row > MAX_ROWS:
        raise InputError(f"data: {spec.n_samples:,} samples do not fit in the Inputs sheet")


# A workbook this size is already a 300-700 MB file that takes minutes to build and that
# Excel and LibreOffice open slowly; the 1,000,000-step demo is 21 million cells.
MAX_CELLS = 50_000_000


def check_size(spec: Spec) -> None:
    """Refuse a workbook of hours and gigabytes before laying it out."""
    cells = step_cells(spec)
    if cells > MAX_CELLS:
        raise InputError(
            f"--steps/--batch/--layers: the steps would take {cells / 1e6:,.0f} million formula cells, more than the "
            f"{MAX_CELLS / 1e6:.0f} million excelbp writes; use fewer steps, a smaller batch or fewer units"
        )


def build(spec: Spec, path: Path, *, force: bool = False, progress=None) -> BuildResult:
    check_size(spec)
    table = step_layout(spec)
    sheet = layout.inputs_sheet(spec)
    check_fits(spec, table, sheet)
    run = TrainingRun(spec)
    writer.write(plan.workbook_plan(spec, sheet, table, run, progress), path, force=force)
    return BuildResult(
        path=Path(path),
        steps=spec.steps,
        cells=sum(len(t.positions()) for t in step_sheets(table)) * spec.steps,
        final_loss=run.final_loss,
        diverged_at=run.diverged_at,
    )

"""Stage 8, the build: options → spec → engine → layout → sheets → writer, one workbook."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from . import writer
from .engine import Training
from .engine.gradcheck import DEFAULT_EPS, gradient_check
from .layout import size
from .layout.inputs import inputs_sheet
from .layout.steps import step_layout
from .layout.sweep import sweep_layout
from .sheets.workbook import workbook_plan
from .spec import BuildOptions, Spec
from .spec import options as spec_options


@dataclass(frozen=True)
class BuildResult:
    path: Path
    steps: int
    cells: int  # formula cells of the step sheets
    final_loss: float
    diverged_at: int | None  # first step whose loss or update is not finite
    sweep_diverged: tuple[
        tuple[float, int], ...
    ] = ()  # --compare-lr: (rate, first step not finite) of each rate that diverges


def custom_name(spec: Spec) -> str:
    """The file name of a custom network (--layers without --template): its shape, e.g.
    2-2-2-sigmoid-half_sse.xlsx, so that two different networks never share a file."""
    acts = "-".join(
        dict.fromkeys(spec.activations[:-1] or spec.activations)
    )  # the hidden layers', once each
    optimizer = "" if spec.optimizer.name == "sgd" else f"-{spec.optimizer.name}"
    return f"{'-'.join(map(str, spec.sizes))}-{acts}-{spec.loss}{optimizer}.xlsx"


def make_spec(opts: BuildOptions) -> Spec:
    """The validated spec of what the options ask for. Whether the network fits a sheet (and
    which layout it takes) is settled before any data or weights are made for it."""
    choice = spec_options.choose(opts)
    return spec_options.make_spec(replace(choice, network=size.settle(choice.network)))


def build(spec: Spec, path: Path, *, force: bool = False, progress=None) -> BuildResult:
    """Train, lay out and write the workbook for `spec` to `path` (atomically)."""
    # the network's fit was settled as its spec was made (make_spec); the laid-out sheets are
    # checked against Excel's limits here
    writer.check()  # an openpyxl the writer cannot work with says so before any work
    steps = step_layout(spec)
    inputs = inputs_sheet(spec)
    sweep = sweep_layout(spec, steps)
    sweep_rows = sweep.extent()[0] if sweep is not None else 0
    size.check_sheets(
        spec.network,
        steps.main,
        inputs.last_row,
        n_samples=spec.n_samples,
        sweep_rows=sweep_rows,
    )
    training = Training(spec)  # in full, before anything is written
    check = gradient_check(spec, DEFAULT_EPS) if spec.gradcheck else None
    runs = [
        Training(replace(spec, lr=rate)) for rate in spec.compare_lr
    ]  # the sweep's: the same spec but its rate
    writer.write(
        workbook_plan(spec, inputs, steps, training, progress, check=check, sweep_trainings=runs),
        path,
        force=force,
    )
    copies = sweep.copies if sweep is not None else ()
    return BuildResult(
        path=Path(path),
        steps=spec.steps,
        cells=sum(len(sheet.positions()) for sheet in (*steps.sheets, *copies)) * spec.steps,
        final_loss=training.final_loss,
        diverged_at=training.diverged_at,
        sweep_diverged=tuple(
            (rate, run.diverged_at)
            for rate, run in zip(spec.compare_lr, runs)
            if run.diverged_at is not None
        ),
    )

"""The contract's defined names (docs/WORKBOOK.md): workbook-scoped, each a reference."""

from __future__ import annotations

from ..spec import Spec
from .gradcheck import GradcheckSheet
from .grid import Block, Ref
from .images import ImagesSheet
from .inputs import InputsSheet
from .rows import StepTable
from .sweep import SweepSheet


def defined_names(
    spec: Spec,
    sheet: InputsSheet,
    summary: StepTable,
    images: ImagesSheet | None = None,
    sweep: SweepSheet | None = None,
    gradcheck: GradcheckSheet | None = None,
) -> dict[str, Ref]:
    """The contract's workbook-scoped names → their cells ('Sheet'!$A$1:$B$2 when printed)."""

    def on_inputs(block: Block) -> Ref:
        return Ref(sheet.title, block.ref())

    def per_step(key: tuple) -> Ref:  # the summary's column of `key` over the steps
        steps = Block(summary.row(1), summary.where[key] + 1, spec.steps, 1)
        return Ref(summary.title, steps.column_span())

    names = {
        "lr": on_inputs(sheet.lr),
        "batch": on_inputs(sheet.batch),
        "optimizer": on_inputs(sheet.optimizer),
        **{name: on_inputs(block) for name, block in sheet.hyper.items()},
        "schedule": on_inputs(sheet.schedule),
        **{name: on_inputs(block) for name, block in sheet.schedule_inputs.items()},
        "X": on_inputs(sheet.X),
        "Y": on_inputs(sheet.Y),
    }
    for l in range(1, spec.n_layers + 1):
        names[f"W{l}_init"] = on_inputs(sheet.W_init[l - 1])
        names[f"W{l}_final"] = on_inputs(sheet.W_final[l - 1])
        if spec.bias:
            names[f"b{l}_init"] = on_inputs(sheet.b_init[l - 1])
            names[f"b{l}_final"] = on_inputs(sheet.b_final[l - 1])
    names["loss"] = per_step(("loss",))
    names["lr_schedule"] = per_step(("lr_t",))
    if sheet.w_true is not None:
        names["w_true"] = on_inputs(sheet.w_true)
    if sheet.raw_X is not None and sheet.x_scale is None:  # pixels scaled by a constant
        names["X_raw"] = on_inputs(sheet.raw_X)
    if sheet.x_scale is not None:
        names["x_scale"] = on_inputs(sheet.x_scale)
        names["y_scale"] = on_inputs(sheet.y_scale)
        names["X_raw"] = on_inputs(sheet.raw_X)
        names["Y_raw"] = on_inputs(sheet.raw_Y)
    if sheet.X_test is not None:
        names["X_test"] = on_inputs(sheet.X_test)
        names["Y_test"] = on_inputs(sheet.Y_test)
        names["test_accuracy"] = on_inputs(sheet.test_accuracy)
    if images is not None:
        d = images.drawing
        names["drawing"] = Ref(images.title, d.grid.ref())
        names["drawing_probs"] = Ref(images.title, d.probs.ref())
        names["drawing_guess"] = Ref(images.title, d.guess.ref())
    if gradcheck is not None:
        for name, block in (
            ("eps", gradcheck.eps),
            ("numeric", gradcheck.numeric),
            ("backprop", gradcheck.backprop),
            ("max_rel_diff", gradcheck.max_rel),
        ):
            names[f"gradcheck_{name}"] = Ref(gradcheck.title, block.ref())
    if sweep is not None:
        names["sweep_lr"] = Ref(sweep.title, sweep.rates.ref())
        names["sweep_loss"] = Ref(sweep.title, sweep.loss.ref())
    return names

"""The layout of the steps: the sheets it needs, and which of them lists the loss per step."""

from __future__ import annotations

from dataclasses import dataclass

from ..quantities.names import classifier
from ..quantities.step import param_keys
from ..spec import Spec
from ..words import sheet_title
from .blocks import StepBlocks, blocks_layout
from .rows import Column, StepTable, rows_layout
from .step_sheet import StepSheet

CHARTED_PARAMETERS = 12  # up to this many, the Steps sheet lists every parameter (a chart of them)


@dataclass(frozen=True)
class StepLayout:
    name: str  # "rows" or "blocks"
    sheets: tuple[StepSheet, ...]  # in the workbook's order
    main: StepSheet  # where every quantity of a step is
    summary: StepTable  # one row per step with its loss: the `loss` name and the charts point here


def step_layout(spec: Spec) -> StepLayout:
    """Where the steps go, as the spec's layout says (layout/size.py chose it)."""
    if spec.layout == "blocks":
        blocks = blocks_layout(spec)
        summary = blocks_summary(spec, blocks)
        return StepLayout("blocks", (summary, blocks), blocks, summary)
    table = rows_layout(spec)
    return StepLayout("rows", (table,), table, table)


def blocks_summary(spec: Spec, blocks: StepBlocks) -> StepTable:
    """The Steps sheet: each step's number, loss (and accuracy) read from its block, and for
    a small network its parameters, so they can be charted."""
    columns = [Column(("step",), "step"), Column(("lr_t",), "step"), Column(("loss",), "loss")]
    if classifier(spec):
        columns += [Column(("bacc",), "loss"), Column(("acc",), "loss")]
    params = param_keys(spec)
    if len(params) <= CHARTED_PARAMETERS:
        columns += [Column(key, "params", ("layer", key[1])) for key in params]
        if spec.w_true is not None:
            columns += [Column(("wt", i), "reference") for i in range(spec.sizes[0])]
    where = {c.key: k for k, c in enumerate(columns)}
    return StepTable(
        columns=tuple(columns),
        where=where,
        epoch=spec.epoch,
        mirrored=blocks,
        title=sheet_title(spec.lang, "steps"),
    )

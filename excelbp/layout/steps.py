"""The layout of the steps: the sheets it needs, and which of them lists the loss per step."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec import Spec
from .blocks import blocks_layout, blocks_summary
from .rows import StepTable, rows_layout
from .step_sheet import StepSheet


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

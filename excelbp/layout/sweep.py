"""The learning-rate sweep (--compare-lr): where each rate's training and the comparison go.

Rate j trains on a copy of the main step sheet (the rows layout's Steps, the blocks layout's
Training), titled "Rate j", whose updates read the rate from the sweep sheet's cell instead
of the name `lr`: the same formulas otherwise, the same inputs, data and initial parameters.
The sweep sheet holds the rates (inputs, the name `sweep_lr`), each one's final loss under
it, and a table of every step's loss per rate (`sweep_loss`) with their chart beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..spec import Spec
from ..words import rate_sheet_title, sheet_title
from .grid import Block, Ref, letter
from .step_sheet import StepSheet
from .steps import StepLayout

RATES_ROW = 4  # under the title and a note
FINAL_ROW = RATES_ROW + 1
HEAD_ROW = FINAL_ROW + 2  # the table's header, a blank row above it
FIRST_ROW = HEAD_ROW + 1  # step 1's row


@dataclass(frozen=True)
class SweepSheet:
    title: str
    rates: Block  # 1 × n literal inputs: `sweep_lr`
    final: Block  # 1 × n: each rate's loss at the last step
    step: Block  # steps × 1: the step numbers
    loss: Block  # steps × n: each rate's loss at each step, `sweep_loss`
    copies: tuple[StepSheet, ...]  # rate j's training, in the order of the rates
    head_row: int = HEAD_ROW

    @property
    def n(self) -> int:
        return self.rates.cols

    def rate(self, j: int) -> Ref:
        """What rate j's copy multiplies by: its rate's cell."""
        return Ref(self.title, self.rates.cell(0, j))

    def chart_anchor(self) -> str:
        """Beside the rates and the table, after a blank column."""
        return f"{letter(self.loss.col + self.n + 1)}{RATES_ROW}"

    def extent(self) -> tuple[int, int]:
        return self.loss.row + self.loss.rows - 1, self.loss.col + self.n - 1


def sweep_layout(spec: Spec, steps: StepLayout) -> SweepSheet | None:
    """None without --compare-lr."""
    n = len(spec.compare_lr)
    if not n:
        return None
    copies = tuple(replace(steps.main, title=rate_sheet_title(spec.lang, j)) for j in range(n))
    return SweepSheet(
        title=sheet_title(spec.lang, "sweep"),
        rates=Block(RATES_ROW, 2, 1, n),
        final=Block(FINAL_ROW, 2, 1, n),
        step=Block(FIRST_ROW, 1, spec.steps, 1),
        loss=Block(FIRST_ROW, 2, spec.steps, n),
        copies=copies,
    )

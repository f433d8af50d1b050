"""A forward pass with the trained parameters, for rows of inputs outside the training: the
held-out test set on Inputs, the picked image on Images. Formula text and engine values."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..engine.functions import activate
from ..layout.grid import Block
from ..layout.grid import quoted
from ..layout.inputs import InputsSheet
from ..layout.step_sheet import StepSheet
from ..quantities.functions import activation
from ..spec import Spec

Cells = dict[tuple[int, int], str]


def forward_formulas(spec: Spec, main: StepSheet, inputs: InputsSheet, out: Cells, t: int, row: str, z_blocks, a_blocks) -> str:
    """Row t of the z/a blocks: a forward pass of the input range `row` with the final
    parameters. The last layer stays scores (the arg-max needs no softmax); returns their range."""
    prev = row
    for l in range(1, spec.n_layers + 1):
        z, a = z_blocks[l - 1], a_blocks[l - 1]
        for j in range(z.cols):
            out[(z.row + t, z.col + j)] = "=" + _final_unit(spec, main, inputs, l, j, prev)
            if a is not None:
                out[(a.row + t, a.col + j)] = "=" + activation(spec.act(l), z.cell(t, j, absolute=False))
        prev = (a if a is not None else z).row_span(t)
    return prev


def _final_unit(spec: Spec, main: StepSheet, inputs: InputsSheet, l: int, j: int, row: str) -> str:
    """z of unit j of layer l for a row of inputs, with the final parameters: a row of them
    pairs with the row of inputs (the last step's updates in the rows layout, whose units'
    weights lie side by side; the turned final weights in the blocks layout)."""
    if inputs.W_final_T is not None:
        T = inputs.W_final_T[l - 1]
        weights = f"{quoted(inputs.title)}!{T.cell(j, 0)}:{T.cell(j, T.cols - 1)}"
        bias = f"{quoted(inputs.title)}!{inputs.b_final[l - 1].cell(0, j)}" if spec.bias else None
    else:
        weights = main.ref(("W+", l, 0, j), spec.steps, last=("W+", l, spec.sizes[l - 1] - 1, j))
        bias = main.ref(("b+", l, j), spec.steps) if spec.bias else None
    text = f"SUMPRODUCT({row},{weights})"
    return f"{text}+{bias}" if bias else text


def forward_values(spec: Spec, W: list[np.ndarray], b: list[np.ndarray], a: np.ndarray, z_blocks, a_blocks):
    """Cells of the same forward pass, by the engine (scores in the last layer: the arg-max
    is the same); a generator that returns the last layer's values."""
    for l in range(spec.n_layers):
        z = a @ W[l] + b[l]
        yield from block_values(z_blocks[l], z)
        a = z
        if a_blocks[l] is not None:
            a = activate(spec.act(l + 1), z)
            yield from block_values(a_blocks[l], a)
    return a


def block_values(block: Block, values: np.ndarray) -> Iterator[tuple[tuple[int, int], float]]:
    for i in range(block.rows):
        for j in range(block.cols):
            yield (block.row + i, block.col + j), float(values[i, j])

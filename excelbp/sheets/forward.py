"""A forward pass with the trained parameters, for inputs outside the training: rows of them
(the held-out test set on Inputs), or a column (the picked image and the drawing on Images):
their formula text. Their values are the engine's (engine/evaluate.py), placed by
layout/values.py."""

from __future__ import annotations

from ..layout.grid import Block
from ..layout.images import Pass
from ..layout.inputs import InputsSheet
from ..layout.step_sheet import StepSheet
from ..quantities.context import quoted
from ..quantities.functions import activation
from ..spec import Spec

Cells = dict[tuple[int, int], str]


def forward_formulas(
    spec: Spec,
    main: StepSheet,
    inputs: InputsSheet,
    out: Cells,
    t: int,
    row: str,
    z_blocks,
    a_blocks,
) -> str:
    """Row t of the z/a blocks: a forward pass of the input range `row` with the final
    parameters. The last layer stays scores (the arg-max needs no softmax); returns their range."""
    prev = row
    for l in range(1, spec.n_layers + 1):
        z, a = z_blocks[l - 1], a_blocks[l - 1]
        for j in range(z.cols):
            out[(z.row + t, z.col + j)] = "=" + _final_unit(spec, main, inputs, l, j, prev)
            if a is not None:
                out[(a.row + t, a.col + j)] = "=" + activation(
                    spec.act(l), z.cell(t, j, absolute=False)
                )
        prev = (a if a is not None else z).row_span(t)
    return prev


def _final_unit(spec: Spec, main: StepSheet, inputs: InputsSheet, l: int, j: int, row: str) -> str:
    """z of unit j of layer l for a row of inputs, with the final parameters: a row of them
    pairs with the row of inputs (the last step's updates in the rows layout, whose units'
    weights lie side by side; the turned final weights in the blocks layout)."""
    if inputs.W_final_T is not None and inputs.W_final_T[l - 1] is not None:
        T = inputs.W_final_T[l - 1]
        weights = f"{quoted(inputs.title)}!{T.cell(j, 0)}:{T.cell(j, T.cols - 1)}"
        bias = f"{quoted(inputs.title)}!{inputs.b_final[l - 1].cell(0, j)}" if spec.bias else None
    else:
        weights = main.ref(("W+", l, 0, j), spec.steps, last=("W+", l, spec.sizes[l - 1] - 1, j))
        bias = main.ref(("b+", l, j), spec.steps) if spec.bias else None
    text = f"SUMPRODUCT({row},{weights})"
    return f"{text}+{bias}" if bias else text


def column_pass_formulas(spec: Spec, inputs: InputsSheet, p: Pass, out: Cells) -> Block:
    """The z/a columns of `p`, from its pixel column: each sum pairs a column of activations
    with the column of final weights into the unit on Inputs. Returns the last z column."""
    prev = p.pixels
    for l in range(1, spec.n_layers + 1):
        z, a, W = p.z[l - 1], p.a[l - 1], inputs.W_final[l - 1]
        for j in range(z.rows):
            text_ = f"SUMPRODUCT({prev.column_span()},{quoted(inputs.title)}!{W.column_span(j)})"
            bias = (
                f"+{quoted(inputs.title)}!{inputs.b_final[l - 1].cell(0, j)}" if spec.bias else ""
            )
            out[(z.row + j, z.col)] = f"={text_}{bias}"
            if a is not None:
                out[(a.row + j, a.col)] = "=" + activation(
                    spec.act(l), z.cell(j, 0, absolute=False)
                )
        prev = a if a is not None else z
    return p.z[-1]


def output_formulas(spec: Spec, z: Block, out_row: Block, out: Cells) -> None:
    """The last layer's output as a row, from its column of scores z: softmax in its stable
    form, e^(z − max z) / Σ e^(z − max z), or the layer's activation. The sum is written out
    term by term, as the step sheets write it: Gnumeric evaluates a function of a range inside
    SUMPRODUCT, SUMPRODUCT(EXP(z − max z)), by implicit intersection, not over the range."""
    top = f"MAX({z.column_span()})"
    total = "+".join(f"EXP({z.cell(j, 0)}-{top})" for j in range(out_row.cols))
    for k in range(out_row.cols):
        zk = z.cell(k, 0)
        if spec.act(spec.n_layers) == "softmax":
            text_ = f"EXP({zk}-{top})/({total})"
        else:
            text_ = activation(spec.act(spec.n_layers), zk)
        out[(out_row.row, out_row.col + k)] = "=" + text_

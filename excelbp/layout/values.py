"""Where the numbers of the Inputs and Images sheets' formula cells lie: each taken from the
spec or the engine (engine/evaluate.py, the final network applied to the data), placed by
the layout's blocks. The sheets cache them; verify expects them. Nothing is computed here."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from ..engine import Layers, classes, decision_line, drawn_inputs, layers
from ..spec import Spec
from .grid import Block
from .images import Drawing, ImagesSheet, Pass
from .inputs import InputsSheet

Placed = Iterator[tuple[tuple[int, int], float]]


def block_values(block: Block, values: np.ndarray) -> Placed:
    """((row, col), value) of a block's cells, from an array of its shape."""
    for i in range(block.rows):
        for j in range(block.cols):
            yield (block.row + i, block.col + j), float(values[i, j])


def _activations(spec: Spec) -> list[str]:
    return [spec.act(l) for l in range(1, spec.n_layers + 1)]


def _rows_pass(run: Layers, z_blocks: Sequence[Block], a_blocks: Sequence[Block | None]) -> Placed:
    """A pass over rows of inputs in z/a blocks (an a block is None where the sheet has none)."""
    for z, a, Z, A in zip(run.z, run.a, z_blocks, a_blocks):
        yield from block_values(Z, z)
        if A is not None:
            yield from block_values(A, a)


def _column_pass(run: Layers, p: Pass) -> Placed:
    """A pass of one vector of inputs down the columns of `p`."""
    for z, a, Z, A in zip(run.z, run.a, p.z, p.a):
        yield from block_values(Z, z[:, None])
        if A is not None:
            yield from block_values(A, a[:, None])


def inputs_values(
    spec: Spec, sheet: InputsSheet, W: list[np.ndarray], b: list[np.ndarray], *, pixels: bool = True
) -> Placed:
    """((row, col), value) for every formula cell of the Inputs sheet, with W, b the final
    parameters (b zeros without bias); without `pixels`, not X's where it is computed from
    raw pixels (millions of cells, which the sheet makes row by row)."""
    yield (sheet.steps.row, sheet.steps.col), float(spec.steps)
    yield (sheet.batch.row, sheet.batch.col), float(spec.batch)
    if spec.w_true is not None or spec.x_scale is not None:
        yield from block_values(sheet.Y, spec.Y)
    if spec.x_scale is not None or (spec.scale_pixels and pixels):
        yield from block_values(sheet.X, spec.X)
    for l in range(spec.n_layers):
        yield from block_values(sheet.W_final[l], W[l])
        if spec.bias:
            yield from block_values(sheet.b_final[l], b[l][None, :])
        if sheet.W_final_T is not None and sheet.W_final_T[l] is not None:
            yield from block_values(sheet.W_final_T[l], W[l].T)
        if sheet.W_init_T is not None and sheet.W_init_T[l] is not None:
            yield from block_values(sheet.W_init_T[l], spec.W_init[l].T)
    if sheet.fit_z:
        fit = layers(W, b, spec.X, activations=_activations(spec))
        yield from _rows_pass(fit, sheet.fit_z, sheet.fit_a)
    if sheet.boundary is not None:
        yield from block_values(sheet.boundary, decision_line(spec.X, W[0], b[0]))
    if sheet.X_test is not None:
        test = layers(W, b, spec.X_test, activations=_activations(spec))
        yield from _rows_pass(test, sheet.test_z, sheet.test_a)
        said = classes(test.z[-1], spec.Y_test)
        columns = np.column_stack([said.predicted, said.true, said.right])
        yield from block_values(sheet.test_pred, columns)
        yield (sheet.test_accuracy.row, sheet.test_accuracy.col), said.accuracy
        yield from block_values(sheet.confusion, said.confusion)


def images_values(
    spec: Spec,
    view: ImagesSheet,
    W: list[np.ndarray],
    b: list[np.ndarray],
    pick: int,
    drawn: np.ndarray,
) -> Placed:
    """((row, col), value) for every formula cell of the Images sheet: sample `pick`
    (1-based), final W and b, and the drawing's raw pixels `drawn` (side × side)."""
    x, y = spec.X[pick - 1], spec.Y[pick - 1]
    yield from block_values(view.forward.pixels, x[:, None])
    yield from block_values(view.grid, x.reshape(view.grid.rows, view.grid.cols))
    run = layers(W, b, x, activations=_activations(spec))
    yield from _column_pass(run, view.forward)
    yield (view.predicted.row, view.predicted.col), float(np.argmax(run.z[-1]))
    yield from block_values(view.target, y[:, None])
    yield (view.true.row, view.true.col), float(np.argmax(y))
    yield from drawing_values(spec, view.drawing, W, b, drawn)


def drawing_values(
    spec: Spec, d: Drawing, W: list[np.ndarray], b: list[np.ndarray], drawn: np.ndarray
) -> Placed:
    """((row, col), value) of every formula cell of the drawing, for the raw pixels `drawn`."""
    x = drawn_inputs(spec, drawn)
    yield from block_values(d.forward.pixels, x[:, None])
    run = layers(W, b, x, activations=_activations(spec))
    yield from _column_pass(run, d.forward)
    probs = run.a[-1]
    yield from block_values(d.probs, probs[None, :])
    yield (d.guess.row, d.guess.col), float(np.argmax(probs))

"""What each formula cell must hold, according to the engine: the oracle verify compares
with, and the cached values the writer stores beside the formulas."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from .engine import Trace, activate
from .layout import ImagesSheet, InputsSheet
from .spec import Spec


def step_value(trace: Trace, key: tuple, s: int, spec: Spec, hits_before: np.ndarray | None = None) -> float:
    """The value of quantity `key` at step s + 1 (s is 0-based, counted within `trace`).

    `hits_before` are the classifier hits of the steps before the trace, where it is one
    chunk of a longer run: the accuracy column looks back one epoch.
    """
    kind = key[0]
    if kind == "wt":
        return spec.w_true[key[1]]
    if kind == "hit":
        return trace.hits[s, key[1]]
    if kind == "bacc":
        return float(trace.hits[s].mean())
    if kind == "Wt":
        return trace.W[key[1] - 1][s, key[3], key[2]]
    if kind == "acc":
        epoch = spec.epoch
        window = trace.hits[max(0, s - epoch + 1) : s + 1]
        if hits_before is not None and s - epoch + 1 < 0:
            window = np.vstack([hits_before[max(0, len(hits_before) + s - epoch + 1) :], window])
        return float(window.mean())
    if kind == "raw":
        return trace.a[-1][s, key[1], key[2]] * spec.y_scale[key[2]]
    if kind == "step":
        return trace.first_step + s + 1
    if kind == "sample":
        return int(trace.samples[s, key[1]]) + 1
    if kind in ("W", "W+"):
        return trace.W[key[1] - 1][s + (kind == "W+"), key[2], key[3]]
    if kind in ("b", "b+"):
        return trace.b[key[1] - 1][s + (kind == "b+"), key[2]]
    if kind == "dW":
        return trace.dW[key[1] - 1][s, key[2], key[3]]
    if kind == "db":
        return trace.db[key[1] - 1][s, key[2]]
    if kind in ("x", "y"):
        return getattr(trace, kind)[s, key[1], key[2]]
    if kind in ("z", "a", "g", "d"):
        series = {"z": trace.z, "a": trace.a, "g": trace.g, "d": trace.delta}[kind]
        return series[key[2] - 1][s, key[1], key[3]]
    if kind == "m":
        return trace.softmax_max[s, key[1]]
    if kind == "S":
        return trace.softmax_sum[s, key[1]]
    if kind == "Lb":
        return trace.sample_loss[s, key[1]]
    if kind == "loss":
        return trace.loss[s]
    raise ValueError(f"unknown quantity {key}")


def inputs_values(spec: Spec, sheet: InputsSheet, trace: Trace) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) for every formula cell of the Inputs sheet."""
    yield (sheet.steps.row, sheet.steps.col), float(spec.steps)
    yield (sheet.batch.row, sheet.batch.col), float(spec.batch)
    X, Y = spec.X, spec.Y
    if spec.w_true is not None or spec.x_scale is not None:
        yield from _block(sheet.Y, Y)
    if spec.x_scale is not None:
        yield from _block(sheet.X, X)
    for l in range(spec.n_layers):
        yield from _block(sheet.W_final[l], trace.W[l][-1])
        if spec.bias:
            yield from _block(sheet.b_final[l], trace.b[l][-1][None, :])
        if sheet.W_final_T is not None:
            yield from _block(sheet.W_final_T[l], trace.W[l][-1].T)
    if sheet.X_test is not None:
        a = yield from _final_forward(spec, trace, spec.X_test, sheet.test_z, sheet.test_a)
        pred = np.argmax(a, axis=1)  # classes counted from 0, as MATCH(…) − 1 gives them
        true = np.argmax(spec.Y_test, axis=1)
        right = (pred == true).astype(float)
        yield from _block(sheet.test_pred, np.column_stack([pred, true, right]))
        yield (sheet.test_accuracy.row, sheet.test_accuracy.col), float(right.mean())
        k = spec.sizes[-1]
        yield from _block(sheet.confusion, np.array([[np.sum((true == i) & (pred == j)) for j in range(k)] for i in range(k)], dtype=float))


def images_values(spec: Spec, view: ImagesSheet, trace: Trace, pick: int) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) for every formula cell of the Images sheet, sample `pick` (1-based)."""
    x, y = spec.X[pick - 1], spec.Y[pick - 1]
    yield from _block(view.pixels, x[None, :])
    yield from _block(view.target, y[None, :])
    yield from _block(view.grid, x.reshape(view.grid.rows, view.grid.cols))
    a = yield from _final_forward(spec, trace, x[None, :], view.z, view.a)
    yield (view.predicted.row, view.predicted.col), float(np.argmax(a))
    yield (view.true.row, view.true.col), float(np.argmax(y))


def _final_forward(spec: Spec, trace: Trace, a: np.ndarray, z_blocks, a_blocks):
    """Cells of a forward pass with the final parameters (scores, no softmax, in the last
    layer: the arg-max is the same); returns the last layer's values."""
    for l in range(spec.n_layers):
        z = a @ trace.W[l][-1] + trace.b[l][-1]
        yield from _block(z_blocks[l], z)
        a = z
        if a_blocks[l] is not None:
            a = activate(spec.activation, z)
            yield from _block(a_blocks[l], a)
    return a


def _block(block, values: np.ndarray) -> Iterator[tuple[tuple[int, int], float]]:
    for i in range(block.rows):
        for j in range(block.cols):
            yield (block.row + i, block.col + j), float(values[i, j])

"""The trained network applied to inputs: every layer's z and a, the classes it picks, how
often they are right, and a one-layer classifier's decision line. What the Inputs and Images
sheets show of the final parameters is computed here, once: the sheets place these numbers,
verify expects them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..spec import Spec
from .functions import activate, softmax_parts


@dataclass(frozen=True)
class Layers:
    """A forward pass: z and a = f(z) of each layer, for rows of inputs or one vector."""

    z: tuple[np.ndarray, ...]
    a: tuple[np.ndarray, ...]  # the last layer's: the outputs (p with softmax or sigmoid)


def layers(
    W: Sequence[np.ndarray], b: Sequence[np.ndarray], X: np.ndarray, *, activations: Sequence[str]
) -> Layers:
    """Every layer's z and a for the inputs X: rows of inputs, or one vector (b zeros without
    bias); `activations` one name per layer, as train takes them."""
    a, zs, acts = X, [], []
    for name, w, v in zip(activations, W, b):
        z = a @ w + v
        a = _softmax(z) if name == "softmax" else activate(name, z)
        zs.append(z)
        acts.append(a)
    return Layers(tuple(zs), tuple(acts))


def _softmax(z: np.ndarray) -> np.ndarray:
    return softmax_parts(np.atleast_2d(z))[2].reshape(z.shape)


@dataclass(frozen=True)
class Classes:
    """What a classifier says of labelled inputs, classes counted from 0."""

    predicted: np.ndarray
    true: np.ndarray
    right: np.ndarray  # 1.0 where predicted = true
    accuracy: float
    confusion: np.ndarray  # counts: rows the true class, columns the predicted one


def classes(scores: np.ndarray, Y: np.ndarray) -> Classes:
    """The classes the last layer's scores z pick for rows of targets Y: the arg-max, or with
    one sigmoid output class 1 where p ≥ 0.5, that is z ≥ 0."""
    if scores.shape[1] == 1:
        predicted, true = (scores[:, 0] >= 0).astype(int), (Y[:, 0] >= 0.5).astype(int)
    else:
        predicted, true = np.argmax(scores, axis=1), np.argmax(Y, axis=1)
    right = (predicted == true).astype(float)
    k = max(2, scores.shape[1])
    confusion = np.array(
        [[np.sum((true == i) & (predicted == j)) for j in range(k)] for i in range(k)],
        dtype=float,
    )
    return Classes(predicted, true, right, float(right.mean()), confusion)


def decision_line(X: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two points (x1, x2) of the line w1·x1 + w2·x2 + b = 0 (z = 0, p = 0.5) of a layer with
    two inputs and one output, at the smallest and the largest x1 of X."""
    x1 = np.array([X[:, 0].min(), X[:, 0].max()])
    with np.errstate(divide="ignore", invalid="ignore"):
        x2 = -(W[0, 0] * x1 + b[0]) / W[1, 0]
    return np.column_stack([x1, x2])


def raw_scale(spec: Spec) -> np.ndarray:
    """What each input's raw value is divided by before the network sees it: the Inputs
    sheet's x_scale where the data are scaled there, else the scale the data were divided
    by as read (digits: 16), else 1."""
    if spec.x_scale is not None:
        return np.asarray(spec.x_scale, dtype=float)
    return np.full(spec.sizes[0], spec.pixel_scale or 1.0)


def drawn_inputs(spec: Spec, drawn: np.ndarray) -> np.ndarray:
    """The inputs the network sees of raw pixels `drawn` (side × side): divided as X is."""
    return np.asarray(drawn, dtype=float).reshape(-1) / raw_scale(spec)

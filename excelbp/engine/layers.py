"""Each layer's forward and backward pass side by side, as the training loop calls them
(llm.c's paired *_forward/*_backward): the matrix maths of a Dense layer (spec/layers.py)."""

from __future__ import annotations

import numpy as np

from .functions import activate, activation_slope, softmax_parts


def dense_forward(
    x: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """A batch's rows x (B, fan_in) → z = x · W + b, a = activation(z), and a softmax's
    helpers (max z, Σ e^(z − max z)) where it is one."""
    z = x @ W + b
    if activation == "softmax":
        m, ssum, a = softmax_parts(z)
        return z, a, (m, ssum)
    return z, activate(activation, z), None


def dense_backward(
    x: np.ndarray, W: np.ndarray, delta: np.ndarray, *, inputs_grad: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The layer's δ = ∂L/∂z over the batch → ∂L/∂W and ∂L/∂b (batch means), and ∂L/∂x,
    the layer below's upstream gradient (not made for the first layer: `inputs_grad`)."""
    dW = x.T @ delta / len(x)
    db = delta.mean(axis=0)
    return dW, db, delta @ W.T if inputs_grad else None


def activation_backward(activation: str, z: np.ndarray, a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """∂L/∂a of a layer's units → its δ = ∂L/∂z = f′(z) · ∂L/∂a."""
    return activation_slope(activation, z, a) * g

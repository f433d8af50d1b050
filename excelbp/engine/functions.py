"""The engine's functions: each activation and loss with its derivative right beside it.

Written independently of the workbook's formula text (excelbp/quantities/functions.py), so
that each can check the other. Semantics: docs/WORKBOOK.md ("Training semantics").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import InputError

# The vocabulary is the contract's, kept by the spec stage, with its one check of a network's
# activations; the functions below are the engine's own.
from ..spec import network
from ..spec.network import ACTIVATIONS, LOSSES, OUTPUT_ACTIVATION, layer_activations

__all__ = ["ACTIVATIONS", "LOSSES", "OUTPUT_ACTIVATION", "layer_activations"]
LEAKY_SLOPE = 0.01

# --- activations: f(z) and f'(z) expressed through z and a = f(z) -------------------


def activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "linear":
        return z
    if name == "sigmoid":
        # exp(min(z, 0)) / (1 + exp(-|z|)): never overflows, as in the workbook
        return np.exp(np.minimum(z, 0.0)) / (1.0 + np.exp(-np.abs(z)))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    raise ValueError(f"unknown activation {name!r}")


def activation_slope(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """f'(z), written with the activation a = f(z) where that is the usual form."""
    if name == "linear":
        return np.ones_like(z)
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a**2
    if name == "relu":
        return (z > 0).astype(float)  # 0 at z <= 0
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)  # the slope at z <= 0, as relu's 0 there
    raise ValueError(f"unknown activation {name!r}")


def check_activations(activations: Sequence[str], loss: str, n_layers: int) -> tuple[str, ...]:
    """The names as a tuple, or ValueError, for a caller of the engine that made no Spec: the
    spec's one rule (spec/network.py check_activations), with its words."""
    if isinstance(activations, str):
        raise ValueError(f"activations: one name per layer, got {activations!r}")
    names = tuple(activations)
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}")
    try:
        network.check_activations(names, loss, n_layers)
    except InputError as e:
        raise ValueError(str(e)) from None
    return names


# --- losses: per-sample loss and its gradient with respect to the output -------------


def sample_loss(name: str, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per-sample loss of outputs `out` (B × K) against targets `y` (B × K)."""
    diff = out - y
    k = out.shape[1]
    if name == "sse":
        return (diff**2).sum(axis=1)
    if name == "half_sse":
        return 0.5 * (diff**2).sum(axis=1)
    if name == "mse":
        return (diff**2).sum(axis=1) / k
    raise ValueError(f"no output-space loss {name!r}")


def loss_slope(name: str, out: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂(per-sample loss)/∂out."""
    diff = out - y
    if name == "sse":
        return 2.0 * diff
    if name == "half_sse":
        return diff
    if name == "mse":
        return 2.0 * diff / out.shape[1]
    raise ValueError(f"no output-space loss {name!r}")


def binary_cross_entropy(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """(1/K)·Σ −[y·ln p + (1 − y)·ln(1 − p)] with p = sigmoid(z), written as
    max(z, 0) − y·z + ln(1 + exp(−|z|)): finite for any z (log1p keeps its last term exact
    where exp(−|z|) is tiny)."""
    return (np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))).sum(axis=1) / z.shape[1]


def binary_cross_entropy_slope(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """∂(per-sample loss)/∂z = (p − y)/K: the sigmoid's slope cancels, as softmax's does."""
    return (p - y) / p.shape[1]


def hits(loss: str, p: np.ndarray, y: np.ndarray) -> np.ndarray | None:
    """Per sample 1 where classified right, else 0; None for a loss that is no classifier's.

    cross_entropy: the arg-max output is the target's. binary_cross_entropy: every output is
    on the target's side of 0.5 (p ≥ 0.5 exactly where y ≥ 0.5); with one output that is the
    usual threshold, with several (multi-label) a sample counts only when all its labels are
    right, so hits stay 0 and 1 like the arg-max ones."""
    if loss == "cross_entropy":
        return (np.argmax(p, axis=-1) == np.argmax(y, axis=-1)).astype(float)
    if loss == "binary_cross_entropy":
        return ((p >= 0.5) == (y >= 0.5)).all(axis=-1).astype(float)
    return None


def softmax_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable softmax: the row maximum m, S = Σ exp(z − m), and p = exp(z − m) / S."""
    m = z.max(axis=1)
    e = np.exp(z - m[:, None])
    s = e.sum(axis=1)
    return m, s, e / s[:, None]


def cross_entropy(z: np.ndarray, m: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−Σ y·ln softmax(z), as (m + ln S)·Σy − Σ y·z: finite for any z."""
    return (m + np.log(s)) * y.sum(axis=1) - (y * z).sum(axis=1)

"""The engine's functions: each activation and loss with its derivative right beside it.

Written independently of the workbook's formula text (excelbp/quantities/functions.py), so
that each can check the other. Semantics: docs/WORKBOOK.md ("Training semantics").
"""

from __future__ import annotations

import numpy as np

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
    raise ValueError(f"unknown activation {name!r}")


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


def softmax_parts(z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stable softmax: the row maximum m, S = Σ exp(z − m), and p = exp(z − m) / S."""
    m = z.max(axis=1)
    e = np.exp(z - m[:, None])
    s = e.sum(axis=1)
    return m, s, e / s[:, None]


def cross_entropy(z: np.ndarray, m: np.ndarray, s: np.ndarray, y: np.ndarray) -> np.ndarray:
    """−Σ y·ln softmax(z), as (m + ln S)·Σy − Σ y·z: finite for any z."""
    return (m + np.log(s)) * y.sum(axis=1) - (y * z).sum(axis=1)

"""The NumPy reference engine: trains a network and records every quantity of every step.

Written in matrix form, independently of the formula text, so that a workbook can be
checked against it. Semantics: docs/WORKBOOK.md ("Training semantics").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .functions import (
    activate,
    activation_slope,
    cross_entropy,
    loss_slope,
    sample_loss,
    softmax_parts,
)


@dataclass(frozen=True)
class Trace:
    """Every quantity of every step. Index [s] is step s + 1; layers are 1-based in keys.

    W[l-1] has shape (steps + 1, fan_in, fan_out): W[l-1][s] is used by step s + 1 and
    W[l-1][s + 1] is its update. Per-sample arrays have shape (steps, B, units).
    """

    first_step: int  # 0-based index of the trace's first step in the whole run
    samples: np.ndarray  # (steps, B) 0-based sample indices
    W: list[np.ndarray]
    b: list[np.ndarray]  # (steps + 1, fan_out); zeros where the layer has no bias
    x: np.ndarray  # (steps, B, inputs)
    y: np.ndarray  # (steps, B, outputs)
    z: list[np.ndarray]  # pre-activations per layer
    a: list[np.ndarray]  # activations per layer (softmax p for the last with cross_entropy)
    softmax_max: np.ndarray | None  # (steps, B)
    softmax_sum: np.ndarray | None
    sample_loss: np.ndarray  # (steps, B)
    loss: np.ndarray  # (steps,)
    g: list[np.ndarray]  # ∂L/∂a per layer (the upstream gradient)
    delta: list[np.ndarray]  # ∂L/∂z per layer
    dW: list[np.ndarray]  # (steps, fan_in, fan_out), mean over the batch
    db: list[np.ndarray]  # (steps, fan_out)
    hits: np.ndarray | None  # classifiers: (steps, B), 1 where the arg-max output is the target's class


def train(
    X: np.ndarray,
    Y: np.ndarray,
    W_init: list[np.ndarray],
    b_init: list[np.ndarray] | None,
    *,
    activation: str,
    loss: str,
    lr: float,
    batch: int,
    steps: int,
    first_step: int = 0,
) -> Trace:
    """Train by mini-batch gradient descent and return the trace of every step.

    Step s (1-based) uses samples (s−1)·B … s·B−1 modulo N; loss and gradients are
    batch means; every parameter is updated from the same forward pass. `first_step`
    continues a run (0-based index of the first step), so it can be computed in chunks.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    n_layers = len(W_init)
    has_bias = b_init is not None
    if b_init is None:
        b_init = [np.zeros(w.shape[1]) for w in W_init]
    W = [np.asarray(w, dtype=float).copy() for w in W_init]
    b = [np.asarray(v, dtype=float).copy() for v in b_init]
    softmax_out = loss == "cross_entropy"

    def per_step(units: int) -> np.ndarray:
        return np.empty((steps, batch, units))

    samples = ((first_step + np.arange(steps))[:, None] * batch + np.arange(batch)[None, :]) % len(X)
    t_W = [np.empty((steps + 1,) + w.shape) for w in W]
    t_b = [np.empty((steps + 1,) + v.shape) for v in b]
    t_z = [per_step(w.shape[1]) for w in W]
    t_a = [per_step(w.shape[1]) for w in W]
    t_g = [per_step(w.shape[1]) for w in W]
    t_d = [per_step(w.shape[1]) for w in W]
    t_dW = [np.empty((steps,) + w.shape) for w in W]
    t_db = [np.empty((steps,) + v.shape) for v in b]
    t_m = np.empty((steps, batch)) if softmax_out else None
    t_s = np.empty((steps, batch)) if softmax_out else None
    t_sl = np.empty((steps, batch))

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in range(steps):
            xb, yb = X[samples[s]], Y[samples[s]]
            for l in range(n_layers):
                t_W[l][s], t_b[l][s] = W[l], b[l]

            # forward
            acts = [xb]
            for l in range(n_layers):
                z = acts[-1] @ W[l] + b[l]
                if softmax_out and l == n_layers - 1:
                    m, ssum, a = softmax_parts(z)
                    t_m[s], t_s[s] = m, ssum
                else:
                    a = activate(activation, z)
                t_z[l][s], t_a[l][s] = z, a
                acts.append(a)

            # loss and backward
            if softmax_out:
                t_sl[s] = cross_entropy(t_z[-1][s], t_m[s], t_s[s], yb)
                delta = acts[-1] - yb  # softmax and cross-entropy together
                g = delta  # not shown in the workbook; kept for a uniform trace
            else:
                t_sl[s] = sample_loss(loss, acts[-1], yb)
                g = loss_slope(loss, acts[-1], yb)
                delta = activation_slope(activation, t_z[-1][s], acts[-1]) * g
            for l in range(n_layers - 1, -1, -1):
                t_g[l][s], t_d[l][s] = g, delta
                t_dW[l][s] = acts[l].T @ delta / batch
                t_db[l][s] = delta.mean(axis=0)
                if l > 0:
                    g = delta @ W[l].T
                    delta = activation_slope(activation, t_z[l - 1][s], acts[l]) * g

            # update, all parameters together
            W = [W[l] - lr * t_dW[l][s] for l in range(n_layers)]
            if has_bias:  # without bias b stays 0; db is still recorded for the record
                b = [b[l] - lr * t_db[l][s] for l in range(n_layers)]

        for l in range(n_layers):
            t_W[l][steps], t_b[l][steps] = W[l], b[l]

    return Trace(
        first_step=first_step,
        samples=samples,
        W=t_W,
        b=t_b,
        x=X[samples],
        y=Y[samples],
        z=t_z,
        a=t_a,
        softmax_max=t_m,
        softmax_sum=t_s,
        sample_loss=t_sl,
        loss=t_sl.mean(axis=1),
        g=t_g,
        delta=t_d,
        dW=t_dW,
        db=t_db,
        hits=(np.argmax(t_a[-1], axis=2) == np.argmax(Y[samples], axis=2)).astype(float) if softmax_out else None,
    )


def predict(W: list[np.ndarray], b: list[np.ndarray], X: np.ndarray, *, activation: str, loss: str) -> np.ndarray:
    """Outputs of the network for each row of X (softmax probabilities with cross_entropy)."""
    a = np.asarray(X, dtype=float)
    for l, (w, v) in enumerate(zip(W, b)):
        z = a @ w + v
        if loss == "cross_entropy" and l == len(W) - 1:
            a = softmax_parts(z)[2]
        else:
            a = activate(activation, z)
    return a

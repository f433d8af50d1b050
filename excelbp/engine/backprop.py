"""The NumPy reference engine: trains a network and records every quantity of every step.

Written in matrix form, independently of the formula text, so that a workbook can be
checked against it. Semantics: docs/WORKBOOK.md ("Training semantics").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .functions import (
    binary_cross_entropy,
    binary_cross_entropy_slope,
    check_activations,
    cross_entropy,
    hits,
    loss_slope,
    sample_loss,
)
from .layers import activation_backward, dense_backward, dense_forward
from .optimizers import SGD, Optimizer, State, initial_state, update


@dataclass(frozen=True)
class Trace:
    """Every quantity of every step. Index [s] is step s + 1; layers are 1-based in keys.

    W[l-1] has shape (steps + 1, fan_in, fan_out): W[l-1][s] is used by step s + 1 and
    W[l-1][s + 1] is its update. Per-sample arrays have shape (steps, B, units).

    The optimizer's side of each step, under PyTorch's names: opt[key][l-1] has shape
    (steps, fan_in, fan_out) and opt_b[key][l-1] (steps, fan_out), each the value after
    that step's update. Keys, always `grad` (the gradient the update used: ∂L/∂p, plus λ·p
    where weight decay applies), then momentum, nesterov: `velocity`; rmsprop:
    `square_avg`; adam, adamw: `exp_avg`, `exp_avg_sq`, `exp_avg_hat`, `exp_avg_sq_hat`;
    adagrad: `sum` (Optimizer.recorded lists them, from its rule). opt_b is empty without
    bias. `state` is the state after the last step, to continue the run from.
    """

    first_step: int  # 0-based index of the trace's first step in the whole run
    samples: np.ndarray  # (steps, B) 0-based sample indices
    W: list[np.ndarray]
    b: list[np.ndarray]  # (steps + 1, fan_out); zeros where the layer has no bias
    x: np.ndarray  # (steps, B, inputs)
    y: np.ndarray  # (steps, B, outputs)
    z: list[np.ndarray]  # pre-activations per layer
    a: list[np.ndarray]  # activations per layer (p for the last with either cross-entropy)
    softmax_max: np.ndarray | None  # (steps, B), with a softmax last layer
    softmax_sum: np.ndarray | None
    sample_loss: np.ndarray  # (steps, B)
    loss: np.ndarray  # (steps,)
    g: list[
        np.ndarray
    ]  # ∂L/∂a per layer (the upstream gradient; δ itself for the last with either cross-entropy)
    delta: list[np.ndarray]  # ∂L/∂z per layer
    dW: list[np.ndarray]  # (steps, fan_in, fan_out), mean over the batch
    db: list[np.ndarray]  # (steps, fan_out)
    hits: np.ndarray | None  # classifiers: (steps, B), 1 where classified right (functions.hits)
    opt: dict[str, list[np.ndarray]]
    opt_b: dict[str, list[np.ndarray]]
    state: State
    lr: np.ndarray  # (steps,) the rate each step used: lr_t of the schedule


def train(
    X: np.ndarray,
    Y: np.ndarray,
    W_init: list[np.ndarray],
    b_init: list[np.ndarray] | None,
    *,
    activations: Sequence[str],
    loss: str,
    lr: float | np.ndarray,
    batch: int,
    steps: int,
    first_step: int = 0,
    optimizer: Optimizer | None = None,
    state: State | None = None,
) -> Trace:
    """Train by mini-batch gradient descent and return the trace of every step.

    Step s (1-based) uses samples (s−1)·B … s·B−1 modulo N; loss and gradients are
    batch means; every parameter is updated from the same forward pass by `optimizer`
    (None: plain SGD) at rate `lr`, one for every step or one per step (a schedule's lr_t).
    `activations` names each layer's function (functions.check_activations).
    `first_step` continues a run (0-based index of the first step) from `state` (the
    previous chunk's `Trace.state`; None: zeros), so it can be computed in chunks.
    """
    X = np.asarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    n_layers = len(W_init)
    names = check_activations(activations, loss, n_layers)
    opt = SGD if optimizer is None else optimizer
    has_bias = b_init is not None
    if b_init is None:
        b_init = [np.zeros(w.shape[1]) for w in W_init]
    W = [np.asarray(w, dtype=float).copy() for w in W_init]
    b = [np.asarray(v, dtype=float).copy() for v in b_init]
    if state is None:
        state = initial_state(opt, W, b if has_bias else None)
    elif any(set(st) != set(opt.rule.state) for st in state.W):
        raise ValueError(
            f"the state given is not {opt.name}'s (keys {', '.join(opt.rule.state) or 'none'})"
        )
    st_W, st_b = list(state.W), list(state.b) if has_bias else None
    softmax_out = names[-1] == "softmax"
    bce = loss == "binary_cross_entropy"

    def per_step(units: int) -> np.ndarray:
        return np.empty((steps, batch, units))

    rates = np.broadcast_to(np.asarray(lr, dtype=float), (steps,))
    samples = ((first_step + np.arange(steps))[:, None] * batch + np.arange(batch)[None, :]) % len(
        X
    )
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
    t_opt = {key: [np.empty((steps,) + w.shape) for w in W] for key in opt.recorded}
    t_opt_b = (
        {key: [np.empty((steps,) + v.shape) for v in b] for key in opt.recorded} if has_bias else {}
    )

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for s in range(steps):
            xb, yb = X[samples[s]], Y[samples[s]]
            for l in range(n_layers):
                t_W[l][s], t_b[l][s] = W[l], b[l]

            # forward
            acts = [xb]
            for l in range(n_layers):
                z, a, softmax = dense_forward(acts[-1], W[l], b[l], names[l])
                if softmax is not None:
                    t_m[s], t_s[s] = softmax
                t_z[l][s], t_a[l][s] = z, a
                acts.append(a)

            # loss and backward
            if softmax_out:
                t_sl[s] = cross_entropy(t_z[-1][s], t_m[s], t_s[s], yb)
                delta = acts[-1] - yb  # softmax and cross-entropy together
                g = delta  # not shown in the workbook; kept for a uniform trace
            elif bce:
                t_sl[s] = binary_cross_entropy(t_z[-1][s], yb)
                delta = binary_cross_entropy_slope(acts[-1], yb)  # sigmoid and BCE together
                g = delta  # as with softmax: ∂L/∂p would be infinite where p is 0 or 1
            else:
                t_sl[s] = sample_loss(loss, acts[-1], yb)
                g = loss_slope(loss, acts[-1], yb)
                delta = activation_backward(names[-1], t_z[-1][s], acts[-1], g)
            for l in range(n_layers - 1, -1, -1):
                t_g[l][s], t_d[l][s] = g, delta
                t_dW[l][s], t_db[l][s], g = dense_backward(acts[l], W[l], delta, inputs_grad=l > 0)
                if l > 0:
                    delta = activation_backward(names[l - 1], t_z[l - 1][s], acts[l], g)

            # update, all parameters together; t is the run's 1-based step number
            t, lr = first_step + s + 1, float(rates[s])
            for l in range(n_layers):
                W[l], shown = update(opt, W[l], t_dW[l][s], st_W[l], t, lr)
                st_W[l] = {key: shown[key] for key in st_W[l]}
                for key, arr in shown.items():
                    t_opt[key][l][s] = arr
                if has_bias:  # without bias b stays 0; db is still recorded for the record
                    b[l], shown = update(opt, b[l], t_db[l][s], st_b[l], t, lr)
                    st_b[l] = {key: shown[key] for key in st_b[l]}
                    for key, arr in shown.items():
                        t_opt_b[key][l][s] = arr

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
        loss=_mean(t_sl),
        g=t_g,
        delta=t_d,
        dW=t_dW,
        db=t_db,
        hits=hits(loss, t_a[-1], Y[samples]),
        opt=t_opt,
        opt_b=t_opt_b,
        state=State(tuple(st_W), None if st_b is None else tuple(st_b)),
        lr=np.array(rates),
    )


def predict(
    W: list[np.ndarray], b: list[np.ndarray], X: np.ndarray, *, activations: Sequence[str]
) -> np.ndarray:
    """Outputs of the network for each row of X (probabilities p with a softmax or sigmoid
    last layer); `activations` one name per layer, as train takes them."""
    a = np.asarray(X, dtype=float)
    for name, w, v in zip(activations, W, b):
        a = dense_forward(a, w, v, name)[1]
    return a


def _mean(per_sample: np.ndarray) -> np.ndarray:
    """Each step's loss, the mean over its samples: a diverged run's is inf, not a warning
    (the run reports where it diverges)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return per_sample.mean(axis=1)

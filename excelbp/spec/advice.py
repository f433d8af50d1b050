"""Advice on a valid spec that will probably not train as its user means: one-line warnings
and notes for the command line to print. Nothing here is an error: the workbook is built."""

from __future__ import annotations

import math

import numpy as np

from .model import Spec

# What each output activation can reach. The limits themselves are approached, so targets
# of exactly 0 and 1 suit a sigmoid; softmax targets (cross-entropy) are checked one-hot.
REACH = {
    "sigmoid": (0.0, 1.0, "(0, 1)"),
    "tanh": (-1.0, 1.0, "(−1, 1)"),
    "relu": (0.0, math.inf, "values ≥ 0"),
}


def count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 step', '100,000 steps', '1 formula cell'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def advice(spec: Spec, *, source: str | None = None) -> list[str]:
    """Lines beginning "warning:" (the training cannot do what it seems to) or "note:".
    `source` names the data file, if the data came from one."""
    lines = (
        numbers_as_header(spec, source),
        unreachable_targets(spec, source),
        batch_over_data(spec),
    )
    return [line for line in lines if line]


def numbers_as_header(spec: Spec, source: str | None) -> str | None:
    """A data file whose first row is all numbers has probably lost its header: that row
    named the columns and is not trained on."""
    if source is None:
        return None
    names = spec.input_names + spec.output_names
    try:
        [float(n) for n in names]
    except ValueError:
        return None
    shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    return (
        f"warning: {source}: the first row ({shown}) is all numbers, so it was read as the header"
        " (the columns' names), not as data; give the file a header row of names"
    )


def unreachable_targets(spec: Spec, source: str | None = None) -> str | None:
    out = spec.act(spec.n_layers)
    if spec.loss in ("cross_entropy", "binary_cross_entropy") or out not in REACH:
        return None  # a classifier's targets are checked as it is validated
    low, high, reach = REACH[out]
    Y = np.asarray(spec.Y, dtype=float)
    outside = [k for k in range(Y.shape[1]) if Y[:, k].min() < low or Y[:, k].max() > high]
    if not outside:
        return None
    names = ", ".join(spec.output_names[k] for k in outside[:3]) + (
        ", …" if len(outside) > 3 else ""
    )
    low_seen, high_seen = Y[:, outside].min(), Y[:, outside].max()
    where = f"{source}: " if source else ""
    if out == "relu":
        fix = "shift the targets to be ≥ 0, or use a linear output (--activation linear)"
    else:
        fix = (
            f"scale the targets into {reach} (as the sigmoid-2-3-1 template does with y_scale), or"
            " use a linear output (--activation linear)"
        )
    return (
        f"warning: {where}the targets run from {low_seen:g} to {high_seen:g} ({names}), but a {out}"
        f" output only reaches {reach}, so the loss cannot fall far; {fix}"
    )


def batch_over_data(spec: Spec) -> str | None:
    if spec.batch <= spec.n_samples:
        return None
    return (
        f"note: a batch of {spec.batch:,} samples, but the data have {spec.n_samples:,}: samples"
        f" repeat within a step (each step takes the next {spec.batch:,} in turn, wrapping round)"
    )

"""The registry: every kind of per-step quantity, by name (kind.py says what a kind holds)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..engine import Chunk
from ..spec import Spec
from . import backward, forward, loss, optimizer
from .context import Context
from .kind import SECTIONS, Kind

KINDS: dict[str, Kind] = {
    k.name: k for k in (*forward.KINDS, *loss.KINDS, *backward.KINDS, *optimizer.KINDS)
}


def kind_of(key: tuple) -> Kind:
    return KINDS[key[0]]


def formula_pair(context: Context, key: tuple) -> tuple[str, str]:
    """(formula of step 1, formula of the later steps) of `key`."""
    f = kind_of(key).formula(context, key)
    first, later = f if isinstance(f, tuple) else (f, f)
    if context.first_differs:
        g = kind_of(key).formula(replace(context, first=True), key)
        first = g[0] if isinstance(g, tuple) else g
    return first, later


def values(chunk: Chunk, keys: list[tuple], spec: Spec) -> np.ndarray:
    """The engine's value of each key at each step of the chunk: steps × keys."""
    steps = len(chunk.trace.loss)
    out = np.empty((steps, len(keys)))
    for k, key in enumerate(keys):
        out[:, k] = kind_of(key).series(chunk, key, spec)
    return out


def explained() -> list[Kind]:
    """The kinds How it works names, section by section in the order a learner meets them."""
    order = ("forward", "loss", "backward", "params", "gradient", "optimizer", "update")
    return sorted((k for k in KINDS.values() if k.explain), key=lambda k: order.index(k.section))


__all__ = ["KINDS", "SECTIONS", "Kind", "explained", "formula_pair", "kind_of", "values"]

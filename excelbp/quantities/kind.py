"""What the registry says of each kind of quantity (see registry.py for the list)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine import Chunk
from ..spec import Spec
from ..words import words
from .context import Context
from .names import dest, unit

# The sections of a step, in the order a learner meets them; each has its colour.
SECTIONS = (
    "step",
    "params",
    "reference",
    "forward",
    "loss",
    "backward",
    "gradient",
    "optimizer",
    "update",
)


@dataclass(frozen=True, kw_only=True)
class Kind:
    """One kind of per-step quantity: a key's first item names it (registry.py)."""

    name: str
    section: str  # one of SECTIONS: its column group and colour
    series: Callable[[Chunk, tuple, Spec], np.ndarray]  # the engine's value at each step of a chunk
    formula: Callable[[Context, tuple], str | tuple[str, str]]  # one text, or (step 1, later steps)
    header: Callable[[Spec, tuple], str]
    note: Callable[[Spec, tuple], str | None] = lambda spec, key: None  # the formula in words
    style: str  # real, int or percent (sheets/style.py)
    verify: str  # the group `excelbp verify` reports it in
    explain: str | None = None  # its name in How it works' table of places


def say(spec: Spec, key: str) -> str:
    return words(spec.lang)[key]


def prev_activation(b: int, l: int, i: int) -> tuple:
    """The activation that feeds layer l: the input itself for the first layer."""
    return ("x", b, i) if l == 1 else ("a", b, l - 1, i)


def weight_name(spec: Spec, l: int, i: int, j: int) -> str:
    return f"w {unit(spec, l - 1, i)}→{dest(spec, l, j)}"


def bias_name(spec: Spec, key: tuple) -> str:
    """A bias by the unit it feeds: b h1 (key: (kind, l, j))."""
    return f"b {dest(spec, key[1], key[2])}"


def param_name(spec: Spec, key: tuple) -> str:
    """A weight or bias key (of any per-parameter kind) by name: w x1→h2, b h2."""
    return weight_name(spec, *key[1:]) if len(key) == 4 else bias_name(spec, key)

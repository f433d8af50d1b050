"""The drawing on the Images sheet: a grid the learner types pixels into, on the data's own
raw scale, and what the trained network makes of it (its probabilities and its guess)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..layout.grid import quoted
from ..layout.images import Drawing
from ..layout.inputs import InputsSheet
from ..spec import Spec
from ..spec.model import fifteen_digits
from .forward import (
    Cells,
    block_values,
    column_pass_formulas,
    column_pass_values,
    output_formulas,
    output_values,
)


def raw_scale(spec: Spec) -> np.ndarray:
    """What each input's raw value is divided by before the network sees it: the Inputs
    sheet's x_scale where the data are scaled there, else the scale the data were divided
    by as read (digits: 16), else 1."""
    if spec.x_scale is not None:
        return np.asarray(spec.x_scale, dtype=float)
    return np.full(spec.sizes[0], spec.pixel_scale or 1.0)


def drawing_image(spec: Spec) -> np.ndarray:
    """The drawing's first picture, side × side on the raw scale: the first held-out image
    whose class differs from training sample 1's, so that its guess differs from the picked
    sample's (without a test set, the first such training sample)."""
    first = int(np.argmax(spec.Y[0]))
    if spec.X_test is not None:
        X, Y = spec.X_test * raw_scale(spec), spec.Y_test
    else:
        X, Y = spec.raw_X, spec.Y
    t = next((t for t in range(len(X)) if int(np.argmax(Y[t])) != first), 0)
    # raw pixels are whole numbers (0-255): k/255·255 is k again once rounded
    image = np.round(X[t]) if spec.scale_pixels else fifteen_digits(X[t])
    return image.reshape(spec.image_side, spec.image_side)


def drawing_formulas(spec: Spec, d: Drawing, inputs: InputsSheet, out: Cells) -> None:
    """The pixels the network sees (the drawing divided as X is), its pass, probabilities and
    guess."""
    side, p = d.grid.rows, d.forward.pixels
    for k in range(p.rows):
        pixel = d.grid.cell(k // side, k % side, absolute=False)
        if spec.x_scale is not None:  # exactly as X = raw / x_scale on Inputs
            out[(p.row + k, p.col)] = f"={pixel}/{quoted(inputs.title)}!{inputs.x_scale.cell(0, k)}"
        else:
            out[(p.row + k, p.col)] = (
                f"={pixel}/{spec.pixel_scale:g}" if spec.pixel_scale else f"={pixel}"
            )
    z = column_pass_formulas(spec, inputs, d.forward, out)
    output_formulas(spec, z, d.probs, out)
    probs = d.probs.ref()
    out[(d.guess.row, d.guess.col)] = f"=MATCH(MAX({probs}),{probs},0)-1"  # class 0, 1, …


def drawing_values(
    spec: Spec, d: Drawing, W: list[np.ndarray], b: list[np.ndarray], drawn: np.ndarray
) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) of every formula cell of the drawing, for the raw pixels `drawn`."""
    x = np.asarray(drawn, dtype=float).reshape(-1) / raw_scale(spec)
    yield from block_values(d.forward.pixels, x[:, None])
    z = yield from column_pass_values(spec, d.forward, W, b, x)
    probs = output_values(spec, z)
    yield from block_values(d.probs, probs[None, :])
    yield (d.guess.row, d.guess.col), float(np.argmax(probs))

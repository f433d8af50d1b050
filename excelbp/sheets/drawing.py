"""The drawing on the Images sheet: a grid the learner types pixels into, on the data's own
raw scale, and what the trained network makes of it (its probabilities and its guess)."""

from __future__ import annotations

import numpy as np

from ..engine import raw_scale
from ..layout.images import Drawing
from ..layout.inputs import InputsSheet
from ..quantities.context import quoted
from ..spec import Spec
from ..spec.model import fifteen_digits
from .forward import Cells, column_pass_formulas, output_formulas


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

"""Where the Images sheet puts things: the picked sample as a row and as a grid, and the
final network's forward pass for it."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec import Spec
from .grid import Block


@dataclass(frozen=True)
class ImagesSheet:
    """One sample shown as an image, chosen by typing its number: its pixels as a row (for
    the forward pass) and as a side × side grid (for the eye), and the final network's guess."""

    pick: Block  # the sample number (an input)
    pixels: Block  # 1 × inputs: INDEX(X, pick, k)
    target: Block  # 1 × outputs: INDEX(Y, pick, k)
    grid: Block  # side × side: the same pixels, row by row
    z: tuple[Block, ...]  # 1 × units, per layer, with the final parameters
    a: tuple[Block | None, ...]
    predicted: Block
    true: Block


def images_sheet(spec: Spec) -> ImagesSheet | None:
    side = spec.image_side
    if not side:
        return None
    pixels = Block(4, 2, 1, spec.sizes[0])
    col, z, a = 2, [], []
    for l in range(1, spec.n_layers + 1):
        z.append(Block(6 + 2 * (l - 1), col, 1, spec.sizes[l]))
        hidden = l < spec.n_layers and spec.activation != "linear"
        a.append(Block(7 + 2 * (l - 1), col, 1, spec.sizes[l]) if hidden else None)
    below = 8 + 2 * spec.n_layers
    return ImagesSheet(
        pick=Block(2, 2, 1, 1),
        pixels=pixels,
        target=Block(5, 2, 1, spec.sizes[-1]),
        grid=Block(below, 2, side, side),
        z=tuple(z),
        a=tuple(a),
        predicted=Block(below, side + 4, 1, 1),
        true=Block(below + 1, side + 4, 1, 1),
    )

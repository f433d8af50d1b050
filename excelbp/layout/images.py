"""Where the Images sheet puts things: the picked sample as a picture (a side × side grid of
coloured cells), the final network's guess beside it, and its forward pass to the right,
each layer a column, so that each sum pairs a column of activations with a column of the
final weights on Inputs."""

from __future__ import annotations

from dataclasses import dataclass

from ..quantities.names import has_activation_column, softmax_output
from ..spec import Spec
from .grid import Block, title

TOP = 5  # the picture and the columns of the forward pass start on this row


@dataclass(frozen=True)
class ImagesSheet:
    pick: Block  # the sample number (an input)
    predicted: Block
    true: Block
    grid: Block  # side × side: the pixels, row by row
    pixels: Block  # inputs × 1: INDEX(X, pick, k)
    z: tuple[Block, ...]  # units × 1, per layer, with the final parameters
    a: tuple[Block | None, ...]  # hidden layers' activations (None where a = z, and for the last)
    target: Block  # outputs × 1: INDEX(Y, pick, k)
    title: str = "Images"


def images_sheet(spec: Spec) -> ImagesSheet | None:
    side = spec.image_side
    if not side:
        return None
    col = 4 + side + 1  # after the picture and a blank column; each group: names, then values
    pixels = Block(TOP, col + 1, spec.sizes[0], 1)
    col += 3
    z, a = [], []
    for l in range(1, spec.n_layers + 1):
        n = spec.sizes[l]
        z.append(Block(TOP, col + 1, n, 1))
        # the last layer stays scores: the arg-max needs no softmax
        hidden = l < spec.n_layers and has_activation_column(spec, l) and not softmax_output(spec, l)
        a.append(Block(TOP, col + 2, n, 1) if hidden else None)
        col += 3 + (1 if hidden else 0)
    target = Block(TOP, z[-1].col + 1, spec.sizes[-1], 1)
    return ImagesSheet(
        pick=Block(2, 2, 1, 1),
        predicted=Block(TOP, 2, 1, 1),
        true=Block(TOP + 1, 2, 1, 1),
        grid=Block(TOP, 4, side, side),
        pixels=pixels,
        z=tuple(z),
        a=tuple(a),
        target=target,
        title=title(spec.lang, "images"),
    )

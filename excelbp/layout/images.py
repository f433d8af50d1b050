"""Where the Images sheet puts things: the picked sample as a picture (a side × side grid of
coloured cells), the final network's guess beside it, and its forward pass to the right,
each layer a column, so that each sum pairs a column of activations with a column of the
final weights on Inputs. Below the picture, a grid the learner draws in, with the network's
guess and a chart of its probabilities; that drawing's own forward pass lies to the right
of the picked sample's, ending in the row of probabilities."""

from __future__ import annotations

from dataclasses import dataclass

from ..quantities.names import has_activation_column, softmax_output
from ..spec import Spec
from ..words import sheet_title
from .grid import Block

TOP = 5  # the picture and the columns of the forward pass start on this row


@dataclass(frozen=True)
class Pass:
    """A forward pass with the final parameters, one column per layer."""

    pixels: Block  # inputs × 1
    z: tuple[Block, ...]  # units × 1, per layer
    a: tuple[Block | None, ...]  # hidden layers' activations (None where a = z, and for the last)


@dataclass(frozen=True)
class Drawing:
    heading: int  # the row of the section's title; its note on the two rows below
    grid: Block  # side × side: the pixels typed in, on the raw data's scale (inputs)
    forward: Pass  # pixels = grid / scale
    probs: Block  # 1 × outputs: the last layer's output (softmax, or its activation)
    guess: Block  # the arg-max class
    chart_row: int  # the bar chart of the probabilities, under the guess


@dataclass(frozen=True)
class ImagesSheet:
    pick: Block  # the sample number (an input)
    predicted: Block
    true: Block
    grid: Block  # side × side: the pixels, row by row
    forward: Pass  # pixels: INDEX(X, pick, k); the last layer stays scores
    target: Block  # outputs × 1: INDEX(Y, pick, k)
    drawing: Drawing
    title: str = "Images"


def _pass(spec: Spec, col: int) -> tuple[Pass, int]:
    """The columns of a forward pass from column `col` on (each group: names, then values,
    then a gap); returns them and the next free column."""
    pixels = Block(TOP, col + 1, spec.sizes[0], 1)
    col += 3
    z, a = [], []
    for l in range(1, spec.n_layers + 1):
        n = spec.sizes[l]
        z.append(Block(TOP, col + 1, n, 1))
        # the last layer stays scores: the arg-max needs no softmax
        hidden = (
            l < spec.n_layers and has_activation_column(spec, l) and not softmax_output(spec, l)
        )
        a.append(Block(TOP, col + 2, n, 1) if hidden else None)
        col += 3 + (1 if hidden else 0)
    return Pass(pixels, tuple(z), tuple(a)), col


def images_sheet(spec: Spec) -> ImagesSheet | None:
    side = spec.image_side
    if not side:
        return None
    picked, _ = _pass(spec, 4 + side + 1)  # after the picture and a blank column
    target = Block(TOP, picked.z[-1].col + 1, spec.sizes[-1], 1)
    # the drawing under the picture, in the same columns; its pass after the target column
    heading = TOP + side + 2
    grid = Block(heading + 3, 4, side, side)
    drawn, col = _pass(spec, target.col + 2)
    guess = Block(grid.row + side + 1, 2, 1, 1)
    drawing = Drawing(
        heading, grid, drawn, Block(TOP, col, 1, spec.sizes[-1]), guess, guess.row + 2
    )
    return ImagesSheet(
        pick=Block(2, 2, 1, 1),
        predicted=Block(TOP, 2, 1, 1),
        true=Block(TOP + 1, 2, 1, 1),
        grid=Block(TOP, 4, side, side),
        forward=picked,
        target=target,
        drawing=drawing,
        title=sheet_title(spec.lang, "images"),
    )

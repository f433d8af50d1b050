"""What a formula needs to know of where things are: the step layout's places and the Inputs
sheet's blocks. Declared here as protocols, so the maths does not depend on any layout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from ..spec import Spec

# Up to this many terms a weighted sum is written out (x0*w0+x1*w1, as in the seeds);
# beyond it one SUMPRODUCT over two contiguous ranges is cheaper and shorter.
EXPLICIT_TERMS = 4


def quoted(title: str) -> str:
    """A sheet's name as a formula writes it: 'quoted' unless plain letters and digits."""
    return (
        title
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", title)
        else "'" + title.replace("'", "''") + "'"
    )


class Places(Protocol):
    """Where a step sheet keeps each quantity (layout/step_sheet.py)."""

    def at(self, key: tuple, which: str = "r", *, fixed_column: bool = False) -> str:
        """The cell of `key` in this step ("r") or the previous one ("p"), as a template;
        `fixed_column`: its column absolute ($F{r3})."""

    def has(self, key: tuple) -> bool: ...

    def line(self, keys: list[tuple], *, fixed_column: bool = False) -> tuple[str, str] | None:
        """("across" | "down", range template) where the keys fill one row or column in order."""

    def window(self, keys: list[tuple]) -> str:
        """The range of these keys' cells over the last epoch's steps, as a template."""


class Block(Protocol):
    def cell(self, i: int = 0, j: int = 0, *, absolute: bool = True) -> str: ...

    def letter(self, j: int = 0) -> str: ...


class InputCells(Protocol):
    """The Inputs sheet's cells a step reads (layout/inputs.py)."""

    title: str
    X: Block
    Y: Block
    W_init: tuple[Block, ...]
    W_init_T: (
        tuple[Block | None, ...] | None
    )  # a first layer read in place: its initial weights turned
    b_init: tuple[Block, ...] | None
    w_true: Block | None
    y_scale: Block | None


@dataclass(frozen=True)
class Context:
    """One step sheet's formulas: the spec, the sheet's places and the Inputs cells; `lr`
    is what its updates multiply by: the name `lr`, or on a learning-rate sweep's copy the
    sweep sheet's cell of its rate ('LR sweep'!$B$4)."""

    spec: Spec
    places: Places
    inputs: InputCells
    lr: str = "lr"
    first: bool = False  # step 1's formulas (registry.formula_pair asks where steps differ)

    def at(self, key: tuple, which: str = "r", *, fixed_column: bool = False) -> str:
        return self.places.at(key, which, fixed_column=fixed_column)

    def span(self, first: tuple, last: tuple) -> str:
        return f"{self.at(first)}:{self.at(last)}"

    @property
    def inputs_sheet(self) -> str:
        return quoted(self.inputs.title)

    def on_inputs(self, block: Block, i: int = 0, j: int = 0) -> str:
        return f"{self.inputs_sheet}!{block.cell(i, j)}"

    # --- a layer read in place (Dense.in_place, layout/blocks.py) ------------------------

    @property
    def first_differs(self) -> bool:
        """Whether step 1's formulas differ from the later steps': a layer read in place has
        no cells of the weights it uses, so step 1 reads the initial ones on Inputs where
        later steps read the previous step's update."""
        return any(layer.in_place for layer in self.spec.layers)

    def used(self, key: tuple) -> str:
        """A parameter as this step uses it: its own cell, or where the step has none (a first
        layer read in place) the previous step's update, at step 1 the initial value on Inputs."""
        if self.places.has(key):
            return self.at(key)
        if not self.first:
            return self.at(("W+" if key[0] == "W" else "b+",) + key[1:], "p")
        if key[0] == "W":
            return self.on_inputs(self.inputs.W_init[key[1] - 1], key[2], key[3])
        return self.on_inputs(self.inputs.b_init[key[1] - 1], 0, key[2])

    def batch_product(self, l: int) -> str:
        """The batch's z of layer l as one matrix product (an array formula over samples ×
        units): MMULT(the batch's rows of X, W as used, turned back) + the biases as a row."""
        layer, B = self.spec.layers[l - 1], self.spec.batch
        n, H = layer.fan_in, layer.fan_out
        X = self.inputs.X
        rows = f"{self.inputs_sheet}!${X.letter(0)}${{d0}}:${X.letter(n - 1)}${{d{B - 1}}}"
        if self.first:  # the initial weights turned on Inputs, the biases a row there
            T = self.inputs.W_init_T[l - 1]
            weights = f"{self.inputs_sheet}!{T.cell(0, 0)}:{T.cell(H - 1, n - 1)}"
            text = f"MMULT({rows},TRANSPOSE({weights}))"
            if layer.bias:
                b = self.inputs.b_init[l - 1]
                text += f"+{self.inputs_sheet}!{b.cell(0, 0)}:{b.cell(0, H - 1)}"
            return "=" + text
        turned = f"{self.at(('W+', l, 0, 0), 'p')}:{self.at(('W+', l, n - 1, H - 1), 'p')}"
        text = f"MMULT({rows},TRANSPOSE({turned}))"
        if layer.bias:  # the last column of the turned update
            text += f"+TRANSPOSE({self.at(('b+', l, 0), 'p')}:{self.at(('b+', l, H - 1), 'p')})"
        return "=" + text

    def x_batch(self, i: int) -> str:
        """Input i over the batch: a column of X on Inputs (the batch's rows are consecutive);
        the column relative, so that a row of ∂L/∂W is one formula moved along it."""
        X, last = self.inputs.X, self.spec.batch - 1
        return f"{self.inputs_sheet}!{X.letter(i)}${{d0}}" + (
            f":{X.letter(i)}${{d{last}}}" if last else ""
        )

    def dot(self, xs: list[tuple], ws: list[tuple]) -> str:
        """Σ x·w over two lists of keys: written out while short (x1*w1+x2*w2, as the seeds
        write it), one SUMPRODUCT where both lie along a row, or both down a column."""
        if len(xs) > EXPLICIT_TERMS:
            a, b = self.places.line(xs), self.places.line(ws)
            if a and b and a[0] == b[0]:
                return f"SUMPRODUCT({a[1]},{b[1]})"
        return "+".join(f"{self.at(x)}*{self.at(w)}" for x, w in zip(xs, ws))

    def batch_mean(self, terms: list[tuple], weights: list[tuple] | None = None) -> str:
        """The mean over the batch of `terms` (times `weights`): SUMPRODUCT(…)/B or AVERAGE(…)
        where the batch lies down a column, else the terms written out."""
        B = len(terms)
        if B > 1 and (line := self.places.line(terms)):
            if weights is None:
                return f"AVERAGE({line[1]})"
            other = self.places.line(weights)
            if other and other[0] == line[0]:
                return f"SUMPRODUCT({line[1]},{other[1]})/{B}"
        if weights is None:
            return _mean([self.at(t) for t in terms])
        return _mean([f"{self.at(t)}*{self.at(w)}" for t, w in zip(terms, weights)])


def _mean(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"({'+'.join(terms)})/{len(terms)}"

"""The one abstraction both step layouts implement: a sheet whose rows repeat once per step.

A step occupies `height` rows from `row(step)`; each quantity of the step has a place
(row within the step, 0-based column). The layout gives a cell as a template, F{r3}, in which
`{r}` (rows layout) or `{r<dr>}` (blocks layout) stand for this step's rows, `{p…}` for the
previous step's, `{d<b>}` for the Inputs row of sample b, `{t<dr>}` for a mirrored sheet's
rows and `{w}` for the first row of the last epoch; the formulas quantities/ writes with them
are templates too, and `fill` gives their values for one step. The layout writes no formula.
"""

from __future__ import annotations

from dataclasses import dataclass

from .grid import Block, Ref


@dataclass(frozen=True)
class Label:
    """A text the layout places. `says` is what it names, for the sheets stage to put in
    words: ("word", key) · ("section", name) · ("sub", kind, n) · ("header", key) ·
    ("area", kind, layer, cols) · ("unit", layer, i) · ("dest", layer, j) · ("blank",)."""

    row: int  # the sheet row of a heading; the row within the step of a step's label
    col: int  # 0-based
    says: tuple
    style: str
    note: tuple | None = None  # what a note on it explains (the first step's only)


class StepSheet:
    """Where a step's quantities live on one sheet. Subclasses give `title`, `first_row`,
    `height`, `width`, `position`, `positions`, `at`, `fill`, and the texts they place."""

    title: str
    first_row: int
    height: int
    width: int
    epoch: int

    def row(self, step: int) -> int:
        """Sheet row (1-based) of the top of step `step` (1-based)."""
        return self.first_row + (step - 1) * self.height

    def position(self, key: tuple) -> tuple[int, int]:
        """(row within the step, 0-based column)."""
        raise NotImplementedError

    def positions(self) -> list[tuple[tuple, int, int]]:
        """(key, row within the step, 0-based column) of every formula cell of a step
        (aliases, which share another key's cell, are not listed)."""
        raise NotImplementedError

    def has(self, key: tuple) -> bool:
        raise NotImplementedError

    def at(self, key: tuple, which: str = "r", *, fixed_column: bool = False) -> str:
        """The cell of `key` at this step ("r") or the previous one ("p") as a template: F{r3}
        (blocks), F{r} (rows); `fixed_column`: $F{r3}."""
        raise NotImplementedError

    def fill(self, step: int, data_rows: list[int]) -> dict[str, int]:
        raise NotImplementedError

    def window(self, keys: list[tuple]) -> str:
        """These keys' cells over the last epoch's steps: one-row-per-step sheets only."""
        raise NotImplementedError(f"{self.title}: no window of steps")

    def mirror(self, key: tuple) -> tuple[str, str] | None:
        """Where a cell that only shows another sheet's cell finds it: (that sheet's title, the
        cell as a template, B{t3}); None for a cell of this sheet's own."""
        return None

    def heading(self) -> list[Label]:
        """Texts above the first step (sheet rows)."""
        return []

    def step_labels(self) -> list[Label]:
        """Texts repeated in every step (rows within the step)."""
        return []

    def freeze(self) -> str | None:
        return None

    def heatmaps(self, steps: int) -> list[str]:
        """Ranges of weight matrices to colour, one colour scale each."""
        return []

    def shared_runs(self) -> list[tuple[int, int, int, int]]:
        """Runs of a row whose formulas are one formula moved along it, written once (a shared
        formula): (row within the step, first and last 0-based column, first step)."""
        return []

    def array_blocks(self) -> list[tuple[int, int, int, int]]:
        """Rectangles of a step computed by one array formula, written on their first cell:
        (first row within the step, first 0-based column, last row, last column)."""
        return []

    # --- shared ------------------------------------------------------------------------

    def line(self, keys: list[tuple], *, fixed_column: bool = False) -> tuple[str, str] | None:
        """("across" | "down", range template) where the keys fill one row or one column, in
        this order; None where they do not."""
        cells = [self.position(k) for k in keys]
        ends = [self.at(k, fixed_column=fixed_column) for k in (keys[0], keys[-1])]
        (r0, c0), rng = cells[0], ":".join(ends)
        if all(rc == (r0, c0 + k) for k, rc in enumerate(cells)):
            return "across", rng
        if all(rc == (r0 + k, c0) for k, rc in enumerate(cells)):
            return "down", rng
        return None

    def ref(self, key: tuple, step: int, last: tuple | None = None) -> Ref:
        """The cell of `key` at step `step`, absolute (to `last`'s: a range)."""
        cells = [self._cell(k, step) for k in (key, last) if k is not None]
        return Ref(self.title, ":".join(cells))

    def _cell(self, key: tuple, step: int) -> str:
        dr, c = self.position(key)
        return Block(self.row(step) + dr, c + 1, 1, 1).cell()

    def kind_columns(self, kind: str) -> list[int]:
        """0-based columns holding quantities of this kind (aliases excluded)."""
        return sorted({c for key, _, c in self.positions() if key[0] == kind})

    def extent(self, steps: int) -> tuple[int, int]:
        """Rows × columns the sheet spans with `steps` steps."""
        return self.row(steps) + self.height - 1, self.width

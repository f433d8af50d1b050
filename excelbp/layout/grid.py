"""Rectangles of cells, and references to the cells of a named sheet: positions, printed A1."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from ..quantities.context import quoted

__all__ = ["STRUCTURE", "Block", "Ref", "letter"]

STRUCTURE = "excelbp"  # hidden: what verify needs to rebuild the layout; never translated


def letter(col: int) -> str:
    """The column letter of a 1-based column."""
    return get_column_letter(col)


@dataclass(frozen=True)
class Block:
    """A rectangle of cells: top-left (row, col), 1-based, and its shape."""

    row: int
    col: int
    rows: int
    cols: int

    def cell(self, i: int = 0, j: int = 0, *, absolute: bool = True) -> str:
        d = "$" if absolute else ""
        return f"{d}{letter(self.col + j)}{d}{self.row + i}"

    def row_span(self, i: int = 0) -> str:
        """Row i of the block as a relative range, e.g. B5:D5."""
        return f"{self.cell(i, 0, absolute=False)}:{self.cell(i, self.cols - 1, absolute=False)}"

    def column_span(self, j: int = 0) -> str:
        """Column j of the block as an absolute range, e.g. $B$5:$B$9."""
        return f"{self.cell(0, j)}:{self.cell(self.rows - 1, j)}"

    def letter(self, j: int = 0) -> str:
        return letter(self.col + j)

    def ref(self, *, absolute: bool = True) -> str:
        """The block: one cell, or its range ($B$5:$D$9; without `absolute`, B5:D9)."""
        top, end = (
            self.cell(absolute=absolute),
            self.cell(self.rows - 1, self.cols - 1, absolute=absolute),
        )
        return top if (self.rows, self.cols) == (1, 1) else f"{top}:{end}"

    def cells(self):
        """(row, col) of every cell, row by row."""
        return [(self.row + i, self.col + j) for i in range(self.rows) for j in range(self.cols)]


@dataclass(frozen=True)
class Ref:
    """Cells of a named sheet: a reference that prints itself as a formula writes it,
    'LR sweep'!$B$4 or Inputs!$B$5:$D$9."""

    sheet: str  # the sheet's title
    cells: str  # a cell or a range on it: $B$4, $B$5:$D$9

    def __str__(self) -> str:
        return f"{quoted(self.sheet)}!{self.cells}"

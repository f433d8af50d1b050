"""Rectangles of cells, and the sheets' titles."""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from ..quantities.context import quoted
from ..words import words

__all__ = ["STRUCTURE", "Block", "letter", "quoted", "title"]

STRUCTURE = "excelbp"  # hidden: what verify needs to rebuild the layout; never translated


def title(lang: str, sheet: str) -> str:
    """A sheet's name in the workbook's language: inputs, steps, training or images."""
    return words(lang)[f"sheet_{sheet}"]


def titles(lang: str) -> dict[str, str]:
    """Every sheet's name, for texts that mention them ({inputs}, {steps}, … in the words)."""
    return {k: title(lang, k) for k in ("inputs", "steps", "training", "images")} | {
        "how": words(lang)["how_title"]
    }


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

    def ref(self) -> str:
        end = self.cell(self.rows - 1, self.cols - 1)
        return self.cell() if (self.rows, self.cols) == (1, 1) else f"{self.cell()}:{end}"

    def cells(self):
        """(row, col) of every cell, row by row."""
        return [(self.row + i, self.col + j) for i in range(self.rows) for j in range(self.cols)]

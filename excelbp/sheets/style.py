"""The look of every sheet, decided once: how wide a column must be for what it holds, and
how tall a row for the wrapped text in it.

Number styles (writer/styles.py gives their formats): `real` (General: as many digits as the
column shows, so 0.61, 196 and 1.96E-05 each read naturally), `int`, `percent`, `input`
(typed by the learner), `pixel` (an image's cell: its colour says it, no figure), `drawing`
(a pixel the learner types: a small figure on its colour), `guess` (one large class). Text
styles: `header_<section>` wraps inside its cell; every other text reads on one line, running
over the empty cells to its right, and its column widens where a neighbour would cut it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .cells import Cell

# characters a number of each style needs, with the cell's padding
NUMBER_WIDTH = {
    "real": 11.0,
    "input": 11.0,
    "int": 6.0,
    "percent": 8.0,
    "pixel": 2.6,
    "drawing": 2.6,
    "guess": 6.0,
}
MIN_WIDTH, MAX_WIDTH = 4.0, 60.0
MAX_HEADER_WIDTH = 18.0  # a wrapped header takes more lines rather than a wider column
LINE_HEIGHT = 15.0  # points, at the default 11-point font
RUN_ON = 40  # columns a one-line text may run over before it counts as free to run on
BIG_TEXT = {"title": 1.3, "section": 1.1}  # larger fonts take more room


def text_width(text: str, style: str = "text") -> float:
    """Characters of the default font's width: East Asian wide characters count twice."""
    n = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))
    return (
        n
        * BIG_TEXT.get(style, 1.0)
        * (
            1.1
            if style in ("label", "title", "section")
            or style.startswith(("header_", "group_", "sub_"))
            else 1.0
        )
    )


def wraps(style: str) -> bool:
    return style.startswith("header_")


@dataclass(frozen=True)
class RowHeights:
    """Row heights in points: `fixed` by sheet row, and `repeat` by row within a step for
    every step from `first` on, each `period` rows (a block's rows)."""

    fixed: dict[int, float] = field(default_factory=dict)
    first: int = 0
    period: int = 1
    repeat: dict[int, float] = field(default_factory=dict)

    def get(self, row: int) -> float | None:
        if row in self.fixed:
            return self.fixed[row]
        if self.repeat and row >= self.first:
            return self.repeat.get((row - self.first) % self.period)
        return None


def fit(
    cells: dict[tuple[int, int], Cell], widths: dict[int, float] | None = None
) -> tuple[dict[int, float], dict[int, float]]:
    """Column widths (1-based column → characters) and the heights of rows with wrapped
    text (row → points) for cells placed by (row, col), 1-based. `widths` are minimums."""
    out = dict(widths or {})

    def need(col: int, width: float) -> None:
        out[col] = min(MAX_WIDTH, max(out.get(col, MIN_WIDTH), width))

    for (_, c), cell in cells.items():
        if cell.kind in ("number", "formula"):
            need(c, NUMBER_WIDTH.get(cell.style, NUMBER_WIDTH["real"]))
        elif cell.kind == "text" and wraps(cell.style):
            words = str(cell.value).split() or [""]
            longest = max(text_width(w, cell.style) for w in words)
            # up to three lines, but never narrower than its longest word
            need(c, min(MAX_HEADER_WIDTH, max(longest, text_width(cell.value, cell.style) / 3)) + 2)
    # a one-line text runs over the empty cells to its right; where a neighbour stops it
    # short, its own column widens
    occupied = {rc for rc, cell in cells.items() if cell.kind != "blank"}
    for (r, c), cell in sorted(cells.items()):
        if cell.kind != "text" or wraps(cell.style):
            continue
        room, right = out.get(c, MIN_WIDTH), c + 1
        while (r, right) not in occupied and right < c + RUN_ON:
            room += out.get(right, MIN_WIDTH)
            right += 1
        if (r, right) not in occupied:
            continue  # nothing to its right for a long way: it may run on
        short = text_width(cell.value, cell.style) + 1 - room
        if short > 0:
            need(c, out.get(c, MIN_WIDTH) + short)
    heights = {}
    for (r, c), cell in cells.items():
        if cell.kind == "text" and wraps(cell.style):
            lines = _lines(str(cell.value), cell.style, out.get(c, MIN_WIDTH) - 1)
            heights[r] = max(heights.get(r, LINE_HEIGHT), LINE_HEIGHT * lines + 2)
    return out, heights


def _lines(text: str, style: str, width: float) -> int:
    """Lines a wrapped text takes in a column `width` characters wide (breaking at spaces,
    and inside a word longer than a line, as the spreadsheet does)."""
    lines, used = 1, 0.0
    for word in text.split():
        w = text_width(word, style)
        if used and used + 1 + w > width:
            lines, used = lines + 1, 0.0
        used += (1 if used else 0) + w
        while used > width:  # a word longer than the line
            lines, used = lines + 1, used - width
    return lines

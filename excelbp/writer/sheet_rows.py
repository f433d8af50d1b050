"""A worksheet's <sheetData> written by excelbp itself, as text, to a file of its own.

The rows are already plain data (sheets/cells.Cell); building an XML element per cell and
serialising it took two thirds of a build, and whichever XML library openpyxl picked (lxml
or et_xmlfile) would change the bytes. So the writer owns this stream, as XlsxWriter does:
each style resolved once, each formula with its cached value, every text through the
workbook's shared-strings table (as Excel writes text), and the cells with a note
remembered for openpyxl, which writes the notes' parts.
"""

from __future__ import annotations

import math
import re
from typing import BinaryIO

from openpyxl.utils import get_column_letter

# characters XML 1.0 cannot hold: dropped from text, as openpyxl drops them
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_element(value: str) -> str:
    """<t> of a string as Excel writes it: spaces kept where the text starts or ends with one."""
    value = _ILLEGAL.sub("", value)
    if not value:
        return "<t/>"
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f"<t{space}>{escape(value)}</t>"


class SharedStrings:
    """The workbook's table of distinct strings, in order of first use."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0  # cells that refer to the table

    def add(self, value: str) -> int:
        self.count += 1
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.index)
        return i

    def xml(self) -> bytes:
        items = "".join(f"<si>{text_element(s)}</si>" for s in self.index)
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{self.count}" uniqueCount="{len(self.index)}">{items}</sst>'
        ).encode()


class SheetRows:
    """Appends rows of excelbp cells to `out` as <row> elements; remembers the extent and
    the notes."""

    def __init__(
        self, out: BinaryIO, style_ids: dict[str, int], strings: SharedStrings, heights=None
    ) -> None:
        self.out = out
        self.style_ids = style_ids
        self.strings = strings
        self.heights = heights  # row → points, or None: anything with .get(row)
        self.letters: list[str] = [""]
        self.rows = 0
        self.cols = 0
        self.notes: list[tuple[int, int, str]] = []  # (row, column, text), 1-based

    def append(self, row: list) -> None:
        # the hot loop of a build (fashion: 12 million cells): names looked up once a row
        self.rows += 1
        r = str(self.rows)
        letters, style_ids, strings = self.letters, self.style_ids, self.strings
        while len(letters) <= len(row):
            letters.append(get_column_letter(len(letters)))
        height = self.heights.get(self.rows) if self.heights is not None else None
        out = [f'<row r="{r}" ht="{height:g}" customHeight="1">' if height else f'<row r="{r}">']
        last = 0
        for col, cell in enumerate(row, start=1):
            if cell is None:
                continue
            last = col
            if cell.comment:
                self.notes.append((self.rows, col, cell.comment))
            out.append(
                _cell(f'<c r="{letters[col]}{r}" s="{style_ids[cell.style]}"', cell, strings)
            )
        out.append("</row>")
        self.cols = max(self.cols, last)
        self.out.write("".join(out).encode("utf-8"))


def _cell(head: str, cell, strings: SharedStrings) -> str:
    kind = cell.kind
    if kind == "formula":
        f = _formula(cell)
        v = cell.cached
        if v is None:
            return f"{head}>{f}</c>"
        if math.isfinite(v):
            return f"{head}>{f}<v>{float(v)!r}</v></c>"
        return f'{head} t="e">{f}<v>#NUM!</v></c>'  # what Excel shows for an overflow
    if kind == "number":
        return f"{head}><v>{cell.value!r}</v></c>"
    if kind == "blank":
        return f"{head}/>"
    if kind == "array_part":  # a cell of an array formula: its value, as Excel writes it
        v = cell.cached
        return (
            f"{head}><v>{float(v)!r}</v></c>" if v is not None and math.isfinite(v) else f"{head}/>"
        )
    # always a string, never a formula, whatever it starts with
    return f'{head} t="s"><v>{strings.add(_ILLEGAL.sub("", str(cell.value)))}</v></c>'


def _formula(cell) -> str:
    shared = cell.shared  # written once, on the group's first cell; moved by the readers
    if shared and len(shared) == 1:  # the group's other cells: no text (millions in fashion)
        return f'<f t="shared" si="{shared[0]}"/>'
    body = escape(cell.value[1:])
    if cell.array:
        return f'<f t="array" ref="{cell.array}">{body}</f>'
    if shared:
        return f'<f t="shared" ref="{shared[1]}" si="{shared[0]}">{body}</f>'
    return f"<f>{body}</f>"

"""Every use of openpyxl's private API, fenced in one class.

openpyxl's write-only mode builds a Cell object per value, resolves its named style by a
linear search every time, and writes a formula with an empty <v/>, so readers that do not
calculate (pandas, previewers) show nothing. `FastSheet` writes rows straight to the
sheet's XML stream instead: each style resolved once, each formula with its cached value,
and an openpyxl Cell made only for a cell with a note (the note needs one).

It relies on internals of openpyxl 3.1 (pyproject pins < 3.2); `check()` says in one line
which one is gone, and tests/test_fences.py calls it, so an upgrade that moves them fails
loudly there rather than as a strange file.
"""

from __future__ import annotations

import math

from openpyxl.cell import Cell as OpenpyxlCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.comments.comment_sheet import CommentRecord
from openpyxl.utils import get_column_letter


def check() -> None:
    """Write a one-cell workbook through `FastSheet` and read it back; raise RuntimeError in
    one line if this openpyxl (or et_xmlfile) lacks an internal it needs or writes it wrong."""
    import io
    from types import SimpleNamespace

    import openpyxl
    from openpyxl import Workbook, load_workbook

    version = f"openpyxl {openpyxl.__version__}"
    try:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("probe")
        sheet = FastSheet(ws, {"Normal": "0"})
        ws.append([SimpleNamespace(value="=1+1", style="Normal", kind="formula", comment="note", cached=2.0, shared=None, array=None)])
        buffer = io.BytesIO()
        wb.save(buffer)
        cell = load_workbook(buffer)["probe"]["A1"]
        ok = (cell.value, cell.comment.text if cell.comment else None) == ("=1+1", "note")
    except Exception as e:  # noqa: BLE001 - any failure here is the message
        raise RuntimeError(f"{version}: an internal excelbp's writer uses is gone or changed ({type(e).__name__}: {e})") from None
    if not ok or sheet is None:
        raise RuntimeError(f"{version}: a cell written through excelbp's writer reads back as {cell.value!r}, not =1+1 with its note")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FastSheet:
    """A write-only worksheet whose `append(row)` takes excelbp cells (sheets/cells.Cell)."""

    def __init__(self, ws, style_ids: dict[str, str], heights=None) -> None:
        self.ws = ws
        self.heights = heights  # row → points, or None: anything with .get(row)
        self.style_ids = style_ids
        self.letters: list[str] = [""]
        ws._get_writer()
        ws._writer.write_row = self._write_row
        ws._values_to_row = lambda row, row_idx: row  # rows go to _write_row as they are

    @staticmethod
    def style_ids(wb, ws) -> dict[str, str]:
        """The cell-format id of each named style of the workbook."""
        ids = {}
        for style in wb.style_names:
            probe = OpenpyxlCell(ws, row=1, column=1)
            probe.style = style
            ids[style] = str(probe.style_id)
        return ids

    @staticmethod
    def set_extent(ws, rows: int, cols: int) -> None:
        """Write <dimension> so readers need not scan the sheet to know its size."""
        ws.calculate_dimension = lambda ref=f"A1:{get_column_letter(cols)}{rows}": ref

    def _letter(self, col: int) -> str:
        while len(self.letters) <= col:
            self.letters.append(get_column_letter(len(self.letters)))
        return self.letters[col]

    def _write_row(self, xf, row: list, row_idx: int) -> None:
        # the row's XML as text, straight to the stream: building an Element per cell and
        # serialising it took two thirds of a build
        r = str(row_idx)
        height = self.heights.get(row_idx) if self.heights is not None else None
        out = [f'<row r="{r}" ht="{height:g}" customHeight="1">' if height else f'<row r="{r}">']
        for col, cell in enumerate(row, start=1):
            if cell is None:
                continue
            if cell.comment:
                self._note(cell.comment, row_idx, col)
            head = f'<c r="{self._letter(col)}{r}" s="{self.style_ids[cell.style]}"'
            if cell.kind == "blank":
                out.append(f"{head} />")
            elif cell.kind == "formula":
                shared = cell.shared  # written once, on the group's first cell; moved by the readers
                if cell.array:
                    f = f'<f t="array" ref="{cell.array}">{_escape(cell.value[1:])}</f>'
                elif shared and len(shared) == 1:
                    f = f'<f t="shared" si="{shared[0]}"/>'
                elif shared:
                    f = f'<f t="shared" ref="{shared[1]}" si="{shared[0]}">{_escape(cell.value[1:])}</f>'
                else:
                    f = f"<f>{_escape(cell.value[1:])}</f>"
                if cell.cached is None:
                    out.append(f"{head}>{f}</c>")
                elif math.isfinite(cell.cached):
                    out.append(f"{head}>{f}<v>{float(cell.cached)!r}</v></c>")
                else:  # what Excel shows for an overflow
                    out.append(f'{head} t="e">{f}<v>#NUM!</v></c>')
            elif cell.kind == "array_part":  # a cell of an array formula: its value, as Excel writes it
                v = cell.cached
                out.append(f"{head}><v>{float(v)!r}</v></c>" if v is not None and math.isfinite(v) else f"{head} />")
            elif cell.kind == "number":
                out.append(f"{head}><v>{cell.value!r}</v></c>")
            else:
                # always a string, never a formula, whatever it starts with
                value = ILLEGAL_CHARACTERS_RE.sub("", str(cell.value))
                stripped = value.strip()
                space = ' xml:space="preserve"' if stripped and value != stripped else ""
                t = f"<t{space}>{_escape(value)}</t>" if value else "<t />"
                out.append(f'{head} t="inlineStr"><is>{t}</is></c>')
        out.append("</row>")
        xf._file("".join(out))

    def _note(self, text: str, row: int, col: int) -> None:
        holder = OpenpyxlCell(self.ws, row=row, column=col)
        holder.comment = Comment(text, "excelbp", width=320, height=90)
        self.ws._comments.append(CommentRecord.from_cell(holder))



"""Stream the cells of a workbook's sheets, a few MB of XML at a time, without building a tree.

openpyxl's reader (an ElementTree parse per cell) costs about 16 µs a cell and keeps every
cell; a sheet of the 1,000,000-step demo is over a GB of XML. Here the `<sheetData>` of each
part is inflated in pieces, cut after its last complete `</row>`, and its cells are picked
out with regular expressions (about 2 µs a cell). Only the plain element forms that every
writer uses are accepted: a part with XML comments, CDATA or processing instructions inside
its sheet data (where a regular expression and an XML parser could disagree on what is a
cell), a cell without its `r` address, or an unknown entity raises `Unsupported`, and the
caller falls back to openpyxl. The file must have passed `safe_zip.check_xlsx` first (no DTD,
no entity declarations, sizes as declared).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from defusedxml.ElementTree import fromstring as defused_fromstring
from openpyxl import load_workbook

from ..errors import InputError
from .formulas_private import ERRORS
from .safe_xml import show

PIECE = 4 * 1024 * 1024
_P = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix, as some writers use
# the form openpyxl and excelbp write, matched whole (groups 1-5); any other cell (groups 6-8)
_FAST = (
    rb'<c r="([A-Z]{1,3})([0-9]+)"(?: s="[0-9]+")?(?:'
    rb' t="([a-zA-Z]+)")?>(?:<f>([^<]*)</f>)?(?:<v>([^<]*)</v>)?</c>'
)
_CELL = re.compile(_FAST + rb"|<" + _P + rb"c\s([^>]*?)(/>|>(.*?)</" + _P + rb"c>)", re.S)
_ADDR = re.compile(rb"""\br\s*=\s*["']\$?([A-Za-z]{1,3})\$?([0-9]+)["']""")
_TYPE = re.compile(rb"""\bt\s*=\s*["'](\w+)["']""")
_F = re.compile(rb"<" + _P + rb"f(\s[^>]*?)?(?:/>|>(.*?)</" + _P + rb"f>)", re.S)
_V = re.compile(rb"<" + _P + rb"v\s*>(.*?)</" + _P + rb"v>", re.S)
_T = re.compile(rb"<" + _P + rb"t(?:\s[^>]*)?>(.*?)</" + _P + rb"t>", re.S)  # inline string runs
_ATTR = re.compile(rb"""\b(t|si|ref)\s*=\s*["']([^"']*)["']""")
_RISKY = re.compile(rb"<!--|<!\[CDATA\[|<\?")
_ENTITY = re.compile(r"&(#x[0-9A-Fa-f]+|#[0-9]+|lt|gt|amp|quot|apos|[^;]*);?")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_COLS = {}


class Unsupported(Exception):
    """The part uses an XML form this reader does not handle; use openpyxl instead."""


@dataclass(frozen=True)
class Sheet:
    title: str
    part: str


@dataclass
class Workbook:
    """What a recalculation needs besides the cells: sheets in order, names, shared strings."""

    path: Path
    sheets: list[Sheet]
    names: dict[tuple[int | None, str], str]  # (sheet index or None, NAME) → "Inputs!$B$7"
    strings: list[str]


# openpyxl turns every shared string into objects at ~20 µs each, and reads them whenever it
# opens the workbook: 31 MiB of tiny strings took 80 s. excelbp's labels, and a copy saved by
# LibreOffice, are a few hundred kB at most.
MAX_SHARED_STRINGS_BYTES = 2 * 1024 * 1024
_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b[^>]*>")
_PART_NAME = re.compile(rb"""PartName\s*=\s*["']/?([^"']+)["']""")


def check_strings(path: Path) -> str | None:
    """Refuse a shared-strings part (wherever [Content_Types].xml puts it) too large to load;
    → its name, or None when the workbook has none."""
    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml")  # checked small by safe_zip
        sizes = {i.filename: i.file_size for i in zf.infolist()}
    found = None
    for element in _OVERRIDE.findall(types):
        name = _PART_NAME.search(element)
        if b"sharedStrings" in element and name:
            part = name[1].decode("utf-8", "replace")
            if sizes.get(part, 0) > MAX_SHARED_STRINGS_BYTES:
                raise InputError(
                    f"{show(str(path))}: shared strings part {show(part)} of {sizes[part]:,} bytes,"
                    f" over the {MAX_SHARED_STRINGS_BYTES:,} verify reads (refused)"
                )
            found = found or (part if part in sizes else None)
    return found


def shared_strings(path: Path, part: str | None) -> list[str]:
    """The shared-strings table: each item's text, its runs joined (phonetic runs left out)."""
    if part is None:
        return []
    with zipfile.ZipFile(path) as zf:
        root = defused_fromstring(zf.read(part))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    out = []
    for si in root.iter(main + "si"):
        phonetic = {id(t) for rph in si.iter(main + "rPh") for t in rph.iter(main + "t")}
        out.append("".join(t.text or "" for t in si.iter(main + "t") if id(t) not in phonetic))
    return out


def workbook(path: Path) -> Workbook:
    """The workbook's structure, read by openpyxl (small parts only: no cell is read here)."""
    strings = shared_strings(path, check_strings(path))
    wb = load_workbook(path, read_only=True)
    try:
        sheets = [
            Sheet(ws.title, ws._worksheet_path) for ws in wb.worksheets
        ]  # not sheetnames: no chartsheets
        names: dict[tuple[int | None, str], str] = {
            (None, k.upper()): d.attr_text for k, d in wb.defined_names.items()
        }
        for i, ws in enumerate(wb.worksheets):  # sheet-scoped names win on their own sheet
            names.update(
                {(i, k.upper()): d.attr_text for k, d in getattr(ws, "defined_names", {}).items()}
            )
    finally:
        wb.close()
    return Workbook(Path(path), sheets, names, strings)


def column(letters: bytes) -> int:
    n = _COLS.get(letters)
    if n is None:
        n = 0
        for ch in letters.upper():
            n = n * 26 + ch - 64
        _COLS[letters] = n
    return n


def unescape(text: str) -> str:
    if "&" not in text:
        return text

    def one(m: re.Match) -> str:
        e = m.group(1)
        if e in _NAMED and m.group(0).endswith(";"):
            return _NAMED[e]
        if e.startswith("#x") and m.group(0).endswith(";"):
            return chr(int(e[2:], 16))
        if e.startswith("#") and e[1:].isdigit() and m.group(0).endswith(";"):
            return chr(int(e[1:]))
        raise Unsupported(f"entity {m.group(0)[:20]!r}")

    return _ENTITY.sub(one, text)


# One cell: (row, column, type attribute or None, formula element's attributes or None,
# formula text or None, value text or None), texts as bytes, entities left for `text()`.
# An inline string's text is its value.
Cell = tuple[int, int, "str | None", "bytes | None", "bytes | None", "bytes | None"]


def cells(book: Workbook, index: int) -> Iterator[list[Cell]]:
    """The cells of sheet `index`, in file order, a list per piece of XML."""
    with zipfile.ZipFile(book.path) as zf:
        try:
            f = zf.open(book.sheets[index].part)
        except KeyError:
            return
        with f:
            yield from _pieces(f)


def _pieces(f) -> Iterator[list[Cell]]:
    data, started = b"", False
    while True:
        piece = f.read(PIECE)
        data += piece
        if not started:
            i = data.find(b"sheetData")
            if i < 0:
                if not piece:
                    return
                data = data[-64:]
                continue
            data, started = data[i + 9 :], True
        end = data.find(b"sheetData>")  # the closing tag (the opening one was cut off)
        last = end >= 0 or not piece
        if end >= 0:
            body, data = data[:end], b""
        elif last:
            body, data = data, b""
        else:
            cut = data.rfind(b"row>")  # after the last complete row: no cell is cut in two
            while cut > 0 and data[cut - 1 : cut] not in (b"/", b":"):
                cut = data.rfind(b"row>", 0, cut)
            if cut <= 0:
                if len(data) > 64 * PIECE:
                    raise Unsupported("a row of over 256 MB")
                continue
            body, data = data[: cut + 4], data[cut + 4 :]
        if _RISKY.search(body):
            raise Unsupported("comment, CDATA or processing instruction in sheet data")
        yield [
            (
                _cell(*g)
                if not g[1]
                else (
                    int(g[1]),
                    column(g[0]),
                    g[2].decode() or None,
                    b"" if g[3] else None,
                    g[3] or None,
                    g[4] or None,
                )
            )
            for g in _CELL.findall(body)
        ]
        if last:
            return


def _cell(_c, _r, _t, _f, _v, attrs: bytes, close: bytes, inner: bytes) -> Cell:
    a = _ADDR.search(attrs)
    if a is None:
        raise Unsupported("a cell without its address")
    t = _TYPE.search(attrs)
    t = t.group(1).decode() if t else None
    f_attrs = f_text = v = None
    if inner:
        fm = _F.search(inner)
        if fm:
            f_attrs, f_text = fm.group(1) or b"", fm.group(2) or b""
        if t == "inlineStr":
            v = b"".join(_T.findall(inner))
        else:
            vm = _V.search(inner)
            v = vm.group(1) if vm else None
    return int(a.group(2)), column(a.group(1)), t, f_attrs, f_text, v


def text(raw: bytes) -> str:
    """A formula's or value's text as the file means it."""
    return unescape(raw.decode("utf-8"))


def formula_attrs(raw: bytes) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in _ATTR.findall(raw)}


def value(t: str | None, v: bytes, strings: list[str]):
    """A literal cell's value from its type attribute and value text: a float, a str, a bool,
    or an error value as formulas' functions expect it."""
    if t is None or t == "n":
        try:
            return float(v)
        except ValueError:
            raise Unsupported("a number that is not one") from None
    if t == "s":
        return strings[int(v)]
    if t in ("inlineStr", "str"):
        return text(v)
    if t == "b":
        return v.strip() in (b"1", b"true")
    if t == "e":
        error = text(v)
        return ERRORS.get(error.upper(), error)
    raise Unsupported(f"cell type {t}")  # dates as ISO text: openpyxl reads them

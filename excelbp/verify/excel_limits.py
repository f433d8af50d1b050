"""A static check of what Excel 2010 must accept (WORKBOOK.md, "What Excel must accept"), over
every part of a written workbook: `check_excel(path)` lists its findings, one line each,
naming the part or cell and the rule. Each formula goes through excel_formula.py; here are
the workbook's own: defined names, sheet names and cached values (each item's rule in
excel_rules.py), the count of cell styles, chart references and data-validation lists.

The file is read as verify reads an untrusted one: checked by safe_zip first, its cells
streamed by sheetxml.py (shared and inline strings alike), every other part at most the
32 MiB safe_zip allows it. A formula's findings are kept per shape (its text with each
reference reduced to one cell or a range), so a sheet of a million cells repeating a few
formulas parses a few; a shared formula's other cells are taken to repeat its first one.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path
from posixpath import join, normpath

from defusedxml import ElementTree
from openpyxl.utils import get_column_letter

from ..errors import InputError
from .excel_formula import MAX_CHARS, Formula
from .excel_rules import cached_value, defined_name, sheet_name
from .formula_tokens import TOKEN
from .safe_xml import show
from .safe_zip import WORKBOOK_RELS, check_xlsx
from .sheetxml import Sheet, Unsupported, Workbook, cells, formula_attrs, text, unescape

MAX_CELL_STYLES = 64_000
MAX_LIST_CHARS = 255
SHOWN_PER_RULE = 20  # findings of one rule listed in full; the rest counted
# a cell or range reference of a formula's text (not a function's name: LOG10(, or a defined
# name's: W1_init), taken out of the shape's key; one past the sheet's edge is not
_CELL = rb"\$?[A-Z]{1,3}\$?[0-9]+"
_REF_IN_KEY = re.compile(
    rb"(?<![A-Za-z0-9_.$])(" + _CELL + rb")(?::(" + _CELL + rb"))?(?![0-9A-Za-z(._!])"
)
_PAST_EDGE = re.compile(rb"[0-9]{7}|(?<![A-Za-z])(?:[YZ][A-Z]{2}|X[G-Z][A-Z]|XF[E-Z])\$?[0-9]")
_END_OF_DATA = re.compile(rb"</(?:\w+:)?sheetData>|<(?:\w+:)?sheetData\s*/>")
_CF_FORMULA = re.compile(rb"<(?:\w+:)?formula>(.*?)</(?:\w+:)?formula>", re.S)
_VALIDATION = re.compile(
    rb"<(?:\w+:)?dataValidation\b([^>]*)>(.*?)</(?:\w+:)?dataValidation>", re.S
)
_VALIDATION_FORMULA = re.compile(rb"<(?:\w+:)?formula[12]>(.*?)</(?:\w+:)?formula[12]>", re.S)
_CHART_F = re.compile(rb"<(?:\w+:)?f>(.*?)</(?:\w+:)?f>", re.S)
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b([^>]*)>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b")
_COUNT = re.compile(rb"""\bcount\s*=\s*["']([0-9]+)["']""")
_LIST_TYPE = re.compile(rb"""\btype\s*=\s*["']list["']""")
_SI = re.compile(rb"<(?:\w+:)?si\b")
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MiB = 1024 * 1024
MAX_PART = 32 * MiB  # the parts read whole here (safe_zip's limit for a part not a worksheet)


class _Findings:
    """Findings in order, at most SHOWN_PER_RULE a rule (the rule: the text before its colon)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.counts: Counter[str] = Counter()

    def add(self, where: str, finding: str) -> None:
        rule = finding.split(":", 1)[0]
        self.counts[rule] += 1
        if self.counts[rule] <= SHOWN_PER_RULE:
            self.lines.append(f"{where}: {finding}")

    def all(self) -> list[str]:
        more = [
            f"… {n - SHOWN_PER_RULE:,} more {rule} findings"
            for rule, n in self.counts.items()
            if n > SHOWN_PER_RULE
        ]
        return self.lines + more


def check_excel(path: Path) -> list[str]:
    """Every way the workbook at `path` breaks what Excel 2010 accepts, one line each; [] when
    Excel opens it as it stands. Raises InputError (one line) for a file that is no sound
    .xlsx at all (safe_zip's refusals)."""
    path = Path(path)
    check_xlsx(path)
    found = _Findings()
    with zipfile.ZipFile(path) as zf:
        try:
            book, names, strings = _workbook_part(zf, path, found)
        except ElementTree.ParseError as e:
            raise InputError(
                f"{show(str(path))}: malformed XML in the workbook part ({e})"
            ) from None
    sheets = {s.title for s in book.sheets}
    kinds = {n.upper(): _is_range(t) for n, t in names}
    _Formulas.cache.clear()
    for name, definition in names:
        for finding in Formula(definition, kinds, sheets, value=False).found:
            found.add(f"xl/workbook.xml: defined name {show(name, 40)}", finding)
    for s, sheet in enumerate(book.sheets):
        _sheet_cells(book, s, strings, kinds, sheets, found)
        try:
            _sheet_rest(path, sheet.part, sheet.title, kinds, sheets, found)
        except (Unsupported, UnicodeDecodeError) as why:
            found.add(sheet.title, f"sheet XML: not checked ({show(str(why))})")
    with zipfile.ZipFile(path) as zf:
        for part in zf.namelist():
            if part.startswith("xl/charts/") and part.endswith(".xml") and "/_rels/" not in part:
                try:
                    _chart(_read(zf, part, found), part, kinds, sheets, found)
                except (Unsupported, UnicodeDecodeError) as why:
                    found.add(part, f"chart XML: not checked ({show(str(why))})")
            elif part.startswith("xl/") and part.endswith("styles.xml"):
                _styles(_read(zf, part, found), part, found)
    return found.all()


def _chart(
    xml: bytes, part: str, kinds: dict[str, bool], sheets: set[str], found: _Findings
) -> None:
    """A chart's references: within the sheet, to a sheet that exists, quoted where needed."""
    for raw in _CHART_F.findall(xml):
        for finding in Formula(text(raw), kinds, sheets, value=False).found:
            if finding.startswith(("reference", "syntax", "nesting", "formula length", "name")):
                found.add(f"{part} (chart)", finding)


def _read(zf: zipfile.ZipFile, part: str, found: _Findings) -> bytes:
    if zf.getinfo(part).file_size > MAX_PART:
        found.add(part, f"part size: over {MAX_PART // MiB} MiB, not checked")
        return b""
    return zf.read(part)


def _workbook_part(
    zf: zipfile.ZipFile, path: Path, found: _Findings
) -> tuple[Workbook, list[tuple[str, str]], int]:
    """The worksheets, the defined names (name, definition) and the count of shared strings,
    read from the XML itself (openpyxl refuses some of the names checked here); the sheet
    names and defined names checked."""
    rels = {
        el.get("Id"): (el.get("Type", ""), el.get("Target", ""))
        for el in ElementTree.fromstring(zf.read(WORKBOOK_RELS)).iter()
        if el.tag.endswith("Relationship")
    }
    parts = {
        i: t[1:] if t.startswith("/") else normpath(join("xl", t)) for i, (_, t) in rels.items()
    }
    sheets: list[Sheet] = []
    titles: list[str] = []
    names: list[tuple[str, str]] = []
    for el in ElementTree.fromstring(_read(zf, "xl/workbook.xml", found)).iter():
        tag = el.tag.rpartition("}")[2]
        if tag == "sheet":
            titles.append(el.get("name", ""))
            rid = el.get(f"{{{_R}}}id")
            if rels.get(rid, ("",))[0].endswith("/worksheet") and parts[rid] in zf.namelist():
                sheets.append(Sheet(titles[-1], parts[rid]))
        elif tag == "definedName":
            names.append((el.get("name", ""), el.text or ""))
    seen: set[str] = set()
    for title in titles:
        for finding in sheet_name(title, seen):
            found.add(f"xl/workbook.xml: sheet {show(title, 40)}", finding)
    for name, _ in names:
        finding = defined_name(name)
        if finding is not None:
            found.add(f"xl/workbook.xml: defined name {show(name, 40)}", finding)
    sst = [
        parts[i]
        for i, (t, _) in rels.items()
        if t.endswith("/sharedStrings") and parts[i] in zf.namelist()
    ]
    strings = len(_SI.findall(_read(zf, sst[0], found))) if sst else 0
    return Workbook(path, sheets, {}, []), names, strings


def _is_range(definition: str) -> bool:
    m = TOKEN.fullmatch(definition.strip().lstrip("="))
    return bool(m and m["c2"] and (m["c1"], m["r1"]) != (m["c2"], m["r2"]))


class _Formulas:
    """Findings per formula shape: a cell's text with each reference reduced to whether it is
    one cell or a range, and whether it is an array formula."""

    cache: dict[tuple, list[str]] = {}

    @classmethod
    def of(cls, raw: bytes, array: bool, kinds: dict[str, bool], sheets: set[str]) -> list[str]:
        if len(raw) > MAX_CHARS // 2 or _PAST_EDGE.search(raw):  # length or a reference matters
            return Formula(text(raw), kinds, sheets, array=array).found
        key = (_REF_IN_KEY.sub(_one_or_range, raw), array)
        out = cls.cache.get(key)
        if out is None:
            if len(cls.cache) > 100_000:
                cls.cache.clear()
            out = cls.cache[key] = Formula(text(raw), kinds, sheets, array=array).found
        return out


def _one_or_range(m: re.Match) -> bytes:
    return b"\1" if m[2] is None or m[1].replace(b"$", b"") == m[2].replace(b"$", b"") else b"\2"


def _sheet_cells(
    book: Workbook, s: int, strings: int, kinds: dict[str, bool], sheets: set[str], found: _Findings
) -> None:
    """Each cell's formula and cached value (`strings`: the count of shared strings)."""
    title = book.sheets[s].title
    try:
        for piece in cells(book, s):
            for row, col, t, fa, f, v in piece:
                if f is not None:
                    attrs = formula_attrs(fa) if fa else {}
                    # a shared formula's other cells (no text) repeat its first one
                    if f or attrs.get("t") != "shared":
                        for finding in _Formulas.of(f, attrs.get("t") == "array", kinds, sheets):
                            found.add(f"{title}!{get_column_letter(col)}{row}", finding)
                if v is not None:
                    finding = cached_value(t, v, strings)
                    if finding is not None:
                        found.add(f"{title}!{get_column_letter(col)}{row}", finding)
    except (Unsupported, UnicodeDecodeError) as why:
        found.add(title, f"sheet XML: not checked ({show(str(why))})")


def _sheet_rest(
    path: Path, part: str, title: str, kinds: dict[str, bool], sheets: set[str], found: _Findings
) -> None:
    """A sheet's conditional formats and data validations (after its cells: one more pass
    over the part, keeping only what follows the sheet data)."""
    tail, done, carry = b"", False, b""
    with zipfile.ZipFile(path) as zf, zf.open(part) as f:
        while piece := f.read(MiB):
            if done:
                tail += piece
            else:
                joined = carry + piece
                m = None
                for m in _END_OF_DATA.finditer(joined):  # noqa: B007 (the last match)
                    pass
                if m is not None:
                    tail, done = joined[m.end() :], True
                carry = joined[-64:]
            if len(tail) > MAX_PART:
                found.add(
                    title,
                    f"part size: over {MAX_PART // MiB} MiB after the sheet data, not checked",
                )
                return
    for raw in _CF_FORMULA.findall(tail):
        for finding in Formula(text(raw), kinds, sheets, value=False).found:
            found.add(f"{title} (conditional format)", finding)
    for attrs, inner in _VALIDATION.findall(tail):
        for raw in _VALIDATION_FORMULA.findall(inner):
            formula = unescape(raw.decode("utf-8"))
            if _LIST_TYPE.search(attrs) and formula.startswith('"'):
                items = formula[1:-1].replace('""', '"')
                if len(items) > MAX_LIST_CHARS:
                    what = (
                        f"a list of {len(items):,} characters, Excel takes at most {MAX_LIST_CHARS}"
                    )
                    found.add(f"{title} (data validation)", f"data validation: {what}")
                continue
            for finding in Formula(formula, kinds, sheets, value=False).found:
                found.add(f"{title} (data validation)", finding)


def _styles(xml: bytes, part: str, found: _Findings) -> None:
    m = _CELL_XFS.search(xml)
    if m is None:
        return
    declared = _COUNT.search(m.group(1))
    n = max(len(_XF.findall(m.group(2))), int(declared.group(1)) if declared else 0)
    if n > MAX_CELL_STYLES:
        found.add(
            part, f"styles: {n:,} cell formats (cellXfs), Excel takes at most {MAX_CELL_STYLES:,}"
        )

"""The .xlsx package: openpyxl's parts, rewritten by xml_text, with excelbp's own rows and
shared strings spliced in.

openpyxl makes everything but the cells (styles, charts, notes, names, the sheets' settings)
into a small workbook in memory; each of its worksheet parts is split where its <sheetData>
is and the rows excelbp streamed to a file go there. Two things Excel would repair are put
right on the way: a font's children in the schema's order, and a shared-strings table.
"""

from __future__ import annotations

import io
import posixpath
import shutil
from pathlib import Path
from xml.etree.ElementTree import Element, SubElement, fromstring
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

import openpyxl
from openpyxl.utils import get_column_letter

from ..errors import ExternalError
from .sheet_rows import SharedStrings
from .xml_text import MAIN_NS, serialize

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRINGS_PART = "xl/sharedStrings.xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STRINGS_REL = f"{OFFICE_REL_NS}/sharedStrings"
# CT_Font is a sequence: its children in this order, or Excel repairs styles.xml
FONT_ORDER = (
    "b",
    "i",
    "strike",
    "condense",
    "extend",
    "outline",
    "shadow",
    "u",
    "vertAlign",
    "sz",
    "color",
    "name",
    "family",
    "charset",
    "scheme",
)
ROWS = "\ue000excelbp rows\ue000"  # where a sheet's rows go in its part's text
DATE = (1980, 1, 1, 0, 0, 0)  # every member's time, as Excel writes it: the same bytes each build


def _unspliceable(what: str) -> ExternalError:
    """openpyxl wrote a part the writer cannot splice (an openpyxl it was not tested with)."""
    return ExternalError(
        f"openpyxl {openpyxl.__version__}: {what}; excelbp's writer was not made for this openpyxl"
    )


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def sheet_parts(skeleton: ZipFile) -> dict[str, str]:
    """Sheet title → its worksheet part, from workbook.xml and its relationships."""
    wb = fromstring(skeleton.read("xl/workbook.xml"))
    rels = fromstring(skeleton.read("xl/_rels/workbook.xml.rels"))
    target = {r.get("Id"): r.get("Target") for r in rels.iter(_q(PKG_REL_NS, "Relationship"))}
    out = {}
    for sheet in wb.iter(_q(MAIN_NS, "sheet")):
        t = target[sheet.get(_q(OFFICE_REL_NS, "id"))]
        out[sheet.get("name")] = (
            t.lstrip("/") if t.startswith("/") else posixpath.normpath(f"xl/{t}")
        )
    return out


def _fonts_in_order(styles: Element) -> None:
    rank = {_q(MAIN_NS, t): i for i, t in enumerate(FONT_ORDER)}
    for font in styles.iter(_q(MAIN_NS, "font")):
        children = sorted(font, key=lambda c: rank.get(c.tag, len(rank)))
        for child in list(font):
            font.remove(child)
        font.extend(children)


def _relative_targets(part: str, root: Element) -> None:
    """Targets relative to the part's folder, as Excel writes them: openpyxl writes absolute
    ones (/xl/worksheets/sheet1.xml), which IronCalc 0.9 looks for as xl//xl/…"""
    source_folder = "/" + posixpath.dirname(posixpath.dirname(part))  # _rels/ sits beside its part
    for rel in root.iter(_q(PKG_REL_NS, "Relationship")):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External" and target.startswith("/"):
            rel.set("Target", posixpath.relpath(target, source_folder))


def _with_strings(part: str, root: Element) -> None:
    """The shared-strings table in the content types and the workbook's relationships."""
    if part == "[Content_Types].xml":
        names = {o.get("PartName") for o in root.iter(_q(CT_NS, "Override"))}
        if f"/{STRINGS_PART}" not in names:
            SubElement(
                root, _q(CT_NS, "Override"), PartName=f"/{STRINGS_PART}", ContentType=STRINGS_TYPE
            )
    elif part == "xl/_rels/workbook.xml.rels":
        rels = list(root.iter(_q(PKG_REL_NS, "Relationship")))
        if not any(r.get("Type") == STRINGS_REL for r in rels):
            ids = {r.get("Id") for r in rels}
            new = next(f"rId{i}" for i in range(1, len(ids) + 2) if f"rId{i}" not in ids)
            SubElement(
                root,
                _q(PKG_REL_NS, "Relationship"),
                Type=STRINGS_REL,
                Target="sharedStrings.xml",
                Id=new,
            )


def _sheet_text(root: Element, extent: tuple[int, int], part: str) -> tuple[str, str]:
    """The worksheet part's text before and after its rows."""
    data = root.find(_q(MAIN_NS, "sheetData"))
    if data is None:
        raise _unspliceable(f"{part} has no <sheetData>")
    for row in list(data):
        data.remove(row)
    data.text = ROWS
    dimension = root.find(_q(MAIN_NS, "dimension"))
    if dimension is not None:
        rows, cols = extent
        dimension.set("ref", _ref(rows, cols))
    head, tail = serialize(root, marker=ROWS).split(ROWS)
    return head, tail


def _ref(rows: int, cols: int) -> str:
    return (
        "A1" if rows <= 1 and cols <= 1 else f"A1:{get_column_letter(max(cols, 1))}{max(rows, 1)}"
    )


def _member(name: str) -> ZipInfo:
    info = ZipInfo(name, date_time=DATE)
    info.compress_type = ZIP_DEFLATED
    return info


def assemble(
    skeleton: bytes,
    sheets: dict[str, tuple[Path, tuple[int, int]]],
    strings: SharedStrings,
    out: ZipFile,
) -> None:
    """Write the package to `out`: `sheets` maps a sheet title to its rows' file and extent."""
    with ZipFile(io.BytesIO(skeleton)) as parts:
        where = sheet_parts(parts)
        ours = {where[title]: value for title, value in sheets.items()}
        names = parts.namelist()
        if STRINGS_PART in names:
            raise _unspliceable(f"{STRINGS_PART} written by openpyxl")
        names.sort(key=lambda n: n != "[Content_Types].xml")  # first, as Excel writes it
        for name in names:
            root = fromstring(parts.read(name))
            if name in ours:
                rows_file, extent = ours[name]
                head, tail = _sheet_text(root, extent, name)
                with (
                    out.open(_member(name), "w", force_zip64=True) as member,
                    open(rows_file, "rb") as rows,
                ):
                    member.write(head.encode("utf-8"))
                    shutil.copyfileobj(rows, member, 1 << 20)
                    member.write(tail.encode("utf-8"))
                continue
            if name == "xl/styles.xml":
                _fonts_in_order(root)
            _with_strings(name, root)
            if name.endswith(".rels"):
                _relative_targets(name, root)
            out.writestr(_member(name), serialize(root).encode("utf-8"))
        out.writestr(_member(STRINGS_PART), strings.xml())

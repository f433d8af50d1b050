"""What Excel refuses in one item of a workbook: a sheet's name, a defined name, a cell's
cached value; and where a sheet's name must be quoted in a reference (excel_limits.py and
excel_formula.py check workbooks with these)."""

from __future__ import annotations

import math
import re

from .formulas_private import ERRORS
from .safe_xml import show
from .sheetxml import text

MAX_SHEET_NAME = 31
MAX_NAME = 255
# an A1 or R1C1 reference (a sheet or defined name must not read as one)
LOOKS_LIKE_REFERENCE = re.compile(
    r"[A-Za-z]{1,3}[0-9]+|[RrCc]|[Rr][0-9]*[Cc][0-9]*|[Rr][0-9]+|[Cc][0-9]+"
)
# R2C3x, C1_total: Excel reads the start as an R1C1 reference and refuses the name
_R1C1_START = re.compile(r"[RrCc][0-9]|[Rr][Cc](?![A-Za-z])")
_NAME = re.compile(r"(?:[^\W\d]|[_\\])[\w.\\?]*")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_PLAIN_SHEET = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(rb"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[Ee][+-]?[0-9]+)?\s*")


def sheet_name(title: str, seen: set[str]) -> list[str]:
    """What Excel refuses in a sheet name (`seen`: the names before it, upper-cased)."""
    out = []
    if not 1 <= len(title) <= MAX_SHEET_NAME:
        out.append(f"sheet name: {len(title)} characters, Excel takes 1 to {MAX_SHEET_NAME}")
    if _SHEET_BAD.search(title):
        out.append("sheet name: holds one of [ ] : * ? / \\")
    if title.startswith("'") or title.endswith("'"):
        out.append("sheet name: begins or ends with an apostrophe")
    if title.upper() == "HISTORY":
        out.append("sheet name: History is reserved by Excel")
    if title.upper() in seen:
        out.append("sheet name: another sheet has this name (Excel ignores case)")
    seen.add(title.upper())
    return out


def defined_name(name: str) -> str | None:
    """What Excel refuses in a defined name, or None."""
    if not 1 <= len(name) <= MAX_NAME:
        return f"defined name: {len(name)} characters, Excel takes 1 to {MAX_NAME}"
    if not _NAME.fullmatch(name):
        return (
            "defined name: must begin with a letter, _ or \\, then only letters, digits, _ . \\ ?"
        )
    if LOOKS_LIKE_REFERENCE.fullmatch(name) or _R1C1_START.match(name):
        return "defined name: reads as a cell reference in A1 or R1C1 notation"
    return None


def needs_quotes(title: str) -> bool:
    """Whether a sheet name must be quoted in a reference ('Gradient check'!B5)."""
    return not _PLAIN_SHEET.fullmatch(title) or bool(LOOKS_LIKE_REFERENCE.fullmatch(title))


def cached_value(t: str | None, v: bytes, strings: int) -> str | None:
    """What Excel refuses in a cell's stored value (`t`: its type attribute), or None."""
    if t in (None, "n"):
        if not _NUMBER.fullmatch(v) or not math.isfinite(float(v)):
            return f"cached value: {show(v.decode('utf-8', 'replace'), 30)} is not a finite number"
    elif t == "e":
        if text(v).strip().upper() not in ERRORS:
            return f"cached value: {show(text(v), 30)} is not an Excel error value"
    elif t == "b":
        if v.strip() not in (b"0", b"1"):
            return (
                f"cached value: {show(v.decode('utf-8', 'replace'), 30)} is not a boolean (0 or 1)"
            )
    elif t == "s":
        if not v.strip().isdigit() or int(v) >= strings:
            shown = show(v.decode("utf-8", "replace"), 30)
            return f"cached value: shared string {shown} is not in the table of {strings:,}"
    elif t not in ("str", "inlineStr"):
        return f'cached value: cell type t="{show(t, 20)}", which Excel 2010 does not read'
    return None

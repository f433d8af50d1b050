"""Refuse hostile .xlsx files before anything else (openpyxl, formulas, LibreOffice) opens them.

`excelbp verify` reads workbooks that students send back, so every byte is untrusted. An .xlsx
file is a zip of XML parts, which gives an attacker two cheap weapons:

* zip bombs: a few MB on disk that inflate to many GB (huge declared sizes, absurd
  compression ratios, or headers that lie about the size);
* XML bombs: a DTD whose entities expand exponentially ("billion laughs") or that pull in
  local files or URLs (external entities).

`check_xlsx` looks at the central directory first (sizes as declared, nothing inflated),
then inflates every part itself, in small chunks with a running byte count, so a part that
inflates past its declared size is stopped right there. The XML prolog of every part goes
through defusedxml's parser, which refuses entity declarations; we refuse any DTD as well,
since no workbook needs one. Time and memory stay bounded: memory by the chunk size and
the central-directory cap, time by the declared (and enforced) total size.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError
from .safe_xml import Refuse, TooManySheets, feed, prolog_parser, show
from .zip_inflate import LOCAL_MAGIC, Damaged, inflate

MiB = 1024 * 1024

# Sizes are not what makes a workbook dangerous to verify: its cells, formulas and ranges are,
# and budget.py bounds those from the workbook's structure record. The 1,000,000-step demo's
# Steps sheet is 1.24 GiB of XML; a sheet part may be up to 2 GiB (inflating it for its CRC
# takes a few seconds), the parts together 3 GiB.
MAX_PART_BYTES = 2048 * MiB
MAX_TOTAL_BYTES = 3072 * MiB
# Parts other than worksheets (workbook, styles, drawings, shared strings) are a few kB to a
# few MB in any workbook verify is for; openpyxl holds them whole in memory.
MAX_OTHER_PART_BYTES = 32 * MiB
WORKSHEETS = "xl/worksheets/"
# Deflate cannot beat ~1032:1, so > 1000:1 means long runs of one byte: a bomb, not a sheet
# (excelbp's sheets compress ~8:1). Tiny parts are exempt: their ratio says nothing.
MAX_RATIO = 1000
RATIO_MIN_BYTES = 1 * MiB
# zipfile builds one ZipInfo (~10x its central-directory bytes) per entry before we can count
# them, so the central directory itself is capped: a real entry is ~50-150 bytes.
CENTRAL_DIRECTORY_BYTES_PER_PART = 512
# Bytes of a part the XML parser may see before its root element (all of the workbook's
# relationships part). expat holds a whole token (a comment, a tag) in memory, so a 200 MiB
# comment would cost 200 MiB; real prologs are a few hundred bytes, real rels a few kB.
XML_PARSE_LIMIT = 4 * MiB

REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
XML_SUFFIXES = (".xml", ".rels", ".vml")  # parts that must parse as XML; others are only sniffed


def check_xlsx(
    path: Path,
    *,
    max_part_bytes: int = MAX_PART_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
    max_parts: int = 10_000,
    cells: dict[str, int] | None = None,
) -> None:
    """Raise InputError (one line, naming the file and the culprit part) unless `path` is a
    sound .xlsx zip: readable, within the size limits, with the workbook's parts present and
    no DTD or entity declarations in any XML part. Returns None when the file is fine; `cells`,
    if given, receives each worksheet part's count of cell elements (at most: a count of
    "<c" and ":c" in its bytes, made while inflating it anyway)."""
    path = Path(path)
    where = show(str(path))

    def refuse(message: str) -> InputError:
        return InputError(f"{where}: {message}")

    if not path.exists():
        raise refuse("no such file")
    if path.is_dir():
        raise refuse("is a folder, not an .xlsx file")
    if not path.is_file():  # a FIFO or device would block or never end
        raise refuse("not a regular file, not an .xlsx file")
    try:
        f = open(path, "rb")
    except OSError as e:
        raise refuse(f"cannot read the file ({show(e.strerror or type(e).__name__)})") from None
    with f:
        if f.read(4) != LOCAL_MAGIC:  # every .xlsx starts with its first part's local header
            empty = "empty file: " if f.tell() == 0 else ""
            raise refuse(f"{empty}not an .xlsx file (not a zip archive)")
        infos = _central_directory(f, max_parts, refuse)
        _check_declared(infos, max_part_bytes, max_total_bytes, max_parts, refuse)
        names = {info.filename for info in infos}
        for name in REQUIRED_PARTS:
            if name not in names:
                raise refuse(f"missing part {name}: not a workbook")
        sheets: list[str] = []
        for info in sorted(infos, key=lambda i: i.header_offset):  # in disk order
            count = info.filename.startswith(WORKSHEETS) and cells is not None
            n = _check_part(
                f,
                info,
                refuse,
                sheets if info.filename == WORKBOOK_RELS else None,
                max_parts,
                count,
            )
            if count:
                cells[info.filename] = n
    if not sheets:
        raise refuse(f"no worksheet listed in {WORKBOOK_RELS}: not a workbook")
    for name in sheets:
        if name not in names:
            raise refuse(f"missing part {show(name)}: not a workbook (listed in {WORKBOOK_RELS})")


class _TooBig(Exception):
    """zipfile asked for a central directory larger than the cap."""


class _CappedReads:
    """The file as zipfile sees it, with every single read capped at `cap` bytes.

    zipfile reads the whole central directory with one read() and then makes a ZipInfo per
    entry, so capping reads caps the number of entries before they cost memory.
    """

    def __init__(self, f: BinaryIO, cap: int) -> None:
        self._f, self._cap = f, cap

    def read(self, n: int | None = -1) -> bytes:
        if n is None or n < 0:
            here = self._f.tell()
            n = self._f.seek(0, 2) - here
            self._f.seek(here)
        if n > self._cap:
            raise _TooBig(n)
        return self._f.read(n)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()


def _central_directory(f: BinaryIO, max_parts: int, refuse: Refuse) -> list[zipfile.ZipInfo]:
    """The entries as the central directory declares them; nothing is inflated."""
    # zipfile also reads up to 64 KiB + 22 bytes at the end while seeking the end record.
    cap = max(max_parts * CENTRAL_DIRECTORY_BYTES_PER_PART, 128 * 1024)
    try:
        with zipfile.ZipFile(_CappedReads(f, cap)) as zf:  # type: ignore[arg-type]
            return zf.infolist()
    except _TooBig as e:
        raise refuse(
            f"zip central directory of {e.args[0]:,} bytes is too large (at most {max_parts:,}"
            " parts)"
        ) from None
    except Exception as e:  # noqa: BLE001 - zipfile trips in many ways (struct, ValueError, ...) on hostile bytes
        detail = (
            "no end-of-archive record; truncated?"
            if str(e) == "File is not a zip file"
            else show(str(e))
        )
        raise refuse(f"damaged zip archive ({detail})") from None


def _check_declared(
    infos: list[zipfile.ZipInfo], max_part: int, max_total: int, max_parts: int, refuse: Refuse
) -> None:
    """Refuse on what the central directory declares, before a single byte is inflated."""
    if len(infos) > max_parts:
        raise refuse(
            f"{len(infos):,} parts in the archive, over the limit of {max_parts:,} (refused)"
        )
    seen: set[str] = set()
    for info in infos:
        name = show(info.filename)
        if not info.filename:
            raise refuse("a part has an empty name (damaged zip)")
        if info.filename in seen:  # two parts of one name: readers may disagree on which counts
            raise refuse(f"part {name} appears twice in the archive (refused: ambiguous)")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise refuse(f"part {name} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse(
                f"part {name} uses compression method {info.compress_type}; .xlsx parts are stored"
                " or deflated"
            )
        limit = (
            max_part
            if info.filename.startswith(WORKSHEETS)
            else min(max_part, MAX_OTHER_PART_BYTES)
        )
        if info.file_size > limit:
            raise refuse(
                f"part {name} declares {_size(info.file_size)} uncompressed, over the limit of"
                f" {_size(limit)} for"
                f" {'a worksheet' if limit == max_part else 'a part other than a worksheet'}"
                " (refused: zip bomb?)"
            )
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * info.compress_size:
            ratio = info.file_size / max(info.compress_size, 1)
            raise refuse(
                f"part {name} compresses {ratio:,.0f}:1, over {MAX_RATIO}:1 (refused: zip bomb)"
            )
    total = sum(info.file_size for info in infos)
    if total > max_total:
        big = max(infos, key=lambda i: i.file_size)
        raise refuse(
            f"parts declare {_size(total)} uncompressed in all, over the {_size(max_total)} limit "
            f"(refused: zip bomb?); the largest is {show(big.filename)} ({_size(big.file_size)})"
        )


def _check_part(
    f: BinaryIO,
    info: zipfile.ZipInfo,
    refuse: Refuse,
    sheets: list[str] | None,
    max_parts: int,
    count_cells: bool = False,
) -> int:
    """Inflate one part with a running count and CRC, feeding its XML prolog to defusedxml;
    return its count of cell elements if asked (an upper bound: a bytes.count, no parsing)."""
    name = show(info.filename)
    must_be_xml = info.filename.lower().endswith(XML_SUFFIXES)
    parser = prolog_parser(sheets, max_parts)
    # Every part is tried as XML, whatever its name: a reader may be led to parse a part
    # called "sheet1.bin". Non-XML parts (images) fail at their first bytes and are let be.
    parsing = not info.filename.endswith("/")  # a folder entry holds nothing to parse
    count = crc = cells = 0
    last = b""
    try:
        for piece in inflate(f, info):
            count += len(piece)
            if (
                count_cells
            ):  # every cell element starts "<c" or "<prefix:c"; `last` joins a "<c" cut in two
                joined = last + piece
                cells += joined.count(b"<c") + joined.count(b":c")
                last = piece[-1:]
            # Declared sizes were checked against the limits, so stopping at the declared
            # size also stops at the limits, without trusting the header to tell the truth.
            if count > info.file_size:
                raise refuse(
                    f"part {name} inflates past its declared {info.file_size:,} bytes (refused:"
                    " lying zip header)"
                )
            crc = zlib.crc32(piece, crc)
            if parsing:
                parsing = feed(parser, piece, must_be_xml, name, refuse)
                if parsing and count > XML_PARSE_LIMIT:
                    what = (
                        "relationships"
                        if sheets is not None
                        else "XML prolog (before the root element)"
                    )
                    raise refuse(f"{what} over {_size(XML_PARSE_LIMIT)} in {name} (refused)")
        if parsing:
            feed(parser, None, must_be_xml, name, refuse)
    except (OSError, zlib.error, Damaged) as e:
        raise refuse(f"damaged part {name} ({show(str(e)) or type(e).__name__})") from None
    except TooManySheets:
        raise refuse(f"more than {max_parts:,} worksheets listed in {name} (refused)") from None
    if count != info.file_size:
        raise refuse(f"damaged part {name} ({count:,} bytes, header says {info.file_size:,})")
    if crc != info.CRC:
        raise refuse(f"damaged part {name} (CRC mismatch)")
    return cells


def _size(n: int) -> str:
    return f"{n / MiB:,.1f} MiB" if n >= MiB else f"{n:,} bytes"

"""safe_zip.check_xlsx: hostile .xlsx files are refused with one line, before anything
inflates them."""

from __future__ import annotations

import functools
import io
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from excelbp.errors import InputError
from excelbp.verify.safe_zip import MiB, check_xlsx

SHEET = "xl/worksheets/sheet1.xml"
ROOT = Path(__file__).resolve().parents[1]

LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>\n"
)


def refused(path: Path, *needles: str, **limits) -> str:
    """check_xlsx(path) must raise InputError: one line, naming the file and every needle."""
    with pytest.raises(InputError) as caught:
        check_xlsx(path, **limits)
    message = str(caught.value)
    assert "\n" not in message and "\r" not in message, message
    assert str(path) in message, message
    for needle in needles:
        assert needle in message, message
    return message


@functools.cache
def valid_parts() -> tuple[tuple[str, bytes], ...]:
    """The parts of a real workbook, as openpyxl writes it."""
    buf = io.BytesIO()
    openpyxl.Workbook().save(buf)
    with zipfile.ZipFile(buf) as zf:
        return tuple((i.filename, zf.read(i)) for i in zf.infolist())


def write_xlsx(
    path: Path, *, drop=(), replace=None, add=None, compression=zipfile.ZIP_DEFLATED
) -> Path:
    """A copy of the valid workbook with parts dropped, replaced or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in valid_parts():
            if name not in drop:
                zf.writestr(name, replace.get(name, data))
        for name, data in add.items():
            zf.writestr(name, data)
    return path


# Field offsets in the local (PK\3\4) and central (PK\1\2) headers: flags, CRC, size, name
# length, name.
HEADERS = {b"PK\x03\x04": (6, 14, 22, 26, 30), b"PK\x01\x02": (8, 16, 24, 28, 46)}


def patch_header(
    data: bytearray,
    name: str,
    *,
    flags: int | None = None,
    crc: int | None = None,
    file_size: int | None = None,
) -> None:
    """Rewrite what both headers of part `name` declare, in place."""
    for magic, (flags_at, crc_at, size_at, name_len_at, name_at) in HEADERS.items():
        pos = data.find(magic)
        while pos >= 0:
            (n,) = struct.unpack_from("<H", data, pos + name_len_at)
            if data[pos + name_at : pos + name_at + n] == name.encode():
                for value, at, fmt in (
                    (flags, flags_at, "<H"),
                    (crc, crc_at, "<L"),
                    (file_size, size_at, "<L"),
                ):
                    if value is not None:
                        struct.pack_into(fmt, data, pos + at, value)
            pos = data.find(magic, pos + 4)


def run_child(path: Path) -> dict:
    """check_xlsx in a fresh process: its message, seconds and peak RSS (its own, not ours)."""
    code = (
        "import json, resource, sys, time\n"
        "from excelbp.verify.safe_zip import check_xlsx\n"
        "t = time.perf_counter()\n"
        "try:\n    check_xlsx(sys.argv[1]); message = None\n"
        "except Exception as e:\n    message = f'{type(e).__name__}: {e}'\n"
        "seconds = time.perf_counter() - t\n"
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking parent (pytest).
        "try:\n    kb = int(next(l for l in open('/proc/self/status') if"
        " l.startswith('VmHWM')).split()[1])\n"
        "except OSError:\n    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'message': message, 'seconds': seconds, 'rss_mb': kb / 1024}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# --- files that must pass ---------------------------------------------------------------


def test_valid_openpyxl_workbook_passes(tmp_path):
    path = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(path)
    assert check_xlsx(path) is None


def test_valid_excelbp_workbook_passes(make_workbook):
    assert check_xlsx(make_workbook("linear", template="linear")) is None


def test_stored_parts_and_images_pass(tmp_path):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    path = write_xlsx(
        tmp_path / "stored.xlsx", compression=zipfile.ZIP_STORED, add={"xl/media/image1.png": png}
    )
    assert check_xlsx(path) is None


# --- not a workbook at all --------------------------------------------------------------


def test_missing_file(tmp_path):
    refused(tmp_path / "nope.xlsx", "no such file")


def test_folder(tmp_path):
    refused(tmp_path, "folder")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(path, "empty file: not an .xlsx file (not a zip archive)")


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.xlsx"
    path.write_text("step,loss\n1,0.5\n")
    refused(path, "not an .xlsx file (not a zip archive)")


def test_truncated_zip(tmp_path):
    path = write_xlsx(tmp_path / "cut.xlsx")
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    refused(path, "damaged zip archive")


def test_crc_error(tmp_path):
    path = write_xlsx(tmp_path / "crc.xlsx", compression=zipfile.ZIP_STORED)
    data = bytearray(path.read_bytes())
    at = data.find(b"<sheetData")  # inside sheet1.xml, stored as is: a flip keeps it well-formed
    data[at + 1] ^= 0x20  # <sheetData → <SheetData
    path.write_bytes(bytes(data))
    refused(path, "damaged part", SHEET, "CRC")


@pytest.mark.parametrize(
    "part", ["xl/workbook.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]
)
def test_missing_required_part(tmp_path, part):
    refused(write_xlsx(tmp_path / "part.xlsx", drop={part}), f"missing part {part}: not a workbook")


def test_missing_worksheet_part(tmp_path):
    refused(
        write_xlsx(tmp_path / "nosheet.xlsx", drop={SHEET}), f"missing part {SHEET}: not a workbook"
    )


def test_duplicate_part(tmp_path):
    with pytest.warns(UserWarning):  # zipfile warns about the duplicate name as it writes it
        path = write_xlsx(tmp_path / "dup.xlsx", add={SHEET: b"<worksheet/>"})
    refused(path, SHEET, "twice")


def test_encrypted_part(tmp_path):
    path = write_xlsx(tmp_path / "enc.xlsx")
    data = bytearray(path.read_bytes())
    patch_header(data, SHEET, flags=0x1)
    path.write_bytes(bytes(data))
    refused(path, SHEET, "encrypted")


def test_unsupported_compression(tmp_path):
    path = write_xlsx(tmp_path / "bz2.xlsx", drop={SHEET})
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr(
            zipfile.ZipInfo(SHEET), dict(valid_parts())[SHEET], compress_type=zipfile.ZIP_BZIP2
        )
    refused(path, SHEET, "compression method 12")


def test_part_name_with_newline_stays_one_line(tmp_path):
    path = write_xlsx(tmp_path / "nl.xlsx", add={"xl/evil\nname.xml": LAUGHS + b"<x/>"})
    refused(path, "xl/evil\\nname.xml", "entity")


# --- zip bombs ---------------------------------------------------------------------------


def write_bomb(path: Path, size: int, part: str = SHEET) -> Path:
    """A valid workbook whose part `part` inflates to `size` bytes of repeated <row>s; written
    in 1 MiB blocks through zipfile, so neither this test nor the file is big (~2.5 MB)."""
    write_xlsx(path, drop={part}, compression=zipfile.ZIP_DEFLATED)
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    block = row * (MiB // len(row))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open(part, "w") as w:
            w.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            for _ in range(size // len(block)):
                w.write(block)
            w.write(b"</sheetData></worksheet>")
    return path


def test_400_mb_part_refused_fast_and_small(tmp_path):
    """A worksheet may be 2 GiB (the 1,000,000-step demo's is 1.24 GiB; verify's budget bounds
    its cells, tests/hostile/test_workbooks.py); any other part far less."""
    part = "xl/sharedStrings.xml"
    path = write_bomb(tmp_path / "bomb.xlsx", 400 * MiB, part)
    assert path.stat().st_size < 10 * MiB
    result = run_child(path)
    message = result["message"]
    assert message.startswith("InputError: ") and "\n" not in message, message
    assert str(path) in message and part in message and "over the" in message, message
    assert result["seconds"] < 2, result
    assert result["rss_mb"] < 100, result


def test_declared_total_over_limit(tmp_path):
    path = write_xlsx(tmp_path / "total.xlsx")
    refused(path, "in all", "largest", max_total_bytes=5_000)


def test_too_many_parts(tmp_path):
    refused(write_xlsx(tmp_path / "many.xlsx"), "parts in the archive", max_parts=3)


def test_huge_central_directory_refused_before_parsing(tmp_path):
    path = write_xlsx(tmp_path / "cd.xlsx", add={f"xl/junk/{i:05}.bin": b"" for i in range(3000)})
    refused(path, "central directory", max_parts=10)


def test_absurd_compression_ratio(tmp_path):
    zeros = bytes(8 * MiB)  # deflates ~1030:1, the format's best
    refused(
        write_xlsx(tmp_path / "ratio.xlsx", add={"xl/media/zeros.bin": zeros}),
        "xl/media/zeros.bin",
        "1000:1",
    )


def test_lying_header_stopped_at_declared_size(tmp_path):
    """The central and local headers say 1,000 bytes; the deflate stream holds 50 MiB. The CRC is
    even patched to match the first 1,000 bytes, so only the running count can catch it."""
    big = (
        b'<?xml version="1.0"?><worksheet><sheetData>'
        + b'<row r="1"><c r="A1"><v>1</v></c></row>' * (50 * MiB // 39)
    )
    path = write_xlsx(tmp_path / "liar.xlsx", replace={SHEET: big})
    data = bytearray(path.read_bytes())
    patch_header(data, SHEET, file_size=1_000, crc=zlib.crc32(big[:1_000]))
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf:  # zipfile itself would read a "valid" 1,000-byte part
        assert len(zf.read(SHEET)) == 1_000
    refused(path, SHEET, "inflates past its declared 1,000 bytes")


# --- XML bombs ---------------------------------------------------------------------------


@pytest.mark.parametrize("part", ["xl/workbook.xml", SHEET])
def test_billion_laughs(tmp_path, part):
    original = dict(valid_parts())[part]
    body = original.split(b"?>", 1)[-1]  # keep the root element, drop any XML declaration
    bomb = LAUGHS + body.replace(b"<sheetData", b"<sheetData a='&lol9;'", 1).replace(
        b"<sheets>", b"<sheets>&lol9;", 1
    )
    path = write_xlsx(tmp_path / "laughs.xlsx", replace={part: bomb})
    refused(path, f"XML entity declarations in {part} (refused: entity expansion)")


def test_billion_laughs_refused_fast_and_small(tmp_path):
    body = (
        dict(valid_parts())[SHEET]
        .split(b"?>", 1)[-1]
        .replace(b"<sheetData", b"<sheetData a='&lol9;'", 1)
    )
    result = run_child(write_xlsx(tmp_path / "laughs.xlsx", replace={SHEET: LAUGHS + body}))
    assert "entity expansion" in result["message"] and SHEET in result["message"], result
    assert result["seconds"] < 1 and result["rss_mb"] < 100, result


def test_external_entity(tmp_path):
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY x SYSTEM'
        b' "file:///etc/passwd">]><worksheet>&x;</worksheet>'
    )
    refused(write_xlsx(tmp_path / "xxe.xlsx", replace={SHEET: xxe}), SHEET, "external entit")


def test_external_dtd(tmp_path):
    xxe = b'<?xml version="1.0"?><!DOCTYPE w SYSTEM "http://example.invalid/evil.dtd"><worksheet/>'
    refused(write_xlsx(tmp_path / "dtd.xlsx", replace={SHEET: xxe}), SHEET, "external")


def test_plain_dtd(tmp_path):
    dtd = b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ELEMENT worksheet ANY>]><worksheet/>'
    refused(write_xlsx(tmp_path / "dtd.xlsx", replace={SHEET: dtd}), SHEET, "DTD")


def test_utf16_billion_laughs(tmp_path):
    bomb = (
        (LAUGHS.replace(b'"1.0"', b'"1.0" encoding="UTF-16"') + b"<worksheet>&lol9;</worksheet>")
        .decode()
        .encode("utf-16")
    )
    refused(write_xlsx(tmp_path / "utf16.xlsx", replace={SHEET: bomb}), SHEET, "entity expansion")


def test_entities_in_a_part_not_named_xml(tmp_path):
    refused(
        write_xlsx(tmp_path / "bin.xlsx", add={"xl/sheet9.bin": LAUGHS + b"<x>&lol9;</x>"}),
        "xl/sheet9.bin",
        "entity",
    )


def test_huge_prolog_refused_before_expat_buffers_it(tmp_path):
    """expat keeps a whole comment in memory: a DTD hidden behind 5 MiB of comment is refused
    without parsing that far."""
    sneaky = (
        b"<?xml version='1.0'?><!--"
        + b"-." * (5 * MiB // 2)
        + b"-->"
        + LAUGHS.split(b"?>", 1)[1]
        + b"<worksheet/>"
    )
    refused(write_xlsx(tmp_path / "prolog.xlsx", replace={SHEET: sneaky}), SHEET, "XML prolog")


def test_malformed_xml_part(tmp_path):
    refused(
        write_xlsx(tmp_path / "bad.xlsx", replace={"xl/workbook.xml": b"not xml at all"}),
        "malformed XML in xl/workbook.xml",
    )


# --- hostile bytes only ever give InputError ---------------------------------------------


@functools.cache
def valid_bytes(compression: int) -> bytes:
    with tempfile.TemporaryDirectory() as d:
        return write_xlsx(Path(d) / "v.xlsx", compression=compression).read_bytes()


def only_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "fuzz.xlsx"
        path.write_bytes(data)
        try:
            check_xlsx(path, max_part_bytes=MiB, max_total_bytes=4 * MiB)
        except InputError as e:
            message = str(e)
            assert "\n" not in message and "\r" not in message and str(path) in message, message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.binary(max_size=2000), st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b))
)
def test_random_bytes_only_raise_input_error(data):
    only_input_error(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=8
    ),
    st.one_of(st.none(), st.floats(0, 1)),
)
def test_corrupted_xlsx_only_raises_input_error(compression, flips, cut):
    data = bytearray(valid_bytes(compression))
    for where, value in flips:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    only_input_error(bytes(data))

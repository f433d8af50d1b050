"""Issue 17, verify's side: workbooks whose cost follows their cells, formulas and ranges, not
their bytes. Each is made here, at test time, from a small real workbook (nothing is committed
but this code), and `excelbp verify` must answer it as a separate process under
`prlimit --as=600000000` (600 MB of address space: the 500 MB the issue allows and 100 MB for
what the interpreter and numpy reserve without touching), within 10 s, with exit 1 or 2 and
its answer on one line, without a traceback."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from excelbp.cli import main
from excelbp.layout.grid import STRUCTURE
from excelbp.verify import sheetxml

ROOT = Path(__file__).resolve().parents[2]
AS_LIMIT = 600_000_000
SECONDS = 10


@functools.cache
def _small(folder: str) -> Path:
    path = Path(folder) / "small.xlsx"
    assert main(["build", "--steps", "10", "-o", str(path), "--quiet"]) == 0
    return path


@pytest.fixture
def small(tmp_path_factory) -> Path:
    return _small(str(tmp_path_factory.getbasetemp()))


def parts_of(path: Path) -> dict[str, str]:
    return {s.title: s.part for s in sheetxml.workbook(path).sheets}


def rewrite(src: Path, dst: Path, changes: dict) -> Path:
    """A copy of `src` with parts replaced: bytes, or a function writing to the part's stream."""
    with (
        zipfile.ZipFile(src) as zin,
        zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zout,
    ):
        names = [i.filename for i in zin.infolist()]
        for name in names + [n for n in changes if n not in names]:
            change = changes.get(name)
            if callable(change):
                with zout.open(name, "w", force_zip64=True) as w:
                    change(w, zin.read(name) if name in names else b"")
            else:
                zout.writestr(name, zin.read(name) if change is None else change)
    return dst


def add_rows(rows, first: int = 1):
    """A part changer that appends rows of cells (`rows`: an iterator of bytes, one per row)
    after the sheet's own rows."""

    def write(w, old: bytes) -> None:
        head, _, tail = old.partition(b"</sheetData>")
        w.write(head)
        for row in rows:
            w.write(row)
        w.write(b"</sheetData>" + tail)

    return write


def verify_answer(path: Path, *args: str) -> tuple[int, str, float]:
    """(exit status, its one line of answer, seconds) of `excelbp verify` in a child process."""
    started = time.monotonic()
    r = subprocess.run(
        [
            "prlimit",
            f"--as={AS_LIMIT}",
            sys.executable,
            "-m",
            "excelbp",
            "verify",
            str(path),
            "--quiet",
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "TQDM_DISABLE": "1"},
    )
    seconds = time.monotonic() - started
    out = (r.stderr + r.stdout).strip()
    assert "Traceback" not in out and "MemoryError" not in out, out[-2000:]
    assert r.returncode in (1, 2), (r.returncode, out[-2000:])
    lines = (
        r.stderr.strip().splitlines()
        if r.returncode == 2
        else [line for line in r.stdout.splitlines() if line.startswith("MISMATCH")]
    )
    assert len(lines) == 1, out[-2000:]
    assert seconds <= SECONDS, (seconds, lines[0])
    return r.returncode, lines[0], seconds


def cells_row(r: int, width: int) -> bytes:
    return (
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>1</v></c>' % (col, r) for col in COLS[:width])
        + b"</row>"
    )


COLS = [
    (a + b).encode()
    for a in ["", *"ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
    for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
][: 26 * 27]


# --- cells, strings and ranges -----------------------------------------------------------


def test_millions_of_plain_cells_in_a_small_file(small, tmp_path):
    """11.8 million plain cells over two sheets (each part under the old 200 MiB limit), a
    file of a few MB: counted while the zip is checked, refused before a cell is held."""
    parts = parts_of(small)
    width, rows = 700, 8_430  # 5.9 million cells a sheet
    bad = rewrite(
        small,
        tmp_path / "cells.xlsx",
        {
            parts["Steps"]: add_rows(cells_row(r, width) for r in range(100, 100 + rows)),
            parts["Inputs"]: add_rows(cells_row(r, width) for r in range(100, 100 + rows)),
        },
    )
    assert bad.stat().st_size < 40_000_000  # the was 24 MB
    status, line, _ = verify_answer(bad)
    assert status == 2 and "cells in its sheets" in line and "structure record" in line, line


def test_a_huge_shared_strings_part(small, tmp_path):
    """31 MiB of tiny shared strings, listed in [Content_Types].xml: openpyxl makes objects of
    every one (2 million, 40 s) each time it opens the workbook. Refused on the part's size."""

    def strings(w, _old):
        w.write(
            b'<?xml version="1.0"?><sst'
            b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        )
        block = b"<si><t>a</t></si>" * 65536
        for _ in range(31 * 1024 * 1024 // len(block)):
            w.write(block)
        w.write(b"</sst>")

    with zipfile.ZipFile(small) as z:
        types = z.read("[Content_Types].xml").replace(
            b"</Types>",
            b'<Override PartName="/xl/strings.xml"'
            b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            b'.sharedStrings+xml"/></Types>',
        )
    bad = rewrite(
        small, tmp_path / "sst.xlsx", {"xl/strings.xml": strings, "[Content_Types].xml": types}
    )
    status, line, _ = verify_answer(bad)
    assert status == 2 and "shared strings part xl/strings.xml" in line, line


def test_a_range_over_a_whole_sheet(small, tmp_path):
    """One formula over A1:XFD1048576 (17 billion cells) that the translator leaves to the
    `formulas` package, which would make an object per cell."""
    cell = b'<row r="200"><c r="A200"><f>SUMPRODUCT(Steps!A1:XFD1048576)+LEN("x")</f></c></row>'
    bad = rewrite(
        small, tmp_path / "range.xlsx", {parts_of(small)["Inputs"]: add_rows(iter([cell]))}
    )
    status, line, _ = verify_answer(bad)
    assert status == 2 and "17,179,869,184 cells" in line and "Inputs!A200" in line, line


def test_many_distinct_formulas(small, tmp_path):
    """60,000 formulas, each a text of its own outside the translator's grammar: each would be
    compiled by the `formulas` package (20-50 ms each)."""
    rows = (
        b'<row r="%d">' % r
        + b"".join(
            b'<c r="%s%d"><f>LEN("%d")+%d</f></c>' % (col, r, r, j)
            for j, col in enumerate(COLS[:100])
        )
        + b"</row>"
        for r in range(200, 800)
    )
    bad = rewrite(small, tmp_path / "formulas.xlsx", {parts_of(small)["Inputs"]: add_rows(rows)})
    status, line, _ = verify_answer(bad)
    assert status == 2 and "distinct formulas" in line, line


def test_a_slow_xml_form_with_many_cells(small, tmp_path):
    """A comment in the sheet data sends verify to the openpyxl-based reader (about 30 µs a
    cell); with 150,000 cells (within the budget) that reader is not tried."""
    rows = ((b"<!-- x -->" if r == 200 else b"") + cells_row(r, 600) for r in range(200, 450))
    bad = rewrite(small, tmp_path / "slow.xlsx", {parts_of(small)["Inputs"]: add_rows(rows)})
    status, line, _ = verify_answer(bad)
    assert status == 2 and "comment" in line and "100,000 cells" in line, line


# --- a structure record that lies ---------------------------------------------------------


def with_record(small: Path, dst: Path, **changes) -> Path:
    """A copy whose structure record (the hidden sheet's A2) says something else."""
    part = "xl/sharedStrings.xml"  # excelbp writes its texts there, the record among them
    with zipfile.ZipFile(small) as z:
        xml = z.read(part)
    start = xml.index(b'<t>{"') + 3
    end = xml.index(b"</t>", start)
    record = json.loads(xml[start:end].decode())
    record.update(changes)
    return rewrite(small, dst, {part: xml[:start] + json.dumps(record).encode() + xml[end:]})


@pytest.mark.parametrize(
    "changes, needle",
    [
        (dict(steps=10**9), "1,000,000,000 steps"),
        (dict(n_samples=10**9), "1,000,000,000 samples"),
        (dict(sizes=[3, 100_000, 1]), "layer sizes"),
        (dict(batch=10**6), "more than excelbp writes"),
    ],
)
def test_a_record_claiming_the_impossible(small, tmp_path, changes, needle):
    status, line, _ = verify_answer(with_record(small, tmp_path / "record.xlsx", **changes))
    assert status == 2 and needle in line, line


def test_a_record_claiming_more_steps_than_the_sheets_hold(small, tmp_path):
    """1,000,000 steps is possible, but this workbook holds 10: refused before the engine runs
    a million steps and verify compares 21 million cells that are not there."""
    status, line, _ = verify_answer(with_record(small, tmp_path / "record.xlsx", steps=1_000_000))
    assert status == 2 and "reaches row 1,000,003" in line and "ends at row 13" in line, line


def test_a_dimension_lie(small, tmp_path):
    """The structure sheet says it spans A1:XFD1048576 and has a cell in its last row:
    openpyxl's streaming reader would yield every row in between padded to 16,384 cells (17
    billion). Nothing reads <dimension> now; a value pasted over a formula makes the answer a
    mismatch."""
    parts = parts_of(small)
    with zipfile.ZipFile(small) as z:
        record, steps = z.read(parts[STRUCTURE]), z.read(parts["Steps"])
    record = record.replace(b'<dimension ref="A1:A2"/>', b'<dimension ref="A1:XFD1048576"/>')
    record = record.replace(
        b"</sheetData>", b'<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>'
    )
    assert b"XFD1048576" in record
    at = steps.index(b"<f>", steps.index(b'<row r="8"'))
    steps = steps[:at] + b"<v>0.5</v>" + steps[steps.index(b"</f>", at) + 4 :]
    bad = rewrite(small, tmp_path / "dim.xlsx", {parts[STRUCTURE]: record, parts["Steps"]: steps})
    status, line, _ = verify_answer(bad)
    assert status == 1 and "a value where excelbp wrote a formula" in line, line


def test_the_hostile_files_stay_small(small, tmp_path):
    """Nothing over 100 KB is committed: every file above is made at test time."""
    here = Path(__file__).parent
    assert all(p.stat().st_size < 100_000 for p in here.iterdir() if p.is_file())
    assert shutil.which("prlimit"), "prlimit (util-linux) runs verify under a memory limit"

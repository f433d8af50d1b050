"""Array formulas over a range (excelbp/verify/arrays.py): the build writes a step's first-layer z
as one `MMULT(X, TRANSPOSE(W))+TRANSPOSE(b)` over the batch × hidden block. The tests' oracle
(recalc_oracle.py) and fast.py must give the same bits in every cell of the ref, equal to
numpy's product, ignore the followers' cached values, and count every cell of the ref as a
formula cell; LibreOffice and Gnumeric must agree."""

from __future__ import annotations

import math
import re
import zipfile

import numpy as np
import openpyxl
import pytest
import recalc_oracle as recalc
from conftest import needs_gnumeric, needs_soffice
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.formula import ArrayFormula

from excelbp.errors import InputError
from excelbp.verify import fast, reader
from excelbp.verify.arrays import mmult

rng = np.random.default_rng(7)
X = rng.standard_normal((6, 7))  # Inputs!B2:H7: a batch of 6 samples of 7 inputs
W1, b1 = rng.standard_normal((5, 7)), rng.standard_normal(5)  # 'How it works'!A1:G5, I1:I5
W2 = rng.standard_normal((3, 5))  # A20:E22
W3 = rng.standard_normal((3, 2))  # Later!A1:B3
Z1 = X @ W1.T + b1  # B10:F15
Z2 = Z1 @ W2.T  # B30:D35, reads the first block
Z3 = Z2 @ W3  # B40:C45, reads a later sheet
Z4 = X[:2, :2] @ W3[:2, :2]  # Later!D10:E11, read by 'How it works'!H40
MAIN = "How it works"


def put(ws, top: int, left: int, block: np.ndarray) -> None:
    for i, row in enumerate(np.atleast_2d(block)):
        for j, v in enumerate(row):
            ws.cell(top + i, left + j, float(v))


def array(ws, ref: str, text: str, stale: float | None = 999.0) -> None:
    """An array formula at the ref's top-left cell; the other cells hold a wrong cached value."""
    first, last = ref.split(":")
    ws[first] = ArrayFormula(ref, text)
    if stale is not None:
        for row in ws[ref]:
            for cell in row:
                if cell.coordinate != first:
                    cell.value = stale


def book(path, inputs: np.ndarray = X) -> None:
    wb = openpyxl.Workbook()
    inp = wb.active
    inp.title = "Inputs"
    put(inp, 2, 2, inputs)
    ws, later = wb.create_sheet(MAIN), wb.create_sheet("Later")
    put(ws, 1, 1, W1)
    put(ws, 1, 9, b1[:, None])
    put(ws, 20, 1, W2)
    put(later, 1, 1, W3)
    ws["H1"] = "=C15+1"  # above the block, reading a follower
    array(ws, "B10:F15", "=MMULT(Inputs!$B$2:$H$7,TRANSPOSE(A1:G5))+TRANSPOSE(I1:I5)")
    ws["H10"] = "=TANH(C11)"
    array(
        ws, "B30:D35", "=MMULT(B10:F15,TRANSPOSE($A$20:$E$22))", stale=None
    )  # followers without a cell
    array(ws, "B40:C45", "=MMULT(B30:D35,Later!A1:B3)")
    ws["H40"] = "=Later!E11*2"
    array(later, "D10:E11", "=MMULT(Inputs!B2:C3,A1:B2)")
    wb.save(path)


def expected() -> dict[str, float]:
    out = {
        f"{MAIN}!H1": Z1[5, 1] + 1,
        f"{MAIN}!H10": math.tanh(Z1[1, 1]),
        f"{MAIN}!H40": Z4[1, 1] * 2,
    }
    for sheet, top, left, Z in (
        (MAIN, 10, 2, Z1),
        (MAIN, 30, 2, Z2),
        (MAIN, 40, 2, Z3),
        ("Later", 10, 4, Z4),
    ):
        for (i, j), v in np.ndenumerate(Z):
            out[f"{sheet}!{openpyxl.utils.get_column_letter(left + j)}{top + i}"] = v
    return out


def both(path) -> tuple[dict, fast.Result]:
    """The oracle's formula cells and fast.py's result, checked equal to the last bit."""
    old, literals = recalc.calculate(path)
    new = fast.recalculate(path)
    for key, want in old.items():
        got = new.get(*locate(new, key))
        same = (type(got) is bool) == (type(want) is bool) and got == want
        assert same and (
            not isinstance(want, float) or math.copysign(1, got) == math.copysign(1, want)
        ), (key, got, want)
    marked = {
        f"{t}!{openpyxl.utils.get_column_letter(c)}{r}"
        for t, F in zip(new.titles, new.formula)
        for r, c in np.argwhere(F).tolist()
    }
    assert marked == set(old)
    assert not set(old) & set(literals)
    return old, new


def locate(result: fast.Result, key: str) -> tuple[int, int, int]:
    sheet, cell = key.rsplit("!", 1)
    m = re.fullmatch(r"([A-Z]+)([0-9]+)", cell)
    return result.index[sheet], int(m[2]), column_index_from_string(m[1])


def close(got: dict, want: dict) -> None:
    for key, v in want.items():
        assert abs(got[key] - v) <= 1e-12 * max(1.0, abs(v)), (key, got[key], v)


def test_recalc_and_fast_agree_bit_for_bit_and_equal_numpy(tmp_path):
    path = tmp_path / "arrays.xlsx"
    book(path)
    old, _ = both(path)
    want = expected()
    assert set(old) == set(want)  # every cell of each ref is a formula cell, and only those
    close(old, want)
    assert all(v != 999.0 for v in old.values())  # no stale cached value shows


def test_the_compiled_path_evaluates_the_anchors(tmp_path):
    """fast.py's MMULT is its own code, not formulas' (which would agree trivially)."""
    path = tmp_path / "arrays.xlsx"
    book(path)
    engine = fast.Engine(fast.sheetxml.workbook(path))
    engine.read()
    anchors = [sh for sh in engine.shapes if sh.ref is not None]
    assert len(anchors) == 4 and all(sh.fn is not None for sh in anchors)
    assert not engine.templates


def test_mmult_is_formulas_bits_at_fashion_size():
    """784 products a cell: formulas' np.dot over objects and arrays.mmult round alike."""
    from excelbp.verify.formulas_private import as_ranges, compiled

    A, B = rng.standard_normal((32, 784)), rng.standard_normal((32, 784))
    b = rng.standard_normal((32, 1))
    t = compiled("MMULT(_xbp0,TRANSPOSE(_xbp1))+TRANSPOSE(_xbp2)")
    got = t.whole(
        [
            as_ranges("S", 1, 1, 32, 784, A.astype(object)),
            as_ranges("S", 40, 1, 71, 784, B.astype(object)),
            as_ranges("S", 80, 1, 111, 1, b.astype(object)),
        ]
    )
    assert np.array_equal(np.asarray(got, float), mmult(A, B.T) + b.T)


def test_a_follower_without_any_cell_element_and_a_stale_text(tmp_path):
    """`<c r="C10" s="0"/>` and a cached text where a number will be: both ignored."""
    path, edited = tmp_path / "arrays.xlsx", tmp_path / "edited.xlsx"
    book(path)
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(edited, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data, n = re.subn(rb'<c r="C10"[^>]*>.*?</c>', b'<c r="C10" s="0"/>', data)
                data, m = re.subn(
                    rb'<c r="D11"[^>]*>.*?</c>',
                    b'<c r="D11" t="inlineStr"><is><t>stale</t></is></c>',
                    data,
                )
                assert n == m == 1
            zout.writestr(item, data)
    old, _ = both(edited)
    close(old, expected())


def test_shapes_that_do_not_match_the_ref_as_excel_shows_them(tmp_path):
    """A single row repeats down, a single cell fills, #N/A beyond the result; a column added
    to a matrix repeats across."""
    path = tmp_path / "shapes.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    put(ws, 1, 1, X)  # A1:G6
    array(ws, "J1:L3", "=TRANSPOSE(A1:A2)")  # 1×2 in 3×3
    array(ws, "J5:K6", "=A1*2")  # a scalar fills
    array(ws, "J8:N13", "=A1:E6+G1:G6")  # (6,5) + (6,1)
    array(ws, "J15:K17", "=MMULT(A1:B2,A3:B4)")  # 2×2 in 3×2
    wb.save(path)
    old, _ = both(path)
    assert old["Sheet!L1"] == old["Sheet!L3"] == old["Sheet!J17"] == "#N/A"
    want = {
        "J1": X[0, 0],
        "K1": X[1, 0],
        "J3": X[0, 0],
        "K3": X[1, 0],
        "J5": X[0, 0] * 2,
        "K6": X[0, 0] * 2,
        "M13": X[5, 3] + X[5, 6],
        "J8": X[0, 0] + X[0, 6],
        "K16": (X[:2, :2] @ X[2:4, :2])[1, 1],
    }
    close({k: old[f"Sheet!{k}"] for k in want}, want)  # openpyxl stores X to 15-17 digits


def test_errors_in_the_inputs_go_through_formulas_in_both(tmp_path):
    path = tmp_path / "text.xlsx"
    book(path)
    wb = openpyxl.load_workbook(path)
    wb["Inputs"]["C3"] = "text"
    wb.save(path)
    old, _ = both(path)
    assert {old[f"{MAIN}!{c}{r}"] for c in "BCDEF" for r in range(10, 16)} == {
        "#VALUE!"
    }  # as in Excel


def test_a_formula_inside_a_ref_is_refused(tmp_path):
    path = tmp_path / "inside.xlsx"
    book(path)
    wb = openpyxl.load_workbook(path)
    wb[MAIN]["C12"] = "=1+1"
    wb.save(path)
    with pytest.raises(InputError, match="C12"):
        fast.recalculate(path)


@pytest.mark.slow  # soffice starts in 1.5 s
def test_libreoffice_agrees(tmp_path):
    needs_soffice()
    path = tmp_path / "arrays.xlsx"
    book(path)
    b = reader.open_book(path)
    got = reader.recalculate(b, engine="libreoffice")
    assert set(got.formulas) == set(expected())
    close({k: got.values[k] for k in expected()}, expected())


def test_gnumeric_agrees(tmp_path):
    needs_gnumeric()
    path = tmp_path / "arrays.xlsx"
    book(path)
    got = reader.recalculate(reader.open_book(path), engine="gnumeric")
    assert set(got.formulas) == set(expected())
    close({k: got.values[k] for k in expected()}, expected())


def test_the_work_budget_counts_an_anchor_s_ranges_once_and_a_follower_as_one_cell(tmp_path):
    from excelbp.verify.budget import Budget

    path = tmp_path / "arrays.xlsx"
    book(path)
    # H1, H10, H40: 2 each; anchors 1 + their ranges: 83, 46, 25, 9; 60 followers: 1 each
    work = 3 * 2 + 83 + 46 + 25 + 9 + 60
    fast.recalculate(path, limits=Budget(cells=10_000, shapes=100, work=work, last_rows={}))
    with pytest.raises(InputError, match=f"read {work:,} cells in all"):
        fast.recalculate(path, limits=Budget(cells=10_000, shapes=100, work=work - 1, last_rows={}))


@pytest.mark.parametrize("ref", ["A1:Z200000", "B1:A1", "A1:", "ZZZZ1:A1"])
def test_a_ref_too_large_or_not_from_its_own_cell_is_refused(tmp_path, ref):
    path = tmp_path / "big.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.active[ref.split(":")[0] if ref[0] != "Z" else "A1"] = ArrayFormula(ref, "=A1*2")
    wb.save(path)
    for run in (fast.recalculate, recalc.calculate):
        with pytest.raises(InputError, match="refused|does not start at its own cell|not a range"):
            run(path)

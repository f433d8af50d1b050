"""verify's evaluator (excelbp/verify/fast.py, as `excelbp verify` runs it) and the tests'
oracle (tests/recalc_oracle.py), each compared with formulas' ExcelModel and with
hand-computed values."""

from __future__ import annotations

import functools
import math
import time
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import recalc_oracle
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from excelbp.errors import InputError
from excelbp.verify import reader


def verify_evaluator(path, **kw) -> dict[str, object]:
    """{"Sheet!A1": value} of every formula cell, as `excelbp verify` recalculates them."""
    grid = reader.recalculate(reader.open_book(path), **kw).grid
    return {
        f"{title}!{get_column_letter(c)}{r}": grid.get(s, r, c)
        for s, (title, F) in enumerate(zip(grid.titles, grid.formula))
        for r, c in np.argwhere(F).tolist()
    }


def oracle_evaluator(path, **kw) -> dict[str, object]:
    return recalc_oracle.calculate(path, **kw)[0]  # it also gives the literal cells


@pytest.fixture(params=[verify_evaluator, oracle_evaluator], ids=["verify", "oracle"])
def calculate(request):
    return request.param


def oracle(path: Path) -> dict[str, object]:
    """{"SHEET!A1": value} of every cell ExcelModel computes, values made plain as ours are."""
    import formulas
    import formulas.excel
    import numpy as np
    import tqdm

    bar = formulas.excel.tqdm.tqdm
    formulas.excel.tqdm.tqdm = functools.partial(tqdm.tqdm, disable=True)  # no bars in the log
    try:
        with np.errstate(all="ignore"):
            sol = formulas.ExcelModel().loads(str(path)).finish().calculate()
    finally:
        formulas.excel.tqdm.tqdm = bar
    out = {}
    prefix = f"'[{path.name}]"
    for key, val in sol.items():
        if not (isinstance(key, str) and key.startswith(prefix) and "!" in key):
            continue
        sheet, cell = key[len(prefix) :].rsplit("!", 1)
        if ":" in cell:
            continue
        v = val.value[0, 0] if hasattr(val, "value") else val
        if isinstance(v, formulas.XlError):
            v = str(v)
        elif isinstance(v, np.generic):
            v = v.item()
        out[f"{sheet.rstrip(chr(39)).upper()}!{cell}"] = v
    return out


def kind(v) -> type:
    """verify reads every number as a float (its arrays are float64), ExcelModel some as ints."""
    return float if type(v) is int else type(v)


def assert_same_as_oracle(path: Path, ours: dict):
    """Every formula cell: same type and same value, to the last bit."""
    theirs = oracle(path)
    for key, v in ours.items():
        sheet, cell = key.rsplit("!", 1)
        o = theirs[f"{sheet.upper()}!{cell}"]
        assert kind(v) is kind(o) and (v == o or (v != v and o != o)), (key, v, o)


def add_name(wb, name, text):
    wb.defined_names[name] = DefinedName(name, attr_text=text)


@pytest.fixture(scope="module")
def constructs(tmp_path_factory):
    """One workbook with every construct the generated workbooks use."""
    path = tmp_path_factory.mktemp("recalc") / "constructs.xlsx"
    wb = openpyxl.Workbook()
    inp = wb.active
    inp.title = "Inputs"
    inp["A1"], inp["B2"], inp["B4"], inp["C5"] = "lr", 0.5, 2, 4
    for j, v in enumerate([1, 2, 3]):
        inp.cell(3, 2 + j, v)
    data = [[0.5, -1.25, 2, 3.5], [1, 0, -2, 4], [2.5, 1.5, 0.25, -1], [3, 2, 1, 0]]
    for i, row in enumerate(data):
        for j, v in enumerate(row):
            inp.cell(10 + i, 1 + j, v)
    for i, row in enumerate([[0.1, -0.2], [0.3, 0.4]]):
        for j, v in enumerate(row):
            inp.cell(2 + i, 6 + j, v)
    how = wb.create_sheet("How it works")
    how["B2"], how["B3"] = 2.5, "text"
    calc = wb.create_sheet("Calc")
    later = wb.create_sheet("Later")
    add_name(wb, "lr", "Inputs!$B$2")
    add_name(wb, "batch", "Inputs!$B$4")
    add_name(wb, "X", "Inputs!$A$10:$D$13")
    add_name(wb, "W1_init", "Inputs!$F$2:$G$3")
    add_name(wb, "row_vec", "'Inputs'!$B$3:$D$3")
    cases = {  # cell: (formula, value by hand; None: only compared with the oracle)
        "A1": ("=A2*2", 2 * (7 + 1)),  # depends on cells below and on a later sheet
        "A2": ("=Later!A1+1", 8),
        "A3": ("=1+2*3-4/5", 1 + 2 * 3 - 4 / 5),
        "A4": ("=2^10", 1024),
        "A5": ("=-Inputs!$C$5", -4),
        "A6": ("=(1+2)*3", 9),
        "A7": ("=-2^2", 4),  # Excel: unary minus binds tighter than ^
        "A8": ("=Inputs!B2>0.1", True),
        "A9": ("=1<>2", True),
        "A10": ("=3<=2", False),
        "A11": ("=SUMPRODUCT(Inputs!$B$3:$D$3,Inputs!B3:D3)", 14),
        "A12": ("=SUM(Inputs!B3:D3)", 6),
        "A13": ("=AVERAGE(Inputs!$B$3:$D$3)", 2),
        "A14": ("=EXP(1)", math.exp(1)),
        "A15": ("=LN(2)", math.log(2)),
        "A16": ("=MAX(Inputs!B3:D3,2.5)", 3),
        "A17": ("=MIN(X)", -2),
        "A18": ("=ABS(-3)", 3),
        "A19": ("=IF(Inputs!B2>1,1,2)", 2),
        "A20": ("=MOD(7,3)", 1),
        "A21": ("=MOD(-7,3)", 2),
        "A22": ("=TANH(0.5)", math.tanh(0.5)),
        "A23": ("=INDEX(X,2,3)", -2),
        "A24": ("=MATCH(3,Inputs!$B$3:$D$3,0)", 3),
        "A25": ("=ROWS(X)", 4),
        "A26": ('=COUNTIF(Inputs!B3:D3,">1")', 2),
        "A27": ("=SUMXMY2(Inputs!B3:D3,Inputs!B10:D10)", (1 + 1.25) ** 2 + 0 + 0.5**2),
        "A28": ("='How it works'!B2*2", 5),
        "A29": ("='How it works'!B3", "text"),
        "A30": ("=lr*batch", 1),
        "A31": ("=SUM(W1_init)", 0.1 - 0.2 + 0.3 + 0.4),
        "A32": ("=INDEX(W1_init,2,2)", 0.4),
        "A33": ("=W1+1", 6),  # the cell W1, not the name W1_init
        "A34": ("=SUMPRODUCT(row_vec,row_vec)", 14),
        "A35": ("=INDEX(X,MOD(7,ROWS(X))+1,1)", 3),
        "A36": ("=A$3+$A4", 1 + 2 * 3 - 4 / 5 + 1024),
        "A37": ("=Inputs!Z99+1", 1),  # an empty cell counts as 0
        "A38": ('=IF(1>0,"yes","no")', "yes"),
        "A39": ("=SUM(C1:E1)", 1 + 2 + 3),
        "B1": ("=LN(0)", "#NUM!"),
        "B2": ("=1/0", "#DIV/0!"),
        "B3": ("=B1+1", "#NUM!"),
        "B4": ("=SUM(B2,1)", "#DIV/0!"),
        "B5": ("=IF(TRUE,1,1/0)", 1),  # the branch not taken may be an error
        "B6": ("=IF(Inputs!B2>0,LN(Inputs!B2),LN(0))", math.log(0.5)),
        "B7": ("=EXP(1000)", "#NUM!"),
        "B8": ('=1+"x"', "#VALUE!"),
        "B9": ("=MATCH(99,Inputs!B3:D3,0)", "#N/A"),
        "B10": ("=MAX(B2,1)", "#DIV/0!"),
        "B11": ("=SUMPRODUCT(B1:B2,B1:B2)", None),
    }
    for cell, (f, _) in cases.items():
        calc[cell] = f
    calc["W1"] = 5
    for j, v in enumerate([1, 2, 3]):
        calc.cell(1, 3 + j, v)
    later["A1"] = "=Inputs!B4*3+1"
    wb.save(path)
    return path, cases


def test_constructs_match_oracle_and_hand_values(calculate, constructs):
    path, cases = constructs
    ours = calculate(path)
    assert len(ours) == len(cases) + 1
    assert_same_as_oracle(path, ours)
    for cell, (_, want) in cases.items():
        got = ours[f"Calc!{cell}"]
        if want is None:
            continue
        if isinstance(want, (bool, str)):
            assert got == want and type(got) is type(want), (cell, got, want)
        else:  # formulas' arithmetic gives floats, 16 for 16 alike
            assert type(got) in (int, float), (cell, got)
            assert got == pytest.approx(want, rel=1e-15, abs=1e-15), cell
    assert ours["Later!A1"] == 7


def test_unknown_names_and_sheets(calculate, tmp_path):
    """Excel says #NAME? for an undefined name (ExcelModel: #REF!) and #REF! for no sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"] = "=nosuchname+1", "=Nowhere!A1+1", "=NOSUCHFUNC(1)"
    path = tmp_path / "unknown.xlsx"
    wb.save(path)
    assert calculate(path) == {"Sheet!A1": "#NAME?", "Sheet!A2": "#REF!", "Sheet!A3": "#NAME?"}


def test_sheet_scoped_name_wins_on_its_sheet(calculate, tmp_path):
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "A"
    b = wb.create_sheet("B b")
    a["A1"], a["B1"], b["A1"], b["B1"] = 10, "=k*2", 20, "=k*2"
    add_name(wb, "k", "A!$A$1")
    b.defined_names["k"] = DefinedName("k", attr_text="'B b'!$A$1")
    path = tmp_path / "scoped.xlsx"
    wb.save(path)
    assert calculate(path) == {"A!B1": 20, "B b!B1": 40}


def chain_workbook(path: Path, rows: int, reverse_rows: int = 0) -> None:
    """The shape of a training sheet: every row repeats the row above, shifted by one."""
    wb = openpyxl.Workbook()
    inp = wb.active
    inp.title = "Inputs"
    inp["B1"], inp["B2"], inp["C2"] = 0.05, 0.75, -0.5
    add_name(wb, "lr", "Inputs!$B$1")
    ws = wb.create_sheet("Train data")
    ws["B2"], ws["C2"] = "=Inputs!$B$2", "=Inputs!$C$2"  # first row differs
    ws["D2"] = "=SUMPRODUCT(B2:C2,Inputs!$B$2:$C$2)"
    for r in range(3, rows + 2):
        ws[f"B{r}"] = f"=B{r - 1}-lr*TANH(D{r - 1})"
        ws[f"C{r}"] = f"=IF(D{r - 1}>0,C{r - 1}*0.99,C{r - 1}+lr*EXP(-ABS(B{r})))"
        ws[f"D{r}"] = f"=SUMPRODUCT(B{r}:C{r},Inputs!$B$2:$C$2)"
    if reverse_rows:  # each cell needs the one below it: a deep dependency chain
        ws[f"F{reverse_rows + 1}"] = 1
        for r in range(2, reverse_rows + 1):
            ws[f"F{r}"] = f"=F{r + 1}+1"
    wb.save(path)


def test_chain_of_2000_rows(calculate, tmp_path):
    path = tmp_path / "chain.xlsx"
    chain_workbook(path, 2000, reverse_rows=2000)
    seen = []
    ours = calculate(path, progress=lambda done, total: seen.append((done, total)))
    assert len(ours) == 3 * 2000 + 1999
    assert seen[0] == (0, len(ours)) and seen[-1] == (len(ours), len(ours))
    assert ours["Train data!F2"] == 2000
    b, c = 0.75, -0.5  # the chain by hand, in the same order of operations
    for r in range(3, 2002):
        d = b * 0.75 + c * -0.5
        b = b - 0.05 * math.tanh(d)
        c = c * 0.99 if d > 0 else c + 0.05 * math.exp(-abs(b))
        assert ours[f"Train data!B{r}"] == pytest.approx(b, rel=1e-12, abs=1e-12)
        assert ours[f"Train data!C{r}"] == pytest.approx(c, rel=1e-12, abs=1e-12)


@pytest.mark.slow
def test_chain_matches_oracle_bit_for_bit(calculate, tmp_path):
    path = tmp_path / "chain.xlsx"
    chain_workbook(path, 300, reverse_rows=50)  # ExcelModel needs 25 s for 2,000 rows
    assert_same_as_oracle(path, calculate(path))


def test_literals_are_read_as_they_stand(calculate, tmp_path):
    """ExcelModel rounds literal floats to 15 decimals; we keep every bit."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["A2"], ws["A3"], ws["A4"] = 0.1234567890123456, "=A1*1", True, "=A3"
    ws["A5"], ws["A6"] = "=A7", "=A7+1"  # an empty cell: 0
    ws["A8"], ws["A9"], ws["A10"] = "#N/A", "=A8", "=A8+1"  # a literal error
    ws["B1"], ws["B2"] = "text", "=B1"
    path = tmp_path / "literal.xlsx"
    wb.save(path)
    ours = calculate(path)
    assert ours == {
        "Sheet!A2": 0.1234567890123456,
        "Sheet!A4": True,
        "Sheet!A5": 0,
        "Sheet!A6": 1,
        "Sheet!A9": "#N/A",
        "Sheet!A10": "#N/A",
        "Sheet!B2": "text",
    }
    assert oracle(path)["SHEET!A2"] == 0.123456789012346


@pytest.mark.parametrize(
    "cells",
    [
        {"A1": "=A3+1", "A2": "=A1+1", "A3": "=A2+1"},
        {"A1": "=A1+1"},
        {"A1": "=SUM(A2:A3)", "A2": 1, "A3": "=A1*2"},
    ],
)
def test_circular_reference_is_an_input_error(calculate, tmp_path, cells):
    wb = openpyxl.Workbook()
    for cell, v in cells.items():
        wb.active[cell] = v
    path = tmp_path / "circular.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match="circular reference through Sheet!A"):
        calculate(path)


@pytest.mark.parametrize(
    "formula, message",
    [
        ("=1+", r"Sheet!A1: cannot parse formula =1\+"),
        ("=SUM(B:B)", r"Sheet!A1: unsupported reference B:B"),
    ],
)
def test_bad_formula_is_an_input_error(calculate, tmp_path, formula, message):
    wb = openpyxl.Workbook()
    wb.active["A1"] = formula
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=message):
        calculate(path)


def test_array_formulas(calculate, tmp_path):
    """A one-cell array formula is an ordinary formula; one over a range fills every cell of it
    (tests/test_array_formulas.py has the rest)."""
    from openpyxl.worksheet.formula import ArrayFormula

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B1"], ws["B2"], ws["C1"], ws["C2"] = 1, 2, 3, 4
    ws["A1"] = ArrayFormula("A1", "=SUM(B1:B2*C1:C2)")
    path = tmp_path / "array.xlsx"
    wb.save(path)
    assert calculate(path) == {"Sheet!A1": 11} == {"Sheet!A1": oracle(path)["SHEET!A1"]}
    ws["D1"] = ArrayFormula("D1:D2", "=B1:B2*2")
    ws["D2"] = 99  # a follower's cached value: never used
    wb.save(path)
    assert calculate(path) == {"Sheet!A1": 11, "Sheet!D1": 2, "Sheet!D2": 4}


def test_unreadable_workbook_is_an_input_error(calculate, tmp_path):
    path = tmp_path / "not.xlsx"
    path.write_text("not a zip")
    with pytest.raises(InputError, match="not.xlsx"):
        calculate(path)


def test_no_progress_bars(calculate, constructs, capfd):
    calculate(constructs[0])
    assert capfd.readouterr().err == ""


@pytest.mark.slow
def test_ten_times_faster_than_excelmodel(calculate, tmp_path):
    path = tmp_path / "chain5000.xlsx"
    chain_workbook(path, 5000)
    t0 = time.perf_counter()
    ours = calculate(path)
    t1 = time.perf_counter()
    theirs = oracle(path)
    t2 = time.perf_counter()
    assert len(ours) == 15000 and ours["Train data!D5001"] == theirs["TRAIN DATA!D5001"]
    assert (t2 - t1) / (t1 - t0) >= 10, f"calculate {t1 - t0:.1f} s, ExcelModel {t2 - t1:.1f} s"

"""excelbp.verify.fast against the tests' oracle, recalc_oracle.py, which evaluates every cell by
the `formulas` package (both checked against formulas' ExcelModel in test_recalc.py): the same
value, to the last bit, in every cell of every template and option combination the contract
tests use, and of the sweep, gradient check and drawing workbooks; and the same errors for what
it cannot evaluate."""

from __future__ import annotations

import math
import re

import numpy as np
import openpyxl
import pytest
import recalc_oracle as recalc
from openpyxl.utils import column_index_from_string
from test_libreoffice_contract import CASES

from excelbp.errors import InputError
from excelbp.verify import fast

MORE = {
    "sweep": dict(
        layers=(2, 2, 2),
        activation="sigmoid",
        loss="half_sse",
        batch=8,
        steps=10,
        compare_lr=(0.1, 0.5, 2.0),
    ),
    "digits-small": dict(template="digits", steps=2, batch=4),
    "regression": dict(template="regression", steps=12),
    "logistic": dict(template="logistic", steps=5),
    "diverges": dict(layers=(2, 2, 1), activation="linear", loss="sse", lr=50.0, steps=30),
}


def assert_same(path):
    old, _ = recalc.calculate(path)
    new = fast.recalculate(path)
    for key, want in old.items():
        sheet, cell = key.rsplit("!", 1)
        m = re.fullmatch(r"([A-Z]+)([0-9]+)", cell)
        got = new.get(new.index[sheet], int(m[2]), column_index_from_string(m[1]))
        same = (type(got) is bool) == (type(want) is bool) and (
            got == want or (isinstance(want, float) and math.isnan(want) and got != got)
        )
        if isinstance(want, float) and same:
            same = math.copysign(1, got) == math.copysign(1, want)  # -0.0 is not 0.0, bit for bit
        assert same, (key, got, want)
    assert sum(int(f.sum()) for f in new.formula) == len(old)


QUICK = {
    "linear",
    "blocks-classifier",
    "adam-rows-classifier",
    "sweep",
    "diverges",
}  # the rest: slow (the oracle is)


@pytest.mark.parametrize(
    "name", [n if n in QUICK else pytest.param(n, marks=pytest.mark.slow) for n in [*CASES, *MORE]]
)
def test_same_values_as_recalc(make_workbook, name):
    options = {**CASES, **MORE}[name]
    assert_same(make_workbook(name, **options))


def test_fashion_first_layer_compiled_and_as_recalc(tmp_path):
    """fashion's ∂L/∂W1 row, SUMPRODUCT(Inputs!ADP$5:ADP$8,$FQ10:$FQ13)/4: ranges whose rows
    (or columns) are fixed and columns (rows) move; they went to `formulas` cell by cell (2.5
    million of them in the full workbook), and its batch's z is an MMULT array formula."""
    from dataclasses import replace

    from excelbp.build import build, make_spec
    from excelbp.spec import BuildOptions
    from excelbp.verify import sheetxml

    spec = make_spec(BuildOptions(template="fashion", layers=(784, 3, 10), batch=4, steps=2))
    spec = replace(
        spec,
        raw_X=spec.raw_X[:8],
        raw_Y=spec.raw_Y[:8],
        X_test=spec.X_test[:5],
        Y_test=spec.Y_test[:5],
    ).validate()
    path = tmp_path / "fashion.xlsx"
    build(spec, path)
    engine = fast.Engine(sheetxml.workbook(path))
    engine.read()
    mixed = [
        sh
        for sh in engine.shapes
        if sh.marked.startswith("SUMPRODUCT")
        and any(not scalar and m not in (0, 15) for m, scalar in sh.refs)
    ]
    assert mixed and all(sh.fn is not None for sh in mixed)
    assert_same(path)


def test_edited_inputs_and_typed_formulas(make_workbook):
    """A learner's edits: text and an error in inputs, a formula typed over an input, an
    arbitrary formula the translator does not know (it falls back to formulas itself)."""
    path = make_workbook("edited", template="classifier")
    wb = openpyxl.load_workbook(path)
    inputs = wb.worksheets[0]
    [(sheet, ref)] = list(wb.defined_names["X"].destinations)
    first = wb[sheet][ref.replace("$", "").split(":")[0]]
    first.value = '=1/3+LEN("abc")'
    wb[sheet].cell(first.row + 1, first.column).value = "text"
    wb[sheet].cell(first.row + 2, first.column).value = "=1/0"
    inputs["Z1"] = '=IF(ISNUMBER(A1),1,"x")&"y"'
    wb.save(path)
    assert_same(path)


@pytest.mark.parametrize(
    "cells, message",
    [
        ({"A1": "=A3+1", "A2": "=A1+1", "A3": "=A2+1"}, "circular reference through Sheet!A"),
        ({"A1": "=1+"}, r"Sheet!A1: cannot parse formula =1\+"),
    ],
)
def test_errors_as_recalc(tmp_path, cells, message):
    wb = openpyxl.Workbook()
    for cell, v in cells.items():
        wb.active[cell] = v
    path = tmp_path / "bad.xlsx"
    wb.save(path)
    with pytest.raises(InputError, match=message):
        fast.recalculate(path)


def test_xml_the_stream_does_not_take_goes_to_the_same_evaluator_through_openpyxl(
    make_workbook, tmp_path, capsys
):
    """A comment inside sheetData (sheetxml.Unsupported): openpyxl reads the cells, the one
    evaluator recalculates them, every value as from the plain file, and verify says OK."""
    import zipfile

    from test_gnumeric import rewritten

    from excelbp.cli import main
    from excelbp.verify import reader, sheetxml

    path = make_workbook("linear", **CASES["linear"])
    with zipfile.ZipFile(path) as zf:
        parts = [n for n in zf.namelist() if b'<row r="2"' in zf.read(n)]
    note = {part: {b'<row r="2"': b'<!-- a note --><row r="2"'} for part in parts}
    odd = rewritten(path, tmp_path / "odd.xlsx", note)
    with pytest.raises(sheetxml.Unsupported, match="comment"):
        fast.recalculate(odd)
    want, got = fast.recalculate(path), reader.recalculate(reader.open_book(odd)).grid
    assert got.titles == want.titles and int(sum(F.sum() for F in got.formula)) > 100
    for s, (V, F) in enumerate(zip(want.values, want.formula)):
        assert (got.formula[s] == F).all()
        for r, c in np.argwhere(F | (V == V)).tolist():
            assert got.get(s, r, c) == want.get(s, r, c), (s, r, c)
    capsys.readouterr()
    assert main(["verify", str(odd)]) == 0
    assert "OK: all" in capsys.readouterr().out


def test_a_reference_past_the_last_cell_of_a_sheet_is_an_empty_cell(tmp_path):
    """Past a sheet's dense array: empty (0 in arithmetic, 0 as a result), as Excel and the
    `formulas` package say; np.full made it the text "empty", and =Z99+1 #VALUE!."""
    wb = openpyxl.Workbook()
    ws, inputs = wb.active, wb.create_sheet("Inputs")
    inputs["A1"] = 1
    ws["A1"], ws["A2"], ws["A3"] = "=Inputs!Z99+1", "=Inputs!Z99", '=IF(Inputs!Z99="",2,3)'
    path = tmp_path / "past.xlsx"
    wb.save(path)
    got = fast.recalculate(path)
    assert [got.get(0, r, 1) for r in (1, 2, 3)] == [1.0, 0.0, 2.0]
    assert_same(path)


def test_character_references_in_a_formula_do_not_share_a_shape_they_do_not_have(tmp_path):
    """&#x41;1 is A1 and &#x42;1 B1: their digit runs (41 1, 42 1) are not the text's (1, 1),
    so keyed by them as relative rows, B1 one row down took A1's shape and read A2."""
    from test_gnumeric import rewritten

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["A2"], ws["C1"], ws["C2"] = 1, 2, 10, "=A1", "=B1"
    wb.save(tmp_path / "plain.xlsx")
    refs = {b"<f>A1</f>": b"<f>&#x41;1</f>", b"<f>B1</f>": b"<f>&#x42;1</f>"}
    path = rewritten(
        tmp_path / "plain.xlsx", tmp_path / "refs.xlsx", {"xl/worksheets/sheet1.xml": refs}
    )
    got = fast.recalculate(path)
    assert (got.get(0, 1, 3), got.get(0, 2, 3)) == (1.0, 2.0)
    assert_same(path)

"""IronCalc (`pip install ironcalc`), the fourth engine: it loads excelbp's file as written,
verifies every template it covers, names a tampered cell, and says in one line what it cannot do."""

from __future__ import annotations

import re
import sys
import zipfile

import openpyxl
import pytest
from conftest import needs_ironcalc
from openpyxl import load_workbook
from openpyxl.comments import Comment
from test_fashion import small

from excelbp.build import build, make_spec
from excelbp.cli import main
from excelbp.errors import ExternalError
from excelbp.spec import BuildOptions
from excelbp.verify import reader, verify
from excelbp.verify.ironcalc import recalculate
from excelbp.verify.ironcalc_limits import (
    FunctionProbe,
    absolute_comments_target,
    compares_a_comparison,
    first_unsupported,
)

pytestmark = pytest.mark.ironcalc

# every template but logistic (its "right (1/0)" column: see test_logistic_is_refused_...)
COVERED = [
    "linear",
    "neuron",
    "linear-2-2-1",
    "sigmoid-2-3-1",
    "classifier",
    "regression",
    "digits",
]
SLOW = {
    "neuron",
    "linear-2-2-1",
    "sigmoid-2-3-1",
    "regression",
    "digits",
}  # linear and classifier run by default


def as_written(path):
    """The workbook as excelbp writes it: its relationship targets relative, which IronCalc
    0.9.1 needs (it reads "/xl/comments/…" as "xll/comments/…" and refuses the file)."""
    why = absolute_comments_target(path)
    assert why is None, f"excelbp's writer: IronCalc {why}"
    return path


def tampered(path, sheet: str, cell: str, suffix: str = "+0.5"):
    """`path` with `suffix` appended to one cell's formula, in the sheet's XML (openpyxl's save
    would rewrite the comments relationship as IronCalc cannot read it)."""
    wb = reader.sheetxml.workbook(path)
    [part] = [s.part for s in wb.sheets if s.title == sheet]
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    xml, n = re.subn(
        rb'(<c r="' + cell.encode() + rb'"[^>]*><f[^>/]*>)([^<]*)(</f>)',
        rb"\g<1>\g<2>" + suffix.encode() + rb"\g<3>",
        parts[part],
    )
    assert n == 1, (part, cell)
    parts[part] = xml
    out = path.with_name(f"tampered-{path.name}")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


def first_loss(path) -> tuple[str, str]:
    """(sheet, cell) of step 1's loss."""
    wb = load_workbook(path, read_only=True)
    [(sheet, ref)] = list(wb.defined_names["loss"].destinations)
    wb.close()
    return sheet, ref.split(":")[0].replace("$", "")


def test_ironcalc_loads_excelbps_own_file(make_workbook):
    needs_ironcalc()
    import ironcalc

    path = as_written(make_workbook("demo", steps=2))
    model = ironcalc.load_from_xlsx(str(path), "en", "UTC")
    assert [p["name"] for p in model.get_worksheets_properties()][:2] == ["Inputs", "Steps"]


@pytest.mark.parametrize(
    "name", [pytest.param(t, marks=pytest.mark.slow) if t in SLOW else t for t in COVERED]
)
def test_ironcalc_verifies_every_template_it_covers_and_names_a_tampered_cell(make_workbook, name):
    needs_ironcalc()
    path = as_written(make_workbook(name, template=name, steps=2))
    report = verify(path, engine="ironcalc")
    assert report.ok, report.lines()
    sheet, cell = first_loss(path)
    report = verify(tampered(path, sheet, cell), engine="ironcalc")
    assert not report.ok and report.first_mismatch.startswith(f"{sheet}!{cell} "), (
        report.first_mismatch
    )


def test_ironcalc_verifies_fashion_array_formulas_and_shared_formulas(tmp_path, capfd):
    """fashion's layout (784 inputs read in place, MMULT/TRANSPOSE array formulas over a range,
    shared formulas, pictures) on a narrowed network, as test_fashion builds it. IronCalc's
    importer prints a line for a formula cell with no cached value (fashion has many): verify
    keeps it quiet."""
    needs_ironcalc()
    path = tmp_path / "fashion.xlsx"
    build(
        small(
            make_spec(BuildOptions(template="fashion", layers=(784, 3, 10), batch=4, steps=3)), 8, 5
        ),
        path,
    )
    as_written(path)
    capfd.readouterr()
    report = verify(path, engine="ironcalc")
    assert report.ok, report.lines()
    assert capfd.readouterr() == ("", "")
    with zipfile.ZipFile(path) as z:
        training = z.read("xl/worksheets/sheet3.xml").decode()
    anchor = re.search(r'<c r="([A-Z]+[0-9]+)"[^>]*><f t="array" ref="[^"]+">MMULT', training)[1]
    report = verify(
        tampered(path, "Training", anchor, "+0.001"), engine="ironcalc"
    )  # every cell of its ref
    assert not report.ok and report.first_mismatch.startswith(f"Training!{anchor} "), (
        report.first_mismatch
    )


def test_every_cell_is_recalculated_whatever_is_cached(tmp_path):
    """A wrong cached value with unchanged inputs, and an input changed behind the cached
    values' back: IronCalc's evaluate() recomputes both."""
    needs_ironcalc()
    from test_gnumeric import rewritten, small_book

    from excelbp.verify.grid import Values

    plain = small_book(tmp_path)
    stale = rewritten(
        plain,
        tmp_path / "stale.xlsx",
        {"xl/worksheets/sheet1.xml": {b"<f>A1*3</f>": b"<f>A1*3</f><v>999</v>"}},
    )
    edited = rewritten(
        stale,
        tmp_path / "edited.xlsx",
        {"xl/worksheets/sheet1.xml": {b"<v>2.0</v>": b"<v>5.0</v>"}},
    )
    for path, want in ((stale, 6), (edited, 15)):
        result = recalculate(reader.open_book(path))
        assert (
            Values(result).get("Sheet!A2") == want
            and result.formula[0][2, 1]
            and not result.formula[0][1, 1]
        )


def test_formula_cells_are_read_by_openpyxl_from_xml_the_streaming_reader_does_not_take(tmp_path):
    """An XML comment inside sheetData (sheetxml.Unsupported): the formula cells and their
    texts come from openpyxl instead."""
    needs_ironcalc()
    from test_gnumeric import rewritten, small_book

    plain = small_book(tmp_path)
    odd = rewritten(
        plain,
        tmp_path / "odd.xlsx",
        {"xl/worksheets/sheet1.xml": {b'<row r="2">': b'<!-- a note --><row r="2">'}},
    )
    result = recalculate(reader.open_book(odd))
    assert (
        result.formula[0][2, 1]
        and int(result.formula[0].sum()) == 1
        and result.values[0][2, 1] == 6
    )


def test_logistic_is_refused_in_one_line_naming_the_cell(make_workbook, capsys):
    """IronCalc 0.9.1 reads (E7>=0.5)=(F7>=0.5) from a file as ((E7>=0.5)=F7)>=0.5."""
    needs_ironcalc()
    path = make_workbook("logistic", template="logistic", steps=2)
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "ironcalc"]) == 3
    got = capsys.readouterr()
    [line] = got.err.strip().splitlines()
    assert (
        got.out == "" and "drops the parentheses around a comparison compared with another" in line
    )
    assert "(Training!H7: =IF((E7>=0.5)=(F7>=0.5),1,0))" in line, line


def test_a_missing_ironcalc_is_one_line_exit_2(make_workbook, monkeypatch, capsys):
    path = make_workbook("demo", steps=2)
    monkeypatch.setitem(sys.modules, "ironcalc", None)  # import ironcalc raises ImportError
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "ironcalc"]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        "excelbp: error: IronCalc not found; pip install ironcalc"
    ]


def test_a_function_ironcalc_lacks_is_named():
    needs_ironcalc()
    import ironcalc

    known = FunctionProbe(ironcalc)
    assert known("SUMPRODUCT") and known("MMULT") and not known("NOSUCHFUNCTION")
    texts = [
        ("Steps", "B2", "SUM(A1:A3)"),
        ("Steps", "C2", 'NOSUCHFUNCTION(A1,"X(")'),
        ("Steps", "C3", "NOSUCHFUNCTION(A2)"),
    ]
    assert (
        first_unsupported(texts, known)
        == "lacks the function NOSUCHFUNCTION (first used in Steps!C2)"
    )
    assert first_unsupported(texts[:1], known) is None


@pytest.mark.parametrize(
    "formula, wrong",
    [
        ("IF((E7>=0.5)=(F7>=0.5),1,0)", True),
        ("A1<>(B1<C1)", True),
        ("(A1>B1)=C1", False),  # a left operand keeps its meaning without the parentheses
        ("A1=(B1+C1)", False),
        ("A1=(MAX(B1,C1>0))", False),
        ("A1=(B1>C1)+1", False),  # the operand is a sum, which IronCalc wraps
        ("IF(A1>0,(B1>C1),0)", False),
        ('A1=("(x>y)")', False),  # string literals are blanked first
    ],
)
def test_a_comparison_of_a_parenthesised_comparison_is_found(formula, wrong):
    from excelbp.verify.ironcalc_limits import _QUOTED

    assert compares_a_comparison(_QUOTED.sub('""', formula)) is wrong


def test_an_absolute_comments_target_is_named_when_ironcalc_cannot_load(tmp_path):
    """openpyxl writes the comments relationship as "/xl/comments/comment1.xml" (made sure of
    here, whatever excelbp's writer may teach openpyxl)."""
    needs_ironcalc()
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"] = 2, "=A1*3"
    wb.active["A1"].comment = Comment("a note", "excelbp")
    wb.save(tmp_path / "saved.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "saved.xlsx") as zin,
        zipfile.ZipFile(tmp_path / "noted.xlsx", "w") as zout,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename).replace(
                b'Target="../comments/', b'Target="/xl/comments/'
            )
            zout.writestr(info, data)
    with pytest.raises(
        ExternalError,
        match=(
            r"noted.xlsx: IronCalc .* cannot load it: it reads a sheet's comments only through a"
            r" relative "
            r"Target \(\.\./comments/…\); xl/worksheets/_rels/sheet1.xml.rels gives an absolute one"
            r" \(Zip Error"
        ),
    ) as e:
        recalculate(reader.open_book(tmp_path / "noted.xlsx"))
    assert "\n" not in str(e.value)


@pytest.mark.slow
@pytest.mark.heavy  # 77 s and 2.4 GB at --steps 2 (2.7 million formula cells), load 1
def test_ironcalc_verifies_the_full_fashion_template(make_workbook):
    needs_ironcalc()
    path = as_written(make_workbook("fashion", template="fashion", steps=2))
    report = verify(path, engine="ironcalc")
    assert report.ok, report.lines()

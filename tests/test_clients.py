"""What real clients see: cached values, LibreOffice verification, charts, languages, progress."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from conftest import needs_soffice
from openpyxl import load_workbook

from excelbp.progress import Progress
from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate

ACCEPTANCE = {
    "default": dict(),
    "2-3-2": dict(layers=(2, 3, 2), activation="sigmoid", loss="mse", steps=15),
}


def _formula_cells(path):
    wb = load_workbook(path)
    return [
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]


@pytest.mark.parametrize("name", list(ACCEPTANCE))
def test_every_formula_cell_has_a_cached_value(make_workbook, name):
    path = make_workbook(name, **ACCEPTANCE[name])
    cached = load_workbook(path, data_only=True)
    cells = _formula_cells(path)
    assert cells
    missing = [c for c in cells if not isinstance(cached[c[0]][c[1]].value, (int, float))]
    assert not missing, missing[:5]
    # Excel is still told to recalculate on open
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")


@pytest.mark.libreoffice
def test_cached_values_equal_libreoffice(make_workbook, tmp_path):
    needs_soffice()
    paths = [make_workbook(name, **opts) for name, opts in ACCEPTANCE.items()]
    out = tmp_path / "lo"
    out.mkdir()
    for path, recalculated in zip(paths, recalculate(paths, out)):
        cached = load_workbook(path, data_only=True)
        lo = load_workbook(recalculated, data_only=True)
        # central differences divide the rounding of L(p ± ε) by 2ε, and their relative
        # differences from backprop are mostly that rounding: verify's tolerances cover them
        rounding = _gradcheck_cells(cached, ("gradcheck_numeric",)) | _gradcheck_cells(
            cached, ("gradcheck_max_rel_diff",), rel_column=True
        )
        for sheet, cell in _formula_cells(path):
            if (sheet, cell) in rounding:
                continue
            a, b = cached[sheet][cell].value, lo[sheet][cell].value
            assert a == pytest.approx(b, rel=1e-12, abs=1e-300), f"{path.name} {sheet}!{cell}"


def _gradcheck_cells(wb, names, rel_column: bool = False) -> set[tuple[str, str]]:
    """Cells of these names; with rel_column, the relative differences too (the column
    right of gradcheck_backprop)."""
    from openpyxl.utils import column_index_from_string, get_column_letter

    out = set()
    for name in names + (("gradcheck_backprop",) if rel_column else ()):
        if name not in wb.defined_names:
            continue
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        first, _, last = ref.replace("$", "").partition(":")
        last = last or first
        col = re.match(r"[A-Z]+", first)[0]
        rows = range(int(first[len(col) :]), int(last[len(col) :]) + 1)
        if name == "gradcheck_backprop":
            col = get_column_letter(column_index_from_string(col) + 1)
        out |= {(sheet, f"{col}{r}") for r in rows}
    return out


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(ACCEPTANCE))
def test_both_engines_verify_and_name_a_changed_loss(make_workbook, name):
    needs_soffice()
    path = make_workbook(name, **ACCEPTANCE[name])
    for engine in ("formulas", "libreoffice"):
        assert verify(path, engine=engine).ok
    wb = load_workbook(path)
    col = wb.defined_names["loss"].attr_text.split("$")[1]
    cell = f"{col}11"  # step 8 (row 4 is step 1), mid-table
    wb["Steps"][cell] = wb["Steps"][cell].value + "+0.5"
    wb.save(path)
    for engine in ("formulas", "libreoffice"):
        report = verify(path, engine=engine)
        assert not report.ok and report.first_mismatch.startswith(f"Steps!{cell}"), (
            engine,
            report.first_mismatch,
        )


@pytest.mark.parametrize(
    "options",
    [dict(template=t) for t in ("linear", "neuron", "linear-2-2-1", "sigmoid-2-3-1", "classifier")],
)
def test_every_workbook_has_charts(make_workbook, options):
    path = make_workbook(**options)
    charts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= (3 if options["template"] == "classifier" else 2)


def test_chinese_labels(make_workbook):
    wb = load_workbook(make_workbook(template="sigmoid-2-3-1", lang="zh"))
    assert wb.sheetnames == [
        "输入",
        "步骤",
        "手算",
        "梯度检验",
        "原理说明",
        "excelbp",
    ]  # the structure sheet keeps its name
    headers = [
        c.value for row in wb["步骤"].iter_rows(min_row=1, max_row=3) for c in row if c.value
    ]
    joined = " ".join(headers)
    for word in ("前向传播", "反向传播", "损失", "梯度"):
        assert word in joined
    inputs = " ".join(
        str(c.value) for row in wb["输入"].iter_rows(max_row=10) for c in row if c.value
    )
    assert "学习率" in inputs and "网络" in inputs and "损失 sse" in inputs
    assert "房价" in wb["输入"]["A2"].value  # the template's own description, in Chinese
    # sheet names that are not plain letters are quoted in formulas, and still verify
    assert any(
        isinstance(c.value, str) and c.value.startswith("='输入'!")
        for row in wb["步骤"].iter_rows(min_row=4, max_row=4)
        for c in row
    )
    assert verify(make_workbook("zh2", template="classifier", lang="zh")).ok


def test_how_it_works_sheet_points_at_the_step_table(make_workbook):
    wb = load_workbook(make_workbook(template="sigmoid-2-3-1"))
    text = " ".join(str(c.value) for row in wb["How it works"].iter_rows() for c in row if c.value)
    assert "δ_j = ∂L/∂z_j" in text and "Steps!" in text and "p ← p − lr · g" in text


def test_progress_draws_only_on_a_terminal_after_the_delay():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    quiet = io.StringIO()
    Progress("x", stream=quiet, delay=0)(1, 2)
    assert quiet.getvalue() == ""  # not a terminal
    tty = Tty()
    Progress("x", stream=tty, delay=0)(1, 2)
    assert "50%" in tty.getvalue()
    late = Tty()
    Progress("x", stream=late, delay=60)(1, 2)
    assert late.getvalue() == ""
    off = Tty()
    Progress("x", stream=off, delay=0, enabled=False)(1, 2)
    assert off.getvalue() == ""

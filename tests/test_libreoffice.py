"""LibreOffice recalculates everything, even cells whose cached value is wrong."""

import os
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pytest
from oracle import read_named

from excelbp.errors import ExternalError, InputError
from excelbp.verify import libreoffice

pytestmark = pytest.mark.libreoffice

if libreoffice.find_soffice() is None:
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice (soffice) is required on CI", pytrace=False)
    pytest.skip("LibreOffice (soffice) not found", allow_module_level=True)


def stale_workbook(path):
    """A1 = 2, A2 = A1*3 with a cached value of 999 and no fullCalcOnLoad flag (written by
    excelbp's writer, whose bytes do not depend on the XML library openpyxl picked)."""
    from excelbp import writer
    from excelbp.sheets.cells import SheetPlan, WorkbookPlan, formula, number

    plain = path.with_name("plain-" + path.name)
    writer.write(
        WorkbookPlan(
            [SheetPlan("Sheet", [[number(2)], [formula("=A1*3")]])], {"tripled": "Sheet!$A$2"}
        ),
        plain,
    )
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"<f>A1*3</f></c>" in data
                data = data.replace(b"<f>A1*3</f></c>", b"<f>A1*3</f><v>999</v></c>")
            elif info.filename == "xl/workbook.xml":
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            zout.writestr(info, data)
    plain.unlink()
    assert openpyxl.load_workbook(path, data_only=True).active["A2"].value == 999
    return path


def a2(path):
    return openpyxl.load_workbook(path, data_only=True).active["A2"].value


def test_recalculate_ignores_stale_cached_values(tmp_path):
    (tmp_path / "in").mkdir()
    src = stale_workbook(tmp_path / "in" / "stale.xlsx")
    before = src.read_bytes()
    [out] = libreoffice.recalculate([src], tmp_path / "out")
    assert out == (tmp_path / "out" / "stale.xlsx").resolve()
    assert a2(out) == 6
    assert read_named(out) == {"tripled": 6.0}
    assert src.read_bytes() == before


def test_recalculate_without_outdir_uses_a_new_folder(tmp_path):
    src = stale_workbook(tmp_path / "stale.xlsx")
    [out] = libreoffice.recalculate([src])
    try:
        assert out.parent != src.parent.resolve() and a2(out) == 6
    finally:
        shutil.rmtree(out.parent)


def test_recalculate_several_and_parallel_calls(tmp_path):
    (tmp_path / "in").mkdir()
    srcs = [stale_workbook(tmp_path / "in" / f"book{i}.xlsx") for i in range(3)]
    outs = libreoffice.recalculate(srcs, tmp_path / "many")
    assert [o.name for o in outs] == ["book0.xlsx", "book1.xlsx", "book2.xlsx"]
    assert [a2(o) for o in outs] == [6, 6, 6]
    with ThreadPoolExecutor(2) as pool:
        outs = list(
            pool.map(lambda i: libreoffice.recalculate([srcs[i]], tmp_path / f"p{i}")[0], range(2))
        )
    assert [a2(o) for o in outs] == [6, 6]


def test_bad_calls_are_input_errors_and_failures_external_errors(tmp_path, monkeypatch):
    src = stale_workbook(tmp_path / "stale.xlsx")
    with pytest.raises(InputError, match="source's folder"):
        libreoffice.recalculate([src], tmp_path)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(ExternalError, match="no recalculated file"):
        libreoffice.recalculate([junk], tmp_path / "out")
    with pytest.raises(ExternalError, match="timed out"):
        libreoffice.recalculate([src], tmp_path / "out", timeout=0.05)
    monkeypatch.setenv("EXCELBP_SOFFICE", str(tmp_path / "no-such-soffice"))
    assert libreoffice.find_soffice() is None
    with pytest.raises(InputError, match=r"^LibreOffice \(soffice\) not found"):
        libreoffice.recalculate([src], tmp_path / "out")

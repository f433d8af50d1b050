"""Gnumeric (`ssconvert --recalc`), the third engine: it recalculates every cell whatever is
cached, verifies every template, names a changed cell, and fails in one clear line."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import needs_gnumeric
from openpyxl import load_workbook

import excelbp
from excelbp.cli import main
from excelbp.errors import ExternalError, InputError
from excelbp.verify import every, gnumeric, verify
from excelbp.verify.report import Report

pytestmark = pytest.mark.gnumeric

TEMPLATES = [
    "linear",
    "neuron",
    "linear-2-2-1",
    "sigmoid-2-3-1",
    "classifier",
    "logistic",
    "regression",
    "digits",
]
SLOW = {
    "neuron",
    "linear-2-2-1",
    "sigmoid-2-3-1",
    "logistic",
    "regression",
    "digits",
}  # linear and classifier run by default


def rewritten(src, dst, edits: dict[str, dict[bytes, bytes]], *, keep_full_calc: bool = True):
    """A copy of src with bytes of its parts replaced; cached values stay as they are."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            for old, new in edits.get(info.filename, {}).items():
                assert old in data, (info.filename, old)
                data = data.replace(old, new)
            if info.filename == "xl/workbook.xml" and not keep_full_calc:
                data = data.replace(b' fullCalcOnLoad="1"', b"")
            zout.writestr(info, data)
    return dst


def small_book(tmp_path):
    """A1 = 2, A2 = A1*3, written by excelbp's writer with no cached value."""
    from excelbp import writer
    from excelbp.sheets.cells import SheetPlan, WorkbookPlan, formula, number

    writer.write(
        WorkbookPlan([SheetPlan("Sheet", [[number(2)], [formula("=A1*3")]])], {}),
        tmp_path / "plain.xlsx",
    )
    return tmp_path / "plain.xlsx"


def a2(path):
    with warnings.catch_warnings():  # Gnumeric's copies have no default style
        warnings.simplefilter("ignore", UserWarning)
        return openpyxl.load_workbook(path, data_only=True).active["A2"].value


@pytest.mark.parametrize("full_calc", [True, False])
def test_every_cell_is_recalculated_whatever_is_cached(tmp_path, full_calc):
    """A wrong cached value with unchanged inputs, and an input changed behind the cached
    values' back: both come out right, with fullCalcOnLoad or without."""
    needs_gnumeric()
    plain = small_book(tmp_path)
    (tmp_path / "in").mkdir()
    stale = rewritten(
        plain,
        tmp_path / "in" / "stale.xlsx",
        {"xl/worksheets/sheet1.xml": {b"<f>A1*3</f>": b"<f>A1*3</f><v>999</v>"}},
        keep_full_calc=full_calc,
    )
    assert a2(stale) == 999
    out = gnumeric.recalculate(stale, tmp_path / "out")
    assert out == (tmp_path / "out" / "stale.xlsx").resolve() and a2(out) == 6
    edited = rewritten(
        stale,
        tmp_path / "in" / "edited.xlsx",
        {"xl/worksheets/sheet1.xml": {b"<v>2.0</v>": b"<v>5.0</v>"}},
        keep_full_calc=full_calc,
    )
    assert a2(gnumeric.recalculate(edited, tmp_path / "out")) == 15


def test_failures_are_one_line_external_errors_and_nothing_is_left(tmp_path, monkeypatch):
    needs_gnumeric()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    plain = small_book(tmp_path)
    with pytest.raises(InputError, match="source's folder"):
        gnumeric.recalculate(plain, tmp_path)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    with pytest.raises(
        ExternalError,
        match=r"junk.xlsx: Gnumeric \(ssconvert\) failed with exit status 1 \(.*junk.xlsx",
    ) as e:
        gnumeric.recalculate(junk, tmp_path / "out")
    assert "\n" not in str(e.value)
    with pytest.raises(ExternalError, match="timed out after 0.01 s"):
        gnumeric.recalculate(plain, tmp_path / "out", timeout=0.01)
    assert list(scratch.iterdir()) == []  # its copy, HOME and TMPDIR went with it


def test_a_missing_ssconvert_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    path = tmp_path / "w.xlsx"
    assert main(["build", "--steps", "2", "-o", str(path), "--quiet"]) == 0
    monkeypatch.delenv("EXCELBP_SSCONVERT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "gnumeric"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "excelbp: error: Gnumeric (ssconvert) not found; install it (apt-get install gnumeric) or"
        " set EXCELBP_SSCONVERT"
    ]


@pytest.mark.parametrize(
    "name", [pytest.param(t, marks=pytest.mark.slow) if t in SLOW else t for t in TEMPLATES]
)
def test_gnumeric_verifies_every_template_and_names_a_changed_cell(make_workbook, name):
    needs_gnumeric()
    path = make_workbook(name, template=name, steps=2)
    report = verify(path, engine="gnumeric")
    assert report.ok, report.lines()
    wb = load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names["loss"].destinations)
    cell = ref.split(":")[0].replace("$", "")  # step 1's loss
    wb[sheet][cell] = wb[sheet][cell].value + "+0.5"
    wb.save(path)
    report = verify(path, engine="gnumeric")
    assert not report.ok and report.first_mismatch.startswith(f"{sheet}!{cell} "), (
        report.first_mismatch
    )


def _demo_for_every_engine(tmp_path):
    """A 3-step demo, with LibreOffice, Gnumeric and IronCalc all at hand."""
    from conftest import needs_ironcalc, needs_soffice
    from test_ironcalc import as_written

    needs_gnumeric()
    needs_soffice()
    needs_ironcalc()
    path = tmp_path / "w.xlsx"
    assert main(["build", "--steps", "3", "-o", str(path), "--quiet"]) == 0
    return as_written(path)


@pytest.mark.libreoffice
def test_engine_all_runs_the_four_and_reports_each(tmp_path, capsys):
    path = _demo_for_every_engine(tmp_path)
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "all", "--quiet"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert [line.split("recalculated by ")[-1].split(",")[0] for line in out[:4]] == [
        "formulas",
        "libreoffice",
        "gnumeric",
        "ironcalc",
    ]
    assert all(line.startswith("OK: all ") for line in out[:4])
    assert out[4] == "ALL OK: formulas OK, libreoffice OK, gnumeric OK, ironcalc OK"


@pytest.mark.slow
@pytest.mark.libreoffice
def test_engine_all_names_the_changed_cell_in_each_report(tmp_path, capsys):
    from test_ironcalc import (
        tampered,
    )  # in the XML: openpyxl's save writes what IronCalc cannot load

    path = tampered(_demo_for_every_engine(tmp_path), "Steps", "O5", "*1.001")  # step 2's loss
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "all"]) == 1
    out = capsys.readouterr().out
    assert out.count("MISMATCH: 1 of ") == 4 and out.count("first: Steps!O5 ") == 4
    assert (
        out.strip().splitlines()[-1]
        == "NOT ALL OK: formulas MISMATCH, libreoffice MISMATCH, gnumeric MISMATCH, ironcalc"
        " MISMATCH"
    )


def test_engine_all_reports_an_engine_that_cannot_run_and_runs_the_others(
    tmp_path, monkeypatch, capsys
):
    """Without LibreOffice, Gnumeric and IronCalc: the formulas report, one error line each,
    exit 2."""
    path = tmp_path / "w.xlsx"
    assert main(["build", "--steps", "2", "-o", str(path), "--quiet"]) == 0
    monkeypatch.setenv("EXCELBP_SOFFICE", str(tmp_path / "no-soffice"))
    monkeypatch.setenv("EXCELBP_SSCONVERT", str(tmp_path / "no-ssconvert"))
    monkeypatch.setitem(sys.modules, "ironcalc", None)  # import ironcalc raises ImportError
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "all", "--quiet"]) == 2
    got = capsys.readouterr()
    out, err = got.out.strip().splitlines(), got.err.strip().splitlines()
    assert len(out) == 2 and out[0].startswith("OK: all ")
    assert (
        out[1]
        == "NOT ALL OK: formulas OK, libreoffice bad input, gnumeric bad input, ironcalc bad input"
    )
    assert len(err) == 3 and err[0].startswith(
        "excelbp: error: --engine libreoffice: LibreOffice (soffice) not found"
    )
    assert err[1].startswith("excelbp: error: --engine gnumeric: Gnumeric (ssconvert) not found")
    assert err[2] == "excelbp: error: --engine ironcalc: IronCalc not found; pip install ironcalc"


def test_engine_all_status_a_mismatch_first_then_the_first_failure():
    ok, bad = Report(path="w.xlsx", engine="x"), Report(path="w.xlsx", engine="x", mismatches=1)
    o = every.Outcome
    assert every.status([o("formulas", ok), o("libreoffice", ok), o("gnumeric", ok)]) == 0
    assert (
        every.status(
            [o("formulas", ok), o("libreoffice", error="x", status=3), o("gnumeric", bad, status=1)]
        )
        == 1
    )
    assert (
        every.status(
            [
                o("formulas", ok),
                o("libreoffice", error="x", status=3),
                o("gnumeric", error="y", status=2),
            ]
        )
        == 3
    )


def test_a_bad_file_is_bad_input_once_for_all_engines(tmp_path, capsys):
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    assert main(["verify", str(junk), "--engine", "all"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_stopped_gnumeric_verify_leaves_no_ssconvert_and_no_folder(tmp_path):
    needs_gnumeric()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    assert main(["build", "--steps", "20000", "-o", str(tmp_path / "long.xlsx"), "--quiet"]) == 0
    env = {
        **os.environ,
        "TMPDIR": str(scratch),
        "PYTHONPATH": str(Path(excelbp.__file__).parents[1]),
    }  # this excelbp, from any folder
    proc = subprocess.Popen(
        [sys.executable, "-m", "excelbp", "verify", "long.xlsx", "--engine", "gnumeric"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    running = []
    while not running and time.monotonic() < deadline:
        time.sleep(0.05)
        running = subprocess.run(
            ["pgrep", "-f", f"ssconvert.*{scratch}"], capture_output=True, text=True
        ).stdout.split()
    assert running, f"ssconvert should be running ({proc.poll()=})"
    time.sleep(0.5)  # converting
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert (
        subprocess.run(["pgrep", "-f", f"ssconvert.*{scratch}"], capture_output=True).returncode
        == 1
    )  # none left
    assert list(scratch.iterdir()) == []

"""Issue 17, the build's side: endless inputs, races, signals, and answers that must stay one
clear line. Each hostile input is made here, at test time."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from openpyxl import load_workbook

from excelbp.cli import main


def run(*args: str, cwd, timeout: float = 30, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "excelbp", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        **kw,
    )


def one_error_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    return lines[0]


# --- --data from a stream --------------------------------------------------------------


def test_a_fifo_without_a_writer_is_refused_not_waited_for(tmp_path):
    os.mkfifo(tmp_path / "data.csv")
    r = run(
        "build", "--layers", "2,1", "--data", "data.csv", "-o", "x.xlsx", cwd=tmp_path, timeout=20
    )
    assert "data.csv: not a regular file" in one_error_line(r)
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/stdin"])
def test_endless_streams_are_refused_before_reading(tmp_path, device):
    """/dev/zero says its size is 0 and never ends; /dev/stdin fed by `yes` neither."""
    yes = (
        subprocess.Popen(["yes", "1,2,3"], stdout=subprocess.PIPE)
        if device == "/dev/stdin"
        else None
    )
    try:
        started = time.monotonic()
        r = run(
            "build",
            "--layers",
            "2,1",
            "--data",
            device,
            "-o",
            "x.xlsx",
            cwd=tmp_path,
            timeout=20,
            stdin=yes.stdout if yes else None,
        )
        assert f"{device}: not a regular file" in one_error_line(r)
        assert time.monotonic() - started < 15
    finally:
        if yes:
            yes.kill()
            yes.wait()


# --- answers that stay one clear line ----------------------------------------------------


def test_a_csv_without_a_header_is_built_with_a_warning(tmp_path):
    (tmp_path / "nohead.csv").write_text("1,2,3\n4,5,6\n7,8,9\n")
    r = run(
        "build",
        "--layers",
        "2,1",
        "--activation",
        "linear",
        "--data",
        "nohead.csv",
        "-o",
        "x.xlsx",
        cwd=tmp_path,
    )
    assert r.returncode == 0
    [warning] = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert "nohead.csv" in warning and "header" in warning and "(1, 2, 3)" in warning


def test_a_control_character_in_the_output_name_is_refused_on_one_line(tmp_path):
    r = run("build", "--layers", "2,1", "-o", "two\nlines.xlsx", cwd=tmp_path)
    line = one_error_line(r)
    assert "two\\nlines.xlsx" in line and "control character" in line
    assert list(tmp_path.iterdir()) == []


def test_a_control_character_in_a_data_file_name_stays_one_line(tmp_path):
    r = run("build", "--layers", "2,1", "--data", "no\nsuch.csv", "-o", "x.xlsx", cwd=tmp_path)
    assert "no\\nsuch.csv: no such file" in one_error_line(r)


@pytest.mark.parametrize("field,value", [("lang", "xx"), ("loss", "zzz"), ("layout", "diagonal")])
def test_a_damaged_structure_record_is_named_as_such_not_as_an_option(tmp_path, field, value):
    assert main(["build", "-o", str(tmp_path / "b.xlsx"), "--quiet"]) == 0
    wb = load_workbook(tmp_path / "b.xlsx")
    record = json.loads(wb["excelbp"]["A2"].value)
    record[field] = value
    wb["excelbp"]["A2"].value = json.dumps(record)
    wb.save(tmp_path / "b.xlsx")
    line = one_error_line(run("verify", "b.xlsx", cwd=tmp_path))
    assert "structure sheet is damaged" in line and "--" not in line and value in line


# --- the report on stdout ---------------------------------------------------------------


def test_a_closed_stdout_does_not_fail_a_written_workbook(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "excelbp", "build", "-o", "x.xlsx"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()  # as `excelbp build | head -c 0` does
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and err == ""
    assert (tmp_path / "x.xlsx").stat().st_size > 0


def test_stdout_on_a_full_device_warns_once_and_keeps_the_workbook(tmp_path):
    with open("/dev/full", "w") as full:
        r = subprocess.run(
            [sys.executable, "-m", "excelbp", "build", "-o", "x.xlsx"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    assert r.returncode == 0 and r.stderr.strip().splitlines() == [
        "warning: could not print the report on stdout (No space left on device)"
    ]
    assert (tmp_path / "x.xlsx").stat().st_size > 0


# --- races and signals ------------------------------------------------------------------


def test_a_file_that_appears_during_the_build_is_not_replaced(tmp_path, monkeypatch, capsys):
    """Two builds to one -o at once: the exists check runs first, the move last; a file made
    in between (here, while the sheets are written) is kept, and the build says so."""
    import excelbp.writer

    out = tmp_path / "x.xlsx"
    real = excelbp.writer.assemble

    def meanwhile(skeleton, rows, strings, archive):
        if archive.filename and not out.exists():  # the build's file, not writer.check()'s
            out.write_bytes(b"the other build's workbook")
        real(skeleton, rows, strings, archive)

    monkeypatch.setattr(excelbp.writer, "assemble", meanwhile)
    assert main(["build", "-o", str(out), "--quiet"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert "appeared while the workbook was built" in line and "--force" in line
    assert out.read_bytes() == b"the other build's workbook"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]  # no temporary left


def test_two_builds_to_one_output_at_once_one_wins_one_refuses(tmp_path):
    results = []

    def build():
        results.append(
            run("build", "--steps", "3000", "-o", "x.xlsx", "--quiet", cwd=tmp_path, timeout=120)
        )

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.returncode for r in results) == [0, 2], [r.stderr for r in results]
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["SIGHUP", "SIGTERM"])
def test_no_temporary_left_when_hung_up_or_terminated(tmp_path, signum):
    """A closed terminal (SIGHUP) stops a build as `timeout` (SIGTERM) does: cleanly."""
    out = tmp_path / "big.xlsx"
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "excelbp", "build", "--steps", "400000", "-o", str(out), "--quiet"],
        cwd=tmp_path,
        env=env,
    )
    deadline = time.monotonic() + 60
    while (
        not list(tmp_path.glob(".big.xlsx.*.tmp"))
        and proc.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert list(tmp_path.glob(".big.xlsx.*.tmp")), "the build should be writing its temporary file"
    proc.send_signal(signum)
    assert proc.wait(timeout=60) == 128 + signum
    assert [p.name for p in tmp_path.iterdir()] == ["tmp"] and list(
        scratch.iterdir()
    ) == []  # openpyxl's temporaries too


@pytest.mark.slow
@pytest.mark.libreoffice
def test_a_stopped_libreoffice_verify_leaves_no_soffice_and_no_folder(tmp_path):
    """SIGTERM during `verify --engine libreoffice` once left soffice running for about 20 s
    and its 17 MB temporary folder behind."""
    from conftest import needs_soffice

    needs_soffice()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    assert main(["build", "--steps", "20000", "-o", str(tmp_path / "long.xlsx"), "--quiet"]) == 0
    env = {**os.environ, "TMPDIR": str(scratch)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "excelbp", "verify", "long.xlsx", "--engine", "libreoffice"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while (
        not list(scratch.glob("excelbp-soffice-*/profile/user/*")) and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    time.sleep(1.0)  # soffice is up and converting
    soffice = subprocess.run(
        ["pgrep", "-f", str(scratch)], capture_output=True, text=True
    ).stdout.split()
    assert soffice, "soffice should be running"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 128 + signal.SIGTERM
    assert (
        subprocess.run(["pgrep", "-f", str(scratch)], capture_output=True).returncode == 1
    )  # none left
    assert list(scratch.iterdir()) == []


# --- large valid data -------------------------------------------------------------------


def test_data_charts_show_a_bounded_number_of_points_and_series(tmp_path):
    """A 1,000,000-row CSV of one input and one output once failed at the end of its 75 s
    build ("Max value is 1000000": openpyxl's chart references stop there); alternating
    classes would make a series per sample."""
    from excelbp.build import make_spec
    from excelbp.layout.inputs import inputs_sheet
    from excelbp.sheets.charts import MAX_CHARTED_SAMPLES, MAX_CLASS_RUNS, data_chart
    from excelbp.spec import BuildOptions
    from excelbp.words import words

    n = 3 * MAX_CHARTED_SAMPLES
    (tmp_path / "fit.csv").write_text(
        "x,y\n" + "".join(f"{i / n:.6f},{(i % 7) / 7:.6f}\n" for i in range(n))
    )
    (tmp_path / "classes.csv").write_text(
        "x1,x2,y\n" + "".join(f"{i / n:.6f},{(i % 5) / 5:.6f},{i % 2}\n" for i in range(n))
    )
    for data, opts in (
        ("fit.csv", dict(layers=(1, 1), activation="linear", loss="mse")),
        ("classes.csv", dict(layers=(2, 1), loss="binary_cross_entropy", activation="sigmoid")),
    ):
        spec = make_spec(BuildOptions(data=tmp_path / data, **opts))
        sheet = inputs_sheet(spec)
        chart = data_chart(spec, sheet, words("en"))
        assert all(
            s.last_row < sheet.X.row + MAX_CHARTED_SAMPLES
            for s in chart.series
            if s.first_row >= sheet.X.row
        )
        assert len(chart.series) <= MAX_CLASS_RUNS + 1

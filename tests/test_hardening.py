"""Bad input: one line naming the culprit, exit 2, no traceback, no file. Safe output."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from excelbp.cli import main


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "excelbp", *args], capture_output=True, text=True, cwd=cwd
    )


CSV_CASES = {
    # name: (file content (bytes or None for missing), culprit expected in the message)
    "missing": (None, "no such file"),
    "empty": (b"", "empty"),
    "blank lines only": (b"\n\n  \n", "empty"),
    "header only": (b"x1,x2,y\n", "header only"),
    "binary": (b"\x00\x01\x02PK\x03\x04", "binary"),
    "not utf-8": (b"x1,x2,y\n1,2,\xff\n", ":2"),
    "ragged row": (b"x1,x2,y\n1,2,3\n4,5\n", ":3"),
    "non-numeric": (b"x1,x2,y\n1,2,3\n4,abc,6\n", ":3"),
    "nan": (b"x1,x2,y\n1,2,3\n4,nan,6\n", ":3"),
    "inf": (b"x1,x2,y\n1,2,3\n4,5,inf\n", ":3"),
    "-inf": (b"x1,x2,y\n-inf,2,3\n", ":2"),
    "empty cell": (b"x1,x2,y\n1,,3\n", ":2"),
    "too few columns": (b"x1,y\n1,3\n", "columns"),
    "too many columns": (b"x1,x2,x3,y\n1,2,3,4\n", "columns"),
    "control character in the header": (b"x1,x\x01y,y\n1,2,3\n", "data.csv:1: column 2"),
    "escape in the header, after blank lines": (
        b"\n\nx1,x2,y\x1b\n1,2,3\n",
        "data.csv:3: column 3",
    ),
    "too long a header": (b"x1,x2," + b"y" * 300 + b"\n1,2,3\n", "data.csv:1: column 3"),
}


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_bad_data_files(tmp_path, case):
    content, culprit = CSV_CASES[case]
    data = tmp_path / "data.csv"
    if content is not None:
        data.write_bytes(content)
    r = run("build", "--layers", "2,2,1", "--data", str(data), cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert "data.csv" in lines[0] and culprit in lines[0], lines[0]
    assert not list(tmp_path.rglob("*.xlsx"))


def test_csv_with_more_rows_than_a_sheet_is_refused_as_the_limit_is_passed(tmp_path):
    """Refused at the first row past the limit: the bad rows after it are never read."""
    data = tmp_path / "tall.csv"
    data.write_bytes(b"x,y\n" + b"1,2\n" * 1_048_575 + b"3,4\n" + b"not,numbers\n" * 10)
    r = run("build", "--layers", "1,1", "--data", str(data), cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1, r.stderr
    assert "tall.csv:1048577:" in lines[0] and "1,048,575 data rows" in lines[0]
    assert not list(tmp_path.rglob("*.xlsx"))


def test_reading_a_csv_takes_little_memory(tmp_path):
    """100,000 rows were 60 MB of Python lists and floats at the peak; now they go straight
    into one array of doubles (2.4 MB), next to the file's bytes."""
    import tracemalloc

    from excelbp.spec.data import read_csv

    data = tmp_path / "d.csv"
    data.write_text(
        "x1,x2,y\n"
        + "".join(f"{i % 97 / 97:.4f},{i % 89 / 89:.4f},{i % 7}\n" for i in range(100_000))
    )
    tracemalloc.start()
    try:
        table = read_csv(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (
        table.rows.shape == (100_000, 3)
        and table.rows[5, 2] == 5.0
        and table.header == ("x1", "x2", "y")
    )
    assert peak < 20e6, f"{peak / 1e6:.0f} MB"


HUGE = [
    ["--layers", "2,2,1", "--batch", "1000000000"],
    ["--layers", "2,2,1", "--batch", "1000000000", "--layout", "rows"],
    ["--layers", "2,2,1", "--batch", "1000000000", "--steps", "1"],
    ["--template", "classifier", "--batch", "1000000000"],
    ["--layers", "2,1000000000,1"],
    ["--layers", "1000000000,1"],
    ["--layers", "2,1", "--steps", "1000000000"],
]


@pytest.mark.parametrize("args", HUGE, ids=[" ".join(a) for a in HUGE])
def test_huge_options_are_refused_before_any_data_is_made(tmp_path, monkeypatch, capsys, args):
    """`--batch 1000000000` once made a billion made-up samples (MemoryError): the layout's
    arithmetic refuses it first, in well under a MB and a second (more for the first, which
    imports).
    """
    import time
    import tracemalloc

    from excelbp.spec import options

    def never(*a, **k):
        raise AssertionError("data or weights made for a network that cannot be built")

    monkeypatch.setattr(options, "make_data", never)
    monkeypatch.setattr(options, "glorot", never)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        rc = main(["build", "-o", str(tmp_path / "h.xlsx"), *args])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    seconds = time.perf_counter() - started
    lines = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("excelbp: error: --"), lines
    assert peak < 20e6 and seconds < 5, (peak, seconds)  # a billion samples would be gigabytes
    assert list(tmp_path.iterdir()) == []


OPTION_CASES = [
    (["--steps", "-3"], "--steps"),
    (["--steps", "1.5"], "--steps"),
    (["--steps", "2000000"], "--steps"),
    (["--lr", "0"], "--lr"),
    (["--lr", "inf"], "--lr"),
    (["--lr", "abc"], "--lr"),
    (["--batch", "-1"], "--batch"),
    (["--layers", ""], "--layers"),
    (["--layers", "2,,1"], "--layers"),
    (["--layers", "2,-1,1"], "--layers"),
    (["--layers", "1000,9000,10"], "--layers"),
    (["--seed", "-1"], "--seed"),
    (["--template", "../etc/passwd"], "--template"),
    (["--loss", "cross_entropy"], "cross_entropy"),
    (["--template", "classifier", "--loss", "sse", "--activation", "relu", "--lr", "-2"], "--lr"),
    (["--unknown"], "--unknown"),
    (["frobnicate"], "frobnicate"),
]


@pytest.mark.parametrize("args,culprit", OPTION_CASES, ids=[" ".join(a) for a, _ in OPTION_CASES])
def test_bad_options(tmp_path, args, culprit):
    r = run(*(["build"] if args[0] != "frobnicate" else []), *args, cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert (
        r.returncode == 2
        and len(lines) == 1
        and culprit in lines[0]
        and "Traceback" not in r.stderr
    ), r.stderr
    assert not list(tmp_path.rglob("*.xlsx"))


@pytest.mark.parametrize(
    "output,culprit",
    [("folder", "is a folder"), ("x.csv", "end in .xlsx"), ("/proc/x.xlsx", "cannot write")],
)
def test_bad_output_paths(tmp_path, output, culprit):
    (tmp_path / "folder.xlsx").mkdir()
    target = (
        output
        if output.startswith("/")
        else str(tmp_path / (output + ".xlsx" if output == "folder" else output))
    )
    r = run("build", "-o", target, "--force", cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and culprit in lines[0] and "-o" in lines[0], (
        r.stderr
    )


def test_steps_limit_names_the_largest_allowed(tmp_path):
    r = run("build", "--steps", "1048574", cwd=tmp_path)
    assert r.returncode == 2 and "at most 1,048,573" in r.stderr


def test_formula_looking_header_is_text(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text('"=HYPERLINK(""http://example.invalid"",""x"")",+x2,y\n1,2,3\n4,5,6\n')
    out = tmp_path / "h.xlsx"
    assert main(["build", "--layers", "2,1", "--data", str(data), "-o", str(out), "--quiet"]) == 0
    wb = load_workbook(out)
    found = [
        c
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value == '=HYPERLINK("http://example.invalid","x")'
    ]
    assert found and all(c.data_type == "s" for c in found)
    assert not any(
        isinstance(c.value, str) and "HYPERLINK" in c.value and c.data_type == "f"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
    )


def test_no_partial_file_when_interrupted(tmp_path, monkeypatch):
    from excelbp import writer

    out = tmp_path / "x.xlsx"
    assert main(["build", "-o", str(out), "--quiet"]) == 0
    before = out.read_bytes()

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(writer, "assemble", boom)
    assert main(["build", "-o", str(out), "--force", "--quiet", "--steps", "9"]) == 130
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]  # no temporary left behind


@pytest.mark.slow
def test_no_temporary_left_when_terminated(tmp_path):
    """`timeout` and process managers stop a build with SIGTERM, not Ctrl-C."""
    import signal
    import time

    out = tmp_path / "big.xlsx"
    proc = subprocess.Popen(
        [sys.executable, "-m", "excelbp", "build", "--steps", "400000", "-o", str(out), "--quiet"],
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 60
    while (
        not list(tmp_path.glob(".big.xlsx.*.tmp"))
        and proc.poll() is None
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert list(tmp_path.glob(".big.xlsx.*.tmp")), "the build should be writing its temporary file"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_diverging_training_still_writes_and_warns(tmp_path):
    out = tmp_path / "d.xlsx"
    r = run("build", "--lr", "5", "--steps", "60", "-o", str(out), cwd=tmp_path)
    assert r.returncode == 0 and "diverges" in r.stderr and "step" in r.stderr
    v = run("verify", str(out), cwd=tmp_path)
    assert v.returncode == 0, v.stdout  # #NUM! in the sheet matches the engine's overflow


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.one_of(st.integers(-5, 30), st.text(max_size=4)),
    lr=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=4)),
    batch=st.integers(-2, 12),
    layers=st.lists(st.integers(-1, 5), max_size=4),
    act=st.sampled_from(["linear", "sigmoid", "tanh", "relu", "x"]),
    loss=st.sampled_from(["sse", "half_sse", "mse", "cross_entropy", "y"]),
)
def test_random_options_never_raise(tmp_path, steps, lr, batch, layers, act, loss):
    args = [
        "build",
        "-o",
        str(tmp_path / "r.xlsx"),
        "--force",
        "--quiet",
        "--steps",
        str(steps),
        "--lr",
        str(lr),
        "--batch",
        str(batch),
        "--activation",
        act,
        "--loss",
        loss,
    ]
    if layers:
        args += ["--layers", ",".join(map(str, layers))]
    assert main(args) in (0, 2)


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(alphabet=st.sampled_from(list('0123456789.,-+e\n\r"xyNaI =')), max_size=80))
def test_random_csv_text_never_raises(tmp_path, text):
    data = tmp_path / "r.csv"
    data.write_text(text)
    assert main(
        [
            "build",
            "--layers",
            "2,1",
            "--data",
            str(data),
            "-o",
            str(tmp_path / "r.xlsx"),
            "--force",
            "--quiet",
        ]
    ) in (0, 2)

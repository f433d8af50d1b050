"""The command line as a user meets it: exit codes, default paths, options, messages."""

from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl import load_workbook

from excelbp.cli import main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "excelbp", *args], capture_output=True, text=True, cwd=cwd)


def test_default_build_writes_the_seed_demo(tmp_path):
    r = run("build", "--steps", "20", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    path = tmp_path / "output" / "linear.xlsx"
    assert path.is_file()
    wb = load_workbook(path)
    assert {"lr", "batch", "X", "Y", "W1_init", "W1_final", "loss", "w_true"} <= set(wb.defined_names)
    assert wb.defined_names["loss"].attr_text.endswith("23")  # 20 steps from row 4
    assert wb["Inputs"]["B5"].value == 0.001
    v = run("verify", str(path), cwd=tmp_path)
    assert v.returncode == 0, v.stdout + v.stderr
    assert "OK" in v.stdout and "gradients" in v.stdout


def test_steps_and_output_options(tmp_path):
    out = tmp_path / "demo.xlsx"
    assert main(["build", "--steps", "7", "-o", str(out), "--quiet"]) == 0
    wb = load_workbook(out)
    ref = wb.defined_names["loss"].attr_text
    assert ref.startswith("Steps!$") and ref.endswith("$10") and "$4:$" in ref  # 7 steps from row 4


def test_existing_file_needs_force(tmp_path):
    out = tmp_path / "a.xlsx"
    assert main(["build", "-o", str(out), "--quiet"]) == 0
    before = out.read_bytes()
    r = run("build", "-o", str(out), "--steps", "5")
    assert r.returncode == 2 and "--force" in r.stderr and out.read_bytes() == before
    assert main(["build", "-o", str(out), "--steps", "5", "--force", "--quiet"]) == 0
    assert out.read_bytes() != before


@pytest.mark.parametrize(
    "args,culprit",
    [
        (["--steps", "0"], "--steps"),
        (["--steps", "x"], "--steps"),
        (["--lr", "-1"], "--lr"),
        (["--lr", "nan"], "--lr"),
        (["--batch", "0"], "--batch"),
        (["--layers", "3"], "--layers"),
        (["--layers", "2,0,1"], "--layers"),
        (["--template", "nope"], "--template"),
        (["--activation", "softsign"], "--activation"),
        (["--loss", "hinge"], "--loss"),
        (["--lang", "fr"], "--lang"),
        (["--layers", "2,1", "--loss", "cross_entropy"], "cross_entropy"),
        (["--data", "missing.csv"], "missing.csv"),
        (["-o", "no/such/folder/x.xlsx"], "no/such/folder"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_no_file(tmp_path, args, culprit):
    r = run("build", *args, cwd=tmp_path)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and culprit in lines[0] and "Traceback" not in r.stderr
    assert not list(tmp_path.rglob("*.xlsx"))


def test_verify_exit_codes(tmp_path):
    path = tmp_path / "w.xlsx"
    assert main(["build", "-o", str(path), "--quiet"]) == 0
    wb = load_workbook(path)
    col = wb.defined_names["loss"].attr_text.split("$")[1]
    cell = f"{col}12"  # the loss of step 9, in the middle of the table
    wb["Steps"][cell] = "=" + wb["Steps"][cell].value[1:] + "*1.001"
    wb.save(path)
    r = run("verify", str(path))
    assert r.returncode == 1 and f"Steps!{cell}" in r.stdout
    (tmp_path / "junk.xlsx").write_text("not a workbook")
    r = run("verify", str(tmp_path / "junk.xlsx"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = run("verify", str(tmp_path / "missing.xlsx"))
    assert r.returncode == 2


def test_templates_lists_every_template():
    r = run("templates")
    assert r.returncode == 0
    for name in ("linear", "neuron", "linear-2-2-1", "sigmoid-2-3-1", "classifier"):
        assert name in r.stdout


def test_help_ends_with_an_example():
    for cmd in ("build", "verify", "templates"):
        r = run(cmd, "--help")
        assert r.returncode == 0 and "example:" in r.stdout

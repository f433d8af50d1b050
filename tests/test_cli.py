"""The command line as a user meets it: exit codes, default paths, options, messages."""

from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl import load_workbook

from excelbp.cli import main


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "excelbp", *args], capture_output=True, text=True, cwd=cwd
    )


def test_default_build_writes_the_seed_demo(tmp_path):
    r = run("build", "--steps", "20", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    path = tmp_path / "output" / "linear.xlsx"
    assert path.is_file()
    wb = load_workbook(path)
    assert {"lr", "batch", "X", "Y", "W1_init", "W1_final", "loss", "w_true"} <= set(
        wb.defined_names
    )
    assert wb.defined_names["loss"].attr_text.endswith("23")  # 20 steps from row 4
    [(sheet, cell)] = list(wb.defined_names["lr"].destinations)
    assert wb[sheet][cell.replace("$", "")].value == 0.001
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
        (["--compare-lr", "0.1,fast"], "--compare-lr"),
        (["--compare-lr", "0.1,0"], "--compare-lr"),
        (["--compare-lr", "-0.5"], "--compare-lr"),
        (["--compare-lr", "0.1,inf"], "--compare-lr"),
        (["--compare-lr", "nan"], "--compare-lr"),
        (["--compare-lr", ",".join(["0.1"] * 11)], "--compare-lr"),
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


def test_custom_networks_are_named_after_their_shape(tmp_path):
    args = [
        "build",
        "--layers",
        "2,2,2",
        "--activation",
        "sigmoid",
        "--loss",
        "half_sse",
        "--lr",
        "0.5",
        "--steps",
        "1",
    ]
    r = run(*args, cwd=tmp_path)
    first = tmp_path / "output" / "2-2-2-sigmoid-half_sse.xlsx"
    assert r.returncode == 0 and first.is_file() and str(first.relative_to(tmp_path)) in r.stdout, (
        r.stdout + r.stderr
    )
    before = first.read_bytes()
    r = run(*args[:-4], "--loss", "sse", "--steps", "1", cwd=tmp_path)  # another loss, another file
    assert r.returncode == 0 and (tmp_path / "output" / "2-2-2-sigmoid-sse.xlsx").is_file(), (
        r.stderr
    )
    r = run(*args, cwd=tmp_path)  # the same network again: refused, the file kept
    assert r.returncode == 2 and "--force" in r.stderr and first.read_bytes() == before
    r = run(
        "build", "--template", "neuron", "--steps", "2", cwd=tmp_path
    )  # a template keeps its name
    assert r.returncode == 0 and (tmp_path / "output" / "neuron.xlsx").is_file()
    assert not (tmp_path / "output" / "custom.xlsx").exists()


def _csv(path, rows, header="x1,x2,y"):
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))
    return path


def test_unreachable_targets_warn_and_still_build(tmp_path):
    data = _csv(tmp_path / "house.csv", [(1, 2, 52), (2, 1, 79), (3, 3, 60)])
    out = tmp_path / "h.xlsx"
    r = run("build", "--layers", "2,3,1", "--data", str(data), "-o", str(out), cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 0 and out.is_file(), r.stderr
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "house.csv" in lines[0], lines
    assert "52 to 79" in lines[0] and "sigmoid" in lines[0] and "(0, 1)" in lines[0]
    assert "y_scale" in lines[0] and "--activation linear" in lines[0]  # the fix, in the same line
    r = run(
        "build",
        "--layers",
        "2,3,1",
        "--data",
        str(data),
        "--activation",
        "linear",
        "--lr",
        "0.0001",
        "-o",
        str(tmp_path / "l.xlsx"),
        cwd=tmp_path,
    )
    assert r.returncode == 0 and "warning" not in r.stderr, r.stderr


@pytest.mark.parametrize(
    "activation,loss,targets,warns",
    [
        ("sigmoid", "half_sse", [0, 1, 0.5], False),  # the limits are approached: fine
        ("sigmoid", "half_sse", [0.2, 1.5, 0.5], True),
        ("sigmoid", "mse", [-0.1, 0.5, 0.5], True),
        ("tanh", "sse", [-1, 0.9, 1], False),
        ("tanh", "sse", [-2, 0.9, 0.1], True),
        ("relu", "mse", [0, 300, 7], False),
        ("relu", "mse", [-1, 3, 7], True),
        ("linear", "sse", [-1e6, 3, 1e6], False),
    ],
)
def test_advice_on_targets(tmp_path, activation, loss, targets, warns):
    from excelbp.build import make_spec
    from excelbp.spec import BuildOptions
    from excelbp.spec.advice import advice

    data = _csv(tmp_path / "d.csv", [(i, -i, t) for i, t in enumerate(targets)])
    spec = make_spec(BuildOptions(layers=(2, 2, 1), activation=activation, loss=loss, data=data))
    lines = advice(spec, source="d.csv")
    assert [line.startswith("warning: d.csv: ") and activation in line for line in lines] == (
        [True] if warns else []
    )


def test_no_target_advice_for_templates_and_made_up_data():
    from excelbp.build import make_spec
    from excelbp.spec import BuildOptions
    from excelbp.spec.advice import advice

    for opts in [
        BuildOptions(template=name)
        for name in ("linear", "neuron", "sigmoid-2-3-1", "classifier", "linear-2-2-1")
    ] + [
        BuildOptions(layers=(3, 4, 2), activation=a, loss="mse", seed=s)
        for a in ("sigmoid", "tanh", "relu")
        for s in range(3)
    ]:
        assert advice(make_spec(opts)) == [], opts


def test_a_batch_larger_than_the_data_is_noted(tmp_path):
    r = run("build", "--batch", "25", "--steps", "2", "-o", str(tmp_path / "b.xlsx"), cwd=tmp_path)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 0 and (tmp_path / "b.xlsx").is_file()
    assert (
        len(lines) == 1
        and lines[0].startswith("note: ")
        and "25" in lines[0]
        and "10" in lines[0]
        and "repeat" in lines[0]
    )
    r = run(
        "build",
        "--batch",
        "25",
        "--steps",
        "2",
        "-o",
        str(tmp_path / "q.xlsx"),
        "--quiet",
        cwd=tmp_path,
    )
    assert r.returncode == 0 and r.stderr == "" and r.stdout == ""
    r = run("build", "--batch", "10", "--steps", "2", "-o", str(tmp_path / "c.xlsx"), cwd=tmp_path)
    assert r.returncode == 0 and r.stderr == ""


def test_bare_excelbp_prints_the_usage_and_the_commands():
    r = run()
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("usage: excelbp")
    for command in ("build", "verify", "templates"):
        assert f"    {command}" in r.stderr
    assert run("--help").returncode == 0


def test_build_help_shows_the_defaults():
    text = " ".join(run("build", "--help").stdout.split())  # unwrapped
    for expected in (
        "default linear",
        "(linear: 20), 20 for a custom network",
        "(linear: 0.001), 0.1 for a custom network",
        "(linear: sse), half_sse for a custom network",
        "(linear: linear), sigmoid for a custom network",
        "(linear: no bias), with bias for a custom network",
        "default en",
        "output/<sizes>-<activation>-<loss>.xlsx",
    ):
        assert expected in text, expected


def test_counts_have_separators_and_the_right_number():
    from excelbp.spec.advice import count

    assert [
        count(1, "step"),
        count(100_000, "step"),
        count(1, "formula cell"),
        count(0, "step"),
    ] == ["1 step", "100,000 steps", "1 formula cell", "0 steps"]


def test_build_line_counts(tmp_path):
    r = run("build", "--steps", "1", "-o", str(tmp_path / "one.xlsx"), cwd=tmp_path)
    assert ": linear, 1 step in the rows layout, 22 formula cells," in r.stdout, r.stdout
    r = run("build", "--steps", "1000", "-o", str(tmp_path / "k.xlsx"), cwd=tmp_path)
    assert ": linear, 1,000 steps in the rows layout, 22,000 formula cells," in r.stdout, r.stdout


def test_templates_say_what_each_teaches_in_english_and_chinese():
    en = run("templates").stdout.splitlines()
    zh = run("templates", "--lang", "zh").stdout.splitlines()
    assert len(en) == len(zh) >= 6
    for line_en, line_zh in zip(en, zh):
        name, _, description = line_en.partition(" ")
        assert line_zh.startswith(name + " ")
        assert len(description.strip()) > 20 and "empty section" not in description
        assert any("\u4e00" <= c <= "\u9fff" for c in line_zh)  # Chinese characters
    bad = run("templates", "--lang", "fr")
    assert bad.returncode == 2 and "--lang" in bad.stderr


def test_progress_ticks_while_no_stage_reports_and_clears_for_messages():
    import io
    import time

    from excelbp.progress import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    with Progress("building", stream=tty, delay=0, tick=0.01) as bar:
        deadline = time.monotonic() + 10
        while "building … 0 s" not in tty.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert "building … 0 s" in tty.getvalue()  # no fraction yet: the seconds so far
        bar.message("warning: something")
        assert tty.getvalue().endswith("\rwarning: something\n")  # the line cleared first
        bar(1, 4)
        assert "25%" in tty.getvalue()
    assert tty.getvalue().endswith("\r")  # cleared when done
    written = len(tty.getvalue())
    time.sleep(0.05)
    assert len(tty.getvalue()) == written  # the ticker has stopped
    off = io.StringIO()  # not a terminal: no ticker, only messages
    with Progress("building", stream=off, delay=0, tick=0.01) as bar:
        time.sleep(0.05)
        bar.message("note: x")
    assert off.getvalue() == "note: x\n"

"""The Gradient check sheet (issue 14): central differences of step 1's loss, in live formulas,
beside backprop's gradient, checked against tests/oracle.py's own finite differences and
backpropagation, in LibreOffice, as built and after editing ε and the inputs."""

from __future__ import annotations

import shutil
import subprocess
import sys

import oracle
import pytest
from conftest import edit_named, needs_soffice, rows, structure_of
from openpyxl import load_workbook

from excelbp.build import build, make_spec
from excelbp.engine.gradcheck import DEFAULT_EPS, gradient_check, parameter_keys
from excelbp.spec import BuildOptions
from excelbp.spec.network import GRADCHECK_DEFAULT, GRADCHECK_LIMIT
from excelbp.spec.optimizers import OPTIMIZERS
from excelbp.spec.templates import template_names
from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate

SMALL = [
    t
    for t in template_names()
    if make_spec(BuildOptions(template=t, steps=2)).n_params <= GRADCHECK_DEFAULT
]


def _flat(named, name: str) -> list[float]:
    v = named[name]
    return [x for row in v for x in row] if isinstance(v, list) else [v]


def _oracle_check(named: dict, structure: dict, eps: float) -> tuple[list[float], list[float]]:
    """Central differences and backprop gradients of step 1, by the oracle, on the workbook's
    own named inputs, in the contract's order (W1 row-major, b1, W2, b2, …)."""
    sizes, bias = structure["sizes"], structure["bias"]
    X, Y = rows(named["X"]), rows(named["Y"])
    B = int(named["batch"])
    picks = oracle.batch_indices(1, B, len(X))
    Xb, Yb = [X[i] for i in picks], [Y[i] for i in picks]
    n_layers = len(sizes) - 1
    W = [rows(named[f"W{l}_init"]) for l in range(1, n_layers + 1)]
    b = [rows(named[f"b{l}_init"])[0] for l in range(1, n_layers + 1)] if bias else None
    kw = dict(activation=structure["activations"], loss=structure["loss"])
    _, gW, gb = oracle.gradients(Xb, Yb, W, b, **kw)
    numeric, backprop = [], []
    for key in parameter_keys(tuple(sizes), bias):
        losses = []
        for delta in (eps, -eps):
            W2 = [[list(r) for r in w] for w in W]
            b2 = [list(v) for v in b] if bias else None
            if key[0] == "W":
                W2[key[1] - 1][key[2]][key[3]] += delta
            else:
                b2[key[1] - 1][key[2]] += delta
            losses.append(oracle.batch_loss(Xb, Yb, W2, b2, **kw))
        numeric.append((losses[0] - losses[1]) / (2 * eps))
        backprop.append(gW[key[1] - 1][key[2]][key[3]] if key[0] == "W" else gb[key[1] - 1][key[2]])
    return numeric, backprop


def _assert_check(named: dict, structure: dict) -> float:
    eps = named["gradcheck_eps"]
    numeric, backprop = _oracle_check(named, structure, eps)
    got_n, got_b = _flat(named, "gradcheck_numeric"), _flat(named, "gradcheck_backprop")
    # L(p ± ε) rounds differently in every engine, and the difference of the two is divided
    # by 2ε: each central difference is compared on the scale of the largest of them
    scale = max(abs(v) for v in numeric)
    assert got_n == [pytest.approx(v, rel=1e-9, abs=1e-9 * scale) for v in numeric]
    assert got_b == [pytest.approx(v, rel=1e-9, abs=1e-15) for v in backprop]
    rel = [abs(n - g) / max(abs(n), abs(g), 1e-12) for n, g in zip(got_n, got_b)]
    assert named["gradcheck_max_rel_diff"] == pytest.approx(max(rel), rel=1e-6, abs=1e-12)
    return named["gradcheck_max_rel_diff"]


# --- the engine against the oracle: fast ---------------------------------------------


@pytest.mark.parametrize("template", SMALL)
def test_engine_check_equals_the_oracles_finite_differences(template):
    spec = make_spec(BuildOptions(template=template, steps=2))
    check = gradient_check(spec, DEFAULT_EPS)
    named = {"X": spec.X.tolist(), "Y": spec.Y.tolist(), "batch": spec.batch}
    for l in range(1, spec.n_layers + 1):
        named[f"W{l}_init"] = spec.W_init[l - 1].tolist()
        if spec.bias:
            named[f"b{l}_init"] = [spec.b_init[l - 1].tolist()]
    structure = {
        "sizes": list(spec.sizes),
        "bias": spec.bias,
        "activations": list(spec.activations),
        "loss": spec.loss,
    }
    numeric, backprop = _oracle_check(named, structure, DEFAULT_EPS)
    scale = max(abs(v) for v in numeric)
    assert check.numeric.tolist() == [pytest.approx(v, rel=1e-9, abs=1e-9 * scale) for v in numeric]
    assert check.backprop.tolist() == [pytest.approx(v, rel=1e-9, abs=1e-15) for v in backprop]
    assert check.max_rel_diff < 1e-6


def test_the_sheet_is_there_by_default_up_to_100_parameters(make_workbook):
    assert (
        "gradcheck_numeric"
        in load_workbook(make_workbook(template="classifier", steps=2)).defined_names
    )  # 27
    assert (
        "gradcheck_numeric"
        not in load_workbook(make_workbook("d", template="digits", steps=1)).defined_names
    )  # 1,210
    big = dict(layers=(10, 10, 1), steps=1)  # 121 parameters: only on request
    assert "gradcheck_eps" not in load_workbook(make_workbook("n", **big)).defined_names
    assert "gradcheck_eps" in load_workbook(make_workbook("y", gradcheck=True, **big)).defined_names
    assert (
        "gradcheck_eps"
        not in load_workbook(make_workbook("o", template="linear", gradcheck=False)).defined_names
    )


def test_gradcheck_over_the_limit_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "d.xlsx"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "excelbp",
            "build",
            "--template",
            "digits",
            "--gradcheck",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and not out.exists()
    assert (
        r.stderr.count("\n") == 1
        and "--gradcheck" in r.stderr
        and f"at most {GRADCHECK_LIMIT}" in r.stderr
    )


@pytest.mark.parametrize("template", ["sigmoid-2-3-1", "classifier"])
def test_verify_names_a_tampered_gradient_check_cell(make_workbook, template):
    path = make_workbook(template=template, steps=3)
    assert verify(path).ok
    cell = _tamper(path)
    report = verify(path)
    assert not report.ok and report.first_mismatch.startswith(cell), report.first_mismatch


def _tamper(path) -> str:
    """Change the first central difference's formula (moving its ε); return the cell."""
    wb = load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names["gradcheck_numeric"].destinations)
    first = ref.split(":")[0].replace("$", "")
    wb[sheet][first].value = wb[sheet][first].value + "*1.001"
    wb.save(path)
    return f"{sheet}!{first}"


@pytest.mark.libreoffice
def test_libreoffice_verify_names_a_tampered_gradient_check_cell(make_workbook):
    needs_soffice()
    path = make_workbook(template="linear-2-2-1", steps=2)
    cell = _tamper(path)
    report = verify(path, engine="libreoffice")
    assert not report.ok and report.first_mismatch.startswith(cell), report.first_mismatch


# --- the workbooks in LibreOffice against the oracle ----------------------------------


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_gradient_checks_equal_the_oracle(tmp_path):
    """Every template that has the sheet by default, and each optimizer's default options
    (on the classifier): central differences and gradients equal the oracle's, and the
    largest relative difference is under 1e-6."""
    needs_soffice()
    paths = []
    for template in SMALL:
        paths.append(tmp_path / f"{template}.xlsx")
        build(make_spec(BuildOptions(template=template, steps=2)), paths[-1])
    for optimizer in OPTIMIZERS:
        paths.append(tmp_path / f"classifier-{optimizer}.xlsx")
        build(
            make_spec(BuildOptions(template="classifier", optimizer=optimizer, steps=2)), paths[-1]
        )
    done = recalculate(paths, tmp_path / "lo")
    worst = {}
    for path, recalculated in zip(paths, done):
        worst[path.stem] = _assert_check(oracle.read_named(recalculated), structure_of(path))
    assert max(worst.values()) < 1e-6, worst


@pytest.mark.libreoffice
@pytest.mark.slow
def test_libreoffice_gradient_check_follows_edits(tmp_path):
    """ε, a data cell and an initial weight edited: the whole check recomputes; verify agrees."""
    needs_soffice()
    path = tmp_path / "book.xlsx"
    build(make_spec(BuildOptions(template="sigmoid-2-3-1", steps=2)), path)
    raw = oracle.read_named(path)["X_raw"]  # the template's data are typed raw and scaled
    edit_named(
        path,
        {
            "gradcheck_eps": 1e-4,
            "X_raw": {(0, 1): raw[0][1] * 1.5},
            "W1_init": {(1, 2): -0.4},
            "b2_init": {(0, 0): 0.2},
        },
    )
    [recalculated] = recalculate([path], tmp_path / "lo")
    named = oracle.read_named(recalculated)
    assert named["gradcheck_eps"] == 1e-4
    assert _assert_check(named, structure_of(path)) < 1e-6
    shutil.copy(path, tmp_path / "again.xlsx")
    assert verify(tmp_path / "again.xlsx", engine="libreoffice").ok

"""The digits template: seed 002's classifier, trained inside the workbook."""

from __future__ import annotations

import numpy as np
import oracle
import pytest
from conftest import assert_contract, edit_named, needs_soffice

from excelbp.build import make_spec
from excelbp.spec import BuildOptions
from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate


def test_data_split_and_scaling():
    spec = make_spec(BuildOptions(template="digits"))
    assert spec.X.shape == (1000, 64) and spec.X_test.shape == (300, 64)
    assert spec.X.min() == 0 and spec.X.max() == 1  # pixels 0-16 divided by 16
    assert np.all(spec.Y.sum(axis=1) == 1) and np.all(spec.Y_test.sum(axis=1) == 1)
    train = {tuple(r) for r in spec.X}
    assert (
        sum(tuple(r) in train for r in spec.X_test) < 10
    )  # held out (a few images repeat in the data)
    assert (spec.sizes, spec.activations, spec.loss, spec.batch, spec.lr, spec.steps) == (
        (64, 16, 10),
        ("tanh", "softmax"),
        "cross_entropy",
        32,
        0.5,
        100,
    )


@pytest.mark.slow
def test_three_digit_steps_recalculate_to_the_engine(make_workbook):
    """Shortened to 3 steps, after a learner edits lr and picks another image to look at."""
    from openpyxl import load_workbook

    path = make_workbook(template="digits", steps=3)
    edit_named(path, {"lr": 0.4})
    wb = load_workbook(path)
    wb["Images"]["B2"] = 517  # the sample number
    wb.save(path)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["Images sheet formulas"].cells > 64


@pytest.mark.slow
@pytest.mark.libreoffice
def test_full_digits_workbook_in_libreoffice(make_workbook, tmp_path):
    """The default digits workbook, recalculated by LibreOffice, equals the contract's oracle,
    and its test_accuracy is the held-out accuracy of the final parameters, ≥ 85%."""
    needs_soffice()
    path = make_workbook(template="digits")
    recalculated = recalculate([path], tmp_path / "lo")[0]
    named = oracle.read_named(recalculated)
    structure = {
        "sizes": [64, 16, 10],
        "bias": True,
        "steps": 100,
        "activations": ["tanh", "softmax"],
        "loss": "cross_entropy",
    }
    assert_contract(named, structure)
    expected = oracle.train(
        named["X"],
        named["Y"],
        [named["W1_init"], named["W2_init"]],
        [named["b1_init"][0], named["b2_init"][0]],
        lr=named["lr"],
        batch=named["batch"],
        steps=100,
        activation="tanh",
        loss="cross_entropy",
        bias=True,
    )
    right = 0
    for x, y in zip(named["X_test"], named["Y_test"]):
        h = [
            np.tanh(
                sum(xi * w[j] for xi, w in zip(x, expected["W_final"][0]))
                + expected["b_final"][0][j]
            )
            for j in range(16)
        ]
        z = [
            sum(hj * w[k] for hj, w in zip(h, expected["W_final"][1])) + expected["b_final"][1][k]
            for k in range(10)
        ]
        right += int(np.argmax(z) == np.argmax(y))
    assert named["test_accuracy"] == pytest.approx(right / len(named["X_test"]), abs=1e-12)
    assert named["test_accuracy"] >= 0.85

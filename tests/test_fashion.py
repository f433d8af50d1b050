"""The fashion template (issue 15): a 784-input network trained inside the workbook, on a
seeded Fashion-MNIST subset, its first layer read in place (layout/blocks.py)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace

import numpy as np
import pytest
from conftest import build_options, needs_soffice
from openpyxl import load_workbook
from openpyxl.utils import range_boundaries
from test_blocks import _shape  # a range's rows × columns

from excelbp.build import build, make_spec
from excelbp.layout.blocks import blocks_layout
from excelbp.layout.size import blocks_cells_per_step
from excelbp.spec import BuildOptions
from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate

CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


def small(spec, train: int, test: int):
    """The spec with only its first `train` training and `test` held-out images: a few
    steps read no more, and the default test run stays quick."""
    return replace(
        spec,
        raw_X=spec.raw_X[:train],
        raw_Y=spec.raw_Y[:train],
        X_test=spec.X_test[:test],
        Y_test=spec.Y_test[:test],
    ).validate()


def test_data_raw_pixels_classes_and_a_split_of_whole_batches():
    spec = make_spec(BuildOptions(template="fashion"))
    assert (spec.sizes, spec.activations, spec.loss, spec.batch, spec.lr, spec.steps) == (
        (784, 32, 10),
        ("tanh", "softmax"),
        "cross_entropy",
        32,
        0.2,
        100,
    )
    assert spec.raw_X.shape == (3200, 784) and spec.X_test.shape == (500, 784)
    assert (
        np.all(spec.raw_X == np.round(spec.raw_X)) and spec.raw_X.max() == 255
    )  # raw pixels, typed as they are
    assert spec.X.max() == 1 and np.all(spec.X == spec.raw_X / 255)  # the network sees them / 255
    assert 0 <= spec.X_test.min() and spec.X_test.max() == 1
    assert (
        spec.output_names == CLASSES
        and spec.input_names[:2] == ("p0_0", "p0_1")
        and spec.image_side == 28
    )
    assert spec.in_place and spec.scale_pixels and spec.layout == "blocks"
    assert (
        spec.n_samples == spec.steps * spec.batch
    )  # each image once, every batch consecutive rows
    # ten classes, each in both parts
    assert set(np.argmax(spec.Y, axis=1)) == set(range(10)) == set(np.argmax(spec.Y_test, axis=1))


def test_the_first_layer_read_in_place_copies_nothing():
    """No inputs copied into a block, no W1 used and no W1ᵀ: a step is its batch's rows,
    W1's gradient and update (output-major), and the small second layer."""
    spec = make_spec(BuildOptions(template="fashion"))
    blocks = blocks_layout(spec)
    kinds = {
        key[0]
        for key in blocks.where
        if len(key) == 4 and key[1] == 1 and key[0] in ("W", "Wt", "dW", "W+")
    }
    assert kinds == {"dW", "W+"} and not any(key[0] == "x" for key in blocks.where)
    assert blocks.where[("W+", 1, 5, 2)] == (
        blocks.where[("W+", 1, 0, 2)][0],
        blocks.where[("W+", 1, 0, 2)][1] + 5,
    )  # a row per unit
    assert len(blocks.positions()) == blocks_cells_per_step(spec.network) == 57_090
    assert 2 * 784 * 32 < 57_090 < 2 * 784 * 32 + 7_000
    # options that break whole batches fall back to the plain blocks layout
    assert not make_spec(BuildOptions(template="fashion", batch=48, steps=2)).in_place
    assert not make_spec(
        BuildOptions(template="fashion", layers=(784, 3, 10), layout="rows", batch=2, steps=1)
    ).in_place


def _sumproducts(path):
    """(sheet part, formula, [(range, range)]) of every SUMPRODUCT written in the file (a shared
    formula once), read from its XML: loading every cell would take longer than the rest."""
    with zipfile.ZipFile(path) as z:
        for part in (n for n in z.namelist() if n.startswith("xl/worksheets/sheet")):
            for formula in re.findall(
                r"<f[^>]*>([^<]*SUMPRODUCT\([^<]*)</f>", z.read(part).decode()
            ):
                yield part, formula, re.findall(r"SUMPRODUCT\(([^(),]+),([^(),]+)\)", formula)


def _set(wb, name: str, i: int, j: int, value: float) -> None:
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    min_col, min_row, _, _ = range_boundaries(ref.replace("$", ""))
    wb[sheet].cell(min_row + i, min_col + j).value = value


@pytest.mark.libreoffice
def test_three_fashion_steps_verify_with_both_engines(tmp_path):
    """3 steps of the template's network narrowed to 3 hidden units in batches of 4 over 8
    images (the layout is the template's: 784 inputs read in place, raw pixels scaled live,
    shared formulas, 28 × 28 pictures), as written by LibreOffice and, after a learner edits
    lr, a raw pixel, an initial weight, the picked image and the drawing, by `formulas`."""
    needs_soffice()
    path = tmp_path / "fashion.xlsx"
    build(
        small(
            make_spec(BuildOptions(template="fashion", layers=(784, 3, 10), batch=4, steps=3)), 8, 5
        ),
        path,
    )
    with zipfile.ZipFile(path) as z:
        training = z.read("xl/worksheets/sheet3.xml").decode()
    assert (
        training.count('t="shared" ref=') == 3 * 3 + 2 * 3
    )  # ∂L/∂W1 from step 1, W1 updated from step 2, a row per unit
    seen = 0
    for part, formula, pairs in _sumproducts(path):
        assert all(_shape(a) == _shape(b) for a, b in pairs), f"{part}: {formula}"
        seen += len(pairs)
    assert seen >= 3 * 3  # a row of ∂L/∂W1 per unit, a step
    # the batch's z, 4 samples × 3 units, one array formula a step: X's rows times W1 turned back
    assert len(re.findall(r'<f t="array" ref="B\d+:D\d+">MMULT\(', training)) == 3
    wb = load_workbook(path)
    z = wb["Training"]["B7"].value
    assert z.ref == "B7:D10", z.ref
    block = r"Inputs!\$[A-Z]+\$\d+:\$[A-Z]+\$\d+"
    pattern = rf"=MMULT\({block},TRANSPOSE\({block}\)\)\+Inputs!\$B\$\d+:\$D\$\d+"
    assert re.fullmatch(pattern, z.text), z.text  # + b1 as initialised, a row on Inputs
    report = verify(
        path, engine="libreoffice"
    )  # as written: shared formulas, no cached values in them
    assert report.ok, report.lines()
    for name, i, j, value in (
        ("lr", 0, 0, 0.3),
        ("X_raw", 1, 300, 200.0),
        ("W1_init", 400, 1, 0.05),
        ("drawing", 14, 14, 255.0),
    ):
        _set(wb, name, i, j, value)
    wb["Images"]["B2"] = 6  # the picked image
    wb.save(path)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["Images sheet formulas"].cells > 2 * 784


def _named_values(path, names: list[str]) -> dict[str, np.ndarray]:
    """Values of workbook-scoped names, streamed (a 150 MB workbook is too big to load)."""
    wb = load_workbook(path, read_only=True, data_only=True)
    wanted = {}
    for name in names:
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
        wanted[name] = (sheet, min_row, min_col, max_row, max_col)
    out = {name: np.full((b[3] - b[1] + 1, b[4] - b[2] + 1), np.nan) for name, b in wanted.items()}
    for sheet in {b[0] for b in wanted.values()}:
        mine = [(name, b) for name, b in wanted.items() if b[0] == sheet]
        last = max(b[3] for _, b in mine)
        for r, row in enumerate(wb[sheet].iter_rows(max_row=last, values_only=True), start=1):
            for name, (_, r0, c0, r1, c1) in mine:
                if r0 <= r <= r1:
                    out[name][r - r0] = [float(v) for v in row[c0 - 1 : c1]]
    wb.close()
    return out


def _train(X, Y, W1, b1, W2, b2, *, lr: float, batch: int, steps: int):
    """The contract's training, written again here apart from excelbp's engine: tanh hidden
    layer, softmax output, cross-entropy, batch means, plain gradient descent."""
    W1, b1, W2, b2, losses = W1.copy(), b1.copy(), W2.copy(), b2.copy(), []
    for s in range(steps):
        rows = [(s * batch + k) % len(X) for k in range(batch)]
        x, y = X[rows], Y[rows]
        h = np.tanh(x @ W1 + b1)
        z = h @ W2 + b2
        m = z.max(axis=1, keepdims=True)
        log_p = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        losses.append(float(-(y * log_p).sum(axis=1).mean()))
        d2 = (np.exp(log_p) - y) / batch
        d1 = (d2 @ W2.T) * (1 - h * h)
        W1, b1, W2, b2 = (
            W1 - lr * x.T @ d1,
            b1 - lr * d1.sum(axis=0),
            W2 - lr * h.T @ d2,
            b2 - lr * d2.sum(axis=0),
        )
    return W1, b1, W2, b2, losses


@pytest.mark.slow
@pytest.mark.heavy  # 5.5 minutes in CI, most of it LibreOffice's 2.5-minute recalculation
@pytest.mark.libreoffice
def test_full_fashion_workbook_in_libreoffice(tmp_path):
    """The default workbook, recalculated by LibreOffice (a few minutes): its losses and final
    parameters are an independent training run's on its named inputs, and its test_accuracy,
    at least 0.75, is that run's held-out accuracy."""
    needs_soffice()
    path = tmp_path / "fashion.xlsx"
    build(make_spec(BuildOptions(template="fashion")), path)
    names = [
        "X_raw",
        "X",
        "Y",
        "W1_init",
        "b1_init",
        "W2_init",
        "b2_init",
        "W1_final",
        "b1_final",
        "W2_final",
        "b2_final",
        "X_test",
        "Y_test",
        "test_accuracy",
        "lr",
        "loss",
    ]
    got = _named_values(recalculate([path], tmp_path / "lo")[0], names)
    assert np.allclose(
        got["X"], got["X_raw"] / 255, rtol=1e-14, atol=0
    )  # recalculated (saved to 15 digits)
    W1, b1, W2, b2, losses = _train(
        got["X"],
        got["Y"],
        got["W1_init"],
        got["b1_init"][0],
        got["W2_init"],
        got["b2_init"][0],
        lr=float(got["lr"][0, 0]),
        batch=32,
        steps=100,
    )
    assert got["loss"][:, 0] == pytest.approx(losses, rel=1e-9)
    for name, want in (
        ("W1_final", W1),
        ("b1_final", b1[None, :]),
        ("W2_final", W2),
        ("b2_final", b2[None, :]),
    ):
        assert got[name] == pytest.approx(want, rel=1e-8, abs=1e-12), name
    guess = np.argmax(np.tanh(got["X_test"] @ W1 + b1) @ W2 + b2, axis=1)
    accuracy = float(np.mean(guess == np.argmax(got["Y_test"], axis=1)))
    assert got["test_accuracy"][0, 0] == accuracy >= 0.75


@pytest.mark.parametrize(
    "sweep",
    [pytest.param((), id="adam"), pytest.param((0.02,), id="adam-sweep", marks=pytest.mark.slow)],
)
def test_an_optimizer_and_a_sweep_on_the_first_layer_read_in_place(tmp_path, sweep):
    """Adam's state (its bias corrections read the step number) and weight decay in the
    turned matrices, and a learning-rate sweep's copy of the steps, recalculate to the engine."""
    path = tmp_path / "adam.xlsx"
    options = dict(
        template="fashion",
        layers=(784, 2, 10),
        batch=4,
        steps=2,
        optimizer="adam",
        weight_decay=0.01,
        compare_lr=sweep,
    )
    build(small(make_spec(build_options(**options)), 8, 5), path)
    report = verify(path)
    assert report.ok, report.lines()
    assert report.stats["optimizer state m̂"].cells > 2 * 2 * 784

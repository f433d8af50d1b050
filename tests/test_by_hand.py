"""The By hand sheet (issue 24): one step worked out as the seeds do it, every number a live
formula reading the steps at `hand_step`. Expected values are worked independently (by
hand, with the math module, or by tests/oracle.py), never taken from excelbp's output."""

from __future__ import annotations

import math
import re
import zipfile

import oracle
import pytest
from conftest import edit_named, needs_gnumeric, needs_soffice, oracle_run, rows, structure_of
from openpyxl import load_workbook

from excelbp.build import make_spec
from excelbp.layout.by_hand import MAX_PARAMS, hand_sheet
from excelbp.spec import BuildOptions
from excelbp.spec.templates import template_names
from excelbp.verify import reader
from excelbp.verify.grid import Values

WITH_SHEET = [
    t for t in template_names() if hand_sheet(make_spec(BuildOptions(template=t, steps=2)))
]
BATCH_4 = dict(layers=(2, 3, 2), activation="tanh", loss="mse", batch=4)


def sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _page(path) -> tuple[Values, dict[str, list[str]]]:
    """The workbook recalculated by `formulas`, and each hand_* name's cells ("Sheet!A1")."""
    values = Values(reader.recalculate(reader.open_book(path)).grid)
    wb = load_workbook(path)
    cells = {}
    for name in ("hand_step", "hand_loss", "hand_grad", "hand_new"):
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        block = wb[sheet][ref.replace("$", "")]
        flat = [c for row in block for c in row] if isinstance(block, tuple) else [block]
        cells[name] = [f"{sheet}!{c.coordinate}" for c in flat]
    return values, cells


def _line(path, values: Values, label: str) -> list[float]:
    """The numbers of the equation whose label starts with `label`, left to right."""
    ws = load_workbook(path)["By hand"]
    for row in ws.iter_rows():
        if isinstance(row[0].value, str) and row[0].value.startswith(label):
            return [values.get(f"By hand!{c.coordinate}") for c in row[1:] if c.data_type == "f"]
    raise AssertionError(f"no line {label!r}")


def _flat(v) -> list[float]:
    return [x for r in rows(v) for x in r]


def _oracle_step(named: dict, structure: dict, step: int) -> tuple[float, list, list]:
    """tests/oracle.py's step `step`: its loss, gradients and updated parameters, in the
    contract's order (W1 row-major, b1, W2, b2, …)."""
    bias, n_layers = structure["bias"], len(structure["sizes"]) - 1
    before = oracle_run(named, {**structure, "steps": step - 1}) if step > 1 else None
    after = oracle_run(named, {**structure, "steps": step})
    W = before["W_final"] if before else [rows(named[f"W{l}_init"]) for l in range(1, n_layers + 1)]
    b = (
        (
            before["b_final"]
            if before
            else [rows(named[f"b{l}_init"])[0] for l in range(1, n_layers + 1)]
        )
        if bias
        else None
    )
    X, Y, B = rows(named["X"]), rows(named["Y"]), int(named["batch"])
    picks = oracle.batch_indices(step, B, len(X))
    kw = dict(activation=structure["activations"], loss=structure["loss"])
    _, gW, gb = oracle.gradients([X[i] for i in picks], [Y[i] for i in picks], W, b, **kw)
    grad, new = [], []
    for l in range(n_layers):
        grad += [g for r in gW[l] for g in r]
        new += [w for r in after["W_final"][l] for w in r]
        if bias:
            grad += gb[l]
            new += after["b_final"][l]
    return after["loss"][-1], grad, new


def test_the_sheet_is_in_every_small_template_and_not_in_large_ones():
    assert {"linear", "neuron", "linear-2-2-1", "sigmoid-2-3-1", "classifier"} <= set(WITH_SHEET)
    assert "digits" not in WITH_SHEET and "fashion" not in WITH_SHEET
    assert hand_sheet(make_spec(BuildOptions(layers=(2, 2, 2), steps=1))) is not None
    assert make_spec(BuildOptions(layers=(4, 4, 4), steps=1)).n_params == 40 == MAX_PARAMS
    assert hand_sheet(make_spec(BuildOptions(layers=(4, 4, 4), steps=1))) is not None
    assert hand_sheet(make_spec(BuildOptions(layers=(4, 5, 4), steps=1))) is None


def test_seed_003_step_1_with_the_arithmetic_right(make_workbook):
    path = make_workbook(template="sigmoid-2-3-1", steps=2)
    edit_named(path, {"x_scale": {(0, 0): 1, (0, 1): 1}, "y_scale": 1, "lr": 0.001})
    values, names = _page(path)
    # z h1 = w1·x1 + w4·x2 + b1 = 0.2 × 120 + 0.5 × 1 + 0 = 24.5 (the seed: 24.2)
    assert _line(path, values, "z h1 =") == [0.2, 120, 0.5, 1, 0, pytest.approx(24.5)]
    assert _line(path, values, "z h2 =")[-1] == pytest.approx(36.6)  # the seed: 37.8
    assert _line(path, values, "z h3 =")[-1] == pytest.approx(48.7)  # the seed: 46.3
    h = [sig(24.5), sig(36.6), sig(48.7)]
    y_hat = sig(0.1 * h[0] + 0.2 * h[1] + 0.3 * h[2])
    assert values.get(names["hand_loss"][0]) == pytest.approx((300_000 - y_hat) ** 2, rel=1e-12)
    # ∂L/∂w1 = ∂L/∂ŷ · ∂ŷ/∂h1 · ∂h1/∂w1, σ' taken on the activations (the seed: on z)
    factors = [-2 * (300_000 - y_hat), y_hat * (1 - y_hat) * 0.1, h[0] * (1 - h[0]) * 120]
    dw1 = factors[0] * factors[1] * factors[2]
    got = _line(path, values, "∂L/∂w1 ")
    assert got == [pytest.approx(f, rel=1e-9) for f in [*factors, dw1]]
    assert values.get(names["hand_grad"][0]) == pytest.approx(dw1, rel=1e-9)
    # w_new = w_old − α·(∂L/∂w + λ·w_old), λ = 0 (the seed drops "w_old −")
    assert _line(path, values, "w1_new") == [
        0.2,
        0.001,
        pytest.approx(dw1, rel=1e-9),
        0,
        0.2,
        pytest.approx(0.2 - 0.001 * dw1, rel=1e-12),
    ]


def test_seed_004_derivation_with_numbers(make_workbook):
    path = make_workbook(template="linear-2-2-1", steps=2)
    values, names = _page(path)
    named = oracle.read_named(path)  # the literal inputs, as built
    x, t = rows(named["X"])[0], rows(named["Y"])[0][0]
    W1, W2 = rows(named["W1_init"]), rows(named["W2_init"])
    h = [x[0] * W1[0][j] + x[1] * W1[1][j] for j in range(2)]
    y = h[0] * W2[0][0] + h[1] * W2[1][0]
    assert values.get(names["hand_loss"][0]) == pytest.approx(0.5 * (y - t) ** 2, rel=1e-12)
    # ∂loss/∂w5 = ∂loss/∂y · ∂y/∂w5 = (y − y_true) · h1 (w5 = h1→y: the 5th weight)
    assert _line(path, values, "∂L/∂w5 ") == [
        pytest.approx(v) for v in (y - t, h[0], (y - t) * h[0])
    ]
    # ∂loss/∂w1 = ∂loss/∂y · ∂y/∂h1 · ∂h1/∂w1 = (y − y_true) · w5 · x1
    want = [y - t, W2[0][0], x[0], (y - t) * W2[0][0] * x[0]]
    assert _line(path, values, "∂L/∂w1 ") == [pytest.approx(v) for v in want]
    grads = [values.get(c) for c in names["hand_grad"]]
    news = [values.get(c) for c in names["hand_new"]]
    flat = [*(w for r in W1 for w in r), *(w for r in W2 for w in r)]
    assert news == [pytest.approx(w - named["lr"] * g, rel=1e-12) for w, g in zip(flat, grads)]


def test_mazur_step_by_step_example(make_workbook):
    """Matt Mazur's "A Step by Step Backpropagation Example", typed into the inputs; his biases
    are shared per layer and not updated, so only the weights are compared."""
    path = make_workbook(layers=(2, 2, 2), activation="sigmoid", loss="half_sse", lr=0.5, steps=1)
    n = len(rows(oracle.read_named(path)["X"]))
    edit_named(
        path,
        {
            "X": {(0, 0): 0.05, (0, 1): 0.10},
            "Y": {(0, 0): 0.01, (0, 1): 0.99},
            "W1_init": {(0, 0): 0.15, (1, 0): 0.20, (0, 1): 0.25, (1, 1): 0.30},
            "W2_init": {(0, 0): 0.40, (1, 0): 0.45, (0, 1): 0.50, (1, 1): 0.55},
            "b1_init": {(0, 0): 0.35, (0, 1): 0.35},
            "b2_init": {(0, 0): 0.60, (0, 1): 0.60},
        },
    )
    assert n >= 1
    values, names = _page(path)
    assert values.get(names["hand_loss"][0]) == pytest.approx(0.298371109, abs=1e-9)
    # contract order: w1 (i1→h1), w3 (i1→h2), w2 (i2→h1), w4 (i2→h2), b1 ×2, w5, w7, w6, w8, b2 ×2
    weights = [0, 1, 2, 3, 6, 7, 8, 9]
    grad = [values.get(names["hand_grad"][k]) for k in weights]
    new = [values.get(names["hand_new"][k]) for k in weights]
    # he works out ∂E/∂w5 and ∂E/∂w1 in full, and gives every updated weight
    assert grad[4] == pytest.approx(0.082167041, abs=1e-9)
    assert grad[0] == pytest.approx(0.000438568, abs=1e-9)
    published_new = [0.149780716, 0.24975114, 0.19956143, 0.29950229]
    published_new += [0.35891648, 0.511301270, 0.408666186, 0.561370121]
    old = [0.15, 0.25, 0.20, 0.30, 0.40, 0.50, 0.45, 0.55]
    implied = [(w - w_new) / 0.5 for w, w_new in zip(old, published_new)]
    assert grad == [pytest.approx(g, abs=2e-8) for g in implied]
    assert new == [pytest.approx(w, abs=1e-8) for w in published_new]


def test_a_batch_shows_sample_1_and_the_batch_mean(make_workbook):
    path = make_workbook(steps=8, **BATCH_4)
    named, structure = oracle.read_named(path), structure_of(path)  # the inputs, as built
    edit_named(path, {"hand_step": 7})
    values, names = _page(path)
    loss, grad, new = _oracle_step(named, structure, 7)
    assert values.get(names["hand_loss"][0]) == pytest.approx(loss, rel=1e-9, abs=1e-12)
    assert [values.get(c) for c in names["hand_grad"]] == [
        pytest.approx(g, rel=1e-9, abs=1e-12) for g in grad
    ]
    assert [values.get(c) for c in names["hand_new"]] == [
        pytest.approx(w, rel=1e-9, abs=1e-12) for w in new
    ]


def _recalculated_named(paths, engine: str, tmp_path) -> list[dict]:
    if engine == "libreoffice":
        from excelbp.verify.libreoffice import recalculate

        return [oracle.read_named(p) for p in recalculate(paths, tmp_path / "lo")]
    from excelbp.verify.gnumeric import recalculate

    return [oracle.read_named(recalculate(p, tmp_path / "gn")) for p in paths]


@pytest.mark.slow
@pytest.mark.parametrize(
    "engine",
    [
        pytest.param("libreoffice", marks=pytest.mark.libreoffice),
        pytest.param("gnumeric", marks=pytest.mark.gnumeric),
    ],
)
def test_step_7_equals_the_oracle_after_recalculation(engine, make_workbook, tmp_path):
    """Every template with the sheet and a custom network with a batch of 4: hand_step set to
    7, recalculated, the named outputs equal the oracle's step 7 to 1e-9."""
    needs_soffice() if engine == "libreoffice" else needs_gnumeric()
    builds = {t: dict(template=t) for t in WITH_SHEET} | {"batch4": BATCH_4}
    paths = []
    for name, options in builds.items():
        path = make_workbook(name, steps=8, **options)
        edit_named(path, {"hand_step": 7})
        paths.append(path)
    for path, named in zip(paths, _recalculated_named(paths, engine, tmp_path)):
        loss, grad, new = _oracle_step(named, structure_of(path), 7)
        assert named["hand_step"] == 7
        assert named["hand_loss"] == pytest.approx(loss, rel=1e-9, abs=1e-12), path.stem
        assert _flat(named["hand_grad"]) == [pytest.approx(g, rel=1e-9, abs=1e-12) for g in grad], (
            path.stem
        )
        assert _flat(named["hand_new"]) == [pytest.approx(w, rel=1e-9, abs=1e-12) for w in new], (
            path.stem
        )


def _with_step(path, step: int):
    """`path` with hand_step set to `step` in the sheet's XML (openpyxl's save would write a
    comments relationship IronCalc cannot read); the cached values stay step 1's."""
    wb = load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names["hand_step"].destinations)
    part = [s.part for s in reader.sheetxml.workbook(path).sheets if s.title == sheet][0]
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    cell = ref.replace("$", "").encode()
    xml, n = re.subn(
        rb'(<c r="' + cell + rb'"[^>]*><v>)[0-9.]+(</v>)', rb"\g<1>%d\g<2>" % step, parts[part]
    )
    assert n == 1
    parts[part] = xml
    out = path.with_name(f"step{step}-{path.name}")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.gnumeric
@pytest.mark.ironcalc
def test_verify_checks_the_page_at_the_edited_step_in_every_engine(make_workbook, capsys):
    from conftest import needs_ironcalc

    from excelbp.cli import main

    needs_soffice(), needs_gnumeric(), needs_ironcalc()
    path = _with_step(make_workbook(steps=8, **BATCH_4), 7)
    capsys.readouterr()
    assert main(["verify", str(path), "--engine", "all"]) == 0
    out = capsys.readouterr().out
    assert out.count("By hand sheet") == 4 and "ALL OK" in out


def test_verify_refuses_a_step_that_is_not_one(make_workbook):
    from excelbp.errors import InputError
    from excelbp.verify import verify

    path = make_workbook(template="linear-2-2-1", steps=3)
    assert verify(path).ok
    edit_named(path, {"hand_step": 4})
    with pytest.raises(InputError, match="step number from 1 to 3"):
        verify(path)

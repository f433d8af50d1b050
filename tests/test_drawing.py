"""Draw your own (digits' Images sheet): a grid of raw pixels the learner types, and the final
network's probabilities and guess for it, live. The expected values are computed here with
tests/oracle.py's functions from the workbook's own final parameters, never by excelbp's engine."""

from __future__ import annotations

try:  # 3.10 has tomli, the same parser (a dependency there)
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib
from pathlib import Path

import oracle
import pytest
from conftest import edit_named, needs_soffice
from openpyxl import load_workbook

from excelbp.verify import verify
from excelbp.verify.libreoffice import recalculate

TEMPLATE = Path(__file__).parent.parent / "templates" / "digits.toml"
VOLATILE = ("OFFSET(", "INDIRECT(", "RAND", "NOW(", "TODAY(", "LET(", "LAMBDA(", "XLOOKUP(")


def raw_scale(named: dict) -> list[float]:
    """What each raw pixel is divided by: x_scale where the workbook has it, else the scale the
    template's data were divided by as read (digits.toml's pixel_scale)."""
    if "x_scale" in named:
        return named["x_scale"][0]
    scale = float(tomllib.loads(TEMPLATE.read_text(encoding="utf-8"))["pixel_scale"])
    return [scale] * len(named["X"][0])


def expected_output(named: dict, drawing: list[list[float]]) -> list[float]:
    """The final network's output for the drawing: tanh hidden layers, softmax last."""
    scale = raw_scale(named)
    a = [v / s for v, s in zip((v for row in drawing for v in row), scale)]
    n_layers = sum(1 for k in named if k.startswith("W") and k.endswith("_final"))
    for l in range(1, n_layers + 1):
        W, b = named[f"W{l}_final"], named[f"b{l}_final"][0]
        z = [sum(a[i] * W[i][j] for i in range(len(a))) + b[j] for j in range(len(b))]
        a = oracle.softmax(z) if l == n_layers else [oracle.activate("tanh", v) for v in z]
    return a


def other_test_image(named: dict, not_classes: set[int]) -> tuple[list[list[float]], int]:
    """A held-out image (on the raw scale, side × side) of a class not in `not_classes`."""
    scale = raw_scale(named)
    for x, y in zip(named["X_test"], named["Y_test"]):
        k = y.index(max(y))
        if k not in not_classes:
            raw = [v * s for v, s in zip(x, scale)]
            return [raw[r * 8 : r * 8 + 8] for r in range(8)], k
    raise AssertionError("no held-out image of another class")


def classes(rows: list[list[float]]) -> list[int]:
    return [r.index(max(r)) for r in rows]


def test_the_drawing_is_a_held_out_image_of_another_class_and_only_it_is_typed(make_workbook):
    path = make_workbook(template="digits", steps=1, batch=2)
    named = oracle.read_named(path)  # the engine's cached values
    assert len(named["drawing"]) == 8 and all(len(r) == 8 for r in named["drawing"])
    assert len(named["drawing_probs"]) == 1 and len(named["drawing_probs"][0]) == 10
    # the first held-out image whose class is not training sample 1's, on the raw 0–16 scale
    first = classes(named["Y"])[0]
    t = next(t for t, k in enumerate(classes(named["Y_test"])) if k != first)
    assert [v for row in named["drawing"] for v in row] == [v * 16 for v in named["X_test"][t]]
    assert all(v == int(v) and 0 <= v <= 16 for row in named["drawing"] for v in row)
    probs = named["drawing_probs"][0]
    assert probs == pytest.approx(expected_output(named, named["drawing"]), rel=1e-9, abs=1e-15)
    assert named["drawing_guess"] == probs.index(max(probs))

    wb = load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names["drawing"].destinations)
    ws = wb[sheet]
    drawing = {c.coordinate for row in ws[ref.replace("$", "")] for c in row}
    literal = [
        c.coordinate
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, (int, float)) and not isinstance(c.value, bool)
    ]
    assert set(literal) - drawing == {"B2"}  # the picked sample's number; all else is formulas
    texts = [
        c.value
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert not [f for f in texts if any(v in f.upper() for v in VOLATILE)]
    [(_, probs_ref)] = list(wb.defined_names["drawing_probs"].destinations)
    first_prob = ws[probs_ref.replace("$", "").split(":")[0]].value
    assert first_prob.startswith("=EXP(") and "-MAX(" in first_prob  # the stable softmax


@pytest.mark.slow
@pytest.mark.libreoffice
def test_a_new_drawing_recalculates_in_libreoffice_to_the_final_network(make_workbook, tmp_path):
    """Another held-out image, of another class, typed into the drawing: LibreOffice's
    probabilities are the final network's for it, and the guess their arg-max."""
    needs_soffice()
    path = make_workbook(template="digits", steps=3)
    before = oracle.read_named(path)
    drawing, k = other_test_image(
        before, {classes(before["Y"])[0], classes(before["Y_test"])[0]} | {before["drawing_guess"]}
    )
    edit_named(path, {"drawing": {(r, c): drawing[r][c] for r in range(8) for c in range(8)}})
    named = oracle.read_named(recalculate([path], tmp_path / "lo")[0])
    assert named["drawing"] == drawing
    expected = expected_output(named, drawing)
    assert named["drawing_probs"][0] == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert named["drawing_guess"] == expected.index(max(expected))
    assert named["drawing_probs"][0] != pytest.approx(before["drawing_probs"][0], rel=1e-3)


def _probs_cell(path: Path, k: int) -> tuple[str, str]:
    wb = load_workbook(path)
    [(sheet, ref)] = list(wb.defined_names["drawing_probs"].destinations)
    return sheet, wb[sheet][ref.replace("$", "").split(":")[0]].offset(0, k).coordinate


@pytest.mark.slow
def test_verify_reads_the_drawing_live_and_names_a_changed_probability(make_workbook):
    path = make_workbook(template="digits", steps=2, batch=4)
    named = oracle.read_named(path)
    drawing, _ = other_test_image(named, {named["drawing_guess"]})
    edits = {(r, c): drawing[r][c] for r in range(8) for c in range(8)}
    edits[(0, 0)] = None  # a cleared pixel counts as 0
    edit_named(path, {"drawing": edits})
    report = verify(path)
    assert report.ok, report.lines()
    sheet, cell = _probs_cell(path, 3)
    for tamper in (0.1, "=0.1+0"):  # a number pasted over the formula; a wrong formula
        wb = load_workbook(path)
        wb[sheet][cell] = tamper
        wb.save(path.with_name("tampered.xlsx"))
        report = verify(path.with_name("tampered.xlsx"))
        assert not report.ok and report.first_mismatch.startswith(f"{sheet}!{cell}"), (
            report.first_mismatch
        )


@pytest.mark.slow
@pytest.mark.libreoffice
def test_verify_with_libreoffice_covers_the_drawing(make_workbook):
    needs_soffice()
    path = make_workbook(template="digits", steps=2, batch=4)
    named = oracle.read_named(path)
    drawing, _ = other_test_image(named, {named["drawing_guess"]})
    edit_named(path, {"drawing": {(r, c): drawing[r][c] for r in range(8) for c in range(8)}})
    report = verify(path, engine="libreoffice")
    assert report.ok, report.lines()
    assert report.stats["Images sheet formulas"].cells == 299
    sheet, cell = _probs_cell(path, 0)
    wb = load_workbook(path)
    wb[sheet][cell] = wb[sheet][cell].value + "*1.01"
    wb.save(path)
    report = verify(path, engine="libreoffice")
    assert not report.ok and report.first_mismatch.startswith(f"{sheet}!{cell}"), (
        report.first_mismatch
    )

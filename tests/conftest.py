"""Shared helpers: build a workbook, edit its inputs, recalculate it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from excelbp.build import build, make_spec
from excelbp.spec import BuildOptions
from excelbp.verify.gnumeric import find_ssconvert
from excelbp.verify.libreoffice import find_soffice


@pytest.fixture
def make_workbook(tmp_path):
    """make_workbook(name, **options) → path of a freshly built workbook."""

    def make(name: str = "book", **options) -> Path:
        path = tmp_path / f"{name}.xlsx"
        build(make_spec(BuildOptions(**options)), path, force=True)
        return path

    return make


def edit_named(path: Path, edits: dict[str, object]) -> None:
    """Set cells through defined names: {"lr": 0.002, "X": {(0, 1): 5.0}, "W1_init": {(0, 0): 0.3}}."""
    wb = load_workbook(path)
    for name, change in edits.items():
        [(sheet, ref)] = list(wb.defined_names[name].destinations)
        cells = wb[sheet][ref.replace("$", "")]
        if not isinstance(cells, tuple):
            cells = ((cells,),)
        elif not isinstance(cells[0], tuple):
            cells = (cells,)
        if isinstance(change, dict):
            for (i, j), v in change.items():
                cells[i][j].value = v
        else:
            cells[0][0].value = change
    wb.save(path)


def needs_soffice():
    """Skip without LibreOffice, except in CI where its absence is a failure."""
    if find_soffice() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice (soffice) is required in CI")
        pytest.skip("LibreOffice (soffice) not installed")


def needs_gnumeric():
    """Skip without Gnumeric's ssconvert, except in CI where its absence is a failure."""
    if find_ssconvert() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Gnumeric (ssconvert) is required in CI")
        pytest.skip("Gnumeric (ssconvert) not installed")


def structure_of(path: Path) -> dict:
    """The structure record a workbook keeps on its hidden sheet."""
    from excelbp.verify import read_structure
    from excelbp.verify import reader as xlsx_reader

    return read_structure(xlsx_reader.open_book(path))


def rows(v):
    """A named value as a matrix: a single cell is [[v]]."""
    return v if isinstance(v, list) else [[v]]


def oracle_run(named: dict, structure: dict, lr: float | None = None) -> dict:
    """tests/oracle.py's training on a workbook's named inputs (with another rate, if given)."""
    import oracle

    n_layers = len(structure["sizes"]) - 1
    return oracle.train(
        rows(named["X"]),
        rows(named["Y"]),
        [rows(named[f"W{l}_init"]) for l in range(1, n_layers + 1)],
        [rows(named[f"b{l}_init"])[0] for l in range(1, n_layers + 1)] if structure["bias"] else None,
        lr=named["lr"] if lr is None else lr,
        batch=named["batch"],
        steps=structure["steps"],
        activation=structure["activations"],
        loss=structure["loss"],
        bias=structure["bias"],
        optimizer=named.get("optimizer", "sgd"),
        **{k: named[k] for k in oracle.HYPERPARAMETERS if k in named},
    )


def assert_contract(named: dict, structure: dict) -> None:
    """Named outputs (loss, W_final, b_final) equal tests/oracle.py run on the named inputs."""
    n_layers = len(structure["sizes"]) - 1
    expected = oracle_run(named, structure)
    assert [r[0] for r in rows(named["loss"])] == pytest.approx(expected["loss"], rel=1e-9, abs=1e-12)
    for l in range(1, n_layers + 1):
        assert rows(named[f"W{l}_final"]) == [pytest.approx(r, rel=1e-9, abs=1e-12) for r in expected["W_final"][l - 1]]
        if structure["bias"]:
            assert rows(named[f"b{l}_final"])[0] == pytest.approx(expected["b_final"][l - 1], rel=1e-9, abs=1e-12)

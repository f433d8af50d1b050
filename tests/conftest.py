"""Shared helpers: build a workbook, edit its inputs, recalculate it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from excelbp.build import build
from excelbp.libreoffice import find_soffice
from excelbp.options import BuildOptions, make_spec


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

"""Shared helpers: build a workbook, edit its inputs, recalculate it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from excelbp.build import build, make_spec
from excelbp.spec import BuildOptions
from excelbp.spec.optimizers import HYPERPARAMETERS
from excelbp.verify.gnumeric import find_ssconvert
from excelbp.verify.libreoffice import find_soffice


def build_options(**options) -> BuildOptions:
    """BuildOptions with the hyperparameters given as keywords too: weight_decay=0.01."""
    hyper = tuple((k, options.pop(k)) for k in list(options) if k in HYPERPARAMETERS)
    return BuildOptions(**options, hyper=hyper) if hyper else BuildOptions(**options)


@pytest.fixture
def make_workbook(tmp_path):
    """make_workbook(name, **options) → path of a freshly built workbook (hyperparameters as
    keywords: weight_decay=0.01)."""

    def make(name: str = "book", **options) -> Path:
        path = tmp_path / f"{name}.xlsx"
        build(make_spec(build_options(**options)), path, force=True)
        return path

    return make


def edit_named(path: Path, edits: dict[str, object]) -> None:
    """Set cells through defined names:
    {"lr": 0.002, "X": {(0, 1): 5.0}, "W1_init": {(0, 0): 0.3}}."""
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


def needs_torch():
    """The torch module; without it a skip, except in CI where its absence is a failure (CI
    installs it so that the engine is checked against autograd and torch.optim every run)."""
    try:
        import torch
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("PyTorch (torch) is required in CI for the cross-checks against it")
        pytest.skip("PyTorch (torch) not installed")
    # one thread: the tensors are tiny, and on a shared 2-core machine torch's thread pool
    # made a 9-step run 50 times slower (0.18 s against 0.004 s at load 4)
    torch.set_num_threads(1)
    return torch


@pytest.fixture
def torch():
    """PyTorch for a cross-check (needs_torch): a test that takes it is marked `torch`."""
    return needs_torch()


def needs_ironcalc():
    """Skip without the ironcalc package, except in CI where its absence is a failure."""
    try:
        import ironcalc  # noqa: F401
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("IronCalc (pip install ironcalc) is required in CI")
        pytest.skip("IronCalc not installed (pip install ironcalc)")


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
        (
            [rows(named[f"b{l}_init"])[0] for l in range(1, n_layers + 1)]
            if structure["bias"]
            else None
        ),
        lr=named["lr"] if lr is None else lr,
        batch=named["batch"],
        steps=structure["steps"],
        activation=structure["activations"],
        loss=structure["loss"],
        bias=structure["bias"],
        optimizer=named.get("optimizer", "sgd"),
        schedule=named.get("schedule", "constant"),
        step_size=named.get("step_size"),
        gamma=named.get("gamma"),
        **{k: named[k] for k in oracle.HYPERPARAMETERS if k in named},
    )


def assert_contract(named: dict, structure: dict) -> None:
    """Named outputs (loss, lr_schedule, W_final, b_final) equal tests/oracle.py run on the
    named inputs."""
    n_layers = len(structure["sizes"]) - 1
    expected = oracle_run(named, structure)
    assert [r[0] for r in rows(named["loss"])] == pytest.approx(
        expected["loss"], rel=1e-9, abs=1e-12
    )
    if (
        "lr_schedule" in named
    ):  # the rate each step used (workbooks from before schedules have none)
        assert [r[0] for r in rows(named["lr_schedule"])] == pytest.approx(
            expected["lr_schedule"], rel=1e-12
        )
    for l in range(1, n_layers + 1):
        assert rows(named[f"W{l}_final"]) == [
            pytest.approx(r, rel=1e-9, abs=1e-12) for r in expected["W_final"][l - 1]
        ]
        if structure["bias"]:
            assert rows(named[f"b{l}_final"])[0] == pytest.approx(
                expected["b_final"][l - 1], rel=1e-9, abs=1e-12
            )


# Tests of the default run measured at over a second each on an idle 2-core machine
# (2026-12-01, `-m "not slow" --durations`): marked slow here, in one list, so that the
# default run stays under 90 s; CI runs them with the rest.
MEASURED_SLOW = {
    "tests/test_schedules.py::test_libreoffice_recalculates_edited_schedules",
    "tests/test_fashion.py::test_three_fashion_steps_verify_with_both_engines",
    "tests/test_gradcheck.py::test_the_sheet_is_there_by_default_up_to_100_parameters",
    "tests/test_drawing.py::test_the_drawing_is_a_held_out_image_of_another_class_and_only_it_is_typed",
    "tests/test_fashion.py::test_an_optimizer_and_a_sweep_on_the_first_layer_read_in_place[adam]",
    "tests/hostile/test_workbooks.py::test_millions_of_plain_cells_in_a_small_file",
    "tests/test_clients.py::test_both_engines_verify_and_name_a_changed_loss[2-3-2]",
    "tests/test_clients.py::test_both_engines_verify_and_name_a_changed_loss[default]",
    "tests/test_libreoffice.py::test_recalculate_several_and_parallel_calls",
    "tests/test_fast.py::test_same_values_as_recalc[sweep]",
    "tests/test_clients.py::test_cached_values_equal_libreoffice",
    "tests/test_libreoffice_contract.py::test_verify_with_libreoffice[relu-ce-b3]",
    "tests/test_libreoffice_contract.py::test_verify_with_libreoffice[classifier]",
    "tests/test_fast.py::test_edited_inputs_and_typed_formulas",
    "tests/test_blocks.py::test_blocks_recalculate_to_the_engine_after_edits[tanh-ce-b5]",
    "tests/test_hardening.py::test_reading_a_csv_takes_little_memory",
    "tests/test_gnumeric.py::test_engine_all_runs_the_four_and_reports_each",
    "tests/test_sweep.py::test_verify_reads_the_rates_live_and_names_a_tampered_cell",
    "tests/test_gradcheck.py::test_libreoffice_verify_names_a_tampered_gradient_check_cell",
    "tests/test_blocks.py::test_blocks_recalculate_to_the_engine_after_edits[relu-mse-nobias]",
    "tests/test_cli.py::test_custom_networks_are_named_after_their_shape",
    "tests/hostile/test_workbooks.py::test_many_distinct_formulas",
    "tests/test_engine.py::test_engine_against_pytorch_autograd",
    "tests/test_libreoffice_contract.py::test_verify_with_libreoffice[linear]",
    "tests/test_recalc.py::test_chain_of_2000_rows[oracle]",
    "tests/test_engine.py::test_digits_training_against_pytorch_sgd",
    "tests/test_fast.py::test_same_values_as_recalc[blocks-classifier]",
    "tests/test_hardening.py::test_csv_with_more_rows_than_a_sheet_is_refused_as_the_limit_is_passed",
    "tests/test_cli.py::test_verify_exit_codes",
    "tests/test_libreoffice.py::test_recalculate_ignores_stale_cached_values",
    "tests/test_libreoffice.py::test_recalculate_without_outdir_uses_a_new_folder",
    "tests/test_blocks.py::test_blocks_recalculate_to_the_engine_after_edits[sigmoid-wide-b7]",
    "tests/test_libreoffice.py::test_bad_calls_are_input_errors_and_failures_external_errors",
    "tests/test_blocks.py::test_blocks_recalculate_to_the_engine_after_edits[classifier]",
    "tests/test_workbook.py::test_live_after_editing_lr_a_sample_and_initial_weights[relu-ce-b3]",
    "tests/test_safe_zip.py::test_400_mb_part_refused_fast_and_small",
}


def _lost_slow_ids(items) -> list[str]:
    """MEASURED_SLOW's ids whose module was collected but that name no test of it (a whole
    function by its name, a parametrized case among its collected cases)."""
    ids = {item.nodeid for item in items}
    modules = {
        item.nodeid.split("::", 1)[0]: item.module for item in items if hasattr(item, "module")
    }
    lost = []
    for t in sorted(MEASURED_SLOW - ids):
        file, _, rest = t.partition("::")
        name = rest.split("[", 1)[0]
        if file not in modules:
            continue  # not collected in this run
        cases = [i for i in ids if i.startswith(f"{file}::{name}[")]
        if not hasattr(modules[file], name) or ("[" in rest and cases):
            lost.append(t)
    return lost


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid in MEASURED_SLOW:
            item.add_marker(pytest.mark.slow)
    lost = _lost_slow_ids(items)
    if lost:  # renamed or removed: it would silently run in the quick set again
        raise pytest.UsageError(
            f"conftest.MEASURED_SLOW names tests that do not exist: {', '.join(lost)}"
        )
    for item in items:
        if "torch" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.torch)


def pytest_terminal_summary(terminalreporter):
    """A line a quiet run's log keeps: how the PyTorch cross-checks ended, test by test, so
    that a log shows they ran (with which torch) and not only that nothing failed."""
    outcomes = ("passed", "failed", "error", "skipped")
    ended: dict[str, dict[str, list[str]]] = {}
    for outcome in outcomes:
        for report in terminalreporter.stats.get(outcome, []):
            if "torch" not in getattr(report, "keywords", {}):
                continue
            if report.when == "teardown" or (report.when == "setup" and outcome == "passed"):
                continue  # a passed setup is followed by its call's report
            name, _, param = report.nodeid.partition("[")
            ended.setdefault(name, {}).setdefault(outcome, []).append(param.rstrip("]"))
    if not ended:
        return
    try:
        import torch as found

        version = f"torch {found.__version__}"
    except ImportError:
        version = "torch not installed"
    total = [f"{sum(len(v.get(o, [])) for v in ended.values())} {o}" for o in outcomes]
    terminalreporter.write_sep("-", f"PyTorch cross-checks ({version}): {', '.join(total)}")
    for name, by_outcome in ended.items():
        parts = []
        for outcome, params in by_outcome.items():
            ids = " ".join(p for p in params if p)
            parts.append(f"{len(params)} {outcome}" + (f" ({ids})" if ids else ""))
        terminalreporter.write_line(f"{name}: " + "; ".join(parts))

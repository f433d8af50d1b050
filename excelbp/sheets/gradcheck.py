"""The Gradient check sheet: step 1's loss with each parameter moved by ±ε, in full forward
passes of formulas, the central differences beside backprop's gradient, and the verdict."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..engine.backprop import Trace
from ..engine.gradcheck import DEFAULT_EPS, GradientCheck, moved
from ..layout.gradcheck import GradcheckSheet
from ..layout.grid import letter
from ..layout.inputs import InputsSheet
from ..layout.step_sheet import StepSheet
from ..quantities import functions as fn
from ..quantities.context import EXPLICIT_TERMS, quoted
from ..quantities.kind import param_name
from ..quantities.names import unit
from ..spec import Spec
from ..words import words
from .cells import Cell, SheetPlan, blank, formula, grid_rows, number, text
from .style import RowHeights, fit

Cells = dict[tuple[int, int], str]


def _sample_row(spec: Spec, inputs: InputsSheet, b: int) -> int:
    """The Inputs row of step 1's sample b: samples 0 … B−1, wrapping round the data."""
    return inputs.X.row + b % spec.n_samples


def _pass_formulas(
    spec: Spec,
    sheet: GradcheckSheet,
    inputs: InputsSheet,
    row: int,
    moved: tuple | None,
    sign: int,
    out: Cells,
) -> None:
    """One row: the parameters (one moved by sign·ε), each sample's forward pass, the losses."""
    on_inputs = quoted(inputs.title)
    eps = sheet.eps.cell()

    def at(col: int) -> str:
        return f"{letter(col + 1)}{row}"

    for key, col in sheet.param_col.items():
        l = key[1]
        source = (
            inputs.W_init[l - 1].cell(key[2], key[3])
            if key[0] == "W"
            else inputs.b_init[l - 1].cell(0, key[2])
        )
        shift = "" if key != moved else f"+{eps}" if sign > 0 else f"-{eps}"
        out[(row, col + 1)] = f"={on_inputs}!{source}{shift}"
    for b, sample in enumerate(sheet.samples):
        data = _sample_row(spec, inputs, b)
        xs = [f"${inputs.X.letter(i)}${data}" for i in range(spec.sizes[0])]
        prev, prev_span = [f"{on_inputs}!{x}" for x in xs], f"{on_inputs}!{xs[0]}:{xs[-1]}"
        for l in range(1, spec.n_layers + 1):
            n_in, n_out = spec.sizes[l - 1], spec.sizes[l]
            for j in range(n_out):
                ws = [sheet.param_col[("W", l, i, j)] for i in range(n_in)]
                if (
                    n_in > EXPLICIT_TERMS
                ):  # the unit's weights and the activations both lie along the row
                    total = f"SUMPRODUCT({prev_span},{at(ws[0])}:{at(ws[-1])})"
                else:
                    total = "+".join(f"{x}*{at(w)}" for x, w in zip(prev, ws))
                bias = f"+{at(sheet.param_col[('b', l, j)])}" if spec.bias else ""
                out[(row, sample.z[(l, j)] + 1)] = f"={total}{bias}"
                if (l, j) in sample.a:
                    out[(row, sample.a[(l, j)] + 1)] = "=" + fn.activation(
                        spec.act(l), at(sample.z[(l, j)])
                    )
            cols = [sample.a.get((l, j), sample.z[(l, j)]) for j in range(n_out)]
            prev, prev_span = [at(c) for c in cols], f"{at(cols[0])}:{at(cols[-1])}"
        L, K = spec.n_layers, spec.sizes[-1]
        zs = [at(sample.z[(L, k)]) for k in range(K)]
        z_span = f"{zs[0]}:{zs[-1]}"
        if sample.m is not None:
            out[(row, sample.m + 1)] = f"=MAX({z_span})"
            out[(row, sample.S + 1)] = "=" + "+".join(f"EXP({z}-{at(sample.m)})" for z in zs)
        ys = [f"${inputs.Y.letter(k)}${data}" for k in range(K)]
        out[(row, sheet.losses + b + 1)] = "=" + fn.sample_loss_text(
            spec.loss,
            z=zs,
            a=prev,
            y=[f"{on_inputs}!{y}" for y in ys],
            z_span=z_span,
            y_span=f"{on_inputs}!{ys[0]}:{ys[-1]}",
            m=at(sample.m) if sample.m is not None else "",
            S=at(sample.S) if sample.S is not None else "",
        )
    first, last = at(sheet.losses), at(sheet.losses + spec.batch - 1)
    out[(row, sheet.mean_col + 1)] = f"=AVERAGE({first}:{last})" if spec.batch > 1 else f"={first}"


def gradcheck_formulas(
    spec: Spec, sheet: GradcheckSheet, inputs: InputsSheet, main: StepSheet
) -> Cells:
    """Formula text of every formula cell, keyed (row, col), 1-based."""
    out: Cells = {}
    T = sheet.table
    mean = letter(sheet.mean_col + 1)
    for k, key in enumerate(sheet.keys):
        r = T.row + k
        value = sheet.param_col[key] + 1
        out[(r, T.col + 1)] = f"={letter(value)}{sheet.pass_row(0, 0)}"  # the copy as initialised
        out[(r, T.col + 2)] = f"={mean}{sheet.pass_row(k, 1)}"
        out[(r, T.col + 3)] = f"={mean}{sheet.pass_row(k, -1)}"
        out[(r, T.col + 4)] = (
            f"=({letter(T.col + 2)}{r}-{letter(T.col + 3)}{r})/(2*{sheet.eps.cell()})"
        )
        grad = ("dW",) + key[1:] if key[0] == "W" else ("db",) + key[1:]
        out[(r, T.col + 5)] = f"={main.ref(grad, 1)}"
        n, g = f"{letter(T.col + 4)}{r}", f"{letter(T.col + 5)}{r}"
        out[(r, T.col + 6)] = f"=ABS({n}-{g})/MAX(ABS({n}),ABS({g}),1E-12)"
    out[(sheet.max_rel.row, sheet.max_rel.col)] = f"=MAX({sheet.rel_diff.column_span()})"
    _pass_formulas(spec, sheet, inputs, sheet.pass_row(0, 0), None, 0, out)
    for k, key in enumerate(sheet.keys):
        for sign in (1, -1):
            _pass_formulas(spec, sheet, inputs, sheet.pass_row(k, sign), key, sign, out)
    return out


def _pass_values(
    spec: Spec, sheet: GradcheckSheet, row: int, trace: Trace, W, b
) -> Iterator[tuple[tuple[int, int], float]]:
    for key, col in sheet.param_col.items():
        l = key[1] - 1
        yield (row, col + 1), float(W[l][key[2], key[3]] if key[0] == "W" else b[l][key[2]])
    for s, sample in enumerate(sheet.samples):
        for (l, j), col in sample.z.items():
            yield (row, col + 1), float(trace.z[l - 1][0, s, j])
        for (l, j), col in sample.a.items():
            yield (row, col + 1), float(trace.a[l - 1][0, s, j])
        if sample.m is not None:
            yield (row, sample.m + 1), float(trace.softmax_max[0, s])
            yield (row, sample.S + 1), float(trace.softmax_sum[0, s])
        yield (row, sheet.losses + s + 1), float(trace.sample_loss[0, s])
    yield (row, sheet.mean_col + 1), float(trace.loss[0])


def gradcheck_values(
    spec: Spec, sheet: GradcheckSheet, check: GradientCheck
) -> Iterator[tuple[tuple[int, int], float]]:
    """((row, col), value) of every formula cell, by the engine's gradient check."""
    T = sheet.table
    for k, key in enumerate(sheet.keys):
        r = T.row + k
        W, b = moved(spec, key, 0.0)
        l = key[1] - 1
        yield (r, T.col + 1), float(W[l][key[2], key[3]] if key[0] == "W" else b[l][key[2]])
        yield (r, T.col + 2), float(check.plus[k].loss[0])
        yield (r, T.col + 3), float(check.minus[k].loss[0])
        yield (r, T.col + 4), float(check.numeric[k])
        yield (r, T.col + 5), float(check.backprop[k])
        yield (r, T.col + 6), float(check.rel_diff[k])
    yield (sheet.max_rel.row, sheet.max_rel.col), check.max_rel_diff
    zero_b = [np.zeros(n) for n in spec.sizes[1:]]
    yield from _pass_values(
        spec, sheet, sheet.pass_row(0, 0), check.base, spec.W_init, spec.b_init or zero_b
    )
    for k, key in enumerate(sheet.keys):
        for sign, trace in ((1, check.plus[k]), (-1, check.minus[k])):
            W, b = moved(spec, key, sign * check.eps)
            yield from _pass_values(spec, sheet, sheet.pass_row(k, sign), trace, W, b or zero_b)


def gradcheck_plan(
    spec: Spec,
    sheet: GradcheckSheet,
    inputs: InputsSheet,
    main: StepSheet,
    check: GradientCheck | None,
) -> SheetPlan:
    """The sheet's cells: texts, ε (an input), formulas with the engine's values where given."""
    w = words(spec.lang)
    cells: dict[tuple[int, int], Cell] = {
        (1, 1): text(w["gc_title"], "title"),
        (2, 1): text(w["gc_note"].format(steps=main.title), "note"),
        (3, 1): text(w["gc_verdict"], "note"),
        (sheet.eps.row, 1): text(w["gc_eps"], "label"),
        (sheet.eps.row, sheet.eps.col): number(DEFAULT_EPS),
        (sheet.max_rel.row, 1): text(w["gc_max"], "label"),
    }
    T = sheet.table
    headers = ("gc_param", "gc_value", "gc_plus", "gc_minus", "gc_numeric", "gc_backprop", "gc_rel")
    for c, word in enumerate(headers):
        cells[(T.row - 1, T.col + c)] = text(w[word], "header_gradient")
    for k, key in enumerate(sheet.keys):
        cells[(T.row + k, T.col)] = text(param_name(spec, key), "label")

    top = sheet.passes.row
    cells[(top - 4, 1)] = text(w["gc_passes"], "section")
    cells[(top - 3, 1)] = text(w["gc_passes_note"], "note")
    groups = [("params", w["gc_moved"], [c + 1 for c in sheet.param_col.values()])]
    for b, sample in enumerate(sheet.samples):
        cols = [
            *sample.z.values(),
            *sample.a.values(),
            *((sample.m, sample.S) if sample.m is not None else ()),
        ]
        groups.append(("forward", w["sample"].format(n=b + 1), [c + 1 for c in cols]))
    groups.append(("loss", w["gc_losses"], list(range(sheet.losses + 1, sheet.mean_col + 2))))
    for (
        section,
        heading,
        cols,
    ) in groups:  # the group's colour across its columns, its name over them
        for c in cols:
            cells[(top - 2, c)] = blank(f"group_{section}")
        cells[(top - 2, min(cols))] = text(heading, f"group_{section}")
    names = {c + 1: param_name(spec, key) for key, c in sheet.param_col.items()}
    for sample in sheet.samples:
        names.update({c + 1: f"z {spec.hidden_name(l, j)}" for (l, j), c in sample.z.items()})
        names.update({c + 1: unit(spec, l, j) for (l, j), c in sample.a.items()})
        if sample.m is not None:
            names.update({sample.m + 1: "max z", sample.S + 1: "Σ e^(z−max)"})
    names.update({sheet.losses + b + 1: w["sample"].format(n=b + 1) for b in range(spec.batch)})
    names[sheet.mean_col + 1] = w["mean_loss"]
    cells[(top - 1, 1)] = blank("header_params")
    for c, name in names.items():
        section = "params" if c <= max(groups[0][2]) else "loss" if c > sheet.losses else "forward"
        cells[(top - 1, c)] = text(name, f"header_{section}")
    cells[(sheet.pass_row(0, 0), 1)] = text(w["gc_base"], "label")
    for k, key in enumerate(sheet.keys):
        cells[(sheet.pass_row(k, 1), 1)] = text(f"{param_name(spec, key)} + ε", "label")
        cells[(sheet.pass_row(k, -1), 1)] = text(f"{param_name(spec, key)} − ε", "label")

    moved_cells = {
        (sheet.pass_row(k, s), sheet.param_col[key] + 1)
        for k, key in enumerate(sheet.keys)
        for s in (1, -1)
    }
    for rc, f in gradcheck_formulas(spec, sheet, inputs, main).items():
        cells[rc] = formula(f, "moved" if rc in moved_cells else "real")
    cached = dict(gradcheck_values(spec, sheet, check)) if check is not None else {}
    widths, heights = fit(cells)
    rows = grid_rows(cells, cached)
    verdict = [f"{sheet.max_rel.cell(absolute=False)}", sheet.rel_diff.ref(absolute=False)]
    return SheetPlan(
        sheet.title,
        rows,
        widths,
        freeze="B1",
        extent=(len(rows), len(rows[0])),
        heatmaps=[(ref, "verdict") for ref in verdict],
        heights=RowHeights(fixed=heights),
        print_scale=60,
    )

"""The "How it works" sheet: the network drawn in cells, the formulas in general form, and
where each term lives in the steps."""

from __future__ import annotations

import re

from ..layout.grid import letter
from ..layout.steps import StepLayout
from ..quantities.context import EXPLICIT_TERMS
from ..quantities.functions import loss_slope_words, loss_words, slope_words
from ..quantities.names import classifier, fused_output, network_summary, unit
from ..quantities.registry import explained
from ..spec import Spec
from ..words import sheet_titles, words
from .cells import Cell, SheetPlan, text
from .style import RowHeights, fit

# what the sheet says of each layout: the heading and closing note of the table of places,
# the kinds it leaves out of the table, and whether its parameters are matrices (their sums
# SUMPRODUCTs worth a section, a bias a row under its matrix rather than columns of its own)
PER_LAYOUT = {
    "rows": ("where", "note", ("W", "Wt"), False),
    "blocks": ("where_blocks", "note_blocks", ("db", "b+"), True),
}


def _runs(cols: list[int]) -> str:
    """0-based columns as letter runs: "C–E, J, M–P"."""
    runs, start = [], cols[0]
    for prev, c in zip(cols, cols[1:] + [None]):
        if c != prev + 1:
            a, b = letter(start + 1), letter(prev + 1)
            runs.append(a if a == b else f"{a}–{b}")
            start = c
    return ", ".join(runs)


def _per_layer(spec: Spec, layers, say, w: dict) -> str:
    """One text for the layers' activations where they agree, else each with its layer."""
    layers = list(layers)
    said = {l: say(spec.act(l)) for l in layers}
    if len(set(said.values())) <= 1:
        return next(iter(said.values()), "")
    return "; ".join(f"{text} ({w['layer'].format(n=l)})" for l, text in said.items())


def explain_plan(spec: Spec, steps: StepLayout) -> SheetPlan:
    w = words(spec.lang)

    def t(key: str) -> str:
        return w[f"how_{key}"]

    rows: list[list[Cell | None]] = [
        [text(t("title"), "title")],
        [text(network_summary(spec), "subtitle")],
        [],
    ]

    rows.append([text(t("drawing"), "section")])
    heads = [t("input")] + [
        t("output" if l == spec.n_layers else "hidden").format(l=l, act=spec.act(l))
        for l in range(1, spec.n_layers + 1)
    ]
    row: list[Cell | None] = []
    for i, h in enumerate(heads):
        row += [text(h, "header_forward")] + ([text("→", "label")] if i < len(heads) - 1 else [])
    rows.append(row)
    for u in range(max(spec.sizes)):
        row = []
        for l, n in enumerate(spec.sizes):
            name = unit(spec, l, u) if u < n else ""
            row += [text(name, "label") if name else None] + ([None] if l < spec.n_layers else [])
        rows.append(row)
    rows.append([])

    bias = " + b_j" if spec.bias else ""
    rows.append([text(t("forward"), "section")])
    rows.append([text(t("z").format(bias=bias))])
    hidden = _per_layer(spec, range(1, spec.n_layers), lambda a: a, w)
    last = spec.act(spec.n_layers)
    if last != "linear" or spec.n_layers > 1:
        shown = (
            _per_layer(spec, range(1, spec.n_layers + 1), lambda a: a, w)
            if last != "softmax"
            else hidden
        )
        rows.append([text(t("a").format(act=shown))])
    if spec.loss == "cross_entropy":
        rows.append([text(t("softmax"))])
    rows.append([text(t("loss").format(loss=loss_words(spec.loss, "_k"), batch=spec.batch))])
    rows.append([])
    rows.append([text(t("backward"), "section")])

    def slopes(layers) -> str:
        return _per_layer(spec, layers, lambda a: slope_words(a, a="a", z="z"), w)

    if spec.loss in ("cross_entropy", "binary_cross_entropy"):
        rows.append([text(t("d_ce" if spec.loss == "cross_entropy" else "d_bce"))])
    else:
        rows.append(
            [text(t("g_out").format(slope=loss_slope_words(spec.loss, a="ŷ_k", y="y_k", k="K")))]
        )
        rows.append([text(t("d").format(deriv=slopes([spec.n_layers])))])
    if spec.n_layers > 1:
        rows.append([text(t("g"))])
        if fused_output(spec, spec.n_layers) or slopes(range(1, spec.n_layers)) != slopes(
            [spec.n_layers]
        ):
            rows.append([text(t("d").format(deriv=slopes(range(1, spec.n_layers))))])
    rows.append([text(t("dw") if spec.bias else t("dw").split("        ")[0])])
    if spec.optimizer.name != "sgd" or spec.optimizer.weight_decay:
        rows.append([text(t("opt_" + spec.optimizer.name))])
    if spec.schedule.name != "constant":  # lr in the rule is then each step's lr_t
        rows.append([text(t("schedule_" + spec.schedule.name))])
    rows.append([text(t("update").format(rule=w["rule_" + spec.optimizer.name]))])
    rows.append([])

    table = steps.main
    where, note, unlisted, matrices = PER_LAYOUT[steps.name]
    if matrices:
        # only the SUMPRODUCTs this workbook has (see quantities/context.py)
        sizes, L = spec.sizes, spec.n_layers
        used = [
            (
                t("sp_forward").format(bias=" + b" if spec.bias else "")
                if max(sizes[:-1]) > EXPLICIT_TERMS
                else None
            ),
            t("sp_backward") if any(sizes[l + 1] > EXPLICIT_TERMS for l in range(1, L)) else None,
            t("sp_gradient") if spec.batch > 1 else None,
        ]
        if any(used):
            rows.append([text(t("sumproduct"), "section")])
            rows += [[text(line)] for line in used if line]
            rows.append([])
    rows.append(
        [text(t(where).format(h=table.height, B=spec.batch, **sheet_titles(spec.lang)), "section")]
    )
    for kind in explained():
        # its own columns only (an alias shares another quantity's column and is named there)
        cols = table.kind_columns(kind.name)
        if cols and kind.name not in unlisted:
            rows.append(
                [
                    text(kind.explain, "label"),
                    text(f"{table.title}!{_runs(cols)} ({len(cols)} {t('cols')})"),
                ]
            )
    if matrices and spec.bias:
        rows.append([text(t("bias_rows"))])
    if spec.layers[0].in_place:  # the first layer read where its data lie (layout/blocks.py)
        # a sentence a row: the sheet is printed one page wide, and one long line shrank it all
        rows += [
            [text(sentence)]
            for sentence in re.split(
                r"(?<=[.。])\s*(?=\S)", w["note_turned"].format_map(sheet_titles(spec.lang))
            )
        ]
    rows.append(
        [
            text(
                t(note).format(
                    acc=t("and_accuracy") if classifier(spec) else "", **sheet_titles(spec.lang)
                ),
                "note",
            )
        ]
    )
    extent = (len(rows), max(len(r) for r in rows))
    cells = {
        (r, c): cell
        for r, row in enumerate(rows, start=1)
        for c, cell in enumerate(row, start=1)
        if cell is not None
    }
    widths, heights = fit(
        cells, {c: 4.0 for c in range(2, 2 * spec.n_layers + 1, 2)}
    )  # the arrows' columns
    # one page wide: its lines of formulas run far to the right
    return SheetPlan(
        t("title"), rows, widths, extent=extent, fit_width=True, heights=RowHeights(fixed=heights)
    )

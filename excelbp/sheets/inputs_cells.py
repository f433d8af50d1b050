"""The Inputs sheet's formula cells: their text (their values: layout/values.py)."""

from __future__ import annotations

from ..layout.inputs import InputsSheet
from ..layout.step_sheet import StepSheet
from ..spec import Spec
from .forward import forward_formulas


def inputs_formulas(spec: Spec, sheet: InputsSheet, main: StepSheet) -> dict[tuple[int, int], str]:
    """Formula text of every formula cell on the Inputs sheet, keyed (row, col), 1-based."""
    out: dict[tuple[int, int], str] = {}
    out[(sheet.steps.row, sheet.steps.col)] = "=ROWS(loss)"
    # not an input: the layout is built for this batch size (editing it could not change it)
    out[(sheet.batch.row, sheet.batch.col)] = f"={spec.batch}"
    for t in range(spec.n_samples):
        if spec.w_true is not None:
            out[(sheet.Y.row + t, sheet.Y.col)] = (
                f"=SUMPRODUCT({sheet.X.cell(t, 0)}:{sheet.X.cell(t, spec.sizes[0] - 1)},w_true)"
            )
        if spec.x_scale is not None:
            for i in range(spec.sizes[0]):
                out[(sheet.X.row + t, sheet.X.col + i)] = (
                    f"={sheet.raw_X.cell(t, i, absolute=False)}/{sheet.x_scale.cell(0, i)}"
                )
            for k in range(spec.sizes[-1]):
                out[(sheet.Y.row + t, sheet.Y.col + k)] = (
                    f"={sheet.raw_Y.cell(t, k, absolute=False)}/{sheet.y_scale.cell(0, k)}"
                )

    for l in range(1, spec.n_layers + 1):
        W = sheet.W_final[l - 1]
        for i in range(W.rows):
            for j in range(W.cols):
                out[(W.row + i, W.col + j)] = f"={main.ref(('W+', l, i, j), spec.steps)}"
        T = sheet.W_init_T[l - 1] if sheet.W_init_T is not None else None
        if T is not None:  # the initial weights turned, for step 1 of a first layer read in place
            W0 = sheet.W_init[l - 1]
            for j in range(T.rows):
                for i in range(T.cols):
                    out[(T.row + j, T.col + i)] = f"={W0.cell(i, j, absolute=False)}"
        if spec.bias:
            b = sheet.b_final[l - 1]
            for j in range(b.cols):
                out[(b.row, b.col + j)] = f"={main.ref(('b+', l, j), spec.steps)}"
        if sheet.W_final_T is not None and sheet.W_final_T[l - 1] is not None:
            T = sheet.W_final_T[l - 1]
            for j in range(T.rows):
                for i in range(T.cols):
                    out[(T.row + j, T.col + i)] = f"={W.cell(i, j, absolute=False)}"

    for t in range(spec.n_samples if sheet.fit_z else 0):
        forward_formulas(spec, main, sheet, out, t, sheet.X.row_span(t), sheet.fit_z, sheet.fit_a)
    if sheet.boundary is not None:
        B, W = sheet.boundary, sheet.W_final[0]
        bias = f"+{sheet.b_final[0].cell()}" if spec.bias else ""
        for i, pick in enumerate(("MIN", "MAX")):
            out[(B.row + i, B.col)] = f"={pick}({sheet.X.column_span(0)})"
            # w1·x1 + w2·x2 + b = 0: z = 0 is p = 0.5
            out[(B.row + i, B.col + 1)] = (
                f"=-({W.cell(0, 0)}*{B.cell(i, 0, absolute=False)}{bias})/{W.cell(1, 0)}"
            )
    if sheet.X_test is not None:
        n_test = sheet.X_test.rows
        p = sheet.test_pred
        for t in range(n_test):
            scores = forward_formulas(
                spec, main, sheet, out, t, sheet.X_test.row_span(t), sheet.test_z, sheet.test_a
            )
            ys = sheet.Y_test.row_span(t)
            if spec.sizes[-1] == 1:  # one sigmoid output: class 1 where p ≥ 0.5, that is z ≥ 0
                out[(p.row + t, p.col)] = (
                    f"=IF({sheet.test_z[-1].cell(t, 0, absolute=False)}>=0,1,0)"
                )
                out[(p.row + t, p.col + 1)] = (
                    f"=IF({sheet.Y_test.cell(t, 0, absolute=False)}>=0.5,1,0)"
                )
            else:
                out[(p.row + t, p.col)] = f"=MATCH(MAX({scores}),{scores},0)-1"  # class 0, 1, …
                out[(p.row + t, p.col + 1)] = f"=MATCH(MAX({ys}),{ys},0)-1"
            out[(p.row + t, p.col + 2)] = (
                f"=IF({p.cell(t, 0, absolute=False)}={p.cell(t, 1, absolute=False)},1,0)"
            )
        acc = sheet.test_accuracy
        out[(acc.row, acc.col)] = f"=AVERAGE({p.cell(0, 2)}:{p.cell(n_test - 1, 2)})"
        predicted, true = (
            f"{p.cell(0, 0)}:{p.cell(n_test - 1, 0)}",
            f"{p.cell(0, 1)}:{p.cell(n_test - 1, 1)}",
        )
        c = sheet.confusion
        for i in range(c.rows):
            for j in range(c.cols):
                out[(c.row + i, c.col + j)] = f"=COUNTIFS({true},{i},{predicted},{j})"
    return out


def pixel_formula(spec: Spec, sheet: InputsSheet, t: int, i: int) -> str:
    """scale_pixels: X = the raw pixel / the pixel scale (255), in a live formula."""
    return f"={sheet.raw_X.cell(t, i, absolute=False)}/{spec.pixel_scale:g}"

"""The Excel text of every formula cell.

Step-table formulas are templates, one per column, with `{r}` for the step's row,
`{p}` for the previous step's row and `{d0}`, `{d1}`, … for the data rows of the
step's samples; the writer fills them in row by row. Only functions that Excel
2010+, LibreOffice and `formulas` share are used, in numerically stable forms.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from .layout import NAME, ImagesSheet, InputsSheet, StepPlaces, softmax_output
from .spec import Spec

# Up to this many terms a weighted sum is written out (x0*w0+x1*w1, as in the seeds);
# beyond it one SUMPRODUCT over two contiguous ranges is cheaper and shorter.
EXPLICIT_TERMS = 4


def sigmoid(z: str) -> str:
    # exp(min(z,0)) / (1 + exp(−|z|)) equals 1/(1+e^−z) and never overflows
    return f"EXP(MIN({z},0))/(1+EXP(-ABS({z})))"


def activation(name: str, z: str) -> str:
    return {"sigmoid": sigmoid(z), "tanh": f"TANH({z})", "relu": f"MAX({z},0)", "linear": z}[name]


def local_slope_times(name: str, z: str, a: str, g: str) -> str:
    """f'(z) · g, the local derivative times the upstream gradient."""
    return {
        "sigmoid": f"{a}*(1-{a})*{g}",
        "tanh": f"(1-{a}^2)*{g}",
        "relu": f"IF({z}>0,{g},0)",
        "linear": g,
    }[name]


def output_loss(loss: str, preds: list[str], targets: list[str]) -> str:
    squares = "+".join(f"({a}-{y})^2" for a, y in zip(preds, targets))
    k = len(preds)
    return {"sse": squares, "half_sse": f"({squares})/2", "mse": f"({squares})/{k}"}[loss]


def output_slope(loss: str, a: str, y: str, k: int) -> str:
    """∂(per-sample loss)/∂ŷ."""
    return {"sse": f"2*({a}-{y})", "half_sse": f"{a}-{y}", "mse": f"2*({a}-{y})/{k}"}[loss]


def mean(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else f"({'+'.join(terms)})/{len(terms)}"


# --- the steps --------------------------------------------------------------------------


def dot(table: StepPlaces, xs: list[tuple], ws: list[tuple]) -> str:
    """Σ x·w over two lists of keys: written out while short (x1*w1+x2*w2, as the seeds
    write it), one SUMPRODUCT where both lie along a row, or both down a column."""
    if len(xs) > EXPLICIT_TERMS:
        a, b = table.line(xs), table.line(ws)
        if a and b and a[0] == b[0]:
            return f"SUMPRODUCT({a[1]},{b[1]})"
    return "+".join(f"{table.at(x)}*{table.at(w)}" for x, w in zip(xs, ws))


def batch_mean(table: StepPlaces, terms: list[tuple], weights: list[tuple] | None = None) -> str:
    """The mean over the batch of `terms` (times `weights`): SUMPRODUCT(…)/B or AVERAGE(…)
    where the batch lies down a column, else the terms written out."""
    B = len(terms)
    if B > 1 and (line := table.line(terms)):
        if weights is None:
            return f"AVERAGE({line[1]})"
        other = table.line(weights)
        if other and other[0] == line[0]:
            return f"SUMPRODUCT({line[1]},{other[1]})/{B}"
    if weights is None:
        return mean([table.at(t) for t in terms])
    return mean([f"{table.at(t)}*{table.at(w)}" for t, w in zip(terms, weights)])


def step_templates(spec: Spec, table: StepPlaces, sheet: InputsSheet) -> dict[tuple, tuple[str, str]]:
    """(formula for step 1, formula for later steps) of every formula cell of a step, by key.

    `table` is either layout (layout.StepTable or block_layout.StepBlocks): it says where a
    key is (`at`) and whether keys make one range (`line`); the maths is the same.
    """
    at = table.at

    def span(first: tuple, last: tuple) -> str:
        return f"{at(first)}:{at(last)}"

    B, L, sizes = spec.batch, spec.n_layers, spec.sizes
    act = spec.activation
    n = spec.n_samples

    def prev_act(b: int, l: int, i: int) -> tuple:
        return ("x", b, i) if l == 1 else ("a", b, l - 1, i)

    def formula(key: tuple) -> str | tuple[str, str]:
        kind = key[0]
        if kind == "step":
            return "=1", f"={at(key, 'p')}+1"
        if kind == "sample":
            offset = f"+{key[1]}" if key[1] else ""
            return f"=MOD(({at(('step',))}-1)*{B}{offset},{n})+1"
        if kind in ("W", "b"):
            init = sheet.W_init[key[1] - 1].cell(key[2], key[3]) if kind == "W" else sheet.b_init[key[1] - 1].cell(0, key[2])
            return f"={NAME}!{init}", f"={at((kind + '+',) + key[1:], 'p')}"
        if kind == "Wt":  # the same weight, turned: Wt[l, j, i] = W[l, i, j]
            _, l, j, i = key
            return f"={at(('W', l, i, j))}"
        if kind == "x":
            return f"={NAME}!${sheet.X.letter(key[2])}${{d{key[1]}}}"
        if kind == "y":
            return f"={NAME}!${sheet.Y.letter(key[2])}${{d{key[1]}}}"
        if kind == "wt":
            return f"={NAME}!{sheet.w_true.cell(0, key[1])}"
        if kind == "hit":
            b = key[1]
            ps = span(("a", b, L, 0), ("a", b, L, sizes[L] - 1))
            ys = span(("y", b, 0), ("y", b, sizes[L] - 1))
            return f"=IF(MATCH(MAX({ps}),{ps},0)=MATCH(MAX({ys}),{ys},0),1,0)"
        if kind == "acc":
            # over the last epoch's steps ({w} is the window's first row)
            return f"=AVERAGE({table.letter(('hit', 0))}{{w}}:{table.letter(('hit', B - 1))}{{r}})"
        if kind == "bacc":
            return f"={batch_mean(table, [('hit', b) for b in range(B)])}"
        if kind == "raw":
            _, b, k = key
            return f"={at(('a', b, L, k))}*{NAME}!{sheet.y_scale.cell(0, k)}"
        if kind == "z":
            _, b, l, j = key
            ins = [prev_act(b, l, i) for i in range(sizes[l - 1])]
            # the rows layout keeps each unit's weights side by side; blocks keep them in Wᵀ
            turned = table.has(("Wt", l, j, 0))
            ws = [("Wt", l, j, i) if turned else ("W", l, i, j) for i in range(sizes[l - 1])]
            text = dot(table, ins, ws)
            return f"={text}+{at(('b', l, j))}" if spec.bias else f"={text}"
        if kind == "m":
            return f"=MAX({span(('z', key[1], L, 0), ('z', key[1], L, sizes[L] - 1))})"
        if kind == "S":
            b = key[1]
            return "=" + "+".join(f"EXP({at(('z', b, L, k))}-{at(('m', b))})" for k in range(sizes[L]))
        if kind == "a":
            _, b, l, j = key
            if softmax_output(spec, l):
                return f"=EXP({at(('z', b, l, j))}-{at(('m', b))})/{at(('S', b))}"
            return "=" + activation(act, at(("z", b, l, j)))
        if kind == "Lb":
            b = key[1]
            ys = span(("y", b, 0), ("y", b, sizes[L] - 1))
            if spec.loss == "cross_entropy":
                zs = span(("z", b, L, 0), ("z", b, L, sizes[L] - 1))
                # −Σ y·ln p with ln p = z − m − ln S: finite however large z is
                return f"=({at(('m', b))}+LN({at(('S', b))}))*SUM({ys})-SUMPRODUCT({ys},{zs})"
            preds = [at(("a", b, L, k)) for k in range(sizes[L])]
            return "=" + output_loss(spec.loss, preds, [at(("y", b, k)) for k in range(sizes[L])])
        if kind == "loss":
            return f"={batch_mean(table, [('Lb', b) for b in range(B)])}" if B > 1 else f"={at(('Lb', 0))}"
        if kind == "g":
            _, b, l, j = key
            if l == L:
                return "=" + output_slope(spec.loss, at(("a", b, l, j)), at(("y", b, j)), sizes[L])
            ks = range(sizes[l + 1])
            return "=" + dot(table, [("W", l + 1, j, k) for k in ks], [("d", b, l + 1, k) for k in ks])
        if kind == "d":
            _, b, l, j = key
            if softmax_output(spec, l):
                return f"={at(('a', b, l, j))}-{at(('y', b, j))}"  # softmax and cross-entropy together
            return "=" + local_slope_times(act, at(("z", b, l, j)), at(("a", b, l, j)), at(("g", b, l, j)))
        if kind == "dW":
            _, l, i, j = key
            return "=" + batch_mean(table, [("d", b, l, j) for b in range(B)], [prev_act(b, l, i) for b in range(B)])
        if kind == "db":
            _, l, j = key
            return "=" + batch_mean(table, [("d", b, l, j) for b in range(B)])
        if kind in ("W+", "b+"):
            grad = ("dW",) if kind == "W+" else ("db",)
            return f"={at((kind[0],) + key[1:])}-lr*{at(grad + key[1:])}"
        raise ValueError(f"no formula for {key}")

    out = {}
    for key, _, _ in table.positions():
        f = formula(key)
        out[key] = f if isinstance(f, tuple) else (f, f)
    return out


def summary_templates(blocks, sheet: InputsSheet) -> list[tuple[str, str]]:
    """The Steps sheet of the blocks layout: each step's number, loss, batch accuracy (and a
    small network's parameters) are read from its block ({t<dr>} is the block's row dr), and
    the accuracy over the last epoch is the mean of the batch accuracies in the window
    {w}…{r} (each batch has B samples)."""
    table = blocks.summary
    out = []
    for col in table.columns:
        key = col.key
        if key == ("acc",):
            letter = table.letter(("bacc",))
            f = f"=AVERAGE({letter}{{w}}:{letter}{{r}})"
        elif key[0] == "wt":
            f = f"={NAME}!{sheet.w_true.cell(0, key[1])}"
        else:
            dr, c = blocks.position(key)
            f = f"={blocks.sheet}!{get_column_letter(c + 1)}{{t{dr}}}"
        out.append((f, f))
    return out


# --- the Inputs sheet --------------------------------------------------------------------


def inputs_formulas(spec: Spec, sheet: InputsSheet, table: StepPlaces) -> dict[tuple[int, int], str]:
    """Formula text of every formula cell on the Inputs sheet, keyed (row, col), 1-based."""
    out: dict[tuple[int, int], str] = {}
    blk = sheet
    out[(blk.steps.row, blk.steps.col)] = "=ROWS(loss)"
    # not an input: the layout is built for this batch size (editing it could not change it)
    out[(blk.batch.row, blk.batch.col)] = f"={spec.batch}"
    for t in range(spec.n_samples):
        if spec.w_true is not None:
            out[(blk.Y.row + t, blk.Y.col)] = f"=SUMPRODUCT({blk.X.cell(t, 0)}:{blk.X.cell(t, spec.sizes[0] - 1)},w_true)"
        if spec.x_scale is not None:
            for i in range(spec.sizes[0]):
                out[(blk.X.row + t, blk.X.col + i)] = f"={blk.raw_X.cell(t, i, absolute=False)}/{blk.x_scale.cell(0, i)}"
            for k in range(spec.sizes[-1]):
                out[(blk.Y.row + t, blk.Y.col + k)] = f"={blk.raw_Y.cell(t, k, absolute=False)}/{blk.y_scale.cell(0, k)}"

    for l in range(1, spec.n_layers + 1):
        W = blk.W_final[l - 1]
        for i in range(W.rows):
            for j in range(W.cols):
                out[(W.row + i, W.col + j)] = f"={table.ref(('W+', l, i, j), spec.steps)}"
        if spec.bias:
            b = blk.b_final[l - 1]
            for j in range(b.cols):
                out[(b.row, b.col + j)] = f"={table.ref(('b+', l, j), spec.steps)}"
        if blk.W_final_T is not None:
            T = blk.W_final_T[l - 1]
            for j in range(T.rows):
                for i in range(T.cols):
                    out[(T.row + j, T.col + i)] = f"={W.cell(i, j, absolute=False)}"

    if blk.X_test is not None:
        n_test = blk.X_test.rows
        for t in range(n_test):
            scores = final_forward(spec, table, out, t, blk.X_test.row_span(t), blk.test_z, blk.test_a, blk)
            ys = blk.Y_test.row_span(t)
            p = blk.test_pred
            out[(p.row + t, p.col)] = f"=MATCH(MAX({scores}),{scores},0)-1"  # class 0, 1, …
            out[(p.row + t, p.col + 1)] = f"=MATCH(MAX({ys}),{ys},0)-1"
            out[(p.row + t, p.col + 2)] = f"=IF({p.cell(t, 0, absolute=False)}={p.cell(t, 1, absolute=False)},1,0)"
        acc = blk.test_accuracy
        right = f"{blk.test_pred.cell(0, 2)}:{blk.test_pred.cell(n_test - 1, 2)}"
        out[(acc.row, acc.col)] = f"=AVERAGE({right})"
        predicted = f"{blk.test_pred.cell(0, 0)}:{blk.test_pred.cell(n_test - 1, 0)}"
        true = f"{blk.test_pred.cell(0, 1)}:{blk.test_pred.cell(n_test - 1, 1)}"
        c = blk.confusion
        for i in range(c.rows):
            for j in range(c.cols):
                out[(c.row + i, c.col + j)] = f"=COUNTIFS({true},{i},{predicted},{j})"
    return out


def final_forward(spec: Spec, table: StepPlaces, out: dict, t: int, inputs: str, z_blocks, a_blocks, sheet: InputsSheet) -> str:
    """Row t of the z/a blocks: a forward pass of `inputs` with the final parameters. The
    last layer stays scores (the arg-max needs no softmax); returns their range."""
    prev = inputs
    for l in range(1, spec.n_layers + 1):
        z, a = z_blocks[l - 1], a_blocks[l - 1]
        for j in range(z.cols):
            out[(z.row + t, z.col + j)] = "=" + final_unit(spec, table, sheet, l, j, prev)
            if a is not None:
                out[(a.row + t, a.col + j)] = "=" + activation(spec.activation, z.cell(t, j, absolute=False))
        prev = (a if a is not None else z).row_span(t)
    return prev


def final_unit(spec: Spec, table: StepPlaces, sheet: InputsSheet, l: int, j: int, inputs: str) -> str:
    """z of unit j of layer l for a row of inputs, with the final parameters: a row of them
    pairs with the row of inputs (the last step's updates in the rows layout, whose units'
    weights lie side by side; the turned final weights in the blocks layout)."""
    if sheet.W_final_T is not None:
        T = sheet.W_final_T[l - 1]
        weights = f"{NAME}!{T.cell(j, 0)}:{T.cell(j, T.cols - 1)}"
        bias = f"{NAME}!{sheet.b_final[l - 1].cell(0, j)}" if spec.bias else None
    else:
        weights = table.ref(("W+", l, 0, j), spec.steps, last=("W+", l, spec.sizes[l - 1] - 1, j))
        bias = table.ref(("b+", l, j), spec.steps) if spec.bias else None
    text = f"SUMPRODUCT({inputs},{weights})"
    return f"{text}+{bias}" if bias else text


def images_formulas(spec: Spec, view: ImagesSheet, table: StepPlaces, sheet: InputsSheet) -> dict[tuple[int, int], str]:
    """The Images sheet: the picked sample's pixels, as a row and as a grid, and the guess."""
    out: dict[tuple[int, int], str] = {}
    pick = view.pick.cell()
    def column(block, k: int) -> str:
        # one column of X or Y, not the whole block: INDEX then reads 1,000 cells, not 64,000
        return f"{NAME}!{block.cell(0, k)}:{block.cell(block.rows - 1, k)}"

    for k in range(view.pixels.cols):
        out[(view.pixels.row, view.pixels.col + k)] = f"=INDEX({column(sheet.X, k)},{pick})"
    side = view.grid.rows
    for r in range(side):
        for c in range(side):
            out[(view.grid.row + r, view.grid.col + c)] = f"={view.pixels.cell(0, r * side + c)}"
    prev = final_forward(spec, table, out, 0, view.pixels.row_span(), view.z, view.a, sheet)
    out[(view.predicted.row, view.predicted.col)] = f"=MATCH(MAX({prev}),{prev},0)-1"
    for k in range(view.target.cols):
        out[(view.target.row, view.target.col + k)] = f"=INDEX({column(sheet.Y, k)},{pick})"
    ys = view.target.row_span()
    out[(view.true.row, view.true.col)] = f"=MATCH(MAX({ys}),{ys},0)-1"
    return out

"""Where each quantity lives: the columns of the step table and the cells of the Inputs sheet.

Pure positions, no formula text. A quantity is a key tuple:
  ("step",), ("sample", b)                       labels
  ("W", l, i, j), ("b", l, j)                    parameters used by the step
  ("x", b, i), ("y", b, k)                       sample b's inputs and targets
  ("raw", b, k)                                  the prediction in raw units (scaled templates)
  ("z", b, l, j), ("a", b, l, j)                 pre-activation and activation
  ("m", b), ("S", b)                             softmax helpers: max z and Σ e^(z − max)
  ("Lb", b), ("loss",)                           per-sample loss, step loss (batch mean)
  ("hit", b), ("acc",)                           classifiers: arg-max right (1/0), accuracy over the last epoch
  ("wt", i)                                      w_true beside the weights (linear template)
  ("g", b, l, j), ("d", b, l, j)                 ∂L/∂a (upstream) and δ = ∂L/∂z
  ("dW", l, i, j), ("db", l, j)                  batch-mean gradients
  ("W+", l, i, j), ("b+", l, j)                  updated parameters
Layers l are 1-based, units and samples b 0-based. Where two keys are equal by
definition (a = z for a linear layer, δ = ∂L/∂a there, loss = Lb when B = 1) the
second key points at the first one's column instead of repeating it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from .spec import Spec

@dataclass(frozen=True)
class Column:
    key: tuple
    group: str
    sub: str  # "sample 2", "layer 1"
    unit: tuple = ()  # what the label speaks of, e.g. (l, i, j)


PARAMS, GRADIENTS, UPDATES = ("W", "b"), ("dW", "db"), ("W+", "b+")


def param_keys(spec: Spec, kinds: tuple[str, str] = PARAMS) -> list[tuple]:
    """Parameters grouped by the unit they feed: w(·→j) for every input, then b j."""
    w, b = kinds
    keys = []
    for l in range(1, spec.n_layers + 1):
        for j in range(spec.sizes[l]):
            keys += [(w, l, i, j) for i in range(spec.sizes[l - 1])]
            if spec.bias:
                keys.append((b, l, j))
    return keys


def softmax_output(spec: Spec, l: int) -> bool:
    return spec.loss == "cross_entropy" and l == spec.n_layers


def has_activation_column(spec: Spec, l: int) -> bool:
    return softmax_output(spec, l) or spec.activation != "linear"


class StepPlaces:
    """What formula_text, plan and verify ask of either step layout (StepTable, one row per
    step, or block_layout.StepBlocks, a block of rows per step). A subclass gives `sheet`,
    `kind`, `row(step)`, `position(key)`, `positions()` and `at(key, which)`."""

    def line(self, keys: list[tuple]) -> tuple[str, str] | None:
        """("across" | "down", range template) where the keys fill one row or one column, in
        this order; None where they do not."""
        cells = [self.position(k) for k in keys]
        (r0, c0), rng = cells[0], f"{self.at(keys[0])}:{self.at(keys[-1])}"
        if all(rc == (r0, c0 + k) for k, rc in enumerate(cells)):
            return "across", rng
        if all(rc == (r0 + k, c0) for k, rc in enumerate(cells)):
            return "down", rng
        return None

    def ref(self, key: tuple, step: int, last: tuple | None = None) -> str:
        """The absolute, sheet-qualified reference of `key` at step `step` (to `last`: a range)."""
        dr, c = self.position(key)
        out = f"{self.sheet}!${get_column_letter(c + 1)}${self.row(step) + dr}"
        if last is not None:
            dr, c = self.position(last)
            out += f":${get_column_letter(c + 1)}${self.row(step) + dr}"
        return out

    def kind_columns(self, kind: str) -> list[int]:
        """0-based columns holding quantities of this kind (aliases excluded)."""
        return sorted({c for key, _, c in self.positions() if key[0] == kind})


@dataclass(frozen=True)
class StepTable(StepPlaces):
    """One row per step; columns grouped Step | Parameters | Forward | Loss | Backward | Gradient | Update."""

    columns: tuple[Column, ...]
    where: dict = field(repr=False)  # key → 0-based column index, aliases included
    first_row: int = 4  # three header rows above
    epoch: int = 1  # steps in one pass over the data: the window of the accuracy column
    sheet: str = "Steps"
    kind: str = "rows"
    height: int = 1  # rows per step

    def row(self, step: int) -> int:
        """Sheet row (1-based) of step `step` (1-based)."""
        return self.first_row + step - 1

    def letter(self, key: tuple) -> str:
        return get_column_letter(self.where[key] + 1)

    def has(self, key: tuple) -> bool:
        return key in self.where

    @property
    def width(self) -> int:
        return len(self.columns)

    @property
    def summary(self) -> "StepTable":
        """The one-row-per-step table with the loss (and accuracy): this one."""
        return self

    def position(self, key: tuple) -> tuple[int, int]:
        """(row within the step, 0-based column)."""
        return 0, self.where[key]

    def positions(self) -> list[tuple[tuple, int, int]]:
        """(key, row within the step, 0-based column) of every formula cell of a step."""
        return [(col.key, 0, c) for c, col in enumerate(self.columns)]

    def at(self, key: tuple, which: str = "r") -> str:
        """The cell of `key` in this step ("r") or the previous one ("p"), as a template."""
        return f"{self.letter(key)}{{{which}}}"

    def fill(self, step: int, data_rows: list[int]) -> dict[str, int]:
        """The template placeholders for step `step` (1-based); data_rows are the Inputs rows
        of the step's samples."""
        r = self.row(step)
        out = {"r": r, "w": max(self.first_row, r - self.epoch + 1)}
        if step > 1:  # step 1 has no previous row: a template asking for one fails loudly
            out["p"] = r - 1
        out.update((f"d{b}", d) for b, d in enumerate(data_rows))
        return out


def sample_cells(spec: Spec) -> int:
    """Formula cells of one sample in one step, in either layout: its number, x, each layer's
    z (a, softmax helpers), y (and the raw prediction), its loss (and hit), the backward pass."""
    sizes, L = spec.sizes, spec.n_layers
    forward = sizes[0] + sizes[L] * (2 if spec.y_scale is not None else 1)
    backward = 0
    for l in range(1, L + 1):
        forward += sizes[l] * (2 if has_activation_column(spec, l) else 1) + (2 if softmax_output(spec, l) else 0)
        backward += sizes[l] * (1 if softmax_output(spec, l) or spec.activation == "linear" else 2)
    return 1 + forward + 1 + backward + (1 if spec.loss == "cross_entropy" else 0)


def n_params(spec: Spec) -> tuple[int, int]:
    """(weights, biases)."""
    pairs = list(zip(spec.sizes[:-1], spec.sizes[1:]))
    return sum(a * b for a, b in pairs), (sum(b for _, b in pairs) if spec.bias else 0)


def rows_layout_width(spec: Spec) -> int:
    """len(step_table(spec).columns), counted without making B × units columns, so a build
    can ask whether a huge batch would fit in one row before laying it out."""
    params = sum(n_params(spec))
    fixed = 1 + 3 * params + (spec.sizes[0] if spec.w_true is not None else 0) + (1 if spec.batch > 1 else 0) + (1 if spec.loss == "cross_entropy" else 0)
    return fixed + spec.batch * sample_cells(spec)


def step_table(spec: Spec) -> StepTable:
    cols: list[Column] = []
    where: dict = {}

    def add(key: tuple, group: str, sub: str = "") -> None:
        where[key] = len(cols)
        cols.append(Column(key, group, sub))

    def alias(key: tuple, same_as: tuple) -> None:
        where[key] = where[same_as]

    B, L = spec.batch, spec.n_layers
    add(("step",), "step")
    for b in range(B):
        add(("sample", b), "step")
    for key in param_keys(spec):
        add(key, "params", f"layer {key[1]}")
    if spec.w_true is not None:  # beside the weights, for the convergence chart
        for i in range(spec.sizes[0]):
            add(("wt", i), "params", "w_true")
    for b in range(B):
        sub = f"sample {b + 1}"
        for i in range(spec.sizes[0]):
            add(("x", b, i), "forward", sub)
        for l in range(1, L + 1):
            for j in range(spec.sizes[l]):
                add(("z", b, l, j), "forward", sub)
            if softmax_output(spec, l):
                add(("m", b), "forward", sub)
                add(("S", b), "forward", sub)
            for j in range(spec.sizes[l]):
                if has_activation_column(spec, l):
                    add(("a", b, l, j), "forward", sub)
                else:
                    alias(("a", b, l, j), ("z", b, l, j))
        for k in range(spec.sizes[-1]):
            add(("y", b, k), "forward", sub)
        if spec.y_scale is not None:  # the prediction back in the data's own units
            for k in range(spec.sizes[-1]):
                add(("raw", b, k), "forward", sub)
    for b in range(B):
        add(("Lb", b), "loss", f"sample {b + 1}" if B > 1 else "")
    if B > 1:
        add(("loss",), "loss", "batch mean")
    else:
        alias(("loss",), ("Lb", 0))
    if spec.loss == "cross_entropy":
        for b in range(B):
            add(("hit", b), "loss", f"sample {b + 1}" if B > 1 else "")
        add(("acc",), "loss", "")
    for b in range(B):
        sub = f"sample {b + 1}"
        for l in range(L, 0, -1):
            if softmax_output(spec, l):
                for j in range(spec.sizes[l]):
                    add(("d", b, l, j), "backward", sub)
                continue
            for j in range(spec.sizes[l]):
                add(("g", b, l, j), "backward", sub)
            for j in range(spec.sizes[l]):
                if spec.activation == "linear":
                    alias(("d", b, l, j), ("g", b, l, j))
                else:
                    add(("d", b, l, j), "backward", sub)
    for key in param_keys(spec, GRADIENTS):
        add(key, "gradient", f"layer {key[1]}")
    for key in param_keys(spec, UPDATES):
        add(key, "update", f"layer {key[1]}")
    return StepTable(columns=tuple(cols), where=where, epoch=spec.epoch)


# --- the Inputs sheet -----------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A rectangle of cells: top-left (row, col), 1-based, and its shape."""

    row: int
    col: int
    rows: int
    cols: int

    def cell(self, i: int = 0, j: int = 0, *, absolute: bool = True) -> str:
        d = "$" if absolute else ""
        return f"{d}{get_column_letter(self.col + j)}{d}{self.row + i}"

    def row_span(self, i: int = 0) -> str:
        """Row i of the block as a relative range, e.g. B5:D5."""
        return f"{self.cell(i, 0, absolute=False)}:{self.cell(i, self.cols - 1, absolute=False)}"

    def letter(self, j: int = 0) -> str:
        return get_column_letter(self.col + j)

    def ref(self) -> str:
        end = self.cell(self.rows - 1, self.cols - 1)
        return self.cell() if (self.rows, self.cols) == (1, 1) else f"{self.cell()}:{end}"


@dataclass(frozen=True)
class InputsSheet:
    """Positions on the Inputs sheet. Blocks are None where the spec has no such thing."""

    lr: Block
    batch: Block
    steps: Block
    w_true: Block | None
    x_scale: Block | None
    y_scale: Block | None
    W_init: tuple[Block, ...]
    b_init: tuple[Block, ...] | None
    W_final: tuple[Block, ...]
    b_final: tuple[Block, ...] | None
    # blocks layout: the final weights turned (fan_out × fan_in), so a test sample's row
    # pairs with a row of them in one SUMPRODUCT
    W_final_T: tuple[Block, ...] | None
    data_header_row: int
    raw_X: Block | None  # the typed data where the network sees scaled values
    raw_Y: Block | None
    X: Block
    Y: Block
    test_header_row: int | None
    X_test: Block | None
    Y_test: Block | None
    test_z: tuple[Block, ...]  # pre-activations of each layer for the test samples
    test_a: tuple[Block | None, ...]  # activations of hidden layers (None: linear, or the last)
    test_pred: Block | None  # predicted class (1-based), true class, right (1/0)
    test_accuracy: Block | None
    confusion: Block | None  # classifiers: held-out counts, rows = true class, columns = predicted
    last_row: int


NAME = "Inputs"
STEPS = "Steps"
SPEC_SHEET = "excelbp"


def inputs_sheet(spec: Spec) -> InputsSheet:
    n_in, n_out = spec.sizes[0], spec.sizes[-1]
    lr, batch, steps = Block(5, 2, 1, 1), Block(6, 2, 1, 1), Block(7, 2, 1, 1)
    row = 10  # row 9 names the inputs above w_true / x_scale
    w_true = x_scale = y_scale = None
    if spec.w_true is not None:
        w_true = Block(row, 2, 1, n_in)
        row += 1
    if spec.x_scale is not None:
        x_scale = Block(row, 2, 1, n_in)
        y_scale = Block(row + 1, 2, 1, n_out)
        row += 2
    row += 1

    W_init, b_init, W_final, b_final, W_final_T = [], [], [], [], []
    # the blocks layout's final weights, turned, serve a forward pass of the test set or an image
    turned = spec.layout == "blocks" and (spec.X_test is not None or bool(spec.image_side))
    for l in range(1, spec.n_layers + 1):
        fan_in, fan_out = spec.sizes[l - 1], spec.sizes[l]
        # title row, then a row naming the output units, then fan_in rows (+ bias row)
        top = row + 2
        W_init.append(Block(top, 2, fan_in, fan_out))
        W_final.append(Block(top, fan_out + 4, fan_in, fan_out))
        if spec.bias:
            b_init.append(Block(top + fan_in, 2, 1, fan_out))
            b_final.append(Block(top + fan_in, fan_out + 4, 1, fan_out))
        height = fan_in + (1 if spec.bias else 0)
        if turned:
            W_final_T.append(Block(top, 2 * fan_out + 7, fan_out, fan_in))
            height = max(height, fan_out)
        row = top + height + 1

    data_header_row = row + 1
    first = data_header_row + 1
    n = spec.n_samples
    raw_X = raw_Y = None
    if spec.x_scale is not None:
        raw_X = Block(first, 2, n, n_in)
        raw_Y = Block(first, 2 + n_in, n, n_out)
        X = Block(first, 2 + n_in + n_out, n, n_in)
        Y = Block(first, 2 + 2 * n_in + n_out, n, n_out)
    else:
        X = Block(first, 2, n, n_in)
        Y = Block(first, 2 + n_in, n, n_out)
    row = first + n + 1

    test_header_row = X_test = Y_test = test_pred = test_accuracy = confusion = None
    test_z: list[Block] = []
    test_a: list[Block | None] = []
    if spec.X_test is not None:
        test_header_row = row + 1
        t_first = test_header_row + 1
        n_test = spec.X_test.shape[0]
        X_test = Block(t_first, 2, n_test, n_in)
        Y_test = Block(t_first, 2 + n_in, n_test, n_out)
        col = 2 + n_in + n_out
        for l in range(1, spec.n_layers + 1):
            # the last layer's scores are enough for the arg-max: no softmax needed
            test_z.append(Block(t_first, col, n_test, spec.sizes[l]))
            col += spec.sizes[l]
            if l < spec.n_layers and spec.activation != "linear":
                test_a.append(Block(t_first, col, n_test, spec.sizes[l]))
                col += spec.sizes[l]
            else:
                test_a.append(None)
        test_pred = Block(t_first, col, n_test, 3)
        test_accuracy = Block(test_header_row - 1, 2, 1, 1)
        # two rows for a title and the predicted classes' names above the matrix
        confusion = Block(t_first + n_test + 3, 2, n_out, n_out)
        row = confusion.row + n_out + 1

    return InputsSheet(
        lr=lr,
        batch=batch,
        steps=steps,
        w_true=w_true,
        x_scale=x_scale,
        y_scale=y_scale,
        W_init=tuple(W_init),
        b_init=tuple(b_init) if spec.bias else None,
        W_final=tuple(W_final),
        b_final=tuple(b_final) if spec.bias else None,
        W_final_T=tuple(W_final_T) if turned else None,
        data_header_row=data_header_row,
        raw_X=raw_X,
        raw_Y=raw_Y,
        X=X,
        Y=Y,
        test_header_row=test_header_row,
        X_test=X_test,
        Y_test=Y_test,
        test_z=tuple(test_z),
        test_a=tuple(test_a),
        test_pred=test_pred,
        confusion=confusion,
        test_accuracy=test_accuracy,
        last_row=row,
    )


def input_blocks(sheet: InputsSheet) -> list[Block]:
    """The cells a learner edits: their values are the workbook's inputs."""
    data = [sheet.raw_X, sheet.raw_Y] if sheet.raw_X is not None else [sheet.X, sheet.Y]
    blocks = [sheet.lr, sheet.w_true, sheet.x_scale, sheet.y_scale, *data, *sheet.W_init, *(sheet.b_init or ()), sheet.X_test, sheet.Y_test]
    return [b for b in blocks if b is not None]


def defined_names(spec: Spec, sheet: InputsSheet, table: StepTable) -> dict[str, str]:
    """The contract's workbook-scoped names → 'Sheet'!$A$1:$B$2 references."""

    def on_inputs(block: Block) -> str:
        return f"{NAME}!{block.ref()}"

    names = {
        "lr": on_inputs(sheet.lr),
        "batch": on_inputs(sheet.batch),
        "X": on_inputs(sheet.X),
        "Y": on_inputs(sheet.Y),
    }
    for l in range(1, spec.n_layers + 1):
        names[f"W{l}_init"] = on_inputs(sheet.W_init[l - 1])
        names[f"W{l}_final"] = on_inputs(sheet.W_final[l - 1])
        if spec.bias:
            names[f"b{l}_init"] = on_inputs(sheet.b_init[l - 1])
            names[f"b{l}_final"] = on_inputs(sheet.b_final[l - 1])
    col = table.letter(("loss",))
    names["loss"] = f"{STEPS}!${col}${table.row(1)}:${col}${table.row(spec.steps)}"
    if sheet.w_true is not None:
        names["w_true"] = on_inputs(sheet.w_true)
    if sheet.x_scale is not None:
        names["x_scale"] = on_inputs(sheet.x_scale)
        names["y_scale"] = on_inputs(sheet.y_scale)
        names["X_raw"] = on_inputs(sheet.raw_X)
        names["Y_raw"] = on_inputs(sheet.raw_Y)
    if sheet.X_test is not None:
        names["X_test"] = on_inputs(sheet.X_test)
        names["Y_test"] = on_inputs(sheet.Y_test)
        names["test_accuracy"] = on_inputs(sheet.test_accuracy)
    return names


IMAGES = "Images"


@dataclass(frozen=True)
class ImagesSheet:
    """One sample shown as an image, chosen by typing its number: its pixels as a row (for
    the forward pass) and as a side × side grid (for the eye), and the final network's guess."""

    pick: Block  # the sample number (an input)
    pixels: Block  # 1 × inputs: INDEX(X, pick, k)
    target: Block  # 1 × outputs: INDEX(Y, pick, k)
    grid: Block  # side × side: the same pixels, row by row
    z: tuple[Block, ...]  # 1 × units, per layer, with the final parameters
    a: tuple[Block | None, ...]
    predicted: Block
    true: Block


def images_sheet(spec: Spec) -> ImagesSheet | None:
    side = spec.image_side
    if not side:
        return None
    pixels = Block(4, 2, 1, spec.sizes[0])
    col, z, a = 2, [], []
    for l in range(1, spec.n_layers + 1):
        z.append(Block(6 + 2 * (l - 1), col, 1, spec.sizes[l]))
        hidden = l < spec.n_layers and spec.activation != "linear"
        a.append(Block(7 + 2 * (l - 1), col, 1, spec.sizes[l]) if hidden else None)
    below = 8 + 2 * spec.n_layers
    return ImagesSheet(
        pick=Block(2, 2, 1, 1),
        pixels=pixels,
        target=Block(5, 2, 1, spec.sizes[-1]),
        grid=Block(below, 2, side, side),
        z=tuple(z),
        a=tuple(a),
        predicted=Block(below, side + 4, 1, 1),
        true=Block(below + 1, side + 4, 1, 1),
    )

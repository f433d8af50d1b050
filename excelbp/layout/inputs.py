"""Where the Inputs sheet puts each thing: settings, the initial and final parameters, the
data, and for classifiers the held-out test set, its forward pass and confusion matrix."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec import Spec
from ..words import sheet_title
from .grid import Block


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
    # pairs with a row of them in one SUMPRODUCT (None for a first layer read in place: the
    # last block holds its weights turned already)
    W_final_T: tuple[Block | None, ...] | None
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
    charts: tuple[int, int]  # (row, column) of the charts' top-left corner, beside the settings
    optimizer: Block  # its name (text, fixed when built)
    hyper: dict[str, Block]  # the optimizer's hyperparameters (inputs), weight_decay last
    schedule: Block  # the learning-rate schedule's name (text, fixed when built)
    schedule_inputs: dict[str, Block]  # its inputs (step_size, gamma), where it has them
    # one input, one output, not a classifier: the final network's prediction at each sample
    fit_z: tuple[Block, ...] = ()
    fit_a: tuple[Block | None, ...] = ()
    # two inputs, one sigmoid output: where the final network's p = 0.5, at the smallest and
    # largest first input (two rows: x1, x2)
    boundary: Block | None = None
    # a first layer read in place (layout/blocks.py): its initial weights turned, for step 1
    W_init_T: tuple[Block | None, ...] | None = None
    title: str = "Inputs"


TEXT_ROWS = 4  # title, template, network, what to edit
SETTINGS = TEXT_ROWS + 2  # the settings' heading; the charts start level with it
CHART_ROWS = 14  # the charts' band: parameters and data begin below it


def fits(spec: Spec) -> bool:
    """A curve to draw: one input, one output that is a value, not a class."""
    return (
        spec.sizes[0] == 1
        and spec.sizes[-1] == 1
        and spec.loss not in ("cross_entropy", "binary_cross_entropy")
    )


def has_boundary(spec: Spec) -> bool:
    """A line to draw between two classes: two inputs, one sigmoid output, no hidden layer."""
    return spec.sizes == (2, 1) and spec.loss == "binary_cross_entropy"


def n_classes(spec: Spec) -> int:
    """Classes of a classifier: its outputs, or two for one sigmoid output (p ≥ 0.5 or not)."""
    return 2 if spec.sizes[-1] == 1 else spec.sizes[-1]


def inputs_sheet(spec: Spec) -> InputsSheet:
    n_in, n_out = spec.sizes[0], spec.sizes[-1]
    lr, batch, steps, optimizer = (Block(SETTINGS + k, 2, 1, 1) for k in (1, 2, 3, 4))
    hyper = {name: Block(SETTINGS + 5 + k, 2, 1, 1) for k, name in enumerate(spec.hyperparameters)}
    schedule = Block(SETTINGS + 5 + len(hyper), 2, 1, 1)
    schedule_inputs = {
        name: Block(schedule.row + 1 + k, 2, 1, 1)
        for k, (name, _) in enumerate(spec.schedule.inputs)
    }
    row = schedule.row + 2 + len(schedule_inputs)  # a row naming the inputs above w_true / x_scale
    w_true = x_scale = y_scale = None
    if spec.w_true is not None:
        w_true = Block(row, 2, 1, n_in)
        row += 1
    if spec.x_scale is not None:
        x_scale = Block(row, 2, 1, n_in)
        y_scale = Block(row + 2, 2, 1, n_out)  # under a row naming the outputs
        row += 3
    charts = (
        SETTINGS,
        3 + max(n_in if spec.w_true is not None or spec.x_scale is not None else 1, 1),
    )
    row = max(row, SETTINGS + CHART_ROWS) + 1

    W_init, b_init, W_final, b_final, W_final_T, W_init_T = [], [], [], [], [], []
    # the blocks layout's final weights, turned, serve a forward pass of the test set or the fit
    turned = spec.layout == "blocks" and (spec.X_test is not None or fits(spec))
    for layer in spec.layers:
        fan_in, fan_out, in_place = layer.fan_in, layer.fan_out, layer.in_place
        # a title row, a row saying initial / final, a row naming the output units, then
        # fan_in rows (+ bias row)
        top = row + 3
        W_init.append(Block(top, 2, fan_in, fan_out))
        W_final.append(Block(top, fan_out + 4, fan_in, fan_out))
        if spec.bias:
            b_init.append(Block(top + fan_in, 2, 1, fan_out))
            b_final.append(Block(top + fan_in, fan_out + 4, 1, fan_out))
        height = fan_in + (1 if spec.bias else 0)
        W_init_T.append(Block(top, 2 * fan_out + 7, fan_out, fan_in) if in_place else None)
        if turned or in_place:
            W_final_T.append(None if in_place else Block(top, 2 * fan_out + 7, fan_out, fan_in))
            height = max(height, fan_out)
        row = top + height + 1

    data_header_row = row + 1
    first = data_header_row + 1
    n = spec.n_samples
    raw_X = raw_Y = None
    if spec.scale_pixels:  # the raw pixels, the targets, then the pixels as the network sees them
        raw_X = Block(first, 2, n, n_in)
        Y = Block(first, 2 + n_in, n, n_out)
        X = Block(first, 2 + n_in + n_out, n, n_in)
    elif spec.x_scale is not None:
        raw_X = Block(first, 2, n, n_in)
        raw_Y = Block(first, 2 + n_in, n, n_out)
        X = Block(first, 2 + n_in + n_out, n, n_in)
        Y = Block(first, 2 + 2 * n_in + n_out, n, n_out)
    else:
        X = Block(first, 2, n, n_in)
        Y = Block(first, 2 + n_in, n, n_out)
    row = first + n + 1
    fit_z, fit_a, col = [], [], Y.col + n_out + 1
    if fits(spec):  # beside the data, after a blank column
        for layer in spec.layers:
            units, linear = layer.fan_out, layer.activation == "linear"
            fit_z.append(Block(first, col, n, units))
            col += units
            fit_a.append(None if linear else Block(first, col, n, units))
            col += 0 if linear else units
    boundary = Block(first, col, 2, 2) if has_boundary(spec) else None

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
        for l, layer in enumerate(spec.layers, start=1):
            # the last layer's scores are enough for the arg-max: no softmax needed
            test_z.append(Block(t_first, col, n_test, layer.fan_out))
            col += layer.fan_out
            if l < spec.n_layers and layer.activation != "linear":
                test_a.append(Block(t_first, col, n_test, layer.fan_out))
                col += layer.fan_out
            else:
                test_a.append(None)
        test_pred = Block(t_first, col, n_test, 3)
        test_accuracy = Block(test_header_row - 1, 2, 1, 1)
        # two rows for a title and the predicted classes' names above the matrix
        classes = n_classes(spec)
        confusion = Block(t_first + n_test + 3, 2, classes, classes)
        row = confusion.row + classes + 1

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
        W_final_T=tuple(W_final_T) if turned or spec.in_place else None,
        W_init_T=tuple(W_init_T) if spec.in_place else None,
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
        charts=charts,
        fit_z=tuple(fit_z),
        fit_a=tuple(fit_a),
        boundary=boundary,
        optimizer=optimizer,
        hyper=hyper,
        schedule=schedule,
        schedule_inputs=schedule_inputs,
        title=sheet_title(spec.lang, "inputs"),
    )


def input_blocks(sheet: InputsSheet) -> list[Block]:
    """The cells a learner edits: their values are the workbook's inputs."""
    data = [sheet.raw_X, sheet.raw_Y or sheet.Y] if sheet.raw_X is not None else [sheet.X, sheet.Y]
    blocks = [
        sheet.lr,
        *sheet.hyper.values(),
        *sheet.schedule_inputs.values(),
        sheet.w_true,
        sheet.x_scale,
        sheet.y_scale,
        *data,
        *sheet.W_init,
        *(sheet.b_init or ()),
        sheet.X_test,
        sheet.Y_test,
    ]
    return [b for b in blocks if b is not None]

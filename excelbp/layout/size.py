"""All fit and size arithmetic: how many rows, columns and cells each layout needs, counted
without laying anything out, and the refusals of what would not fit or would take hours.

Checked twice: `settle` before any data or weights are made (from the network alone), and
`check_sheets` once the layout and the Inputs sheet exist (the data's rows are known then).
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import InputError
from ..quantities.names import classifier, fused_output
from ..spec import Network

# Excel's sheet size
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
# A workbook this size is already a 300-700 MB file that takes minutes to build and that
# Excel and LibreOffice open slowly; the 1,000,000-step demo is 21 million cells.
MAX_CELLS = 50_000_000
BLOCK_HEAD = 3  # rows above a block's samples: the step's title, the groups, the unit names
BLOCKS_FIRST_ROW = 4  # three title rows above the first block
ROWS_FIRST_ROW = 4  # three header rows above the first step


def n_params(net: Network) -> tuple[int, int]:
    """(weights, biases)."""
    return sum(lay.n_weights for lay in net.layers), sum(lay.n_biases for lay in net.layers)


def sample_cells(net: Network) -> int:
    """Formula cells of one sample in one step, in either layout: its number, x, each layer's
    z (a, softmax helpers), y (and the raw prediction), its loss (and hit), the backward pass."""
    layers = net.layers
    x = 0 if net.in_place else layers[0].fan_in
    forward = x + layers[-1].fan_out * (2 if net.scaled else 1)
    forward += sum(layer.forward_cells() for layer in layers)
    backward = sum(
        layer.backward_cells(fused=fused_output(net, l)) for l, layer in enumerate(layers, 1)
    )
    return 1 + forward + 1 + backward + (1 if classifier(net) else 0)


def rows_layout_width(net: Network) -> int:
    """The rows layout's columns (rows.rows_layout), counted without making B × units of them."""
    params = sum(n_params(net))
    fixed = (
        2
        + net.n_param_kinds * params
        + (net.sizes[0] if net.has_w_true else 0)
        + (1 if net.batch > 1 else 0)
        + (1 if classifier(net) else 0)
    )
    return fixed + net.batch * sample_cells(net)


def blocks_layout_columns(net: Network) -> int:
    """At least as many columns as the blocks layout needs: a sample's units in a row (its
    inputs unless read in place), and each layer's matrices side by side (Dense.block_columns)."""
    layers, k = net.layers, net.n_param_kinds
    units = (0 if net.in_place else layers[0].fan_in) + 2 * sum(lay.fan_out for lay in layers)
    return 1 + units + layers[-1].fan_out + sum(layer.block_columns(k) for layer in layers)


def block_height(net: Network) -> int:
    """Rows of one step's block: the head, the samples and their mean (or the tallest
    matrix, Dense.block_rows), and a blank row."""
    return BLOCK_HEAD + max([net.batch + 1] + [layer.block_rows() for layer in net.layers]) + 1


def blocks_cells_per_step(net: Network) -> int:
    """Formula cells of one block: the samples, the step number and lr_t, the batch's loss (and
    accuracy), and each layer's parameters (Dense.block_param_cells)."""
    k = net.n_param_kinds
    params = sum(layer.block_param_cells(k) for layer in net.layers)
    return net.batch * sample_cells(net) + 3 + (1 if classifier(net) else 0) + params


def step_cells(net: Network) -> int:
    """About how many formula cells the steps take (the blocks' Steps sheet aside), a
    learning-rate sweep's copies of them included."""
    per_step = rows_layout_width(net) if net.layout == "rows" else blocks_cells_per_step(net)
    return per_step * net.steps * (1 + len(net.compare_lr))


def settle(net: Network) -> Network:
    """The network with its layout chosen (the rows layout where it fits Excel's columns,
    else blocks) and its first layer placed (read in place only in the blocks layout), or an
    InputError naming what does not fit, before any data is made. The one place a build
    decides its fit (build.make_spec)."""
    sizes, batch, steps = net.sizes, net.batch, net.steps
    blocks_fit = blocks_layout_columns(net) <= MAX_COLS
    if net.layout == "rows" and rows_layout_width(net) > MAX_COLS:
        params = sum((layer.fan_in + 1) * layer.fan_out for layer in net.layers)
        hint = (
            "use --layout blocks, fewer units or a smaller batch"
            if blocks_fit
            else "use fewer units"
        )
        raise InputError(
            f"--layers/--batch: the rows layout needs more than Excel's {MAX_COLS:,} columns"
            f" ({params:,} parameters three times, {batch:,} sample(s) side by side); {hint}"
        )
    if net.layout != "rows" and not blocks_fit:  # the blocks layout is the narrower one
        raise InputError(
            f"--layers: {','.join(map(str, sizes))} needs more than Excel's {MAX_COLS:,} columns"
            " for its weight matrices; use fewer units"
        )
    if net.layout is None:
        net = replace(net, layout="rows" if rows_layout_width(net) <= MAX_COLS else "blocks")
    if net.layout != "blocks" and net.in_place:  # reading the data in place is the blocks layout's
        net = replace(net, layers=(replace(net.layers[0], in_place=False), *net.layers[1:]))
    height = block_height(net)
    if net.layout == "blocks" and BLOCKS_FIRST_ROW - 1 + steps * height > MAX_ROWS:
        most = (MAX_ROWS - BLOCKS_FIRST_ROW + 1) // height
        way_out = f"at most {most:,} steps with this batch" if most else "use a smaller batch"
        raise InputError(
            f"--batch/--steps: {steps:,} blocks of {batch:,} samples need more than a sheet's"
            f" {MAX_ROWS:,} rows; {way_out}"
        )
    check_cells(net)
    return net


def check_cells(net: Network) -> None:
    """The refusal of a workbook past MAX_CELLS formula cells: when the spec is made, and
    again by check_sheets for a spec changed since (dataclasses.replace), before any work."""
    cells = step_cells(net)
    if cells > MAX_CELLS:
        sweep = (
            f", {len(net.compare_lr) + 1} times over with --compare-lr" if net.compare_lr else ""
        )
        raise InputError(
            f"--steps/--batch/--layers{'/--compare-lr' if sweep else ''}: the steps{sweep} would"
            f" take {cells / 1e6:,.0f} million formula cells, more than the {MAX_CELLS / 1e6:.0f}"
            " million excelbp writes; use fewer steps, a smaller batch or fewer units"
        )


def check_sheets(
    net: Network, main, inputs_last_row: int, *, n_samples: int, sweep_rows: int = 0
) -> None:
    """Excel's sheet limits for the laid-out steps (`main`, a StepSheet) and Inputs sheet,
    with the largest value allowed for this layout in the message, and the cells' limit."""
    check_cells(net)
    steps = net.steps
    if main.width > MAX_COLS:
        raise InputError(
            f"--layers/--batch: the steps need {main.width:,} columns, Excel allows {MAX_COLS:,};"
            " use fewer units"
        )
    most = (MAX_ROWS - main.first_row + 1) // main.height
    if steps > most:
        raise InputError(
            f"--steps: {steps:,} steps do not fit in a sheet; at most {most:,} for this layout"
        )
    if sweep_rows > MAX_ROWS:
        raise InputError(
            f"--steps/--compare-lr: the sweep's table of {steps:,} steps needs {sweep_rows:,} rows,"
            f" more than a sheet's {MAX_ROWS:,}; use fewer steps"
        )
    if inputs_last_row > MAX_ROWS:
        raise InputError(f"data: {n_samples:,} samples do not fit in the Inputs sheet")

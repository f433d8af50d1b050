"""All fit and size arithmetic: how many rows, columns and cells each layout needs, counted
without laying anything out, and the refusals of what would not fit or would take hours.

Checked twice: `settle` before any data or weights are made (from the network alone), and
`check_sheets` once the layout and the Inputs sheet exist (the data's rows are known then).
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import InputError
from ..quantities.names import classifier, fused_output, has_activation_column, softmax_output
from ..quantities.step import parameter_kinds
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
    pairs = list(zip(net.sizes[:-1], net.sizes[1:]))
    return sum(a * b for a, b in pairs), (sum(b for _, b in pairs) if net.bias else 0)


def sample_cells(net: Network) -> int:
    """Formula cells of one sample in one step, in either layout: its number, x, each layer's
    z (a, softmax helpers), y (and the raw prediction), its loss (and hit), the backward pass."""
    sizes, L = net.sizes, net.n_layers
    forward = (0 if net.in_place else sizes[0]) + sizes[L] * (2 if net.scaled else 1)
    backward = 0
    for l in range(1, L + 1):
        forward += sizes[l] * (2 if has_activation_column(net, l) else 1) + (
            2 if softmax_output(net, l) else 0
        )
        backward += sizes[l] * (1 if fused_output(net, l) or net.act(l) == "linear" else 2)
    return 1 + forward + 1 + backward + (1 if classifier(net) else 0)


def rows_layout_width(net: Network) -> int:
    """The rows layout's columns (rows.rows_layout), counted without making B × units of them."""
    params = sum(n_params(net))
    fixed = (
        2
        + len(parameter_kinds(net)) * params
        + (net.sizes[0] if net.has_w_true else 0)
        + (1 if net.batch > 1 else 0)
        + (1 if classifier(net) else 0)
    )
    return fixed + net.batch * sample_cells(net)


def blocks_layout_columns(net: Network) -> int:
    """At least as many columns as the blocks layout needs: a sample's units in a row, and
    each layer's W, ∂L/∂W, the optimizer's state and W updated (fan_out wide) and Wᵀ
    (fan_in wide) side by side."""
    sizes, k = net.sizes, len(parameter_kinds(net))
    pairs = list(zip(sizes[:-1], sizes[1:]))
    if net.in_place:  # the first layer's matrices turned, without W used and Wᵀ; no inputs copied
        (a, _), rest = pairs[0], pairs[1:]
        return (
            1 + 2 * sum(sizes[1:]) + sizes[-1] + (k - 1) * (a + 1) + sum(k * b + a for a, b in rest)
        )
    return 1 + sizes[0] + 2 * sum(sizes[1:]) + sizes[-1] + sum(k * b + a for a, b in pairs)


def block_height(net: Network) -> int:
    """Rows of one step's block: the head, the samples and their mean (or the tallest
    matrix, W with its bias row or Wᵀ), and a blank row."""
    bias = 1 if net.bias else 0
    pairs = list(zip(net.sizes[:-1], net.sizes[1:]))
    # a first layer read in place keeps its matrices turned: a row per unit
    tallest = max(
        [net.batch + 1]
        + [b if net.in_place and l == 0 else max(a + bias, b) for l, (a, b) in enumerate(pairs)]
    )
    return BLOCK_HEAD + tallest + 1


def blocks_cells_per_step(net: Network) -> int:
    """Formula cells of one block: the samples, the step number and lr_t, the batch's loss (and
    accuracy), and W, ∂L/∂W, W updated (with their biases) and Wᵀ."""
    weights, biases = n_params(net)
    k = len(parameter_kinds(net))
    params = (k + 1) * weights + k * biases
    if net.in_place:  # the first layer has no W used, no Wᵀ and no b used
        params -= 2 * net.sizes[0] * net.sizes[1] + (net.sizes[1] if net.bias else 0)
    return net.batch * sample_cells(net) + 3 + (1 if classifier(net) else 0) + params


def step_cells(net: Network) -> int:
    """About how many formula cells the steps take (the blocks' Steps sheet aside), a
    learning-rate sweep's copies of them included."""
    per_step = rows_layout_width(net) if net.layout == "rows" else blocks_cells_per_step(net)
    return per_step * net.steps * (1 + len(net.compare_lr))


def settle(net: Network) -> Network:
    """The network with its layout chosen (the rows layout where it fits Excel's columns,
    else blocks), or an InputError naming what does not fit, before any data is made."""
    sizes, batch, steps = net.sizes, net.batch, net.steps
    blocks_fit = blocks_layout_columns(net) <= MAX_COLS
    if net.layout == "rows" and rows_layout_width(net) > MAX_COLS:
        params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
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
        net = replace(net, in_place=False)
    height = block_height(net)
    if net.layout == "blocks" and BLOCKS_FIRST_ROW - 1 + steps * height > MAX_ROWS:
        most = (MAX_ROWS - BLOCKS_FIRST_ROW + 1) // height
        way_out = f"at most {most:,} steps with this batch" if most else "use a smaller batch"
        raise InputError(
            f"--batch/--steps: {steps:,} blocks of {batch:,} samples need more than a sheet's"
            f" {MAX_ROWS:,} rows; {way_out}"
        )
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
    return net


def check_sheets(
    main, inputs_last_row: int, *, steps: int, n_samples: int, sweep_rows: int = 0
) -> None:
    """Excel's sheet limits for the laid-out steps (`main`, a StepSheet) and Inputs sheet,
    with the largest value allowed for this layout in the message."""
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

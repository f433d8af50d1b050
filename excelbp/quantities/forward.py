"""The kinds of the forward pass: what a step computes from its parameters (the loss's are
quantities/loss.py)."""

from __future__ import annotations

import numpy as np

from ..engine import Chunk
from ..spec import Spec
from . import functions as fn
from .context import Context
from .kind import Kind, prev_activation, say, weight_name
from .names import dest, has_activation_column, pred_name, softmax_output, unit


def _step(c: Context, key: tuple) -> tuple[str, str]:
    return "=1", f"={c.at(key, 'p')}+1"


def _lr_t(c: Context, key: tuple) -> str:
    """The step's rate: a live formula of lr (a sweep copy's own rate) and the schedule's inputs."""
    return c.spec.schedule.formula(c.lr, c.at(("step",)), c.spec.steps)


def _sample(c: Context, key: tuple) -> str:
    offset = f"+{key[1]}" if key[1] else ""  # samples (s−1)·B … s·B−1, wrapping round the data
    return f"=MOD(({c.at(('step',))}-1)*{c.spec.batch}{offset},{c.spec.n_samples})+1"


def _x(c: Context, key: tuple) -> str:
    return f"={c.inputs_sheet}!${c.inputs.X.letter(key[2])}${{d{key[1]}}}"


def _z(c: Context, key: tuple) -> str:
    _, b, l, j = key
    layer = c.spec.layers[l - 1]
    n_in = layer.fan_in
    if layer.in_place:  # the batch's z, one array formula written on its first cell (blocks)
        return c.batch_product(l)
    # the rows layout keeps each unit's weights side by side; blocks keep them in Wᵀ
    turned = c.places.has(("Wt", l, j, 0))
    ws = [("Wt", l, j, i) if turned else ("W", l, i, j) for i in range(n_in)]
    text = c.dot([prev_activation(b, l, i) for i in range(n_in)], ws)
    return f"={text}+{c.at(('b', l, j))}" if layer.bias else f"={text}"


def _z_header(spec: Spec, key: tuple) -> str:
    _, b, l, j = key
    if not has_activation_column(spec, l):
        return unit(spec, l, j)  # a = z: one column says both
    return f"z {dest(spec, l, j)}"


def _z_note(spec: Spec, key: tuple) -> str:
    _, b, l, j = key
    terms = " + ".join(
        f"{unit(spec, l - 1, i)}·{weight_name(spec, l, i, j)}" for i in range(spec.sizes[l - 1])
    )
    bias = f" + b {dest(spec, l, j)}" if spec.bias else ""
    return f"z {dest(spec, l, j)} = {terms}{bias}"


def output_span(c: Context, kind: str, b: int) -> str:
    """The span of sample b's output units of `kind` (z, a)."""
    L = c.spec.n_layers
    return c.span((kind, b, L, 0), (kind, b, L, c.spec.sizes[L] - 1))


def _m(c: Context, key: tuple) -> str:
    return f"=MAX({output_span(c, 'z', key[1])})"


def _S(c: Context, key: tuple) -> str:
    b, L = key[1], c.spec.n_layers
    return "=" + "+".join(
        f"EXP({c.at(('z', b, L, k))}-{c.at(('m', b))})" for k in range(c.spec.sizes[L])
    )


def _a(c: Context, key: tuple) -> str:
    _, b, l, j = key
    if softmax_output(c.spec, l):
        return f"=EXP({c.at(('z', b, l, j))}-{c.at(('m', b))})/{c.at(('S', b))}"
    return "=" + fn.activation(c.spec.act(l), c.at(("z", b, l, j)))


def _a_note(spec: Spec, key: tuple) -> str:
    _, b, l, j = key
    u = unit(spec, l, j)
    if softmax_output(spec, l):
        return f"{u} = softmax: e^(z − max z) / Σ e^(z − max z)" + say(spec, "note_softmax")
    return {
        "sigmoid": f"{u} = sigmoid(z) = 1/(1+e^(−z)), " + say(spec, "note_sigmoid"),
        "tanh": f"{u} = tanh(z)",
        "relu": f"{u} = max(z, 0)",
        "leaky_relu": f"{u} = max(z, 0.01·z)",
    }[spec.act(l)]


def _y(c: Context, key: tuple) -> str:
    return f"={c.inputs_sheet}!${c.inputs.Y.letter(key[2])}${{d{key[1]}}}"


def _raw(c: Context, key: tuple) -> str:
    _, b, k = key
    return f"={c.at(('a', b, c.spec.n_layers, k))}*{c.on_inputs(c.inputs.y_scale, 0, k)}"


def _wt(c: Context, key: tuple) -> str:
    return f"={c.on_inputs(c.inputs.w_true, 0, key[1])}"


def fixed(word: str):
    """A header or note that is one word of the workbook's language."""
    return lambda spec, key: say(spec, word)


KINDS = [
    Kind(
        name="step",
        section="step",
        formula=_step,
        style="int",
        verify="step numbers",
        series=lambda ch, key, spec: ch.first + 1.0 + _counting(ch),
        header=fixed("step_label"),
    ),
    Kind(
        name="lr_t",
        section="step",
        formula=_lr_t,
        style="real",
        verify="learning rates lr_t",
        series=lambda ch, key, spec: ch.trace.lr,
        header=fixed("lr_t_label"),
        note=lambda spec, key: say(spec, f"note_lr_t_{spec.schedule.name}"),
    ),
    Kind(
        name="sample",
        section="step",
        formula=_sample,
        style="int",
        verify="sample numbers",
        series=lambda ch, key, spec: ch.trace.samples[:, key[1]] + 1.0,
        header=fixed("sample_no"),
    ),
    Kind(
        name="x",
        section="forward",
        formula=_x,
        style="real",
        verify="inputs x",
        explain="x",
        series=lambda ch, key, spec: ch.trace.x[:, key[1], key[2]],
        header=lambda spec, key: spec.input_names[key[2]],
    ),
    Kind(
        name="z",
        section="forward",
        formula=_z,
        style="real",
        verify="pre-activations z",
        explain="z",
        series=lambda ch, key, spec: ch.trace.z[key[2] - 1][:, key[1], key[3]],
        header=_z_header,
        note=_z_note,
    ),
    Kind(
        name="m",
        section="forward",
        formula=_m,
        style="real",
        verify="softmax max z",
        series=lambda ch, key, spec: ch.trace.softmax_max[:, key[1]],
        header=lambda spec, key: "max z",
    ),
    Kind(
        name="S",
        section="forward",
        formula=_S,
        style="real",
        verify="softmax Σ e^(z−max)",
        series=lambda ch, key, spec: ch.trace.softmax_sum[:, key[1]],
        header=lambda spec, key: "Σ e^(z−max)",
    ),
    Kind(
        name="a",
        section="forward",
        formula=_a,
        style="real",
        verify="activations a",
        explain="a",
        series=lambda ch, key, spec: ch.trace.a[key[2] - 1][:, key[1], key[3]],
        header=lambda spec, key: unit(spec, key[2], key[3]),
        note=_a_note,
    ),
    Kind(
        name="y",
        section="forward",
        formula=_y,
        style="real",
        verify="targets y",
        series=lambda ch, key, spec: ch.trace.y[:, key[1], key[2]],
        header=lambda spec, key: spec.output_names[key[2]],
    ),
    Kind(
        name="raw",
        section="forward",
        formula=_raw,
        style="real",
        verify="predictions (raw units)",
        series=lambda ch, key, spec: ch.trace.a[-1][:, key[1], key[2]] * spec.y_scale[key[2]],
        header=lambda spec, key: f"{pred_name(spec.output_names[key[2]])} ({say(spec, 'raw')})",
        note=fixed("note_raw"),
    ),
    Kind(
        name="wt",
        section="reference",
        formula=_wt,
        style="real",
        verify="wt",
        series=lambda ch, key, spec: np.full(len(ch.trace.loss), spec.w_true[key[1]]),
        header=lambda spec, key: f"w_true {spec.input_names[key[1]]}",
        note=fixed("note_wt"),
    ),
]


def _counting(ch: Chunk) -> np.ndarray:
    """0, 1, 2, … over the chunk's steps."""
    return np.arange(len(ch.trace.loss), dtype=float)

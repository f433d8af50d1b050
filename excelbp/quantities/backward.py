"""The kinds of the backward pass and the parameters: gradients, and the update they make."""

from __future__ import annotations

from ..spec import Spec
from . import functions as fn
from .context import Context
from .kind import Kind, bias_name, prev_activation, say, weight_name
from .names import dest, fused_output, softmax_output, unit


def _g(c: Context, key: tuple) -> str:  # (not for a fused output: its δ comes straight)
    _, b, l, j = key
    if l == c.spec.n_layers:
        return "=" + fn.output_slope(
            c.spec.loss, c.at(("a", b, l, j)), c.at(("y", b, j)), c.spec.sizes[-1]
        )
    ks = range(c.spec.sizes[l + 1])  # every path through the next layer
    return "=" + c.dot([("W", l + 1, j, k) for k in ks], [("d", b, l + 1, k) for k in ks])


def _g_note(spec: Spec, key: tuple) -> str:
    _, b, l, j = key
    u = unit(spec, l, j)
    if l == spec.n_layers:
        return f"∂L/∂{u} = " + fn.loss_slope_words(spec.loss, a=u, y=spec.output_names[j], k="K")
    paths = " + ".join(
        f"w {u}→{dest(spec, l + 1, k)}·δ {dest(spec, l + 1, k)}" for k in range(spec.sizes[l + 1])
    )
    return f"∂L/∂{u} = {paths}" + say(spec, "note_paths")


def _d(c: Context, key: tuple) -> str:
    _, b, l, j = key
    if softmax_output(c.spec, l):  # softmax and cross-entropy together
        return "=" + fn.SOFTMAX_DELTA.format(a=c.at(("a", b, l, j)), y=c.at(("y", b, j)))
    if fused_output(c.spec, l):  # sigmoid and binary cross-entropy together
        return "=" + fn.bce_delta(c.at(("a", b, l, j)), c.at(("y", b, j)), c.spec.sizes[-1])
    return "=" + fn.slope_times(
        c.spec.act(l), c.at(("z", b, l, j)), c.at(("a", b, l, j)), c.at(("g", b, l, j))
    )


def _d_note(spec: Spec, key: tuple) -> str:
    _, b, l, j = key
    u, h = unit(spec, l, j), dest(spec, l, j)
    if softmax_output(spec, l):
        return (
            f"δ {h} = ∂L/∂z {h} = "
            + fn.in_words(fn.SOFTMAX_DELTA).format(a=u, y=spec.output_names[j])
            + say(spec, "note_d_softmax")
        )
    if fused_output(spec, l):
        return (
            f"δ {h} = ∂L/∂z {h} = "
            + fn.in_words(fn.BCE_DELTA).format(a=u, y=spec.output_names[j], k="K")
            + say(spec, "note_d_bce")
        )
    slope = fn.slope_words(spec.act(l), a=u, z=f"z {h}")
    return f"δ {h} = ∂L/∂z {h} = {slope} · ∂L/∂{u}" + say(spec, "note_d")


def _W(c: Context, key: tuple) -> tuple[str, str]:
    _, l, i, j = key  # step 1: the initial value; later steps: the previous step's update
    return f"={c.on_inputs(c.inputs.W_init[l - 1], i, j)}", f"={c.at(('W+', l, i, j), 'p')}"


def _b(c: Context, key: tuple) -> tuple[str, str]:
    _, l, j = key
    return f"={c.on_inputs(c.inputs.b_init[l - 1], 0, j)}", f"={c.at(('b+', l, j), 'p')}"


def _Wt(c: Context, key: tuple) -> str:
    _, l, j, i = key  # the same weight, turned: Wt[l, j, i] = W[l, i, j]
    return f"={c.at(('W', l, i, j))}"


def _dW(c: Context, key: tuple) -> str:
    _, l, i, j = key
    B = c.spec.batch
    if c.spec.layers[l - 1].in_place:  # a column of X over the batch's rows, where it lies
        # δ's column fixed along the row of ∂L/∂W, one formula moved along it
        ds = [("d", b, l, j) for b in range(B)]
        deltas = (
            c.at(ds[0], fixed_column=True) if B == 1 else c.places.line(ds, fixed_column=True)[1]
        )
        return f"=SUMPRODUCT({c.x_batch(i)},{deltas})/{B}" if B > 1 else f"={c.x_batch(i)}*{deltas}"
    return "=" + c.batch_mean(
        [("d", b, l, j) for b in range(B)], [prev_activation(b, l, i) for b in range(B)]
    )


def _dW_note(spec: Spec, key: tuple) -> str:
    _, l, i, j = key
    batch = say(spec, "note_dW_batch") if spec.batch > 1 else ""
    return (
        f"∂L/∂{weight_name(spec, l, i, j)} = δ {dest(spec, l, j)} · {unit(spec, l - 1, i)}{batch}"
    )


def _db(c: Context, key: tuple) -> str:
    _, l, j = key
    return "=" + c.batch_mean([("d", b, l, j) for b in range(c.spec.batch)])


def _fixed(word: str):
    return lambda spec, key: say(spec, word)


KINDS = [
    Kind(
        name="g",
        section="backward",
        formula=_g,
        style="real",
        verify="upstream gradients ∂L/∂a",
        explain="∂L/∂a",
        series=lambda ch, key, spec: ch.trace.g[key[2] - 1][:, key[1], key[3]],
        header=lambda spec, key: f"∂L/∂{unit(spec, key[2], key[3])}",
        note=_g_note,
    ),
    Kind(
        name="d",
        section="backward",
        formula=_d,
        style="real",
        verify="error terms δ",
        explain="δ",
        series=lambda ch, key, spec: ch.trace.delta[key[2] - 1][:, key[1], key[3]],
        header=lambda spec, key: f"δ {dest(spec, key[2], key[3])}",
        note=_d_note,
    ),
    Kind(
        name="W",
        section="params",
        formula=_W,
        style="real",
        verify="parameters used",
        explain="w",
        series=lambda ch, key, spec: ch.trace.W[key[1] - 1][:-1, key[2], key[3]],
        header=lambda spec, key: weight_name(spec, *key[1:]),
        note=_fixed("note_params"),
    ),
    Kind(
        name="b",
        section="params",
        formula=_b,
        style="real",
        verify="parameters used",
        series=lambda ch, key, spec: ch.trace.b[key[1] - 1][:-1, key[2]],
        header=bias_name,
        note=_fixed("note_params"),
    ),
    Kind(
        name="Wt",
        section="params",
        formula=_Wt,
        style="real",
        verify="parameters used, turned (Wᵀ)",
        explain="wᵀ",
        series=lambda ch, key, spec: ch.trace.W[key[1] - 1][:-1, key[3], key[2]],
        header=lambda spec, key: weight_name(spec, key[1], key[3], key[2]),
    ),
    Kind(
        name="dW",
        section="gradient",
        formula=_dW,
        style="real",
        verify="gradients ∂L/∂w",
        explain="∂L/∂w",
        series=lambda ch, key, spec: ch.trace.dW[key[1] - 1][:, key[2], key[3]],
        header=lambda spec, key: f"∂L/∂{weight_name(spec, *key[1:])}",
        note=_dW_note,
    ),
    Kind(
        name="db",
        section="gradient",
        formula=_db,
        style="real",
        verify="gradients ∂L/∂b",
        explain="∂L/∂b",
        series=lambda ch, key, spec: ch.trace.db[key[1] - 1][:, key[2]],
        header=lambda spec, key: f"∂L/∂{bias_name(spec, key)}",
        note=lambda spec, key: f"∂L/∂{bias_name(spec, key)} = δ {dest(spec, *key[1:])}",
    ),
]

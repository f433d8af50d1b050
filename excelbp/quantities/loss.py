"""The kinds of the loss: each sample's, the step's mean, and a classifier's hits and
accuracy."""

from __future__ import annotations

from ..spec import Spec
from . import functions as fn
from .context import Context
from .forward import fixed, output_span
from .kind import Kind


def _Lb_note(spec: Spec, key: tuple) -> str:
    # the cross-entropies are computed in stable forms: say which
    stable = {
        "cross_entropy": " = (max z + ln Σ e^(z−max z))·Σy − Σ y·z",
        "binary_cross_entropy": " = (1/K) Σ [max(z, 0) − y·z + ln(1 + e^(−|z|))]",
    }.get(spec.loss, "")
    return f"L = {fn.loss_words(spec.loss)}{stable}"


def _Lb(c: Context, key: tuple) -> str:
    b, L, K = key[1], c.spec.n_layers, c.spec.sizes[-1]
    softmax = c.spec.loss == "cross_entropy"  # only then are m, S and the spans used
    return "=" + fn.sample_loss_text(
        c.spec.loss,
        z=[c.at(("z", b, L, k)) for k in range(K)],
        a=[c.at(("a", b, L, k)) for k in range(K)],
        y=[c.at(("y", b, k)) for k in range(K)],
        z_span=output_span(c, "z", b) if softmax else "",
        y_span=c.span(("y", b, 0), ("y", b, K - 1)) if softmax else "",
        m=c.at(("m", b)) if softmax else "",
        S=c.at(("S", b)) if softmax else "",
    )


def _loss(c: Context, key: tuple) -> str:
    B = c.spec.batch
    return f"={c.batch_mean([('Lb', b) for b in range(B)])}" if B > 1 else f"={c.at(('Lb', 0))}"


def _hit(c: Context, key: tuple) -> str:
    b, L, K = key[1], c.spec.n_layers, c.spec.sizes[-1]
    if c.spec.loss == "binary_cross_entropy":  # every output on its target's side of 0.5
        sides = [f"({c.at(('a', b, L, k))}>=0.5)=({c.at(('y', b, k))}>=0.5)" for k in range(K)]
        return f"=IF({sides[0]},1,0)" if K == 1 else f"=IF(AND({','.join(sides)}),1,0)"
    ps, ys = output_span(c, "a", b), c.span(("y", b, 0), ("y", b, K - 1))
    return f"=IF(MATCH(MAX({ps}),{ps},0)=MATCH(MAX({ys}),{ys},0),1,0)"


def _bacc(c: Context, key: tuple) -> str:
    return f"={c.batch_mean([('hit', b) for b in range(c.spec.batch)])}"


def _acc(c: Context, key: tuple) -> str:
    # over the last epoch's steps: their hits where the sheet has them, else their batch accuracies
    hits = [("hit", b) for b in range(c.spec.batch)]
    return f"=AVERAGE({c.places.window(hits if c.places.has(hits[0]) else [('bacc',)])})"


KINDS = [
    Kind(
        name="Lb",
        section="loss",
        formula=_Lb,
        style="real",
        verify="per-sample losses",
        explain="L",
        series=lambda ch, key, spec: ch.trace.sample_loss[:, key[1]],
        header=fixed("loss_label"),
        note=_Lb_note,
    ),
    Kind(
        name="loss",
        section="loss",
        formula=_loss,
        style="real",
        verify="step losses",
        series=lambda ch, key, spec: ch.trace.loss,
        header=fixed("mean_loss"),
        note=fixed("note_loss"),
    ),
    Kind(
        name="hit",
        section="loss",
        formula=_hit,
        style="int",
        verify="right (1/0)",
        series=lambda ch, key, spec: ch.trace.hits[:, key[1]],
        header=fixed("right"),
        note=fixed("note_hit"),
    ),
    Kind(
        name="bacc",
        section="loss",
        formula=_bacc,
        style="percent",
        verify="batch accuracy",
        series=lambda ch, key, spec: ch.trace.hits.mean(axis=1),
        header=fixed("batch_accuracy"),
    ),
    Kind(
        name="acc",
        section="loss",
        formula=_acc,
        style="percent",
        verify="accuracy (last epoch)",
        series=lambda ch, key, spec: ch.accuracy,
        header=fixed("accuracy"),
        note=fixed("note_acc"),
    ),
]

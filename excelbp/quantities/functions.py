"""The workbook's maths: each activation and loss as Excel text, its derivative beside it.

Each derivative is written once, in Excel notation with {z}, {a}, {y}, {k} placeholders;
the notes and the How it works sheet show the same text in words (`in_words`). The engine
keeps its own definitions (engine/functions.py), written independently: each checks the
other. Only functions that Excel 2010+, LibreOffice and `formulas` share are used, in
numerically stable forms.
"""

from __future__ import annotations

import re

# f(z), and f'(z) written with z and a = f(z)
ACTIVATIONS = {
    "linear": ("{z}", "1"),
    # exp(min(z,0)) / (1 + exp(−|z|)) equals 1/(1+e^−z) and never overflows
    "sigmoid": ("EXP(MIN({z},0))/(1+EXP(-ABS({z})))", "{a}*(1-{a})"),
    "tanh": ("TANH({z})", "(1-{a}^2)"),
    "relu": ("MAX({z},0)", "IF({z}>0,1,0)"),
    "leaky_relu": ("MAX({z},0.01*{z})", "IF({z}>0,1,0.01)"),  # z, or 0.01·z for z ≤ 0
}

# the per-sample loss over outputs ({squares}: (ŷ1−y1)^2+(ŷ2−y2)^2…, {k}: their number)
# and its derivative with respect to one output ŷ = {a}
LOSSES = {
    "sse": ("{squares}", "2*({a}-{y})"),
    "half_sse": ("({squares})/2", "{a}-{y}"),
    "mse": ("({squares})/{k}", "2*({a}-{y})/{k}"),
}
# softmax and cross-entropy together: δ = ∂L/∂z
SOFTMAX_DELTA = "{a}-{y}"
# binary cross-entropy of one output, in its stable form (finite for z = ±1000), and
# with the sigmoid before it: δ = ∂L/∂z (the loss is the mean over the K outputs)
BCE = "MAX({z},0)-{y}*{z}+LN(1+EXP(-ABS({z})))"
BCE_DELTA = "({a}-{y})/{k}"


def bce_delta(a: str, y: str, k: int) -> str:
    """δ of a sigmoid output with binary cross-entropy, (p − y)/K: with one output, p − y."""
    return f"{a}-{y}" if k == 1 else BCE_DELTA.format(a=a, y=y, k=k)


# each loss in words, {k} marking the output's index (empty in a note, "_k" in How it works)
LOSS_DEFINITIONS = {
    "sse": "Σ{k} (ŷ{k} − y{k})²",
    "half_sse": "½ Σ{k} (ŷ{k} − y{k})²",
    "mse": "(1/K) Σ{k} (ŷ{k} − y{k})²",
    "cross_entropy": "−Σ{k} y{k} · ln p{k}",
    "binary_cross_entropy": "−(1/K) Σ{k} [y{k} · ln p{k} + (1 − y{k}) · ln(1 − p{k})]",
}


def activation(name: str, z: str) -> str:
    return ACTIVATIONS[name][0].format(z=z)


def slope_times(name: str, z: str, a: str, g: str) -> str:
    """f'(z) · g, the local derivative times the upstream gradient."""
    slope = ACTIVATIONS[name][1].format(z=z, a=a)
    if slope == "1":
        return g
    if m := re.fullmatch(r"IF\((.*),1,(.*)\)", slope):  # a step function picks g or a share of it
        return f"IF({m[1]},{g},0)" if m[2] == "0" else f"IF({m[1]},{g},{m[2]}*{g})"
    return f"{slope}*{g}"


def output_loss(loss: str, preds: list[str], targets: list[str]) -> str:
    squares = "+".join(f"({a}-{y})^2" for a, y in zip(preds, targets))
    return LOSSES[loss][0].format(squares=squares, k=len(preds))


def sample_loss_text(
    loss: str,
    *,
    z: list[str],
    a: list[str],
    y: list[str],
    z_span: str = "",
    y_span: str = "",
    m: str = "",
    S: str = "",
) -> str:
    """One sample's loss, from its last layer's z (and a) and targets y, each a cell: the
    cross-entropies in their stable forms, which need z (and, with softmax, the ranges of z
    and y, max z as m and Σ e^(z − m) as S)."""
    if loss == "cross_entropy":
        # −Σ y·ln p with ln p = z − m − ln S: finite however large z is
        return f"({m}+LN({S}))*SUM({y_span})-SUMPRODUCT({y_span},{z_span})"
    if loss == "binary_cross_entropy":
        terms = "+".join(BCE.format(z=zk, y=yk) for zk, yk in zip(z, y))
        return terms if len(z) == 1 else f"({terms})/{len(z)}"
    return output_loss(loss, a, y)


def output_slope(loss: str, a: str, y: str, k: int) -> str:
    """∂(per-sample loss)/∂ŷ."""
    return LOSSES[loss][1].format(a=a, y=y, k=k)


_WORDS = [
    (re.compile(r"IF\((.*)>(.*),1,(.*)\)"), r"(\1 > \2 ? 1 : \3)"),
    (re.compile(r"(\d)\*\("), r"\1("),  # 2*(a-y) reads 2(a − y)
    (re.compile(r"\*"), "·"),
    (re.compile(r"-"), " − "),
    (re.compile(r"\^2"), "²"),
]


def in_words(excel: str) -> str:
    """A derivative's Excel text as a note writes it: a*(1-a) → a·(1 − a), 2*(a-y) → 2(a − y),
    IF(z>0,1,0) → (z > 0 ? 1 : 0). Placeholders survive, to be filled with unit names."""
    for pattern, repl in _WORDS:
        excel = pattern.sub(repl, excel)
    return excel


def slope_words(name: str, **names: str) -> str:
    return in_words(ACTIVATIONS[name][1]).format(**names)


def loss_slope_words(loss: str, **names: str) -> str:
    return in_words(LOSSES[loss][1]).format(**names)


def loss_words(loss: str, index: str = "") -> str:
    return LOSS_DEFINITIONS[loss].format(k=index)

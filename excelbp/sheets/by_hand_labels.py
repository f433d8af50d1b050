"""The By hand sheet's texts (layout/by_hand_page.Text) in words and the seeds' symbols:
w1, w2, … and b1, b2, … for the parameters, each equation's label as the seeds write it."""

from __future__ import annotations

from ..engine.gradcheck import parameter_keys
from ..quantities import functions as fn
from ..quantities.names import classifier, dest, unit
from ..spec import Spec
from ..words import words

TERMS_SHOWN = 6  # a forward label reads on one line: beyond, … (the numbers show every term)


def short_name(spec: Spec, key: tuple) -> str:
    """The seeds' names: weights w1, w2, … and biases b1, b2, … in the contract's order."""
    same = [k for k in parameter_keys(spec.sizes, spec.bias) if k[0] == key[0]]
    return f"{key[0].lower()}{same.index(key) + 1}"


def _symbol(spec: Spec, what: tuple) -> str:
    """("L",), ("unit", l, j), ("z", l, j) or ("param", key) as the seeds write it."""
    if what[0] == "L":
        return "L"
    if what[0] == "unit":
        return unit(spec, what[1], what[2])
    if what[0] == "z":
        return f"z {dest(spec, what[1], what[2])}"
    return short_name(spec, what[1])


def _op(spec: Spec, op: str) -> str:
    if op == "=":  # a text "=" would read as a formula to openpyxl (and verify)
        return " ="
    if op == "mean":
        return words(spec.lang)["hand_mean"]
    if op == "pred":
        return "p" if classifier(spec) else "ŷ"
    return op


def _forward(spec: Spec, l: int, j: int) -> str:
    terms = [
        f"{short_name(spec, ('W', l, i, j))}·{unit(spec, l - 1, i)}"
        for i in range(spec.sizes[l - 1])
    ]
    if spec.bias:
        terms.append(short_name(spec, ("b", l, j)))
    if len(terms) > TERMS_SHOWN:
        terms = [*terms[:3], "…", *terms[-2:]]
    return f"z {dest(spec, l, j)} = {' + '.join(terms)}"


def _gradient(spec: Spec, key: tuple, factors: tuple) -> str:
    p = short_name(spec, key)
    chain = " · ".join(f"∂{_symbol(spec, top)}/∂{_symbol(spec, bottom)}" for top, bottom in factors)
    if key[0] == "W":
        return f"∂L/∂{p} ({unit(spec, key[1] - 1, key[2])}→{dest(spec, key[1], key[3])}) = {chain}"
    return f"∂L/∂{p} = {chain}"


def says(spec: Spec, what: tuple) -> str:
    """The text of a By hand label."""
    w, kind = words(spec.lang), what[0]
    if kind == "word":
        return w[what[1]].format(B=spec.batch, steps=spec.steps).strip()
    if kind == "layer":
        return w["hand_layer"].format(l=what[1], act=spec.act(what[1]))
    if kind == "param":
        return short_name(spec, what[1])
    if kind == "unit":
        return unit(spec, what[1], what[2])
    if kind == "op":
        return _op(spec, what[1])
    if kind == "forward":
        return _forward(spec, what[1], what[2])
    if kind == "activation":
        l, j = what[1], what[2]
        return f"{unit(spec, l, j)} = {spec.act(l)}(z {dest(spec, l, j)})"
    if kind == "loss":
        of = f" {w['hand_sample1']}" if what[1] else ""
        return f"L{of} = {fn.loss_words(spec.loss)}"
    if kind == "gradient":
        return _gradient(spec, what[1], what[2])
    if kind == "update":
        p = short_name(spec, what[1])
        if what[2]:
            return f"{p}_new = {p} − lr · (∂L/∂{p} + λ·{p})"
        return f"{p}_new = {spec.optimizer.name}({p}, ∂L/∂{p})"
    raise ValueError(f"unknown By hand text {what!r}")

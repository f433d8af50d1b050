"""How the units of a network read in a header or a note: x1, h2, ŷ y, p digit 3."""

from __future__ import annotations

from ..spec import Network, Spec
from ..words import words


def softmax_output(spec: Spec | Network, l: int) -> bool:
    return spec.loss == "cross_entropy" and l == spec.n_layers


def fused_output(spec: Spec | Network, l: int) -> bool:
    """The last layer of a loss whose derivative goes straight to z (softmax with
    cross-entropy, sigmoid with binary cross-entropy): δ = (p − y), no ∂L/∂a of its own."""
    return classifier(spec) and l == spec.n_layers


def has_activation_column(spec: Spec | Network, l: int) -> bool:
    """Whether layer l's activations need cells of their own (a linear layer's a is its z)."""
    return spec.act(l) != "linear"


def classifier(spec: Spec | Network) -> bool:
    """Whether the outputs are class probabilities (p, not ŷ), and the steps count hits."""
    return spec.loss in ("cross_entropy", "binary_cross_entropy")


def pred_name(name: str) -> str:
    """The prediction of a target: y_true → y_pred, y → ŷ, y2 → ŷ2, price → ŷ price."""
    if "_true" in name:
        return name.replace("_true", "_pred")
    if name == "y" or (name[:1] == "y" and name[1:].isdigit()):
        return "ŷ" + name[1:]
    return f"ŷ {name}"


def dest(spec: Spec, l: int, j: int) -> str:
    """The unit a weight feeds: h1, or the prediction it makes (y_pred) in the last layer."""
    if l == spec.n_layers and not classifier(spec):
        return pred_name(spec.output_names[j])
    return spec.hidden_name(l, j)


def unit(spec: Spec, l: int, j: int) -> str:
    """How unit j of layer l reads in a header: inputs by name, outputs as predictions."""
    if l == 0:
        return spec.input_names[j]
    if l == spec.n_layers:
        name = spec.output_names[j]
        return f"p {name}" if classifier(spec) else pred_name(name)
    return spec.hidden_name(l, j)


def network_summary(spec: Spec) -> str:
    w = words(spec.lang)
    arrows = " → ".join(map(str, spec.sizes))
    act = " + ".join(dict.fromkeys(spec.activations))  # each layer's, once
    return (
        f"{arrows} · {act} · {w['loss_label']} {spec.loss} ·"
        f" {w['with_bias'] if spec.bias else w['no_bias']}"
    )

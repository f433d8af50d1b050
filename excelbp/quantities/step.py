"""What one training step holds, in the order a learner reads it. Both layouts place these
areas and parameters, each in its own way (layout/rows.py, layout/blocks.py)."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec import Network, Spec
from .names import classifier, fused_output, has_activation_column, softmax_output
from .optimizer import state_kinds


def parameter_kinds(spec: Spec | Network) -> tuple[tuple[str, str], ...]:
    """Kinds per parameter, in step order, each a weight kind and its bias kind: used,
    gradient, the optimizer's state, updated."""
    state = tuple((k, k + "_b") for k in state_kinds(spec.optimizer))
    return (("W", "b"), ("dW", "db"), *state, ("W+", "b+"))


@dataclass(frozen=True)
class Area:
    """Quantities of one sample that lie side by side: a layer's z, the inputs x, the loss…"""

    kind: str  # a kind of the registry, or "softmax" (its helpers m and S together)
    section: str  # forward, loss or backward
    layer: int  # 0 where it speaks of no layer
    width: int
    alias: str | None = None  # where these keys equal another kind's (a = z for a linear layer)

    def keys(self, b: int) -> list[tuple]:
        if self.kind == "softmax":
            return [("m", b), ("S", b)]
        if self.kind in ("Lb", "hit"):
            return [(self.kind, b)]
        if self.layer and self.kind != "raw":
            return [(self.kind, b, self.layer, j) for j in range(self.width)]
        return [(self.kind, b, i) for i in range(self.width)]

    def alias_keys(self, b: int) -> list[tuple]:
        """The keys whose cells these share."""
        return [(self.alias,) + key[1:] for key in self.keys(b)]


def sample_areas(spec: Spec) -> list[Area]:
    """Forward pass, loss, backward pass of one sample."""
    layers, L = tuple(enumerate(spec.layers, start=1)), spec.n_layers
    n_in, n_out = spec.layers[0].fan_in, spec.layers[-1].fan_out
    out = [Area("x", "forward", 0, n_in)]
    for l, layer in layers:
        out.append(Area("z", "forward", l, layer.fan_out))
        if softmax_output(spec, l):
            out.append(Area("softmax", "forward", l, 2))
        alias = None if has_activation_column(spec, l) else "z"
        out.append(Area("a", "forward", l, layer.fan_out, alias=alias))
    out.append(Area("y", "forward", 0, n_out))
    if spec.y_scale is not None:  # the prediction back in the data's own units
        out.append(Area("raw", "forward", L, n_out))
    out.append(Area("Lb", "loss", 0, 1))
    if classifier(spec):
        out.append(Area("hit", "loss", 0, 1))
    for l, layer in reversed(layers):
        if fused_output(spec, l):  # δ straight from the output: no ∂L/∂a of its own
            out.append(Area("d", "backward", l, layer.fan_out))
            continue
        out.append(Area("g", "backward", l, layer.fan_out))
        alias = "g" if layer.activation == "linear" else None  # f′ = 1: δ is ∂L/∂a
        out.append(Area("d", "backward", l, layer.fan_out, alias=alias))
    return out


def param_keys(spec: Spec, kinds: tuple[str, str] = ("W", "b")) -> list[tuple]:
    """A step's parameters of one kind, grouped by the unit they feed: w(·→j) for every
    input, then b j."""
    return [
        key for l, layer in enumerate(spec.layers, start=1) for key in layer.param_keys(l, kinds)
    ]

"""A network's layers as values: what each owns, so that code which loops over layers asks
the layer and not an index into `sizes`.

A Dense layer is z = a · W + b, then its activation: fan_in inputs, fan_out units. Its
engine maths are engine/layers.py (dense_forward, dense_backward); what it costs in cells is
here, counted per layer for layout/size.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dense:
    """One fully connected layer. `in_place` is where its inputs' cells are, a decision of
    the layout stage (layout/size.py `settle`): the blocks layout's first layer reads the
    data where they lie on the Inputs sheet, and keeps its weights turned (layout/blocks.py)."""

    fan_in: int
    fan_out: int
    activation: str
    bias: bool = True
    in_place: bool = False

    # --- parameters --------------------------------------------------------------------

    @property
    def n_weights(self) -> int:
        return self.fan_in * self.fan_out

    @property
    def n_biases(self) -> int:
        return self.fan_out if self.bias else 0

    @property
    def n_params(self) -> int:
        return self.n_weights + self.n_biases

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Its parameters' shapes by kind: W is (fan_in, fan_out), b (fan_out,) with bias."""
        return {"W": (self.fan_in, self.fan_out)} | ({"b": (self.fan_out,)} if self.bias else {})

    def param_keys(self, l: int, kinds: tuple[str, str] = ("W", "b")) -> list[tuple]:
        """Its parameters' keys as layer `l` (1-based), grouped by the unit they feed:
        w(·→j) for every input, then b j."""
        w, b = kinds
        keys = []
        for j in range(self.fan_out):
            keys += [(w, l, i, j) for i in range(self.fan_in)]
            if self.bias:
                keys.append((b, l, j))
        return keys

    # --- the words that name its areas (words/en.py) -------------------------------------

    def area_word(self, name: str) -> str:
        """The word key of the title over its area of kind `name` (z, a, g…)."""
        if name == "z" and not self.bias:
            return "area_z_nobias"
        if name == "a" and self.activation == "softmax":
            return "area_p"
        if name == "g" and self.activation == "linear":
            return "area_g_linear"  # δ shares these cells
        return f"area_{name}"

    # --- cells (layout/size.py counts them without laying anything out) ------------------

    def forward_cells(self) -> int:
        """A sample's z (a where it has cells of its own: a linear layer's a is its z), and a
        softmax's two helpers (max z, Σ e^…)."""
        units = self.fan_out * (1 if self.activation == "linear" else 2)
        return units + (2 if self.activation == "softmax" else 0)

    def backward_cells(self, *, fused: bool) -> int:
        """A sample's δ, and its ∂L/∂a unless δ is it (fused, or linear: f′ = 1)."""
        return self.fan_out * (1 if fused or self.activation == "linear" else 2)

    def block_columns(self, kinds: int) -> int:
        """Blocks layout: its matrices' columns, `kinds` of them fan_out wide (W, ∂L/∂W, the
        optimizer's state, W updated) and Wᵀ fan_in wide; read in place, its matrices
        turned (fan_in + 1 wide, the bias a column) without W used and Wᵀ."""
        if self.in_place:
            return (kinds - 1) * (self.fan_in + 1)
        return kinds * self.fan_out + self.fan_in

    def block_rows(self) -> int:
        """Blocks layout: its tallest matrix, W with its bias row or Wᵀ (read in place, a row
        per unit)."""
        if self.in_place:
            return self.fan_out
        return max(self.fan_in + (1 if self.bias else 0), self.fan_out)

    def block_param_cells(self, kinds: int) -> int:
        """Blocks layout: its parameters' formula cells, each of `kinds` and Wᵀ (read in
        place: no W used, no Wᵀ and no b used)."""
        if self.in_place:
            return (kinds - 1) * (self.n_weights + self.n_biases)
        return (kinds + 1) * self.n_weights + kinds * self.n_biases


def dense_layers(
    sizes: tuple[int, ...], activations: tuple[str, ...], *, bias: bool
) -> tuple[Dense, ...]:
    """The layers of a network of these sizes (inputs first), one activation per layer."""
    return tuple(
        Dense(a, b, act, bias) for a, b, act in zip(sizes[:-1], sizes[1:], activations, strict=True)
    )

"""The validated, immutable description of one workbook: network, training and data.

Everything downstream (engine, layout, formulas, writer, verify) reads a Spec and
nothing else. `Spec.validate()` is where bad values are caught; whether the network fits
a sheet is the layout's question (layout/size.py).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields, replace

import numpy as np

from ..errors import InputError
from .layers import Dense
from .network import LANGUAGES, Network

_NETWORK_FIELDS = frozenset(f.name for f in fields(Network))


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=float)
    a.setflags(write=False)
    return a


def fifteen_digits(a: np.ndarray) -> np.ndarray:
    """Round to 15 significant digits, so every client reads back exactly these values."""
    a = np.array(a, dtype=float)
    # whole numbers (raw pixels: millions of them) have 15 digits or fewer already
    rest = ~((a == np.trunc(a)) & (np.abs(a) < 1e15))
    a[rest] = (
        np.vectorize(lambda v: float(f"{v:.15g}"), otypes=[float])(a[rest])
        if rest.any()
        else a[rest]
    )
    return a


@dataclass(frozen=True, init=False)
class Spec:
    """One workbook. Arrays are read-only; use `dataclasses.replace` to derive another.

    `raw_X`/`raw_Y` are the data as typed into the sheet. The network sees
    X = raw_X / x_scale and Y = raw_Y / y_scale where scales are given, and
    Y = X · w_true where `w_true` is given (the `linear` template).
    """

    template: str
    description: str
    network: Network  # its layers, loss and training, as chosen and settled
    seed: int
    raw_X: np.ndarray
    raw_Y: np.ndarray | None
    W_init: tuple[np.ndarray, ...]
    b_init: tuple[np.ndarray, ...] | None
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    w_true: np.ndarray | None = None
    x_scale: np.ndarray | None = None
    y_scale: np.ndarray | None = None
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None
    image_side: int | None = (
        None  # inputs are side × side pixels: the workbook shows them as images
    )
    pixel_scale: float | None = (
        None  # image data divided by this as read (digits: 16): the raw pixels' scale
    )
    lang: str = "en"
    # image templates whose sheet holds the raw pixels (fashion): X = raw_X / pixel_scale, as
    # formulas on the Inputs sheet; X_test holds the scaled values
    scale_pixels: bool = False

    def __init__(self, *, network: Network, **values) -> None:
        """Keywords naming a field of the Network change the spec's network, so that
        `dataclasses.replace(spec, lr=r)` is the same spec trained at rate r."""
        changes = {k: values.pop(k) for k in _NETWORK_FIELDS & values.keys()}
        object.__setattr__(self, "network", replace(network, **changes) if changes else network)
        for f in fields(Spec):
            if f.name == "network":
                continue
            if f.name not in values and f.default is MISSING:
                raise TypeError(f"Spec: {f.name} is missing")
            object.__setattr__(self, f.name, values.pop(f.name, f.default))
        if values:
            raise TypeError(f"Spec: no field {', '.join(values)}")

    # --- the network's ---------------------------------------------------------------

    @property
    def layers(self) -> tuple[Dense, ...]:
        return self.network.layers

    @property
    def sizes(self) -> tuple[int, ...]:
        return self.network.sizes

    @property
    def activations(self) -> tuple[str, ...]:
        return self.network.activations

    loss = property(lambda self: self.network.loss)
    bias = property(lambda self: self.network.bias)
    batch = property(lambda self: self.network.batch)
    lr = property(lambda self: self.network.lr)
    steps = property(lambda self: self.network.steps)
    optimizer = property(lambda self: self.network.optimizer)
    schedule = property(lambda self: self.network.schedule)  # the rate of each step, lr_t
    compare_lr = property(lambda self: self.network.compare_lr)  # the sweep's rates
    layout = property(lambda self: self.network.layout)
    gradcheck = property(lambda self: self.network.gradcheck)  # the step 1 check sheet
    # blocks layout: the first layer reads X where it lies and keeps its weights output-major,
    # each step using the previous step's updated weights (layout/blocks.py)
    in_place = property(lambda self: self.network.in_place)

    def act(self, l: int) -> str:
        """Layer l's activation (1-based)."""
        return self.network.act(l)

    @property
    def hyperparameters(self) -> tuple[str, ...]:
        return self.network.hyperparameters

    # --- derived -------------------------------------------------------------------

    @property
    def has_w_true(self) -> bool:
        return self.w_true is not None

    @property
    def scaled(self) -> bool:
        return self.x_scale is not None

    @property
    def n_layers(self) -> int:
        return self.network.n_layers

    @property
    def n_params(self) -> int:
        return self.network.n_params

    @property
    def n_samples(self) -> int:
        return self.raw_X.shape[0]

    @property
    def epoch(self) -> int:
        """Steps in one pass over the data (the last may wrap round): the accuracy's window."""
        return -(-self.n_samples // self.batch)

    @property
    def X(self) -> np.ndarray:
        if self.scale_pixels:
            return self.raw_X / self.pixel_scale
        return self.raw_X / self.x_scale if self.x_scale is not None else self.raw_X

    @property
    def Y(self) -> np.ndarray:
        if self.w_true is not None:
            return (self.X @ self.w_true)[:, None]
        return self.raw_Y / self.y_scale if self.y_scale is not None else self.raw_Y

    def hidden_name(self, layer: int, unit: int) -> str:
        """Display name of unit `unit` (0-based) of layer `layer` (1-based)."""
        if layer == self.n_layers:
            return self.output_names[unit]
        prefix = "h" if self.n_layers == 2 else f"h{layer}_"
        return f"{prefix}{unit + 1}"

    def unit_names(self, layer: int) -> tuple[str, ...]:
        """Names of layer `layer`'s units; layer 0 is the input."""
        if layer == 0:
            return self.input_names
        return tuple(self.hidden_name(layer, j) for j in range(self.sizes[layer]))

    # --- validation ----------------------------------------------------------------

    def validate(self) -> Spec:
        """Return the spec with arrays frozen, or raise InputError naming the culprit."""
        sizes = self.sizes
        self.network.validate()
        if self.lang not in LANGUAGES:
            raise InputError(f"--lang: unknown {self.lang!r}; choose from {', '.join(LANGUAGES)}")
        if self.loss == "cross_entropy" and sizes[-1] < 2:
            raise InputError(
                "--loss cross_entropy: needs at least two outputs (--layers …,K with K ≥ 2)"
            )
        n_in, n_out = sizes[0], sizes[-1]
        if self.raw_X.ndim != 2 or self.raw_X.shape[1] != n_in or self.raw_X.shape[0] < 1:
            raise InputError(
                f"data: {self.raw_X.shape[-1]} input columns do not fit --layers {n_in},…"
            )
        if len(self.input_names) != n_in or len(self.output_names) != n_out:
            raise InputError("data: the header does not name every input and output column")
        if self.w_true is not None:
            if n_out != 1 or self.w_true.shape != (n_in,):
                raise InputError(f"w_true: needs one output and {n_in} values")
        elif self.raw_Y is None or self.raw_Y.shape != (self.n_samples, n_out):
            raise InputError(f"data: {n_out} target columns expected for --layers …,{n_out}")
        for l, w in enumerate(self.W_init, start=1):
            if w.shape != (sizes[l - 1], sizes[l]):
                raise InputError(
                    f"W{l}_init: shape {w.shape} does not fit layers {sizes[l - 1]}→{sizes[l]}"
                )
        if len(self.W_init) != self.n_layers:
            raise InputError(
                f"initial weights: {len(self.W_init)} layers given, {self.n_layers} needed"
            )
        if self.bias != (self.b_init is not None):
            raise InputError("initial biases: given for a network without bias, or missing")
        if self.b_init is not None:
            for l, v in enumerate(self.b_init, start=1):
                if v.shape != (sizes[l],):
                    raise InputError(f"b{l}_init: {v.size} values, layer {l} has {sizes[l]} units")
        if self.image_side is not None and self.image_side**2 != n_in:
            raise InputError(f"image_side: {self.image_side}² is not the {n_in} inputs")
        if self.pixel_scale is not None and not (
            np.isfinite(self.pixel_scale) and self.pixel_scale > 0
        ):
            raise InputError(f"pixel_scale: {self.pixel_scale} should be a positive number")
        if self.scale_pixels and not self.pixel_scale:
            raise InputError("scale_pixels: needs a pixel_scale")
        if self.in_place and (self.layout != "blocks" or self.n_samples % self.batch):
            raise InputError(
                f"in_place: needs the blocks layout and samples ({self.n_samples}) in whole batches"
                f" of {self.batch}"
            )
        if (self.X_test is None) != (self.Y_test is None):
            raise InputError("test data: X_test and Y_test go together")
        if self.X_test is not None:
            if (
                self.X_test.ndim != 2
                or self.X_test.shape[1] != n_in
                or self.Y_test.shape != (self.X_test.shape[0], n_out)
            ):
                raise InputError(f"test data: needs {n_in} input and {n_out} target columns")
        arrays = [
            self.X_test,
            self.Y_test,
            self.raw_X,
            self.raw_Y,
            self.w_true,
            self.x_scale,
            self.y_scale,
            *self.W_init,
            *(self.b_init or ()),
        ]
        if any(a is not None and not np.all(np.isfinite(a)) for a in arrays):
            raise InputError("data or initial values: every number must be finite")
        if self.loss == "cross_entropy":
            for Y in (self.Y, self.Y_test):
                if Y is not None and not (
                    np.all((Y == 0) | (Y == 1)) and np.all(Y.sum(axis=1) == 1)
                ):
                    raise InputError(
                        "--loss cross_entropy: targets must be one-hot (one 1, the rest 0, per row)"
                    )
        if self.loss == "binary_cross_entropy":
            for Y in (self.Y, self.Y_test):
                if Y is not None and not np.all((Y >= 0) & (Y <= 1)):
                    raise InputError(
                        "--loss binary_cross_entropy: targets must lie between 0 and 1"
                    )

        def opt(a):
            return None if a is None else _frozen(fifteen_digits(a))

        return replace(
            self,
            raw_X=opt(self.raw_X),
            raw_Y=opt(self.raw_Y),
            w_true=opt(self.w_true),
            x_scale=opt(self.x_scale),
            X_test=opt(self.X_test),
            Y_test=opt(self.Y_test),
            y_scale=opt(self.y_scale),
            W_init=tuple(opt(w) for w in self.W_init),
            b_init=None if self.b_init is None else tuple(opt(v) for v in self.b_init),
            network=replace(
                self.network,
                lr=float(f"{self.lr:.15g}"),
                optimizer=self.optimizer.rounded(),
                schedule=self.schedule.rounded(),
                compare_lr=tuple(float(f"{float(r):.15g}") for r in self.compare_lr),
            ),
        )

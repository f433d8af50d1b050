"""Build options and the template they override → the chosen network → a Spec.

In two steps, so that the layout stage can refuse a network that cannot fit a sheet before
any data or weights are made for it: `choose` (options and template, checked), then
`make_spec` (data, initial parameters). `excelbp.build.make_spec` runs both with the check
in between.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..errors import InputError
from .data import glorot, make_data, read_csv, split_columns
from .model import Spec
from .network import GRADCHECK_DEFAULT, Network, layer_activations
from .optimizers import HYPERPARAMETERS, Optimizer
from .schedules import Schedule
from .templates import DEFAULT_TEMPLATE, labelled_data, load_template


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """What the user asked for; None means "as the template says"."""

    template: str | None = None
    steps: int | None = None
    lr: float | None = None
    batch: int | None = None
    layers: tuple[int, ...] | None = None
    activation: str | None = None  # one name for every layer, or one per layer: "relu,linear"
    loss: str | None = None
    optimizer: str | None = None
    # the hyperparameters given (--momentum 0.8…): (name, value) pairs; the others are the
    # template's, else the optimizer's defaults
    hyper: tuple[tuple[str, float], ...] = ()
    schedule: str | None = None  # the learning-rate schedule: constant, step or cosine
    step_size: int | None = None  # step's N (default: a third of the steps)
    gamma: float | None = None  # step's γ (default 0.1)
    compare_lr: tuple[
        float, ...
    ] = ()  # --compare-lr: rates to train the same network with, side by side
    bias: bool | None = None
    seed: int | None = None
    data: Path | None = None
    lang: str = "en"
    layout: str | None = None
    gradcheck: bool | None = (
        None  # None: where the network has at most GRADCHECK_DEFAULT parameters
    )


@dataclass(frozen=True)
class Choice:
    """The options merged with their template: the network, and where its data come from."""

    opts: BuildOptions
    name: str  # the template's name, or "custom"
    template: dict
    network: Network
    seed: int

    @property
    def fits_template(self) -> bool:
        return bool(self.template) and tuple(self.template["layers"]) == self.network.sizes

    @property
    def own_data(self) -> bool:
        return _own_data(self.opts, self.template, self.network.sizes)


def _own_data(opts: BuildOptions, t: dict, sizes: tuple[int, ...]) -> bool:
    """The template's own data fit a network of these sizes (other hidden layers still fit:
    same inputs, same outputs) and no other data were given."""
    fits = bool(t) and (t["layers"][0], t["layers"][-1]) == (sizes[0], sizes[-1])
    return fits and opts.data is None


# What a network gets where neither the options nor its template say (a custom network:
# --layers without --template); `excelbp build --help` shows them.
DEFAULTS = {
    "activation": "sigmoid",
    "loss": "half_sse",
    "bias": True,
    "batch": 1,
    "lr": 0.1,
    "steps": 20,
    "seed": 0,
    "optimizer": "sgd",
    "schedule": "constant",
}


def _given(opts: BuildOptions, t: dict, name: str):
    """An option as given, else as the template says, else the default."""
    value = getattr(opts, name)
    return value if value is not None else t.get(name, DEFAULTS[name])


def _optimizer(opts: BuildOptions, t: dict) -> Optimizer:
    """The optimizer and its hyperparameters: as given, else as the template says, else its
    defaults."""
    given = {name: t[name] for name in HYPERPARAMETERS if name in t} | dict(opts.hyper)
    return Optimizer(_given(opts, t, "optimizer"), **given)


def _activation_text(value) -> str:
    return ",".join(value) if isinstance(value, (list, tuple)) else str(value)


def choose(opts: BuildOptions) -> Choice:
    """Merge the template with the options and check the network they make."""
    custom = opts.layers is not None and opts.template is None
    name = "custom" if custom else (opts.template or DEFAULT_TEMPLATE)
    t = {} if custom else load_template(name)
    seed = _given(opts, t, "seed")
    if seed < 0:
        raise InputError(f"--seed: must be 0 or more, got {seed}")
    sizes, loss = tuple(opts.layers or t["layers"]), _given(opts, t, "loss")
    own_data = _own_data(opts, t, sizes)
    own = own_data and "data_file" not in t
    network = Network.of(
        sizes=sizes,
        activations=layer_activations(
            _activation_text(_given(opts, t, "activation")), loss, len(sizes) - 1
        ),
        bias=_given(opts, t, "bias"),
        # the first layer may be read in place where every batch is consecutive rows of the
        # data; whether it is, is the layout's to settle (layout/size.py)
        in_place=(
            own_data and bool(t.get("in_place")) and t["train"] % _given(opts, t, "batch") == 0
        ),
        loss=loss,
        batch=_given(opts, t, "batch"),
        lr=float(_given(opts, t, "lr")),
        steps=_given(opts, t, "steps"),
        layout=opts.layout if opts.layout is not None else t.get("layout"),
        has_w_true=own and "w_true" in t,
        scaled=own and "x_scale" in t,
        optimizer=_optimizer(opts, t),
        schedule=Schedule.of(
            _given(opts, t, "schedule"),
            steps=_given(opts, t, "steps"),
            step_size=opts.step_size,
            gamma=opts.gamma,
        ),
        compare_lr=tuple(opts.compare_lr),
    )
    gradcheck = (
        opts.gradcheck if opts.gradcheck is not None else network.n_params <= GRADCHECK_DEFAULT
    )
    return Choice(opts, name, t, replace(network, gradcheck=gradcheck).validate(), seed)


def _array(value, *, ndim: int) -> np.ndarray | None:
    if value is None:
        return None
    a = np.array(value, dtype=float)
    return a.reshape(-1) if ndim == 1 else a


def _description(t: dict, network: Network, lang: str) -> str:
    """The template's own words (in the workbook's language where it has them), unless
    options changed its network."""
    own = {k: t.get(k, DEFAULTS[k]) for k in ("loss", "bias", "batch", "optimizer")}
    chosen = {
        "loss": network.loss,
        "bias": network.bias,
        "batch": network.batch,
        "optimizer": network.optimizer.name,
    }
    same = t and tuple(t["layers"]) == network.sizes and own == chosen
    if (
        same
        and layer_activations(
            _activation_text(t.get("activation", DEFAULTS["activation"])),
            network.loss,
            network.n_layers,
        )
        == network.activations
    ):
        return t.get(f"description_{lang}", t.get("description", ""))
    arrows = " → ".join(map(str, network.sizes))
    summary = (
        f"{arrows}, {','.join(dict.fromkeys(network.activations))}, loss {network.loss}, batch"
        f" {network.batch}"
    )
    if network.optimizer.name != "sgd":
        summary += f", {network.optimizer.name}"
    with_options = (
        "(模板的数据,按选项修改)" if lang == "zh" else "(from the template's data, with options)"
    )
    return f"{summary} {with_options}" if t else summary


def make_spec(choice: Choice) -> Spec:
    """The data (a CSV file, the template's own, or made up) and initial parameters (the
    template's where they fit, else seeded Glorot and zero biases) → a validated Spec."""
    opts, t, net, name = choice.opts, choice.template, choice.network, choice.name
    sizes = net.sizes
    w_true = x_scale = y_scale = X_test = Y_test = None
    image_side = t.get("image_side") if choice.own_data else None
    # the drawing on Images is typed on the data's own scale, then divided as the data were
    pixel_scale = float(t["pixel_scale"]) if image_side and "pixel_scale" in t else None
    input_names = output_names = None
    if opts.data is not None:
        table = read_csv(opts.data)
        source = (
            str(opts.data)
            if opts.layers
            else (
                f"{opts.data} (layers {','.join(map(str, sizes))} from the {name} template; give"
                " --layers to change them)"
            )
        )
        raw_X, raw_Y = split_columns(table, sizes[0], sizes[-1], source=source)
        input_names, output_names = table.header[: sizes[0]], table.header[sizes[0] :]
    elif choice.own_data and "data_file" in t:
        raw_X, raw_Y, X_test, Y_test, input_names, output_names = labelled_data(t, sizes[-1])
    elif choice.own_data:
        raw_X = _array(t.get("X", t.get("raw_X")), ndim=2)
        raw_Y = _array(t.get("Y", t.get("raw_Y")), ndim=2)
        w_true = _array(t.get("w_true"), ndim=1)
        x_scale = _array(t.get("x_scale"), ndim=1)
        y_scale = _array(t.get("y_scale"), ndim=1)
        X_test = _array(t.get("X_test"), ndim=2)
        Y_test = _array(t.get("Y_test"), ndim=2)
        input_names, output_names = tuple(t["inputs"]), tuple(t["outputs"])
    else:
        raw_X, raw_Y = make_data(
            sizes,
            activation=net.act(net.n_layers),
            loss=net.loss,
            seed=choice.seed,
            n_samples=max(8, net.batch),
        )
    if input_names is None:
        input_names = tuple(f"x{i + 1}" for i in range(sizes[0]))
        output_names = tuple(f"y{k + 1}" for k in range(sizes[-1])) if sizes[-1] > 1 else ("y",)

    init = t.get("init", {}) if choice.fits_template else {}
    layers = tuple(enumerate(net.layers, start=1))
    if all(f"W{l}" in init for l, _ in layers):
        W_init = [_array(init[f"W{l}"], ndim=2) for l, _ in layers]
    else:
        W_init = glorot(sizes, seed=choice.seed)
    b_init = None
    if net.bias:
        b_init = [
            _array(init[f"b{l}"], ndim=1) if f"b{l}" in init else np.zeros(layer.fan_out)
            for l, layer in layers
        ]

    return Spec(
        template=name,
        description=_description(t, net, opts.lang),
        network=net if net.layout else replace(net, layout="rows"),
        seed=choice.seed,
        raw_X=raw_X,
        raw_Y=raw_Y if w_true is None else None,
        W_init=tuple(W_init),
        b_init=None if b_init is None else tuple(b_init),
        input_names=tuple(input_names),
        output_names=tuple(output_names),
        w_true=w_true,
        x_scale=x_scale,
        y_scale=y_scale,
        X_test=X_test,
        Y_test=Y_test,
        image_side=image_side,
        pixel_scale=pixel_scale,
        lang=opts.lang,
        scale_pixels=bool(image_side and t.get("scale_pixels")),
    ).validate()

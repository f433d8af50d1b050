"""Build options and the templates (TOML files in templates/) they override → a Spec."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

import numpy as np

from .data import glorot, make_data, read_csv, split_columns
from .errors import InputError
from .layout import rows_layout_width
from .spec import MAX_COLS, Spec, check_network

DEFAULT_TEMPLATE = "linear"


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """What the user asked for; None means "as the template says"."""

    template: str | None = None
    steps: int | None = None
    lr: float | None = None
    batch: int | None = None
    layers: tuple[int, ...] | None = None
    activation: str | None = None
    loss: str | None = None
    bias: bool | None = None
    seed: int | None = None
    data: Path | None = None
    lang: str = "en"
    layout: str | None = None


def _template_files() -> dict[str, resources.abc.Traversable]:
    folder = resources.files("excelbp.templates")
    return {f.name[:-5]: f for f in folder.iterdir() if f.name.endswith(".toml")}


def template_names() -> list[str]:
    return sorted(_template_files())


def load_template(name: str) -> dict:
    files = _template_files()
    if name not in files:
        raise InputError(f"--template: unknown {name!r}; choose from {', '.join(sorted(files))}")
    return tomllib.loads(files[name].read_text(encoding="utf-8"))


def describe_templates() -> list[tuple[str, str]]:
    return [(name, load_template(name).get("description", "")) for name in template_names()]


def _array(value, *, ndim: int) -> np.ndarray | None:
    if value is None:
        return None
    a = np.array(value, dtype=float)
    return a.reshape(-1) if ndim == 1 else a


def _labelled_data(t: dict, sizes: tuple[int, ...]):
    """A template's CSV of inputs then a class label → a seeded train/test split, one-hot targets.

    Inputs are divided by `pixel_scale` as they are read (k/16 is exact), so the workbook's
    data are the values the network sees.
    """
    with resources.as_file(resources.files("excelbp.templates") / t["data_file"]) as path:
        table = read_csv(Path(path))
    n_classes = sizes[-1]
    X = table.rows[:, :-1] / float(t.get("pixel_scale", 1))
    labels = table.rows[:, -1].astype(int)
    order = np.random.default_rng(t.get("split_seed", 0)).permutation(len(X))
    train, test = order[: t["train"]], order[t["train"] : t["train"] + t["test"]]
    onehot = np.eye(n_classes)[labels]
    names = tuple(f"digit {k}" for k in range(n_classes))
    return X[train], onehot[train], X[test], onehot[test], table.header[:-1], names


def _description(t: dict, sizes, lang: str, **network) -> str:
    """The template's own words (in the workbook's language where it has them), unless
    options changed its network."""
    own = {k: t.get(k) for k in network}
    if t and tuple(t["layers"]) == tuple(sizes) and own == network:
        return t.get(f"description_{lang}", t.get("description", ""))
    arrows = " → ".join(map(str, sizes))
    summary = f"{arrows}, {network['activation']}, loss {network['loss']}, batch {network['batch']}"
    with_options = "(模板的数据,按选项修改)" if lang == "zh" else "(from the template's data, with options)"
    return f"{summary} {with_options}" if t else summary


def make_spec(opts: BuildOptions) -> Spec:
    """Merge the template with the options and return a validated Spec."""
    custom = opts.layers is not None and opts.template is None
    name = "custom" if custom else (opts.template or DEFAULT_TEMPLATE)
    t = {} if custom else load_template(name)

    sizes = tuple(opts.layers or t["layers"])
    fits_template = not custom and tuple(t["layers"]) == sizes
    # other hidden layers still fit the template's data: same inputs, same outputs
    fits_data = not custom and (t["layers"][0], t["layers"][-1]) == (sizes[0], sizes[-1])
    activation = opts.activation or t.get("activation", "sigmoid")
    loss = opts.loss or t.get("loss", "cross_entropy" if activation == "softmax" else "half_sse")
    bias = opts.bias if opts.bias is not None else t.get("bias", True)
    seed = opts.seed if opts.seed is not None else t.get("seed", 0)
    batch = opts.batch if opts.batch is not None else t.get("batch", 1)
    lr = float(opts.lr if opts.lr is not None else t.get("lr", 0.1))
    steps = opts.steps if opts.steps is not None else t.get("steps", 20)
    if seed < 0:
        raise InputError(f"--seed: must be 0 or more, got {seed}")
    chosen = opts.layout if opts.layout is not None else t.get("layout")
    check_network(sizes, activation=activation, loss=loss, lr=lr, batch=batch, steps=steps, layout=chosen)

    # Data: a CSV file, the template's own, or made up.
    w_true = x_scale = y_scale = X_test = Y_test = None
    image_side = t.get("image_side") if fits_data and opts.data is None else None
    input_names = output_names = None
    if opts.data is not None:
        table = read_csv(opts.data)
        source = str(opts.data) if opts.layers else f"{opts.data} (layers {','.join(map(str, sizes))} from the {name} template; give --layers to change them)"
        raw_X, raw_Y = split_columns(table, sizes[0], sizes[-1], source=source)
        input_names, output_names = table.header[: sizes[0]], table.header[sizes[0] :]
    elif fits_data and "data_file" in t:
        raw_X, raw_Y, X_test, Y_test, input_names, output_names = _labelled_data(t, sizes)
    elif fits_data:
        raw_X = _array(t.get("X", t.get("raw_X")), ndim=2)
        raw_Y = _array(t.get("Y", t.get("raw_Y")), ndim=2)
        w_true = _array(t.get("w_true"), ndim=1)
        x_scale = _array(t.get("x_scale"), ndim=1)
        y_scale = _array(t.get("y_scale"), ndim=1)
        X_test = _array(t.get("X_test"), ndim=2)
        Y_test = _array(t.get("Y_test"), ndim=2)
        input_names, output_names = tuple(t["inputs"]), tuple(t["outputs"])
    else:
        raw_X, raw_Y = make_data(sizes, activation=activation, loss=loss, seed=seed, n_samples=max(8, batch))
    if input_names is None:
        input_names = tuple(f"x{i + 1}" for i in range(sizes[0]))
        output_names = tuple(f"y{k + 1}" for k in range(sizes[-1])) if sizes[-1] > 1 else ("y",)

    # Initial parameters: the template's where they fit, else seeded Glorot and zero biases.
    init = t.get("init", {}) if fits_template else {}
    n_layers = len(sizes) - 1
    if all(f"W{l}" in init for l in range(1, n_layers + 1)):
        W_init = [_array(init[f"W{l}"], ndim=2) for l in range(1, n_layers + 1)]
    else:
        W_init = glorot(sizes, seed=seed)
    b_init = None
    if bias:
        b_init = [
            _array(init[f"b{l}"], ndim=1) if f"b{l}" in init else np.zeros(sizes[l]) for l in range(1, n_layers + 1)
        ]

    spec = Spec(
        template=name,
        description=_description(t, sizes, opts.lang, activation=activation, loss=loss, bias=bias, batch=batch),
        sizes=sizes,
        activation=activation,
        loss=loss,
        bias=bias,
        batch=batch,
        lr=lr,
        steps=steps,
        seed=seed,
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
        lang=opts.lang,
        layout=chosen if chosen is not None else "rows",
    )
    if chosen is None and rows_layout_width(spec) > MAX_COLS:
        # the rows layout reads best where it fits Excel's columns; blocks take any batch
        spec = replace(spec, layout="blocks")
    return spec.validate()

"""The templates: TOML files shipped in templates/, and the labelled data some of them carry."""

from __future__ import annotations

import functools
import gzip
from importlib import resources
from pathlib import Path

import numpy as np

try:  # the standard library's from 3.11; tomli is the same parser for 3.10
    import tomllib
except ModuleNotFoundError:
    import tomli as tomllib

from ..errors import InputError
from .data import Table, read_csv

DEFAULT_TEMPLATE = "linear"


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


@functools.lru_cache(maxsize=2)
def _read_table(name: str) -> Table:
    """A template's data file, read once a process (fashion's 3,700 × 785 numbers take 2 s)."""
    with resources.as_file(resources.files("excelbp.templates") / name) as path:
        raw = gzip.decompress(Path(path).read_bytes()) if name.endswith(".gz") else None
        table = read_csv(Path(path), raw)
    table.rows.setflags(write=False)
    return table


def labelled_data(t: dict, n_classes: int):
    """A template's CSV (or gzip'd CSV) of inputs then a class label → a train/test split,
    one-hot targets, the inputs' and classes' names.

    The split is seeded (a shuffle: the first `train` train, the next `test` are held out),
    or with `split = "ordered"` the file's own: its first `train` rows train, its last `test`
    rows are held out.
    Inputs are divided by `pixel_scale` as they are read (k/16 is exact), so the workbook's
    data are the values the network sees; with `scale_pixels` the training inputs stay raw
    (the workbook divides them by live formulas) and only the held-out ones are divided.
    """
    table = _read_table(t["data_file"])
    X = table.rows[:, :-1]
    scale = float(t.get("pixel_scale", 1))
    labels = table.rows[:, -1].astype(int)
    n = len(X)
    if t.get("split") == "ordered":
        train, test = np.arange(t["train"]), np.arange(n - t["test"], n)
    else:
        order = np.random.default_rng(t.get("split_seed", 0)).permutation(n)
        train, test = order[: t["train"]], order[t["train"] : t["train"] + t["test"]]
    onehot = np.eye(n_classes)[labels]
    names = tuple(t.get("classes", [f"digit {k}" for k in range(n_classes)]))
    X_train = X[train] if t.get("scale_pixels") else X[train] / scale
    return X_train, onehot[train], X[test] / scale, onehot[test], table.header[:-1], names

"""The templates: TOML files shipped in templates/, and the labelled data some of them carry."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import tomllib

from ..errors import InputError
from .data import read_csv

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


def describe_templates() -> list[tuple[str, str]]:
    return [(name, load_template(name).get("description", "")) for name in template_names()]


def labelled_data(t: dict, n_classes: int):
    """A template's CSV of inputs then a class label → a seeded train/test split, one-hot targets.

    Inputs are divided by `pixel_scale` as they are read (k/16 is exact), so the workbook's
    data are the values the network sees.
    """
    with resources.as_file(resources.files("excelbp.templates") / t["data_file"]) as path:
        table = read_csv(Path(path))
    X = table.rows[:, :-1] / float(t.get("pixel_scale", 1))
    labels = table.rows[:, -1].astype(int)
    order = np.random.default_rng(t.get("split_seed", 0)).permutation(len(X))
    train, test = order[: t["train"]], order[t["train"] : t["train"] + t["test"]]
    onehot = np.eye(n_classes)[labels]
    names = tuple(f"digit {k}" for k in range(n_classes))
    return X[train], onehot[train], X[test], onehot[test], table.header[:-1], names

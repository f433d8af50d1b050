"""What a workbook records of its own spec on its hidden sheet: everything but the inputs'
values, which verify reads live from the cells (so a learner's edits are honoured)."""

from __future__ import annotations

import json
import re

import numpy as np

from ..errors import InputError
from .model import Spec
from .network import LANGUAGES, Network
from .optimizers import Optimizer
from .schedules import Schedule


def structure(spec: Spec) -> dict:
    out = {
        "template": spec.template,
        "sizes": list(spec.sizes),
        "activations": list(spec.activations),
        "optimizer": spec.optimizer.name,
        "loss": spec.loss,
        "bias": spec.bias,
        "batch": spec.batch,
        "steps": spec.steps,
        "n_samples": spec.n_samples,
        "input_names": list(spec.input_names),
        "output_names": list(spec.output_names),
        "has_w_true": spec.has_w_true,
        "scaled": spec.scaled,
        "n_test": 0 if spec.X_test is None else int(spec.X_test.shape[0]),
        "image_side": spec.image_side,
        "pixel_scale": spec.pixel_scale,
        "lang": spec.lang,
        "layout": spec.layout,
        "gradcheck": spec.gradcheck,
    }
    if spec.scale_pixels or spec.in_place:  # absent: False (workbooks made before them)
        out["scale_pixels"], out["in_place"] = spec.scale_pixels, spec.in_place
    if spec.schedule.name != "constant":  # its inputs' values are read live; absent: constant
        out["schedule"] = spec.schedule.name
    if spec.compare_lr:  # how many rates (their values are read live); absent: no sweep
        out["compare_lr"] = len(spec.compare_lr)
    return out


def structure_json(spec: Spec) -> str:
    return json.dumps(structure(spec), ensure_ascii=False, sort_keys=True)


def shaped_spec(recorded: dict, *, source: str) -> Spec:
    """A spec of the recorded shape whose every input is 0 (1 for scales): where the layout
    puts things depends on shapes only, so verify can find the inputs and read them in."""
    try:
        sizes = tuple(int(n) for n in recorded["sizes"])
        n, n_test = int(recorded["n_samples"]), int(recorded.get("n_test", 0))
        n_in, n_out = sizes[0], sizes[-1]
        scaled, bias = bool(recorded.get("scaled")), bool(recorded["bias"])
        network = Network.of(
            sizes=sizes,
            activations=tuple(str(a) for a in recorded["activations"]),
            bias=bias,
            in_place=bool(recorded.get("in_place", False)),
            # its values are read live
            optimizer=Optimizer(str(recorded.get("optimizer", "sgd"))),
            schedule=Schedule.of(str(recorded.get("schedule", "constant")), steps=1),
            loss=str(recorded["loss"]),
            batch=int(recorded["batch"]),
            lr=1.0,
            steps=int(recorded["steps"]),
            layout=str(recorded.get("layout", "rows")),
            has_w_true=bool(recorded.get("has_w_true")),
            scaled=scaled,
            gradcheck=bool(recorded.get("gradcheck", False)),
            compare_lr=(1.0,) * int(recorded.get("compare_lr", 0)),
        )
        spec = Spec(
            template=str(recorded.get("template", "custom")),
            description="",
            network=network,
            seed=0,
            raw_X=np.zeros((n, n_in)),
            raw_Y=None if recorded.get("has_w_true") else np.zeros((n, n_out)),
            W_init=tuple(np.zeros(layer.shapes["W"]) for layer in network.layers),
            b_init=tuple(np.zeros(layer.fan_out) for layer in network.layers) if bias else None,
            input_names=tuple(str(s) for s in recorded["input_names"]),
            output_names=tuple(str(s) for s in recorded["output_names"]),
            w_true=np.zeros(n_in) if recorded.get("has_w_true") else None,
            x_scale=np.ones(n_in) if scaled else None,
            y_scale=np.ones(n_out) if scaled else None,
            X_test=np.zeros((n_test, n_in)) if n_test else None,
            Y_test=np.zeros((n_test, n_out)) if n_test else None,
            image_side=recorded.get("image_side"),
            pixel_scale=(
                None if recorded.get("pixel_scale") is None else float(recorded["pixel_scale"])
            ),
            lang=str(recorded.get("lang", "en")),
            scale_pixels=bool(recorded.get("scale_pixels", False)),
        )
        if spec.lang not in LANGUAGES:
            raise ValueError(f"unknown language {spec.lang!r}")
        spec.network.validate()
    except (KeyError, TypeError, ValueError, InputError) as e:
        # the network's checks name options (--loss); the record was not given as options
        said = re.sub(r"--([a-z][\w-]*)", lambda m: m[1].replace("-", "_"), str(e))
        raise InputError(f"{source}: the excelbp structure sheet is damaged ({said})") from None
    return spec

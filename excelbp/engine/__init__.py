"""Stage 2, the engine: the NumPy reference training, independent of the workbook's formulas,
and the trained network applied to inputs (evaluate.py). Every number a workbook caches and
verify expects is computed here (or given by the spec); later stages only place it."""

from .backprop import Trace, predict, train
from .evaluate import Classes, Layers, classes, decision_line, drawn_inputs, layers, raw_scale
from .functions import (
    ACTIVATIONS,
    LOSSES,
    activate,
    activation_slope,
    binary_cross_entropy,
    check_activations,
    cross_entropy,
    hits,
    layer_activations,
    loss_slope,
    sample_loss,
    softmax_parts,
)
from .optimizers import OPTIMIZERS, Optimizer, State
from .training import Chunk, Training, engine_options

__all__ = [
    "ACTIVATIONS",
    "Chunk",
    "Classes",
    "LOSSES",
    "Layers",
    "OPTIMIZERS",
    "Optimizer",
    "State",
    "Trace",
    "Training",
    "activate",
    "activation_slope",
    "binary_cross_entropy",
    "check_activations",
    "classes",
    "cross_entropy",
    "decision_line",
    "drawn_inputs",
    "engine_options",
    "hits",
    "layer_activations",
    "layers",
    "loss_slope",
    "predict",
    "raw_scale",
    "sample_loss",
    "softmax_parts",
    "train",
]

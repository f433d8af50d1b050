"""Stage 2, the engine: the NumPy reference training, independent of the workbook's formulas."""

from .backprop import Trace, predict, train
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
    "LOSSES",
    "OPTIMIZERS",
    "Optimizer",
    "State",
    "Trace",
    "Training",
    "activate",
    "activation_slope",
    "binary_cross_entropy",
    "check_activations",
    "cross_entropy",
    "engine_options",
    "hits",
    "layer_activations",
    "loss_slope",
    "predict",
    "sample_loss",
    "softmax_parts",
    "train",
]

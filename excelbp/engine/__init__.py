"""Stage 2, the engine: the NumPy reference training, independent of the workbook's formulas."""

from .backprop import Trace, predict, train
from .functions import (
    activate,
    activation_slope,
    cross_entropy,
    loss_slope,
    sample_loss,
    softmax_parts,
)
from .training import Chunk, Training

__all__ = [
    "Chunk",
    "Trace",
    "Training",
    "activate",
    "activation_slope",
    "cross_entropy",
    "loss_slope",
    "predict",
    "sample_loss",
    "softmax_parts",
    "train",
]

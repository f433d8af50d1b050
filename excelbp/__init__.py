"""excelbp: Excel workbooks in which a neural network trains itself by backpropagation."""

__version__ = "0.1.0"

"""Stage 1, the spec: options and templates → a validated, frozen description of a workbook."""

from .model import Spec
from .network import Network
from .options import BuildOptions

__all__ = ["BuildOptions", "Network", "Spec"]

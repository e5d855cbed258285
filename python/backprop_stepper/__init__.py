"""Record real PyTorch training steps as Backprop Stepper traces (docs/trace-format.md)."""
__version__ = "0.1.0"

from .recorder import Recorder
from .trace_io import FORMAT_VERSION, TraceFormatError, read_trace

__all__ = ["Recorder", "read_trace", "TraceFormatError", "FORMAT_VERSION", "__version__"]

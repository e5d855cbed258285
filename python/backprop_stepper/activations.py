"""The element-wise activation modules a dense layer may end in, and their local gradients.

Names are the engine's (DESIGN.md §4), so a recorded layer reads like a model-file layer.
Derivatives at kinks follow torch's backward: ReLU′(0) = 0, LeakyReLU′(0) = slope.
"""
from typing import NamedTuple, Optional

import torch
from torch import nn


class Activation(NamedTuple):
    name: str
    slope: Optional[float]  # leaky-relu only


def activation_of(module: nn.Module) -> Optional[Activation]:
    """The activation a module applies element-wise over a 2-D batch, or None if it is not one."""
    if isinstance(module, nn.Identity):
        return Activation("identity", None)
    if isinstance(module, nn.Sigmoid):
        return Activation("sigmoid", None)
    if isinstance(module, nn.Tanh):
        return Activation("tanh", None)
    if isinstance(module, nn.ReLU):
        return Activation("relu", None)
    if isinstance(module, nn.LeakyReLU):
        return Activation("leaky-relu", float(module.negative_slope))
    # Softmax over the units of a batch × units tensor; dim None means 1 for 2-D input.
    if isinstance(module, nn.Softmax) and module.dim in (None, 1, -1):
        return Activation("softmax", None)
    return None


def local_gradient(activation: Activation, z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """f′(z) as batch × units, or for softmax the per-sample Jacobian ∂a/∂z, batch × units × units."""
    name = activation.name
    if name == "identity":
        return torch.ones_like(z)
    if name == "sigmoid":
        return a * (1 - a)
    if name == "tanh":
        return 1 - a * a
    if name == "relu":
        return (z > 0).to(z.dtype)
    if name == "leaky-relu":
        return torch.full_like(z, activation.slope).masked_fill_(z > 0, 1.0)
    if name == "softmax":
        return torch.diag_embed(a) - a.unsqueeze(2) * a.unsqueeze(1)
    raise ValueError(f"no local gradient for activation {name!r}")
